//! Authentication (a Bearer JWT, verified with pinned algorithms) and the roles it carries.
//!
//! Tokens without a `kid` are HS256 tokens signed with the site's shared secret. Tokens with a
//! `kid` must name a key of the configured JWKS (RS256/ES256/EdDSA from an intranet identity
//! provider); the key's own algorithm is the only one accepted for it. `exp`, `iss`, `aud` and
//! `sub` are required, `nbf` is honoured, and the leeway is [`LEEWAY_SECONDS`].

use std::{
    future::{Ready, ready},
    path::Path,
    sync::Arc,
    time::Duration,
};

use actix_web::{
    FromRequest, HttpMessage, HttpRequest,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;

/// Shortest accepted HS256 secret, in bytes (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

/// Longest accepted token, in bytes; longer ones are refused unread.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

pub use crate::domain::Role;

mod jwks;
mod verifier;

pub use jwks::{JwksSource, start as start_jwks};
pub use verifier::{Authenticator, ClaimMap, KeyError};

/// The claims samverkan reads from a token (validated ones are checked by jsonwebtoken too).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The caller's stable subject identifier.
    pub sub: String,
    /// Role names; unknown names are ignored.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The organisation the caller acts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Not before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issued at, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: serde_json::Value,
}

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The token's `sub`.
    pub sub: String,
    /// The known roles of the token.
    pub roles: Vec<Role>,
    /// The organisation the caller acts for.
    pub org: Option<Uuid>,
}

impl Identity {
    /// Whether the caller holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Ok when the caller holds one of `allowed`, else 403.
    pub fn require_any(&self, allowed: &[Role]) -> Result<(), ApiError> {
        if allowed.iter().any(|role| self.has(*role)) {
            Ok(())
        } else {
            let names: Vec<_> = allowed.iter().map(|r| r.as_str()).collect();
            Err(ApiError::Forbidden(format!(
                "this needs one of the roles: {}",
                names.join(", ")
            )))
        }
    }
}

/// Mints an HS256 token for local use (`samverkan token`) and for tests.
pub fn mint(
    secret: &SecretString,
    issuer: &str,
    audience: &str,
    identity: &Identity,
    ttl: Duration,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = jsonwebtoken::get_current_timestamp() as i64;
    let claims = Claims {
        sub: identity.sub.clone(),
        roles: identity
            .roles
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        org: identity.org,
        exp: now + ttl.as_secs() as i64,
        nbf: Some(now),
        iat: Some(now),
        iss: issuer.to_owned(),
        aud: serde_json::Value::String(audience.to_owned()),
    };
    let key = EncodingKey::from_secret(secret.expose_secret().as_bytes());
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)
}

/// Reads the HS256 secret kept in `path`, creating it (mode 0600, 32 random bytes as hex) on
/// first use.
pub fn load_or_create_secret(path: &Path) -> Result<SecretString, KeyError> {
    let file_error = |source| KeyError::SecretFile {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(SecretString::from(text.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes)
                .map_err(|e| file_error(std::io::Error::other(e.to_string())))?;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(file_error)?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(path).map_err(file_error)?;
            std::io::Write::write_all(&mut file, hex.as_bytes()).map_err(file_error)?;
            Ok(SecretString::from(hex))
        }
        Err(e) => Err(file_error(e)),
    }
}

/// The bearer token of a request: `None` without an `Authorization` header, 401 for a header
/// that is not a usable bearer token.
fn bearer_token(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthenticated("malformed Authorization header", true))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::unauthenticated(
            "expected `Authorization: Bearer <token>`",
            true,
        )),
    }
}

/// The outcome of verifying a request's bearer token, reached once per request by
/// [`authenticate`] and read by the extractors and the rate limiter.
#[derive(Debug, Clone)]
pub struct Verified(pub Result<Identity, String>);

/// The middleware that verifies the bearer token (asynchronously: an unknown key may need a
/// JWKS fetch) and leaves the outcome in the request's extensions.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let token = bearer_token(req.request())
        .ok()
        .flatten()
        .map(str::to_owned);
    if let (Some(token), Some(auth)) = (
        token,
        req.app_data::<web::Data<Arc<Authenticator>>>().cloned(),
    ) {
        let outcome = auth
            .authenticate(&token)
            .await
            .map_err(|e| e.problem().detail.unwrap_or_default());
        req.extensions_mut().insert(Verified(outcome));
    }
    next.call(req).await
}

