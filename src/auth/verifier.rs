//! The token verifier: the shared HS256 secret, the keys of a JWKS file and of a JWKS URL (see
//! [`super::jwks`]), the claims an identity provider's tokens carry mapped to roles and an
//! organisation, and a cache of verified tokens so that an asymmetric signature is checked once
//! per token rather than once per request.

use std::{
    collections::HashMap,
    path::Path,
    sync::{Mutex, RwLock},
};

use jsonwebtoken::{
    Algorithm, DecodingKey, Validation,
    errors::ErrorKind,
    jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet},
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Identity, LEEWAY_SECONDS, MAX_TOKEN_BYTES, MIN_SECRET_BYTES, Role, jwks::JwksSource};
use crate::error::ApiError;

/// Verified tokens kept at most (the cache is emptied of expired ones, or wholly, when full).
const CACHE_MAX: usize = 10_000;

/// One verification key and the only validation it may be used with.
struct VerifyingKey {
    key: DecodingKey,
    validation: Validation,
}

/// Where a token's roles and organisation are read from.
#[derive(Debug, Clone)]
pub struct ClaimMap {
    /// The claim holding role names (a dotted path, e.g. `realm_access.roles`).
    pub roles: String,
    /// The claim holding the organisation's id.
    pub org: String,
    /// Names the identity provider uses, mapped to roles (e.g. `samverkan-admins` → admin);
    /// names not listed are taken as role names themselves.
    pub role_names: HashMap<String, Role>,
}

impl Default for ClaimMap {
    fn default() -> Self {
        Self {
            roles: "roles".into(),
            org: "org".into(),
            role_names: HashMap::new(),
        }
    }
}

impl ClaimMap {
    /// The identity a verified token's claims describe.
    fn identity(&self, claims: &Value) -> Result<Identity, ApiError> {
        let sub = claims["sub"]
            .as_str()
            .filter(|sub| !sub.is_empty())
            .ok_or_else(|| ApiError::unauthenticated("the token has no `sub`", true))?;
        let names: Vec<&str> = match lookup(claims, &self.roles) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(text)) => text
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|name| !name.is_empty())
                .collect(),
            _ => Vec::new(),
        };
        let mut roles: Vec<Role> = Vec::new();
        for name in names {
            let role = self
                .role_names
                .get(name)
                .copied()
                .or_else(|| serde_json::from_value(Value::String(name.to_owned())).ok());
            if let Some(role) = role.filter(|role| !roles.contains(role)) {
                roles.push(role);
            }
        }
        let org = lookup(claims, &self.org)
            .and_then(Value::as_str)
            .and_then(|text| text.parse::<Uuid>().ok());
        Ok(Identity {
            sub: sub.to_owned(),
            roles,
            org,
        })
    }
}

/// The value at a dotted path of the claims (a claim whose own name has dots wins).
/// Claims only an OpenID Connect ID token carries (RFC 8725 §3.11: do not accept one kind of
/// token for another).
const ID_TOKEN_CLAIMS: [&str; 3] = ["nonce", "at_hash", "c_hash"];

/// `typ` values of an access token: plain `JWT` or RFC 9068's `at+jwt` (with or without the
/// `application/` prefix, in any case).
fn is_access_token_type(typ: &str) -> bool {
    let typ = typ.to_ascii_lowercase();
    let typ = typ.strip_prefix("application/").unwrap_or(&typ);
    matches!(typ, "jwt" | "at+jwt")
}

fn lookup<'a>(claims: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(value) = claims.get(path) {
        return Some(value);
    }
    path.split('.')
        .try_fold(claims, |value, key| value.get(key))
}

/// Verifies tokens; built once at start from the settings.
pub struct Authenticator {
    issuer: String,
    audience: String,
    shared: VerifyingKey,
    file_keys: HashMap<String, VerifyingKey>,
    url_keys: RwLock<HashMap<String, VerifyingKey>>,
    pub(super) jwks: Option<JwksSource>,
    claims: ClaimMap,
    cache: Mutex<HashMap<[u8; 32], (Identity, i64)>>,
    public_read: bool,
}

