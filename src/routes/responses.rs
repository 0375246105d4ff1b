//! The error responses each kind of operation documents, all as problem+json.

use std::collections::BTreeMap;

use utoipa::{
    IntoResponses,
    openapi::{
        ContentBuilder, HeaderBuilder, Ref, RefOr, Response, ResponseBuilder,
        schema::{ObjectBuilder, Type},
    },
};

use crate::error::PROBLEM_JSON;

fn problem(status: u16, description: &str) -> (String, RefOr<Response>) {
    let mut response = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    );
    let string_header = |description: &str| {
        HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .description(Some(description))
            .build()
    };
    response = match status {
        401 => response.header(
            "WWW-Authenticate",
            string_header("`Bearer realm=\"samverkan\"`"),
        ),
        503 => response.header(
            "Retry-After",
            string_header("Seconds to wait before retrying"),
        ),
        _ => response,
    };
    (status.to_string(), RefOr::T(response.build()))
}

fn problems(list: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    // Every route is rate limited (health probes aside), so every set has the 429.
    list.iter()
        .chain(std::iter::once(&TOO_MANY))
        .map(|(status, description)| problem(*status, description))
        .collect()
}

const BAD_REQUEST: (u16, &str) = (400, "Malformed request or query parameter");
const UNAUTHENTICATED: (u16, &str) = (
    401,
    "Missing, malformed, expired or otherwise invalid token",
);
const FORBIDDEN: (u16, &str) = (403, "The caller's roles do not allow this");
const NOT_FOUND: (u16, &str) = (404, "No such record");
const CONFLICT: (u16, &str) = (409, "Conflicts with the current state (e.g. a duplicate)");
const PRECONDITION: (u16, &str) = (412, "If-Match does not match the current version");
const PRECONDITION_REQUIRED: (u16, &str) = (
    428,
    "If-Match is missing where this deployment requires it (SAMVERKAN_REQUIRE_IF_MATCH)",
);
const TOO_LARGE: (u16, &str) = (413, "The request body is too large");
const MEDIA_TYPE: (u16, &str) = (415, "The request body is not JSON");
const INVALID: (u16, &str) = (422, "Invalid fields; `errors` names each one");
const TOO_MANY: (u16, &str) = (
    429,
    "The caller's rate limit is reached; retry after `Retry-After` seconds",
);
const UNAVAILABLE: (u16, &str) = (503, "The database is unavailable or busy");
const INTERNAL: (u16, &str) = (500, "Internal error; quote the request id");

/// Errors of a list read.
pub struct ListErrors;
impl IntoResponses for ListErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[
            BAD_REQUEST,
            UNAUTHENTICATED,
            FORBIDDEN,
            UNAVAILABLE,
            INTERNAL,
        ])
    }
}

/// Errors of a single-record read.
pub struct ReadErrors;
impl IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[
            BAD_REQUEST,
            UNAUTHENTICATED,
            FORBIDDEN,
            NOT_FOUND,
            UNAVAILABLE,
            INTERNAL,
        ])
    }
}

/// Errors of a creation.
pub struct CreateErrors;
impl IntoResponses for CreateErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[
            BAD_REQUEST,
            UNAUTHENTICATED,
            FORBIDDEN,
            CONFLICT,
            TOO_LARGE,
            MEDIA_TYPE,
            INVALID,
            UNAVAILABLE,
            INTERNAL,
        ])
    }
}

/// Errors of a change to a record.
pub struct UpdateErrors;
impl IntoResponses for UpdateErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[
            BAD_REQUEST,
            UNAUTHENTICATED,
            FORBIDDEN,
            NOT_FOUND,
            CONFLICT,
            PRECONDITION,
            PRECONDITION_REQUIRED,
            TOO_LARGE,
            MEDIA_TYPE,
            INVALID,
            UNAVAILABLE,
            INTERNAL,
        ])
    }
}

/// Errors of a batch write that takes no `If-Match` (e.g. indicator values): an update's
/// errors without 412.
pub struct BatchErrors;
impl IntoResponses for BatchErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[
            BAD_REQUEST,
            UNAUTHENTICATED,
            FORBIDDEN,
            NOT_FOUND,
            CONFLICT,
            TOO_LARGE,
            MEDIA_TYPE,
            INVALID,
            UNAVAILABLE,
            INTERNAL,
        ])
    }
}

/// Errors of a deletion (archive).
pub struct DeleteErrors;
impl IntoResponses for DeleteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[
            BAD_REQUEST,
            UNAUTHENTICATED,
            FORBIDDEN,
            NOT_FOUND,
            CONFLICT,
            PRECONDITION,
            PRECONDITION_REQUIRED,
            UNAVAILABLE,
            INTERNAL,
        ])
    }
}
