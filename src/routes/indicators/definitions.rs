//! Indicator definitions: what is measured, how, and the history of renames, category moves and
//! retirements, each with its decision.

use crate::domain::time::Day;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::indicator::{
        Aggregation, Better, Breakdowns, Category, HistoryEntry, Indicator, IndicatorKind,
        IndicatorStatus, Source, UncheckedIndicator, Unit,
    },
    entities::indicator::{Entity, Model},
    error::{ApiError, ApiResult, FieldError},
    extract::JsonBody,
    routes::{
        AppState,
        kit::{
            self, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, ListQuery,
            Listed, PagingParams, Patch, Read, Updated, Write,
        },
    },
    store::indicators::{self as store, DefinitionChange, IndicatorFilter},
};

/// Mounts the definition routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_indicators)
        .service(create_indicator)
        .service(get_indicator)
        .service(update_indicator);
}

/// An indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Unique code; also the Kolada KPI id.
    #[schema(example = "BBG-H01")]
    pub code: String,
    /// Name.
    #[schema(example = "Utsatthet för våld")]
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Category.
    pub category: Category,
    /// Process or outcome.
    pub kind: IndicatorKind,
    /// Unit.
    pub unit: Unit,
    /// Which direction is better.
    pub better: Better,
    /// Decimals shown.
    pub decimals: i32,
    /// Where the values come from.
    pub source: Source,
    /// Breakdowns.
    pub breakdowns: Breakdowns,
    /// How organisations add up to a county figure when the region reports none.
    pub aggregation: Aggregation,
    /// The weight indicator of a `weighted_mean` (e.g. population).
    pub weight_indicator_id: Option<Uuid>,
    /// Active or retired.
    pub status: IndicatorStatus,
    /// The decision that adopted it.
    pub adopted_by_decision_id: Option<Uuid>,
    /// The decision that retired it.
    pub retired_by_decision_id: Option<Uuid>,
    /// Renames, category moves and the retirement, oldest first.
    pub history: Vec<HistoryEntry>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
}

