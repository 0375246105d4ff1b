//! Indicators: baselines and targets, the summary across organisations, and an organisation's
//! dashboard.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::indicator::{Period, PeriodChoice},
    entities::indicator_target,
    error::ApiResult,
    extract::{JsonBody, Query, bad_parameter},
    pagination::query_timestamp,
    routes::{
        AppState,
        kit::{self, IfMatchHeader, IfNoneMatchHeader, Read, Updated, Write},
        responses::ReadErrors,
    },
    store::indicator_summary::{self as store, Dashboard, Summary, TargetInput, targets_version},
};

/// Mounts this module's routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_indicator_targets)
        .service(replace_indicator_targets)
        .service(get_indicator_summary)
        .service(get_dashboard);
}

/// One baseline and target.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    /// The organisation; null for the whole collaboration.
    pub organisation_id: Option<Uuid>,
    /// The period the change is measured from.
    #[schema(value_type = Option<Period>, example = "2021")]
    pub baseline_period: Option<String>,
    /// The period by which the target is to be reached.
    #[schema(value_type = Option<Period>, example = "2025")]
    pub target_period: Option<String>,
    /// The target value.
    #[schema(example = 80.0)]
    pub target_value: Option<f64>,
    /// When it was set.
    pub updated_at: DateTime<Utc>,
    /// Increases with every replacement.
    pub version: i32,
}

impl From<indicator_target::Model> for TargetView {
    fn from(t: indicator_target::Model) -> Self {
        Self {
            organisation_id: t.organisation_id,
            baseline_period: t.baseline_period,
            target_period: t.target_period,
            target_value: t.target_value,
            updated_at: t.updated_at,
            version: t.version,
        }
    }
}

/// An indicator's baselines and targets; its `ETag` is the version of the set (0 before any
/// were set).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetList {
    /// The collaboration's entry first, then one per organisation.
    pub targets: Vec<TargetView>,
}

/// One baseline and target as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTarget {
    /// The organisation; null (or absent) for the whole collaboration.
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
    /// The baseline period, e.g. "2021".
    #[serde(default)]
    #[schema(value_type = Option<Period>, example = "2021")]
    pub baseline_period: Option<String>,
    /// The target period, e.g. "2025" (required with `target_value`; after the baseline).
    #[serde(default)]
    #[schema(value_type = Option<Period>, example = "2025")]
    pub target_period: Option<String>,
    /// The target value (required with `target_period`).
    #[serde(default)]
    #[schema(example = 80.0)]
    pub target_value: Option<f64>,
}

/// The full set of an indicator's baselines and targets.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsBody {
    /// At most one entry per organisation and one for the whole collaboration.
    pub targets: Vec<NewTarget>,
}

/// The set and its version.
fn list(rows: Vec<indicator_target::Model>) -> (i32, TargetList) {
    let version = targets_version(&rows);
    let list = TargetList {
        targets: rows.into_iter().map(TargetView::from).collect(),
    };
    (version, list)
}

/// Read an indicator's baselines and targets.
#[utoipa::path(
    tag = "indicators",
    operation_id = "get_indicator_targets",
    params(("id" = Uuid, Path, description = "Indicator id"), IfNoneMatchHeader),
    responses(Read<TargetList>),
    security((), ("bearer" = []))
)]
#[get("/indicators/{id}/targets")]
pub async fn get_indicator_targets(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    crate::store::indicators::get(&state.db, id).await?;
    let (version, list) = list(store::targets(&state.db, id).await?);
    Ok(kit::read(&req, version, &list))
}

