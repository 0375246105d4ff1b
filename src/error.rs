//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.
//!
//! Each variant knows its status. Causes of internal errors are logged in full and hidden from
//! the client, who gets a generic detail and the request id to quote.

use std::{error::Error as StdError, ops::Deref};

use sea_orm::{DbErr, RuntimeErr, SqlErr};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::telemetry::current_request_id;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The detail of a 404 for a path that no route serves.
pub const NO_ROUTE_DETAIL: &str = "no route serves this path";

/// Prefix of the `type` URIs of samverkan's own problem types.
pub const PROBLEM_TYPE_PREFIX: &str = "urn:samverkan:problem:";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    #[schema(example = "urn:samverkan:problem:validation")]
    pub problem_type: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id (also in the `x-request-id` header), to quote when reporting a fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For invalid input: one entry per offending field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the request body or query, e.g. `identifiers[0].scheme`.
    pub field: String,
    /// Why the value was refused.
    pub message: String,
}

impl FieldError {
    /// A field error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No credentials, or credentials that do not verify.
    #[error("unauthenticated: {detail}")]
    Unauthenticated {
        /// Why the credentials were refused.
        detail: String,
        /// Whether a token was presented (adds `error="invalid_token"` to the challenge).
        token_presented: bool,
    },
    /// Authenticated, but the role may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// No such resource (or one the caller may not see).
    #[error("not found")]
    NotFound,
    /// No route matches the request path.
    #[error("no route")]
    NoRoute,
    /// The path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// The value of the `Allow` header.
        allow: String,
    },
    /// Malformed request: syntax, parameters, headers.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A query parameter that cannot be used.
    #[error("bad query: {detail}")]
    BadQuery {
        /// What is wrong.
        detail: String,
        /// The offending parameter.
        errors: Vec<FieldError>,
    },
    /// Well-formed request whose fields are invalid.
    #[error("invalid fields: {0:?}")]
    Validation(Vec<FieldError>),
    /// The request conflicts with the current state of the record.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record is locked (e.g. a meeting whose minutes are approved); corrections are new
    /// decisions.
    #[error("locked: {0}")]
    Locked(String),
    /// `If-Match` does not match the current version.
    #[error("precondition failed")]
    PreconditionFailed,
    /// `If-Match` is required (`SAMVERKAN_REQUIRE_IF_MATCH`) and missing.
    #[error("precondition required")]
    PreconditionRequired,
    /// None of the media types the client accepts can be served.
    #[error("not acceptable: {0}")]
    NotAcceptable(String),
    /// The request body is larger than the limit.
    #[error("payload too large (limit {0} bytes)")]
    PayloadTooLarge(usize),
    /// A `Range` that lies outside the file (its length in bytes).
    #[error("range not satisfiable (length {0})")]
    RangeNotSatisfiable(u64),
    /// The request body is not JSON.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// The caller sent more requests than its rate limit allows; retry after this many
    /// seconds.
    #[error("too many requests")]
    TooManyRequests(u64),
    /// The database is unreachable or busy; retry later.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a fault of ours.
    #[error("internal error")]
    Internal(#[source] Box<dyn StdError + Send + Sync>),
}

impl ApiError {
    /// A 422 for one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// A 401 for a missing or bad token.
    pub fn unauthenticated(detail: impl Into<String>, token_presented: bool) -> Self {
        Self::Unauthenticated {
            detail: detail.into(),
            token_presented,
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated { .. } => 401,
            Self::Forbidden(_) => 403,
            Self::NotFound | Self::NoRoute => 404,
            Self::MethodNotAllowed { .. } => 405,
            Self::BadRequest(_) | Self::BadQuery { .. } => 400,
            Self::Validation(_) => 422,
            Self::Conflict(_) | Self::Locked(_) => 409,
            Self::PreconditionFailed => 412,
            Self::PreconditionRequired => 428,
            Self::PayloadTooLarge(_) => 413,
            Self::NotAcceptable(_) => 406,
            Self::UnsupportedMediaType(_) => 415,
            Self::RangeNotSatisfiable(_) => 416,
            Self::TooManyRequests(_) => 429,
            Self::Unavailable(_) => 503,
            Self::Internal(_) => 500,
        }
    }