/// Why the token configuration was refused at start.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The HS256 secret is too short.
    #[error("the JWT secret must be at least {MIN_SECRET_BYTES} bytes (got {0})")]
    SecretTooShort(usize),
    /// The JWKS file could not be read or used.
    #[error("JWKS {path}: {reason}")]
    Jwks {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The secret file could not be read or created.
    #[error("JWT secret file {path}: {source}")]
    SecretFile {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

fn validation(alg: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(alg);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    validation
}

/// The algorithm a JWKS key is pinned to: its `alg`, or the one its key type implies.
fn pinned_algorithm(jwk: &Jwk) -> Result<Algorithm, String> {
    let alg = match (&jwk.algorithm, jwk.common.key_algorithm) {
        (AlgorithmParameters::OctetKey(_), _) => {
            return Err("symmetric (oct) keys are not accepted in a JWKS".into());
        }
        (_, Some(declared)) => Algorithm::try_from(declared).map_err(|e| e.to_string())?,
        (AlgorithmParameters::RSA(_), None) => Algorithm::RS256,
        (AlgorithmParameters::EllipticCurve(p), None) => match p.curve {
            EllipticCurve::P256 => Algorithm::ES256,
            EllipticCurve::P384 => Algorithm::ES384,
            _ => return Err("unsupported elliptic curve".into()),
        },
        (AlgorithmParameters::OctetKeyPair(p), None) if p.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        _ => return Err("unsupported key type".into()),
    };
    if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        return Err("HMAC algorithms are not accepted in a JWKS".into());
    }
    Ok(alg)
}

/// The verification keys of a JWKS, by `kid`.
fn keys_of(
    set: &JwkSet,
    issuer: &str,
    audience: &str,
) -> Result<HashMap<String, VerifyingKey>, String> {
    let mut by_kid = HashMap::new();
    for jwk in &set.keys {
        let kid = jwk
            .common
            .key_id
            .clone()
            .ok_or_else(|| "every key needs a kid".to_owned())?;
        let alg = pinned_algorithm(jwk).map_err(|e| format!("{kid}: {e}"))?;
        let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("{kid}: {e}"))?;
        by_kid.insert(
            kid,
            VerifyingKey {
                key,
                validation: validation(alg, issuer, audience),
            },
        );
    }
    Ok(by_kid)
}

/// Why a token was refused.
pub(super) enum Refusal {
    /// Its `kid` is not a key we know (yet): a JWKS refresh may find it.
    UnknownKey,
    /// Anything else.
    Invalid(ApiError),
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::UnknownKey => ApiError::unauthenticated("unknown key id", true),
            Refusal::Invalid(error) => error,
        }
    }
}

impl Authenticator {
    /// Builds the verifier from the shared secret and an optional JWKS file.
    pub fn new(
        secret: &SecretString,
        issuer: &str,
        audience: &str,
        jwks_file: Option<&Path>,
        public_read: bool,
    ) -> Result<Self, KeyError> {
        let secret = secret.expose_secret().as_bytes();
        if secret.len() < MIN_SECRET_BYTES {
            return Err(KeyError::SecretTooShort(secret.len()));
        }
        let shared = VerifyingKey {
            key: DecodingKey::from_secret(secret),
            validation: validation(Algorithm::HS256, issuer, audience),
        };
        let mut file_keys = HashMap::new();
        if let Some(path) = jwks_file {
            let jwks_error = |reason: String| KeyError::Jwks {
                path: path.display().to_string(),
                reason,
            };
            let text = std::fs::read_to_string(path).map_err(|e| jwks_error(e.to_string()))?;
            let set: JwkSet = serde_json::from_str(&text).map_err(|e| jwks_error(e.to_string()))?;
            file_keys = keys_of(&set, issuer, audience).map_err(jwks_error)?;
        }
        Ok(Self {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            shared,
            file_keys,
            url_keys: RwLock::new(HashMap::new()),
            jwks: None,
            claims: ClaimMap::default(),
            cache: Mutex::new(HashMap::new()),
            public_read,
        })
    }

    /// Reads roles and organisation from these claims.
    pub fn with_claims(mut self, claims: ClaimMap) -> Self {
        self.claims = claims;
        self
    }

