//! Indicator definitions: what is measured, how, and the history of renames, category moves and
//! retirements, each with its decision.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    auth::{AdminOrSecretary, Authorized, Caller},
    domain::indicator::{
        Better, Breakdowns, Category, HistoryEntry, IndicatorKind, IndicatorStatus, Source,
        UncheckedIndicator, Unit,
    },
    entities::indicator::Model,
    error::{ApiError, ApiResult, FieldError},
    extract::{IdempotencyKey, JsonBody, Query},
    pagination::Page,
    routes::kit::{created, read as record_response, stored_response, updated as updated_response},
    routes::{
        API_BASE, AppState, present,
        responses::{CreateErrors, ListErrors, ReadErrors, UpdateErrors},
    },
    store::Precondition,
    store::{
        Actor, idempotency,
        indicators::{self as store, DefinitionChange},
    },
};

/// Mounts the definition routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update);
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
            source: serde_json::from_value(row.source).unwrap_or_default(),
            breakdowns: serde_json::from_value(row.breakdowns).unwrap_or_default(),
            status: row.status,
            adopted_by_decision_id: row.adopted_by_decision_id,
            retired_by_decision_id: row.retired_by_decision_id,
            history: serde_json::from_value(row.history).unwrap_or_default(),
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
    /// Unique code (letters, digits, `-`, `_`; at most 25); also the Kolada KPI id.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
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
    pub decimals: i32,
    /// Where the values come from.
    #[serde(default)]
    pub source: Source,
    /// Breakdowns.
    #[serde(default)]
    pub breakdowns: Breakdowns,
    /// The decision that adopted it.
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
            adopted_by_decision_id: n.adopted_by_decision_id,
        }
    }
}

/// Changes to an indicator. A rename, a category move and a retirement (`status: retired`)
/// enter its history with `effective_on` (default today) and `decision_id`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorPatch {
    /// Code.
    #[serde(default)]
    pub code: Option<String>,
    /// Name (a change is a rename).
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Category (a change is a category move).
    #[serde(default)]
    pub category: Option<Category>,
    /// Kind.
    #[serde(default)]
    pub kind: Option<IndicatorKind>,
    /// Unit.
    #[serde(default)]
    pub unit: Option<Unit>,
    /// Better direction.
    #[serde(default)]
    pub better: Option<Better>,
    /// Decimals.
    #[serde(default)]
    pub decimals: Option<i32>,
    /// Source (replaces it).
    #[serde(default)]
    pub source: Option<Source>,
    /// Breakdowns (replaces them).
    #[serde(default)]
    pub breakdowns: Option<Breakdowns>,
    /// `retired` retires the indicator (it cannot come back: adopt a new one).
    #[serde(default)]
    pub status: Option<IndicatorStatus>,
    /// The decision behind this change.
    #[serde(default)]
    pub decision_id: Option<Uuid>,
    /// When the change took effect (default today).
    #[serde(default)]
    pub effective_on: Option<NaiveDate>,
}

impl IndicatorPatch {
    fn apply(self, current: &Model) -> ApiResult<DefinitionChange> {
        let view = IndicatorView::from(current.clone());
        if self.status == Some(IndicatorStatus::Active) && view.status == IndicatorStatus::Retired {
            return Err(ApiError::Validation(vec![FieldError::new(
                "status",
                "a retired indicator is not reactivated: adopt a new one",
            )]));
        }
        let fields = UncheckedIndicator {
            code: self.code.unwrap_or(view.code),
            name: self.name.unwrap_or(view.name),
            description: self.description.unwrap_or(view.description),
            category: self.category.unwrap_or(view.category),
            kind: self.kind.unwrap_or(view.kind),
            unit: self.unit.unwrap_or(view.unit),
            better: self.better.unwrap_or(view.better),
            decimals: self.decimals.unwrap_or(view.decimals),
            source: self.source.unwrap_or(view.source),
            breakdowns: self.breakdowns.unwrap_or(view.breakdowns),
            adopted_by_decision_id: view.adopted_by_decision_id,
        }
        .check()?;
        Ok(DefinitionChange {
            fields,
            retire: self.status == Some(IndicatorStatus::Retired),
            decision_id: self.decision_id,
            effective_on: self.effective_on.unwrap_or_else(crate::store::today),
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

/// List indicators by code (they are few, so always one page).
#[utoipa::path(
    tag = "indicators",
    params(IndicatorQuery),
    responses((status = 200, body = Page<IndicatorView>), ListErrors),
    security((), ("bearer" = []))
)]
#[get("/indicators")]
pub async fn list(
    _caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<IndicatorQuery>,
) -> ApiResult<HttpResponse> {
    let items: Vec<IndicatorView> = store::all(&state.db)
        .await?
        .into_iter()
        .filter(|i| query.category.is_none_or(|c| c == i.category))
        .filter(|i| query.kind.is_none_or(|k| k == i.kind))
        .filter(|i| query.status.is_none_or(|s| s == i.status))
        .map(IndicatorView::from)
        .collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// Define an indicator (admin, secretary).
#[utoipa::path(
    tag = "indicators",
    request_body = NewIndicator,
    responses(
        (status = 201, body = IndicatorView, headers(("ETag" = String), ("Location" = String))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/indicators")]
pub async fn create(
    req: HttpRequest,
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    JsonBody(body, digest): JsonBody<NewIndicator>,
) -> ApiResult<HttpResponse> {
    let indicator = UncheckedIndicator::from(body).check()?;
    let actor = Actor::from(&user.0);
    let idempotent = key.for_request(&req, &digest);
    let (response, replayed) = idempotency::create_once(
        &state.db,
        &actor,
        idempotent.as_ref(),
        async |txn| store::insert(txn, &actor, indicator).await,
        |row| {
            let location = format!("{API_BASE}/indicators/{}", row.id);
            created(location, row.version, &IndicatorView::from(row.clone()))
        },
    )
    .await?;
    Ok(stored_response(response, replayed))
}

/// Read an indicator with its history.
#[utoipa::path(
    tag = "indicators",
    params(("id" = Uuid, Path, description = "Indicator id")),
    responses((status = 200, body = IndicatorView, headers(("ETag" = String))), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/indicators/{id}")]
pub async fn get(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    Ok(record_response(
        &req,
        row.version,
        &IndicatorView::from(row),
    ))
}

/// Change an indicator (admin, secretary): a rename, a category move or a retirement enters
/// its history with the date and the decision behind it.
#[utoipa::path(
    tag = "indicators",
    params(
        ("id" = Uuid, Path, description = "Indicator id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")
    ),
    request_body = IndicatorPatch,
    responses((status = 200, body = IndicatorView, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/indicators/{id}")]
pub async fn update(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: Precondition,
    JsonBody(patch, _): JsonBody<IndicatorPatch>,
) -> ApiResult<HttpResponse> {
    let actor = Actor::from(&user.0);
    let row = store::update(&state.db, &actor, id.into_inner(), &if_match, |current| {
        patch.apply(current)
    })
    .await?;
    Ok(updated_response(row.version, &IndicatorView::from(row)))
}