    /// The problem `type` and `title` of this error.
    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::Unauthenticated { .. } => ("unauthenticated", "Authentication required"),
            Self::Forbidden(_) => ("forbidden", "Forbidden"),
            Self::NotFound | Self::NoRoute => ("not-found", "Not found"),
            Self::MethodNotAllowed { .. } => ("method-not-allowed", "Method not allowed"),
            Self::BadRequest(_) | Self::BadQuery { .. } => ("bad-request", "Bad request"),
            Self::Validation(_) => ("validation", "Invalid input"),
            Self::Conflict(_) => ("conflict", "Conflict"),
            Self::Locked(_) => ("locked", "Record locked"),
            Self::PreconditionFailed => ("precondition-failed", "Precondition failed"),
            Self::PreconditionRequired => ("precondition-required", "Precondition required"),
            Self::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            Self::NotAcceptable(_) => ("not-acceptable", "Not acceptable"),
            Self::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            Self::RangeNotSatisfiable(_) => ("range-not-satisfiable", "Range not satisfiable"),
            Self::TooManyRequests(_) => ("too-many-requests", "Too many requests"),
            Self::Unavailable(_) => ("unavailable", "Service unavailable"),
            Self::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// The client-facing detail; never the cause of an internal error.
    fn detail(&self) -> Option<String> {
        match self {
            Self::Unauthenticated { detail, .. } => Some(detail.clone()),
            Self::Forbidden(detail)
            | Self::BadRequest(detail)
            | Self::Conflict(detail)
            | Self::Locked(detail)
            | Self::NotAcceptable(detail)
            | Self::UnsupportedMediaType(detail)
            | Self::BadQuery { detail, .. } => Some(detail.clone()),
            Self::NotFound => Some("no such resource".into()),
            Self::NoRoute => Some(NO_ROUTE_DETAIL.into()),
            Self::MethodNotAllowed { allow } => Some(format!("this resource allows only: {allow}")),
            Self::Validation(errors) => Some(match errors.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                many => format!("{} fields are invalid", many.len()),
            }),
            Self::PreconditionFailed => Some(
                "the record has changed since the version named in If-Match; fetch it again".into(),
            ),
            Self::PreconditionRequired => Some(
                "this service requires If-Match on every change: read the record and send its \
                 ETag"
                    .into(),
            ),
            Self::PayloadTooLarge(limit) => Some(format!(
                "the request body exceeds the limit of {limit} bytes"
            )),
            Self::RangeNotSatisfiable(length) => {
                Some(format!("the range lies outside the file of {length} bytes"))
            }
            Self::TooManyRequests(seconds) => Some(format!(
                "the rate limit of this caller is reached; retry in {seconds} s"
            )),
            Self::Unavailable(_) => {
                Some("the database is unavailable or busy; retry shortly".into())
            }
            Self::Internal(_) => {
                Some("an internal error occurred; quote the request id when reporting it".into())
            }
        }
    }

    /// The problem document of this error.
    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind();
        Problem {
            problem_type: format!("{PROBLEM_TYPE_PREFIX}{kind}"),
            title: title.into(),
            status: self.status(),
            detail: self.detail(),
            instance: None,
            request_id: current_request_id(),
            errors: match self {
                Self::Validation(errors) | Self::BadQuery { errors, .. } => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

/// The error and each of its sources, joined by `: `.
pub fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                return Self::Conflict("a record with the same unique value exists".into());
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return Self::Conflict("the change conflicts with related records".into());
            }
            _ => {}
        }
        let class = match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => DbErrClass::Unavailable,
            DbErr::Exec(RuntimeErr::SqlxError(sqlx_err))
            | DbErr::Query(RuntimeErr::SqlxError(sqlx_err)) => classify_sqlx(sqlx_err.deref()),
            _ => DbErrClass::Internal,
        };
        match class {
            DbErrClass::Unavailable => Self::Unavailable(err.to_string()),
            DbErrClass::BadInput => {
                Self::BadRequest("the input contains a character that cannot be stored".into())
            }
            DbErrClass::Internal => Self::Internal(Box::new(err)),
        }
    }
}