    /// Also trusts the keys published at a JWKS URL.
    pub fn with_jwks(mut self, source: JwksSource) -> Self {
        self.jwks = Some(source);
        self
    }

    /// Whether unauthenticated callers may read what is published.
    pub fn public_read(&self) -> bool {
        self.public_read
    }

    /// Replaces the keys of the JWKS URL (and forgets verified tokens when they changed, so
    /// that a withdrawn key's tokens stop working at once). Returns how many keys it holds.
    pub(super) fn set_url_keys(&self, set: &JwkSet) -> Result<usize, String> {
        let keys = keys_of(set, &self.issuer, &self.audience)?;
        let count = keys.len();
        let mut current = self
            .url_keys
            .write()
            .map_err(|_| "the key set lock is poisoned".to_owned())?;
        let mut old: Vec<&String> = current.keys().collect();
        let mut new: Vec<&String> = keys.keys().collect();
        old.sort();
        new.sort();
        let changed = old != new;
        *current = keys;
        drop(current);
        if changed && let Ok(mut cache) = self.cache.lock() {
            cache.clear();
        }
        Ok(count)
    }

    /// Verifies `token` and returns the caller, or a 401.
    pub fn verify(&self, token: &str) -> Result<Identity, ApiError> {
        self.check(token).map_err(ApiError::from)
    }

    /// Verifies `token`; when its key is unknown and a JWKS URL is configured, fetches the
    /// keys again (at most once per the configured interval) and tries once more.
    pub async fn authenticate(&self, token: &str) -> Result<Identity, ApiError> {
        match self.check(token) {
            Err(Refusal::UnknownKey) if self.jwks.is_some() => {
                super::jwks::refresh_for_unknown_key(self).await;
                self.check(token).map_err(ApiError::from)
            }
            other => other.map_err(ApiError::from),
        }
    }

    fn check(&self, token: &str) -> Result<Identity, Refusal> {
        let invalid = |detail: &str| Refusal::Invalid(ApiError::unauthenticated(detail, true));
        if token.len() > MAX_TOKEN_BYTES {
            return Err(invalid("the token is too long"));
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = jsonwebtoken::get_current_timestamp() as i64;
        if let Ok(cache) = self.cache.lock()
            && let Some((identity, exp)) = cache.get(&digest)
            && *exp > now
        {
            return Ok(identity.clone());
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed token"))?;
        if header.jku.is_some() || header.jwk.is_some() || header.x5u.is_some() {
            return Err(invalid(
                "keys or key URLs in the token header are not accepted",
            ));
        }
        if !header.typ.as_deref().is_none_or(is_access_token_type) {
            return Err(invalid("the token is not an access token"));
        }
        let url_keys = self
            .url_keys
            .read()
            .map_err(|_| invalid("the key set is unavailable"))?;
        let key = match &header.kid {
            Some(kid) => self
                .file_keys
                .get(kid)
                .or_else(|| url_keys.get(kid))
                .ok_or(Refusal::UnknownKey)?,
            None => &self.shared,
        };
        let data =
            jsonwebtoken::decode::<Value>(token, &key.key, &key.validation).map_err(|e| {
                tracing::debug!(error = %e, "token refused");
                match e.kind() {
                    ErrorKind::InvalidSignature => {
                        invalid("the token's signature does not match this service's signing key")
                    }
                    _ => invalid("the token is invalid or expired"),
                }
            })?;
        drop(url_keys);
        if ID_TOKEN_CLAIMS.iter().any(|c| data.claims.get(c).is_some()) {
            return Err(invalid("an ID token is not an access token"));
        }
        let identity = self
            .claims
            .identity(&data.claims)
            .map_err(Refusal::Invalid)?;
        let exp = data.claims["exp"].as_i64().unwrap_or(now);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_MAX {
                cache.retain(|_, (_, exp)| *exp > now);
                if cache.len() >= CACHE_MAX {
                    cache.clear();
                }
            }
            cache.insert(digest, (identity.clone(), exp));
        }
        Ok(identity)
    }
}
