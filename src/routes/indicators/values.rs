//! Indicator values: reported in all-or-nothing batches, read as series per organisation.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

pub use super::reporting::{Reporters, may_report, write_scope};
pub use super::series::{DeletedValue, Series, SeriesPoint, ValueRevision, ValueSeries};
use super::{
    formats::JsonStatDataset,
    series::{histories, series},
};
use crate::{
    auth::Caller,
    domain::indicator::{Gender, Period, ValueRow, ValueStatus, check_rows},
    error::{ApiError, ApiResult, FieldError},
    extract::{BodyLimit, JsonBody, Query, bad_parameter},
    pagination::query_timestamp,
    routes::{
        AppState,
        kit::Write,
        responses::{BatchErrors, ReadErrors},
    },
    store::{
        indicators::{self as store, MAX_POINTS, UpsertCounts, ValueFilter},
        organisations,
    },
};

/// The body limit of a value batch (10,000 rows).
pub const BATCH_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Mounts the value routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(
        utoipa_actix_web::scope::scope("/indicators/{id}/values")
            .app_data(BodyLimit(BATCH_BODY_LIMIT))
            .service(put_indicator_values)
            .service(list_indicator_values)
            .service(super::deletion::delete_indicator_value)
            .service(super::deletion::delete_indicator_values),
    );
}

/// A batch of values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueBatch {
    /// Up to 10,000 rows, keyed by organisation, period, gender and age group.
    #[schema(max_items = 10000)]
    pub values: Vec<ValueRow>,
}

/// What a batch did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    /// New values.
    pub created: usize,
    /// Changed values (their previous values are in the audit log).
    pub updated: usize,
    /// Values sent again unchanged.
    pub unchanged: usize,
}

impl From<UpsertCounts> for BatchResult {
    fn from(c: UpsertCounts) -> Self {
        Self {
            created: c.created,
            updated: c.updated,
            unchanged: c.unchanged,
        }
    }
}

/// Report values (upsert, all or nothing): one bad row is a 422 naming `values[i].field` and
/// nothing is stored. A `reporter` reports for its own organisation only (403 otherwise);
/// `admin` and `secretary` for any. Repeating a batch changes nothing.
#[utoipa::path(
    tag = "indicators",
    operation_id = "put_indicator_values",
    params(("id" = Uuid, Path, description = "Indicator id")),
    request_body = ValueBatch,
    responses(
        (status = 200, description = "The batch is stored; how many values it created, changed \
          and left unchanged", body = BatchResult),
        BatchErrors
    ),
    security(("bearer" = ["admin", "secretary", "reporter"]))
)]
#[put("")]
pub async fn put_indicator_values(
    write: Write<Reporters>,
    id: web::Path<Uuid>,
    JsonBody(body, _): JsonBody<ValueBatch>,
) -> ApiResult<HttpResponse> {
    may_report(&write.identity, &body.values)?;
    let indicator = store::get(&write.db, id.into_inner()).await?;
    let rows = check_rows(body.values, &indicator.breakdowns)?;
    let counts = store::upsert_values(&write.db, &write.actor, &indicator, rows).await?;
    Ok(HttpResponse::Ok().json(BatchResult::from(counts)))
}

/// The format of a value query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ValueFormat {
    /// Series per organisation (default).
    Json,
    /// A JSON-stat 2.0 dataset.
    JsonStat,
}

/// Filters of a value query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ValueQuery {
    /// Organisations, comma separated.
    #[param(
        pattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(,[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})*$"
    )]
    pub organisation_id: Option<String>,
    /// From this period (inclusive), e.g. 2019.
    #[param(pattern = r"^(19\d{2}|2[01]\d{2}|2200)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")]
    pub from: Option<String>,
    /// To this period (inclusive), e.g. 2023.
    #[param(pattern = r"^(19\d{2}|2[01]\d{2}|2200)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")]
    pub to: Option<String>,
    /// Only this gender.
    #[param(inline)]
    pub gender: Option<Gender>,
    /// Only this age group ("" is all ages).
    #[param(max_length = 20, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub age_group: Option<String>,
    /// Only this status.
    #[param(inline)]
    pub status: Option<ValueStatus>,
    /// Only values changed at or after this time (RFC 3339, in the years 1900 to 2200).
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(
        value_type = Option<String>,
        format = DateTime,
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-"
    )]
    pub updated_since: Option<DateTime<Utc>>,
    /// The values as they stood at this time (RFC 3339, e.g. `2022-03-01T00:00:00Z`), as
    /// SDMX's `asOf`: later changes and deletions are left out.
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(
        value_type = Option<String>,
        format = DateTime,
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-"
    )]
    pub as_of: Option<DateTime<Utc>>,
    /// Each value with `revised` and its `history` (every state it has had, who changed it and
    /// when), as SDMX's `includeHistory`. JSON only.
    #[serde(default)]
    pub include_history: bool,
    /// `json` (default: [`ValueSeries`]) or `json-stat` (a [`JsonStatDataset`]).
    pub format: Option<ValueFormat>,
}