/// What a database error means for the client.
enum DbErrClass {
    /// The database is down, busy or restarting: retry.
    Unavailable,
    /// The input holds something one backend cannot store.
    BadInput,
    /// A fault of ours.
    Internal,
}

/// Picks out driver errors that are the client's or the moment's fault.
fn classify_sqlx(sqlx_err: &sea_orm::sqlx::Error) -> DbErrClass {
    use sea_orm::sqlx::Error as E;
    match sqlx_err {
        E::PoolTimedOut | E::PoolClosed | E::Io(_) | E::WorkerCrashed => DbErrClass::Unavailable,
        E::Database(db) => match db.code().as_deref() {
            // PostgreSQL: invalid byte sequence (NUL) / untranslatable character.
            Some("22021") | Some("22P05") => DbErrClass::BadInput,
            // PostgreSQL: serialization failure, deadlock, connection exceptions, shutdown.
            Some("40001") | Some("40P01") | Some("57P01") | Some("57P02") | Some("57P03") => {
                DbErrClass::Unavailable
            }
            Some(code) if code.starts_with("08") => DbErrClass::Unavailable,
            // SQLite: SQLITE_BUSY, SQLITE_LOCKED and their extended codes.
            Some(code)
                if db
                    .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
                    .is_some()
                    && matches!(code.parse::<i32>().map(|c| c & 0xff), Ok(5) | Ok(6)) =>
            {
                DbErrClass::Unavailable
            }
            _ => DbErrClass::Internal,
        },
        _ => DbErrClass::Internal,
    }
}

/// A 400 naming one query parameter.
pub fn bad_parameter(name: &str, message: &str) -> ApiError {
    ApiError::BadQuery {
        detail: format!("query parameter `{name}`: {message}"),
        errors: vec![FieldError::new(name, message)],
    }
}

/// Shorthand for handler and store results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use std::{borrow::Cow, error::Error as StdError, fmt};

    use actix_web::{ResponseError, http::header};
    use sea_orm::{DbErr, RuntimeErr, sqlx};

    use super::ApiError;

    /// A database error with only a SQLSTATE, as a driver reports one.
    #[derive(Debug)]
    struct Sqlstate(&'static str);

    impl fmt::Display for Sqlstate {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "SQLSTATE {}", self.0)
        }
    }

    impl StdError for Sqlstate {}

    impl sqlx::error::DatabaseError for Sqlstate {
        fn message(&self) -> &str {
            "failed"
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn StdError + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn StdError + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn StdError + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn from_sqlstate(code: &'static str) -> ApiError {
        let driver = sqlx::Error::Database(Box::new(Sqlstate(code)));
        ApiError::from(DbErr::Exec(RuntimeErr::SqlxError(driver.into())))
    }

    /// Row 28 of the test plan: a serialization failure, a deadlock or a lost connection is
    /// the moment's fault, not the client's and not a 500: 503 with `Retry-After`, so that the
    /// client retries (with its `Idempotency-Key`, safely). The service runs at READ
    /// COMMITTED and takes row locks in one order, so it does not retry itself.
    #[test]
    fn contention_and_lost_connections_are_503_with_retry_after() {
        for code in ["40001", "40P01", "57P01", "08006"] {
            let response = from_sqlstate(code).error_response();
            assert_eq!(response.status(), 503, "SQLSTATE {code}");
            assert!(
                response.headers().contains_key(header::RETRY_AFTER),
                "SQLSTATE {code}"
            );
        }
        assert_eq!(from_sqlstate("22021").error_response().status(), 400);
        assert_eq!(from_sqlstate("XX000").error_response().status(), 500);
    }
}