impl From<Model> for IndicatorView {
    fn from(row: Model) -> Self {
        Self {
            id: row.id,
            code: row.code,
            name: row.name,
            description: row.description,
            category: row.category,
            kind: row.kind,
            unit: row.unit,
            better: row.better,
            decimals: row.decimals,
            source: row.source.0,
            breakdowns: row.breakdowns.0,
            aggregation: row.aggregation,
            weight_indicator_id: row.weight_indicator_id,
            status: row.status,
            adopted_by_decision_id: row.adopted_by_decision_id,
            retired_by_decision_id: row.retired_by_decision_id,
            history: row.history.0,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

fn one() -> i32 {
    1
}

/// A new indicator.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIndicator {
    /// Unique code (1–25 letters, digits, `-`, `_`); also the Kolada KPI id.
    #[schema(example = "BBG-H01", pattern = "^[A-Za-z0-9_-]{1,25}$")]
    pub code: String,
    /// Name, 1–200 characters on one line.
    #[schema(
        example = "Utsatthet för våld",
        min_length = 1,
        max_length = 200,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: String,
    /// Description, at most 5,000 characters.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// Category.
    pub category: Category,
    /// Process or outcome.
    pub kind: IndicatorKind,
    /// Unit.
    pub unit: Unit,
    /// Which direction is better.
    pub better: Better,
    /// Decimals shown, 0–6 (default 1).
    #[serde(default = "one")]
    #[schema(minimum = 0, maximum = 6, default = 1)]
    pub decimals: i32,
    /// Where the values come from.
    #[serde(default)]
    pub source: Source,
    /// Breakdowns.
    #[serde(default)]
    pub breakdowns: Breakdowns,
    /// How organisations add up to a county figure when the region reports none: `sum`,
    /// `mean` or `weighted_mean` (default: `sum` for the unit `count`, else `mean`).
    #[serde(default)]
    pub aggregation: Option<Aggregation>,
    /// The weight indicator of a `weighted_mean` (an existing indicator, e.g. population);
    /// required by it and refused otherwise.
    #[serde(default)]
    pub weight_indicator_id: Option<Uuid>,
    /// The decision that adopted it (an existing one).
    #[serde(default)]
    pub adopted_by_decision_id: Option<Uuid>,
}

impl From<NewIndicator> for UncheckedIndicator {
    fn from(n: NewIndicator) -> Self {
        Self {
            code: n.code,
            name: n.name,
            description: n.description,
            category: n.category,
            kind: n.kind,
            unit: n.unit,
            better: n.better,
            decimals: n.decimals,
            source: n.source,
            breakdowns: n.breakdowns,
            aggregation: n.aggregation,
            weight_indicator_id: n.weight_indicator_id,
            adopted_by_decision_id: n.adopted_by_decision_id,
        }
    }
}

/// Changes to an indicator: absent fields stay as they are, `null` clears `description`. A
/// rename, a category move and a retirement (`status: retired`) enter its history with
/// `effective_on` (default today) and `decision_id`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorPatch {
    /// Code (1–25 letters, digits, `-`, `_`).
    #[serde(default)]
    #[schema(value_type = String, pattern = "^[A-Za-z0-9_-]{1,25}$")]
    pub code: Patch<String>,
    /// Name, 1–200 characters (a change is a rename).
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$")]
    pub name: Patch<String>,
    /// Description, at most 5,000 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Patch<String>,
    /// Category (a change is a category move).
    #[serde(default)]
    #[schema(value_type = Category)]
    pub category: Patch<Category>,
    /// Kind.
    #[serde(default)]
    #[schema(value_type = IndicatorKind)]
    pub kind: Patch<IndicatorKind>,
    /// Unit.
    #[serde(default)]
    #[schema(value_type = Unit)]
    pub unit: Patch<Unit>,
    /// Better direction.
    #[serde(default)]
    #[schema(value_type = Better)]
    pub better: Patch<Better>,
    /// Decimals, 0–6.
    #[serde(default)]
    #[schema(value_type = i32, minimum = 0, maximum = 6)]
    pub decimals: Patch<i32>,
    /// Source (replaces it).
    #[serde(default)]
    #[schema(value_type = Source)]
    pub source: Patch<Source>,
    /// Breakdowns (replaces them).
    #[serde(default)]
    #[schema(value_type = Breakdowns)]
    pub breakdowns: Patch<Breakdowns>,
    /// How organisations add up.
    #[serde(default)]
    #[schema(value_type = Aggregation)]
    pub aggregation: Patch<Aggregation>,
    /// The weight indicator of a `weighted_mean` (null to clear it).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub weight_indicator_id: Patch<Uuid>,
    /// `retired` retires the indicator (it cannot come back: adopt a new one).
    #[serde(default)]
    #[schema(value_type = IndicatorStatus)]
    pub status: Patch<IndicatorStatus>,
    /// The decision behind this change (an existing one).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub decision_id: Patch<Uuid>,
    /// When the change took effect (default today).
    #[serde(default)]
    #[schema(value_type = Option<Day>)]
    pub effective_on: Patch<Day>,
}

impl IndicatorPatch {
    fn apply(self, current: &Model) -> ApiResult<DefinitionChange> {
        let view = IndicatorView::from(current.clone());
        let mut errors = Vec::new();
        let status = self.status.given("status", &mut errors);
        if status == Some(IndicatorStatus::Active) && view.status == IndicatorStatus::Retired {
            errors.push(FieldError::new(
                "status",
                "a retired indicator is not reactivated: adopt a new one",
            ));
        }
        let unchecked = UncheckedIndicator {
            code: self.code.keep("code", view.code, &mut errors),
            name: self.name.keep("name", view.name, &mut errors),
            description: self.description.or(view.description),
            category: self.category.keep("category", view.category, &mut errors),
            kind: self.kind.keep("kind", view.kind, &mut errors),
            unit: self.unit.keep("unit", view.unit, &mut errors),
            better: self.better.keep("better", view.better, &mut errors),
            decimals: self.decimals.keep("decimals", view.decimals, &mut errors),
            source: self.source.keep("source", view.source, &mut errors),
            breakdowns: self
                .breakdowns
                .keep("breakdowns", view.breakdowns, &mut errors),
            aggregation: Some(
                self.aggregation
                    .keep("aggregation", view.aggregation, &mut errors),
            ),
            weight_indicator_id: self.weight_indicator_id.or(view.weight_indicator_id),
            adopted_by_decision_id: view.adopted_by_decision_id,
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(DefinitionChange {
            fields: Indicator::parse(unchecked)?,
            retire: status == Some(IndicatorStatus::Retired),
            decision_id: self.decision_id.or(None),
            effective_on: self
                .effective_on
                .map(NaiveDate::from)
                .or(None)
                .unwrap_or_else(crate::store::today),
        })
    }
}

/// Filters of the indicator list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// Only this category.
    pub category: Option<Category>,
    /// Only this kind.
    pub kind: Option<IndicatorKind>,
    /// Only active or retired ones.
    pub status: Option<IndicatorStatus>,
}

/// List indicators.
///
/// Ordered by creation, or by change time when `updated_since` is given (retired indicators
/// are listed like the others: an indicator is never deleted).
#[utoipa::path(
    tag = "indicators",
    operation_id = "list_indicators",
    params(IndicatorQuery, PagingParams),
    responses(Listed<IndicatorView>),
    security((), ("bearer" = []))
)]
#[get("/indicators")]
pub async fn list_indicators(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<IndicatorQuery>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter: q, page } = query;
    let filter = IndicatorFilter {
        category: q.category,
        kind: q.kind,
        status: q.status,
    };
    let rows = store::list(&state.db, &filter, &page).await?;
    Ok(kit::page_of(&req, rows, IndicatorView::from))
}

