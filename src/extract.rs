//! Request extractors whose failures are problem+json: JSON bodies and query strings, with the
//! path of the offending field in every error.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, FieldError};

/// The largest JSON body a route accepts; register with `app_data` (default 64 KiB).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

impl Default for BodyLimit {
    fn default() -> Self {
        Self(64 * 1024)
    }
}

/// A JSON request body, deserialised into `T`, with the SHA-256 of its bytes.
///
/// Refuses a wrong or missing content type (415), a body over the [`BodyLimit`] (413),
/// malformed JSON (400) and values of the wrong shape (422, naming the field).
#[derive(Debug)]
pub struct JsonBody<T>(pub T, pub BodyDigest);

/// The SHA-256 of a request body (for `Idempotency-Key` fingerprints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyDigest(pub [u8; 32]);

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        }
        _ => false,
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().copied().unwrap_or_default().0;
        let json = is_json(req);
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let payload = web::Payload::from_request(req, payload).into_inner();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType(
                    "the request body must be JSON (Content-Type: application/json)".into(),
                ));
            }
            if declared.is_some_and(|len| len > limit) {
                return Err(ApiError::PayloadTooLarge(limit));
            }
            let payload = payload
                .map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
            let body = payload
                .to_bytes_limited(limit)
                .await
                .map_err(|_| ApiError::PayloadTooLarge(limit))?
                .map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Err(ApiError::BadRequest("the request body is empty".into()));
            }
            let digest = BodyDigest(Sha256::digest(&body).into());
            parse_json(&body).map(|value| JsonBody(value, digest))
        })
    }
}

/// Removes serde_json's " at line L column C" from a message.
fn without_position(message: String) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

/// The field path of a deserialisation error, with an unknown field named in full.
fn field_path(path: &serde_path_to_error::Path, message: &str) -> String {
    let mut field = path.to_string();
    if field == "." {
        field.clear();
    }
    let named = ["unknown field `", "missing field `", "duplicate field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix));
    if let Some(rest) = named
        && let Some((name, _)) = rest.split_once('`')
    {
        if field.is_empty() {
            field = name.to_owned();
        } else if !field.ends_with(name) {
            field = format!("{field}.{name}");
        }
    }
    if field.is_empty() {
        "body".to_owned()
    } else {
        field
    }
}

/// Deserialises a JSON document, mapping syntax errors to 400 and shape errors to 422.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|error| {
        let inner = error.inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            return ApiError::BadRequest(format!("malformed JSON: {inner}"));
        }
        let message = without_position(inner.to_string());
        let field = field_path(error.path(), &message);
        ApiError::Validation(vec![FieldError::new(field, message)])
    })?;
    de.end()
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// A query string, deserialised into `T`; any failure is a 400 naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

/// Deserialises a query string; control characters in values are refused.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    parse_query_pairs(url::form_urlencoded::parse(query.as_bytes()).collect())
}

/// Deserialises decoded query pairs; control characters in values are refused.
pub fn parse_query_pairs<T: DeserializeOwned>(
    pairs: Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)>,
) -> Result<T, ApiError> {
    if let Some((name, _)) = pairs.iter().find(|(_, v)| v.chars().any(char::is_control)) {
        return Err(bad_parameter(name, "contains a control character"));
    }
    let encoded = serde_urlencoded::to_string(&pairs)
        .map_err(|e| ApiError::BadRequest(format!("malformed query: {e}")))?;
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize::<_, T>(de).map_err(|error| {
        let message = error.inner().to_string();
        let field = field_path(error.path(), &message);
        bad_parameter(&field, &message)
    })
}

pub use crate::error::bad_parameter;

/// The `Idempotency-Key` header of a POST, if sent: 1–255 visible ASCII characters, optionally
/// in quotes (the draft's sf-string form). Anything else is a 400.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(pub Option<String>);

impl IdempotencyKey {
    /// The key with the fingerprint of this request, when a key was sent.
    pub fn for_request(
        &self,
        req: &HttpRequest,
        digest: &BodyDigest,
    ) -> Option<crate::store::idempotency::Idempotent> {
        self.0.as_ref().map(|key| {
            crate::store::idempotency::Idempotent::new(
                key.clone(),
                req.method().as_str(),
                req.path(),
                &digest.0,
            )
        })
    }
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get("idempotency-key") else {
            return std::future::ready(Ok(Self(None)));
        };
        let key = value.to_str().ok().map(|v| {
            let v = v.trim();
            // A quoted key is the key without its quotes; `""` is a key of two quotes, as the
            // documented pattern has it.
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .filter(|inner| !inner.is_empty())
                .unwrap_or(v)
        });
        std::future::ready(match key {
            Some(key)
                if !key.is_empty()
                    && key.len() <= 255
                    && key.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Ok(Self(Some(key.to_owned())))
            }
            _ => Err(ApiError::BadRequest(
                "Idempotency-Key must be 1-255 visible ASCII characters, e.g. a UUID".into(),
            )),
        })
    }
}