fn parse_period(field: &str, text: Option<&str>) -> ApiResult<Option<Period>> {
    text.map(|t| t.parse::<Period>().map_err(|e| bad_parameter(field, &e)))
        .transpose()
}

/// The answer of a value query: series, or a JSON-stat dataset with `format=json-stat`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ValueAnswer {
    /// `format=json` (the default).
    Series(ValueSeries),
    /// `format=json-stat`.
    JsonStat(Box<JsonStatDataset>),
}

/// Read an indicator's values as series per organisation (or, with `format=json-stat`, as a
/// JSON-stat 2.0 dataset).
///
/// Not paged: the answer is one document (every series, or one dataset) of at most 10000
/// values; a larger selection is a 400 naming `from` and `to`: narrow it with the filters,
/// `updated_since` included. (`values.csv` exports every value.)
#[utoipa::path(
    tag = "indicators",
    operation_id = "list_indicator_values",
    params(("id" = Uuid, Path, description = "Indicator id"), ValueQuery),
    responses(
        (status = 200, description = "`format=json` (default): a `ValueSeries`; \
          `format=json-stat`: a `JsonStatDataset` (JSON-stat 2.0)", body = ValueAnswer),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("")]
pub async fn list_indicator_values(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<ValueQuery>,
) -> ApiResult<HttpResponse> {
    let organisation_ids = match &query.organisation_id {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|id| {
                Some(id)
                    .filter(|id| id.len() == 36)
                    .and_then(|id| id.parse().ok())
            })
            .collect::<Option<_>>()
            .ok_or_else(|| {
                bad_parameter(
                    "organisation_id",
                    "must be organisation ids (hyphenated UUIDs), comma separated",
                )
            })?,
    };
    if query
        .age_group
        .as_ref()
        .is_some_and(|group| group.chars().count() > 20)
    {
        return Err(bad_parameter("age_group", "must be at most 20 characters"));
    }
    let indicator = store::get(&state.db, id.into_inner()).await?;
    let (from, to) = (
        parse_period("from", query.from.as_deref())?,
        parse_period("to", query.to.as_deref())?,
    );
    let filter = ValueFilter {
        organisation_ids,
        from: from.map(Period::start),
        to: to.map(Period::start),
        gender: query.gender,
        age_group: query.age_group.clone(),
        status: query.status,
        updated_since: query.updated_since,
    };
    let mut rows = match query.as_of {
        Some(at) => {
            let mut rows = store::values_as_of(&state.db, indicator.id, &filter, at).await?;
            rows.retain(|v| {
                query
                    .updated_since
                    .is_none_or(|since| v.updated_at >= since)
            });
            rows
        }
        // One more than the cap tells a selection that is too large.
        None => store::values(&state.db, indicator.id, &filter, Some(MAX_POINTS + 1)).await?,
    };
    // The store filters on start days; periods sharing a start order by length ("2021" before
    // "2021-H1"), so the exact bounds are applied here.
    rows.retain(|v| {
        let period = v.period.parse::<Period>().ok();
        from.is_none_or(|f| period.is_some_and(|p| p >= f))
            && to.is_none_or(|t| period.is_some_and(|p| p <= t))
    });
    if rows.len() > MAX_POINTS {
        return Err(ApiError::BadQuery {
            detail: format!(
                "the selection holds more than {MAX_POINTS} values; narrow it with from, to, \
                 organisation_id, gender or age_group"
            ),
            errors: ["from", "to"]
                .into_iter()
                .map(|name| FieldError::new(name, format!("selects more than {MAX_POINTS} values")))
                .collect(),
        });
    }
    let mut org_ids: Vec<Uuid> = rows.iter().map(|v| v.organisation_id).collect();
    org_ids.dedup();
    let orgs: HashMap<Uuid, (String, Option<String>)> = organisations::get_many(&state.db, org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, (o.name, o.municipality_code)))
        .collect();
    let answer = if query.format == Some(ValueFormat::JsonStat) {
        let names = orgs
            .iter()
            .map(|(id, (name, _))| (*id, name.clone()))
            .collect();
        ValueAnswer::JsonStat(Box::new(super::formats::json_stat(
            &indicator, &rows, &names,
        )))
    } else {
        let history = if query.include_history {
            let revisions = store::revisions(&state.db, indicator.id, &filter, query.as_of).await?;
            Some(histories(revisions))
        } else {
            None
        };
        let deleted = match (query.updated_since, query.as_of) {
            (Some(since), None) => Some(
                store::deleted_since(&state.db, indicator.id, &filter, since)
                    .await?
                    .into_iter()
                    .map(DeletedValue::from)
                    .collect(),
            ),
            _ => None,
        };
        let mut answer = series(indicator.id, indicator.code, rows, &orgs, history);
        answer.deleted = deleted;
        ValueAnswer::Series(answer)
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .json(answer))
}