/// Replace an indicator's baselines and targets (admin, secretary): all of them at once, in one
/// audited write. An entry with a null `organisation_id` applies to every organisation without
/// one of its own. Send `If-Match` (the `ETag` of the read) to refuse a stale write.
#[utoipa::path(
    tag = "indicators",
    operation_id = "replace_indicator_targets",
    params(("id" = Uuid, Path, description = "Indicator id"), IfMatchHeader),
    request_body = TargetsBody,
    responses(Updated<TargetList>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[put("/indicators/{id}/targets")]
pub async fn replace_indicator_targets(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
    JsonBody(body, _): JsonBody<TargetsBody>,
) -> ApiResult<HttpResponse> {
    let inputs = body
        .targets
        .into_iter()
        .map(|t| TargetInput {
            organisation_id: t.organisation_id,
            baseline_period: t.baseline_period,
            target_period: t.target_period,
            target_value: t.target_value,
        })
        .collect();
    let rows = store::replace_targets(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
        inputs,
    )
    .await?;
    let (version, list) = list(rows);
    Ok(kit::updated(version, &list))
}

fn period_choice(period: Option<&str>) -> ApiResult<PeriodChoice> {
    PeriodChoice::parse(period.unwrap_or("latest")).map_err(|m| bad_parameter("period", &m))
}

/// The period of a summary.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// `latest` (default: the latest year with a value; without yearly values the period that
    /// ends last, of those ending the same day the longest, e.g. `2022-10` for monthly data)
    /// or a period such as `2021`.
    #[param(pattern = r"^(latest|(19\d{2}|2[01]\d{2}|2200)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?)$")]
    pub period: Option<String>,
    /// The values as they stood at this time (RFC 3339, e.g. `2022-03-01T00:00:00Z`), as
    /// SDMX's `asOf`: later changes and deletions are left out (targets are today's).
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(
        value_type = Option<String>,
        format = DateTime,
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-"
    )]
    pub as_of: Option<DateTime<Utc>>,
}

/// An indicator across organisations for one period: per organisation the value, baseline,
/// change since baseline, target and rank among the municipalities; and the county figure
/// (the region's own value, else the unweighted mean of the municipalities, flagged
/// `computed`). Values are those for all genders and all ages.
#[utoipa::path(
    tag = "indicators",
    operation_id = "get_indicator_summary",
    params(("id" = Uuid, Path, description = "Indicator id"), SummaryQuery),
    responses(
        (status = 200, description = "The indicator across organisations for the period",
         body = Summary),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/indicators/{id}/summary")]
pub async fn get_indicator_summary(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<SummaryQuery>,
) -> ApiResult<HttpResponse> {
    let choice = period_choice(query.period.as_deref())?;
    let summary = store::summary_as_of(&state.db, id.into_inner(), choice, query.as_of).await?;
    Ok(HttpResponse::Ok().json(summary))
}

/// The organisation and period of a dashboard.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// The organisation.
    pub organisation_id: Uuid,
    /// `latest` (default: per indicator the organisation's latest year with a value, else
    /// its period that ends last, as in the summary) or a period such as `2021`.
    #[param(pattern = r"^(latest|(19\d{2}|2[01]\d{2}|2200)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?)$")]
    pub period: Option<String>,
    /// The values as they stood at this time (RFC 3339), as SDMX's `asOf`: later changes and
    /// deletions are left out (targets are today's).
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(
        value_type = Option<String>,
        format = DateTime,
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-"
    )]
    pub as_of: Option<DateTime<Utc>>,
}

/// One organisation's dashboard: every active indicator's value, its trend against the
/// previous period, its change against baseline, its target and its rank.
#[utoipa::path(
    tag = "indicators",
    operation_id = "get_dashboard",
    params(DashboardQuery),
    responses(
        (status = 200, description = "Every active indicator for the organisation",
         body = Dashboard),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/dashboard")]
pub async fn get_dashboard(
    _caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<DashboardQuery>,
) -> ApiResult<HttpResponse> {
    let choice = period_choice(query.period.as_deref())?;
    let dashboard = store::dashboard(&state.db, query.organisation_id, choice, query.as_of).await?;
    Ok(HttpResponse::Ok().json(dashboard))
}