/// The caller of a token: the outcome [`authenticate`] reached, or a verification now.
fn verified(req: &HttpRequest, auth: &Authenticator, token: &str) -> Result<Identity, ApiError> {
    match req.extensions().get::<Verified>() {
        Some(Verified(outcome)) => outcome
            .clone()
            .map_err(|detail| ApiError::unauthenticated(detail, true)),
        None => auth.verify(token),
    }
}

fn authenticator(req: &HttpRequest) -> Result<&Arc<Authenticator>, ApiError> {
    req.app_data::<web::Data<Arc<Authenticator>>>()
        .map(|data| data.get_ref())
        .ok_or_else(|| ApiError::Internal("no authenticator registered".into()))
}

/// A caller who may be anonymous: for reads of what is published.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No token (allowed only when public reads are on).
    Anonymous,
    /// A verified token.
    User(Identity),
}

impl Caller {
    /// Whether the caller may see records that are not public (admin, secretary, member):
    /// the one visibility rule every resource applies; everyone else sees public ones only.
    pub fn sees_unpublished(&self) -> bool {
        self.identity().is_some_and(|who| {
            who.roles
                .iter()
                .any(|r| matches!(r, Role::Admin | Role::Secretary | Role::Member))
        })
    }

    /// The identity, when authenticated.
    pub fn identity(&self) -> Option<&Identity> {
        match self {
            Self::Anonymous => None,
            Self::User(identity) => Some(identity),
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = authenticator(req).and_then(|auth| match bearer_token(req)? {
            Some(token) => verified(req, auth, token).map(Caller::User),
            None if auth.public_read() => Ok(Caller::Anonymous),
            None => Err(ApiError::unauthenticated(
                "a bearer token is required",
                false,
            )),
        });
        ready(result)
    }
}

/// An authenticated caller: for writes and non-public reads.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Identity);

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = authenticator(req).and_then(|auth| match bearer_token(req)? {
            Some(token) => verified(req, auth, token).map(AuthUser),
            None => Err(ApiError::unauthenticated(
                "a bearer token is required",
                false,
            )),
        });
        ready(result)
    }
}

impl std::ops::Deref for AuthUser {
    type Target = Identity;

    fn deref(&self) -> &Identity {
        &self.0
    }
}

/// A set of roles allowed to do something; see [`Authorized`].
pub trait Policy {
    /// The roles that pass.
    const ROLES: &'static [Role];
}

/// An authenticated caller holding one of `P::ROLES`: 401 without a valid token, 403 with the
/// wrong roles, both before the request body is read.
#[derive(Debug, Clone)]
pub struct Authorized<P: Policy>(pub Identity, std::marker::PhantomData<P>);

impl<P: Policy> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let result =
            AuthUser::from_request(req, payload)
                .into_inner()
                .and_then(|AuthUser(identity)| {
                    identity.require_any(P::ROLES)?;
                    Ok(Self(identity, std::marker::PhantomData))
                });
        ready(result)
    }
}

impl<P: Policy> std::ops::Deref for Authorized<P> {
    type Target = Identity;

    fn deref(&self) -> &Identity {
        &self.0
    }
}

/// Administrators only.
#[derive(Debug, Clone)]
pub struct AdminOnly;

impl Policy for AdminOnly {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// Administrators and secretaries: the keepers of the record.
#[derive(Debug, Clone)]
pub struct AdminOrSecretary;

impl Policy for AdminOrSecretary {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Secretary];
}

/// Those who report: admins and secretaries for anyone, a reporter for its own organisation
/// (indicator values, the progress of the activities it is responsible for).
#[derive(Debug, Clone)]
pub struct Reporters;

impl Policy for Reporters {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Secretary, Role::Reporter];
}

impl From<&Identity> for crate::store::Actor {
    fn from(identity: &Identity) -> Self {
        Self::new(identity.sub.clone(), identity.roles.clone())
    }
}
