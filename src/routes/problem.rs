//! How an [`ApiError`] becomes an HTTP response: its status, its headers (`WWW-Authenticate`,
//! `Allow`, `Retry-After`) and its problem+json body. The error type itself knows no HTTP
//! framework, so the store can return it.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};

use crate::error::{ApiError, PROBLEM_JSON, error_chain};

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => {
                tracing::error!(error = %error_chain(cause.as_ref()), "internal error")
            }
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "service unavailable"),
            other => tracing::debug!(error = %other, "request refused"),
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthenticated {
                token_presented, ..
            } => {
                let challenge = if *token_presented {
                    r#"Bearer realm="samverkan", error="invalid_token""#
                } else {
                    r#"Bearer realm="samverkan""#
                };
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            ApiError::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            ApiError::TooManyRequests(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "2"));
            }
            ApiError::RangeNotSatisfiable(length) => {
                response.insert_header((header::CONTENT_RANGE, format!("bytes */{length}")));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

/// The error for a bare status produced outside our handlers (actix's own rejections).
pub fn from_status(status: StatusCode) -> ApiError {
    match status {
        StatusCode::UNAUTHORIZED => ApiError::unauthenticated("a bearer token is required", false),
        StatusCode::FORBIDDEN => ApiError::Forbidden("not permitted".into()),
        StatusCode::NOT_FOUND => ApiError::NoRoute,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(0),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType("the request body must be application/json".into())
        }
        StatusCode::SERVICE_UNAVAILABLE => ApiError::Unavailable("unavailable".into()),
        s if s.is_server_error() => ApiError::Internal(format!("unmapped status {s}").into()),
        s => ApiError::BadRequest(
            s.canonical_reason()
                .unwrap_or("the request was refused")
                .to_lowercase(),
        ),
    }
}