/// Define an indicator (admin, secretary).
#[utoipa::path(
    tag = "indicators",
    operation_id = "create_indicator",
    params(IdempotencyKeyHeader),
    request_body = NewIndicator,
    responses(Created<IndicatorView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/indicators")]
pub async fn create_indicator(
    write: Write<AdminOrSecretary>,
    JsonBody(body, digest): JsonBody<NewIndicator>,
) -> ApiResult<HttpResponse> {
    let indicator = Indicator::parse(body.into())?;
    write
        .create::<Entity, _>(
            &digest,
            async |txn, actor| store::insert(txn, actor, indicator).await,
            IndicatorView::from,
        )
        .await
}

/// Read an indicator with its history.
#[utoipa::path(
    tag = "indicators",
    operation_id = "get_indicator",
    params(("id" = Uuid, Path, description = "Indicator id"), IfNoneMatchHeader),
    responses(Read<IndicatorView>),
    security((), ("bearer" = []))
)]
#[get("/indicators/{id}")]
pub async fn get_indicator(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    Ok(kit::read(&req, row.version, &IndicatorView::from(row)))
}

/// Change an indicator (admin, secretary): a rename, a category move or a retirement enters
/// its history with the date and the decision behind it; send `If-Match` to refuse a stale
/// write.
#[utoipa::path(
    tag = "indicators",
    operation_id = "update_indicator",
    params(("id" = Uuid, Path, description = "Indicator id"), IfMatchHeader),
    request_body = IndicatorPatch,
    responses(Updated<IndicatorView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[patch("/indicators/{id}")]
pub async fn update_indicator(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
    JsonBody(patch, _): JsonBody<IndicatorPatch>,
) -> ApiResult<HttpResponse> {
    let row = store::update(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
        |current| patch.apply(current),
    )
    .await?;
    Ok(kit::updated(row.version, &IndicatorView::from(row)))
}
