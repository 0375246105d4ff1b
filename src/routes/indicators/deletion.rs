//! Deleting indicator values entered by mistake: one key, or a batch of keys all or nothing.
//! Each deletion is audited, kept in the value's history (so `as_of` still shows the value as
//! it stood) and reaches pulling clients as a tombstone (`deleted` in an `updated_since` read,
//! and the change feed's `deleted_keys`). A wrong value that is only to be hidden is
//! `suppressed` instead.

use actix_web::{HttpResponse, delete, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::reporting::{Reporters, write_scope};
use crate::{
    domain::indicator::{Gender, Period},
    error::{ApiError, ApiResult},
    extract::{JsonBody, Query, bad_parameter},
    routes::{kit::Write, responses::BatchErrors},
    store::indicators::{self as store, ValueKey},
};

/// The key of the value to delete.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KeyQuery {
    /// The organisation.
    pub organisation_id: Uuid,
    /// The period, e.g. `2021` or `2021-H1`.
    #[param(pattern = r"^(19\d{2}|2[01]\d{2}|2200)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")]
    pub period: String,
    /// Gender (default `total`).
    #[param(inline)]
    pub gender: Option<Gender>,
    /// Age group (default: all ages).
    #[param(max_length = 20, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub age_group: Option<String>,
}

/// The keys of the values to delete.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyBatch {
    /// 1 to 10,000 keys.
    #[schema(min_items = 1, max_items = 10000)]
    pub keys: Vec<ValueKey>,
}

/// What a deletion did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    /// How many values were deleted.
    pub deleted: usize,
}

/// The keys with their periods in canonical form; a reporter's keys are its own organisation's.
fn checked(write: &Write<Reporters>, keys: Vec<ValueKey>) -> ApiResult<Vec<ValueKey>> {
    if let Some(own) = write_scope(&write.identity)?
        && keys.iter().any(|k| k.organisation_id != own)
    {
        return Err(ApiError::Forbidden(
            "a reporter deletes values of its own organisation only".into(),
        ));
    }
    let mut errors = crate::domain::text::FieldErrors::default();
    let keys = keys
        .into_iter()
        .enumerate()
        .map(|(i, mut key)| {
            if key.age_group.chars().count() > 20 {
                errors.add(
                    &format!("keys[{i}].age_group"),
                    "must be at most 20 characters",
                );
            }
            if let Some(period) =
                errors.check(&format!("keys[{i}].period"), key.period.parse::<Period>())
            {
                key.period = period.to_string();
            }
            key
        })
        .collect();
    errors.finish()?;
    Ok(keys)
}

async fn delete_keys(write: &Write<Reporters>, id: Uuid, keys: Vec<ValueKey>) -> ApiResult<usize> {
    let keys = checked(write, keys)?;
    let indicator = store::get(&write.db, id).await?;
    store::delete_values(&write.db, &write.actor, &indicator, keys).await
}

/// Delete one value (admin, secretary; a reporter its own organisation's). 404 when the
/// indicator does not exist, 422 (`keys[0]`) when no value has the key.
#[utoipa::path(
    tag = "indicators",
    operation_id = "delete_indicator_value",
    params(("id" = Uuid, Path, description = "Indicator id"), KeyQuery),
    responses(
        (status = 200, description = "The value is deleted", body = Deleted),
        BatchErrors
    ),
    security(("bearer" = ["admin", "secretary", "reporter"]))
)]
#[delete("")]
pub async fn delete_indicator_value(
    write: Write<Reporters>,
    id: web::Path<Uuid>,
    Query(q): Query<KeyQuery>,
) -> ApiResult<HttpResponse> {
    if q.age_group.as_ref().is_some_and(|g| g.chars().count() > 20) {
        return Err(bad_parameter("age_group", "must be at most 20 characters"));
    }
    let key = ValueKey {
        organisation_id: q.organisation_id,
        period: q.period,
        gender: q.gender.unwrap_or(Gender::Total),
        age_group: q.age_group.unwrap_or_default(),
    };
    let deleted = delete_keys(&write, id.into_inner(), vec![key]).await?;
    Ok(HttpResponse::Ok().json(Deleted { deleted }))
}

/// Delete a batch of values, all or none: one key without a value is a 422 naming `keys[i]`
/// and nothing is deleted.
#[utoipa::path(
    tag = "indicators",
    operation_id = "delete_indicator_values",
    params(("id" = Uuid, Path, description = "Indicator id")),
    request_body = KeyBatch,
    responses(
        (status = 200, description = "The values are deleted", body = Deleted),
        BatchErrors
    ),
    security(("bearer" = ["admin", "secretary", "reporter"]))
)]
#[post("/delete")]
pub async fn delete_indicator_values(
    write: Write<Reporters>,
    id: web::Path<Uuid>,
    JsonBody(body, _): JsonBody<KeyBatch>,
) -> ApiResult<HttpResponse> {
    if body.keys.is_empty() || body.keys.len() > 10_000 {
        return Err(ApiError::field("keys", "must hold 1 to 10,000 keys"));
    }
    let deleted = delete_keys(&write, id.into_inner(), body.keys).await?;
    Ok(HttpResponse::Ok().json(Deleted { deleted }))
}
