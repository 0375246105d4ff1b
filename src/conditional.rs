//! Conditional requests: `ETag` from a record's version, `If-None-Match` (304) on reads and
//! `If-Match` (412) on writes, with strong comparison as RFC 9110 §13.1.1 asks.

use std::future::{Ready, ready};

use actix_web::{
    FromRequest, HttpRequest, HttpResponse,
    dev::Payload,
    http::{
        StatusCode,
        header::{self, ETag, EntityTag, Header, IfMatch, IfNoneMatch},
    },
};
use serde::Serialize;

use crate::{
    error::{ApiError, ApiResult},
    store::idempotency::StoredResponse,
};

/// The entity tag of a record at `version`.
pub fn entity_tag(version: i32) -> EntityTag {
    EntityTag::new_strong(version.to_string())
}

/// The `If-Match` precondition of a write, if the client sent one.
#[derive(Debug, Clone, Default)]
pub struct IfMatchVersion(Option<IfMatch>);

impl IfMatchVersion {
    /// A write with no precondition.
    pub fn none() -> Self {
        Self(None)
    }

    /// Ok when there is no precondition or it matches `version`; 412 otherwise.
    pub fn check(&self, version: i32) -> Result<(), ApiError> {
        match &self.0 {
            None | Some(IfMatch::Any) => Ok(()),
            Some(IfMatch::Items(tags)) => {
                let current = entity_tag(version);
                if tags.iter().any(|tag| tag.strong_eq(&current)) {
                    Ok(())
                } else {
                    Err(ApiError::PreconditionFailed)
                }
            }
        }
    }

    /// Whether the client named a version (a lost update then is a 412, not a 409).
    pub fn is_given(&self) -> bool {
        self.0.is_some()
    }
}

impl FromRequest for IfMatchVersion {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(if req.headers().contains_key(header::IF_MATCH) {
            IfMatch::parse(req)
                .map(|value| Self(Some(value)))
                .map_err(|_| ApiError::BadRequest("malformed If-Match header".into()))
        } else {
            Ok(Self(None))
        })
    }
}

/// 200 with the record and its `ETag`, or 304 when `If-None-Match` names that version.
pub fn record_response<T: Serialize>(req: &HttpRequest, version: i32, body: &T) -> HttpResponse {
    let tag = entity_tag(version);
    if req.headers().contains_key(header::IF_NONE_MATCH) {
        let matched = match IfNoneMatch::parse(req) {
            Ok(IfNoneMatch::Any) => true,
            Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(&tag)),
            Err(_) => false,
        };
        if matched {
            return HttpResponse::NotModified()
                .insert_header(ETag(tag))
                .finish();
        }
    }
    HttpResponse::Ok().insert_header(ETag(tag)).json(body)
}

/// The 201 for a new record at `location`, as stored for `Idempotency-Key` replays.
pub fn created<T: Serialize>(
    location: String,
    version: i32,
    body: &T,
) -> ApiResult<StoredResponse> {
    Ok(StoredResponse {
        status: StatusCode::CREATED.as_u16(),
        location: Some(location),
        etag: Some(entity_tag(version).to_string()),
        body: serde_json::to_string(body).map_err(|e| ApiError::Internal(Box::new(e)))?,
    })
}

/// The HTTP response of a stored response; a replay carries `Idempotent-Replayed: true`.
pub fn stored_response(stored: StoredResponse, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.content_type("application/json");
    if let Some(location) = stored.location {
        response.insert_header((header::LOCATION, location));
    }
    if let Some(etag) = stored.etag {
        response.insert_header((header::ETAG, etag));
    }
    if replayed {
        response.insert_header(("idempotent-replayed", "true"));
    }
    response.body(stored.body)
}

/// 200 with the changed record and its new `ETag`.
pub fn updated_response<T: Serialize>(version: i32, body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ETag(entity_tag(version)))
        .json(body)
}
