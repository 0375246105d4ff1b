//! The plans themselves: group, title, description, and which revisions are in force and
//! being drafted.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::plan_path;
use crate::{
    auth::{AdminOrSecretary, Authorized, Caller},
    domain::text::{FieldErrors, multi_line, one_line},
    entities::action_plan::Model,
    error::ApiResult,
    extract::{IdempotencyKey, JsonBody, Query},
    pagination::{Page, PageRequest},
    routes::kit::page as page_response,
    routes::kit::{created, read as record_response, stored_response, updated as updated_response},
    routes::{
        AppState, keep, present,
        responses::{CreateErrors, ListErrors, ReadErrors, UpdateErrors},
    },
    store::Precondition,
    store::{
        Actor,
        action_plans::{self as store, NewPlan},
        idempotency, today,
    },
};

/// Mounts the plan routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update);
}

/// An action plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionPlanView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The group that owns the plan.
    pub group_id: Uuid,
    /// Title.
    #[schema(example = "Handlingsplan Barnens bästa gäller! i Kronoberg")]
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// The number of the revision in force today.
    pub current_revision: Option<i32>,
    /// The number of the latest revision in draft or consultation (shown to admin, secretary
    /// and member only).
    pub latest_draft: Option<i32>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
}

/// The view of a plan, with its revision in force and (for those who see drafts) its draft.
async fn view(state: &AppState, row: Model, all: bool) -> ApiResult<ActionPlanView> {
    let current = store::in_force(&state.db, row.id, today()).await?;
    let draft = if all {
        store::latest_draft(&state.db, row.id).await?
    } else {
        None
    };
    Ok(ActionPlanView {
        id: row.id,
        group_id: row.group_id,
        title: row.title,
        description: row.description,
        current_revision: current.map(|r| r.number),
        latest_draft: draft,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// A new action plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionPlan {
    /// The group (organisation of kind `group`) that owns it.
    pub group_id: Uuid,
    /// Title, 1–300 characters.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

fn checked(group_id: Uuid, title: &str, description: Option<&str>) -> ApiResult<NewPlan> {
    let mut errors = FieldErrors::default();
    let title = errors.check("title", one_line(title, 1, 300));
    let description = match description {
        None => None,
        Some(text) => errors
            .check("description", multi_line(text, 20_000))
            .flatten(),
    };
    errors.finish()?;
    Ok(NewPlan {
        group_id,
        title: title.unwrap_or_default(),
        description,
    })
}

/// Changes to a plan.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPlanPatch {
    /// The owning group.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Uuid)]
    pub group_id: Option<Option<Uuid>>,
    /// Title.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub title: Option<Option<String>>,
    /// Description (`null` clears it).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

/// Filters and paging of the plan list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionPlanQuery {
    /// Plans of this group.
    pub group_id: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// List action plans.
#[utoipa::path(
    tag = "action_plans",
    params(ActionPlanQuery),
    responses(
        (status = 200, body = Page<ActionPlanView>,
         headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page"))),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/action-plans")]
pub async fn list(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<ActionPlanQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref(), None)?;
    let (rows, next_cursor) = store::list(&state.db, query.group_id, &page).await?;
    let all = caller.sees_unpublished();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(&state, row, all).await?);
    }
    Ok(page_response(&req, Page { items, next_cursor }))
}

/// Record an action plan (admin, secretary); its content lives in its revisions.
#[utoipa::path(
    tag = "action_plans",
    params(("Idempotency-Key" = Option<String>, Header,
            description = "Makes a retried POST answer from the first attempt (keys live 24 h)")),
    request_body = NewActionPlan,
    responses(
        (status = 201, body = ActionPlanView, headers(("ETag" = String), ("Location" = String))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/action-plans")]
pub async fn create(
    req: HttpRequest,
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    JsonBody(body, digest): JsonBody<NewActionPlan>,
) -> ApiResult<HttpResponse> {
    let plan = checked(body.group_id, &body.title, body.description.as_deref())?;
    let actor = Actor::from(&user.0);
    let idempotent = key.for_request(&req, &digest);
    let (response, replayed) = idempotency::create_once(
        &state.db,
        &actor,
        idempotent.as_ref(),
        async |txn| store::insert(txn, &actor, plan).await,
        |row| {
            let body = ActionPlanView {
                id: row.id,
                group_id: row.group_id,
                title: row.title.clone(),
                description: row.description.clone(),
                current_revision: None,
                latest_draft: None,
                created_at: row.created_at,
                updated_at: row.updated_at,
                version: row.version,
            };
            created(plan_path(row.id), row.version, &body)
        },
    )
    .await?;
    Ok(stored_response(response, replayed))
}

/// Read an action plan, with the number of the revision in force today and the latest draft.
#[utoipa::path(
    tag = "action_plans",
    params(("id" = Uuid, Path, description = "Action plan id")),
    responses((status = 200, body = ActionPlanView, headers(("ETag" = String))), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}")]
pub async fn get(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    let version = row.version;
    let body = view(&state, row, caller.sees_unpublished()).await?;
    Ok(record_response(&req, version, &body))
}

/// Change an action plan's group, title or description (admin, secretary).
#[utoipa::path(
    tag = "action_plans",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")
    ),
    request_body = ActionPlanPatch,
    responses((status = 200, body = ActionPlanView, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/action-plans/{id}")]
pub async fn update(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: Precondition,
    JsonBody(patch, _): JsonBody<ActionPlanPatch>,
) -> ApiResult<HttpResponse> {
    let actor = Actor::from(&user.0);
    let row = store::update(&state.db, &actor, id.into_inner(), &if_match, |current| {
        let mut errors = Vec::new();
        let group_id = keep("group_id", patch.group_id, current.group_id, &mut errors);
        let title = keep("title", patch.title, current.title.clone(), &mut errors);
        let description = patch
            .description
            .unwrap_or_else(|| current.description.clone());
        if !errors.is_empty() {
            return Err(crate::error::ApiError::Validation(errors));
        }
        checked(group_id, &title, description.as_deref())
    })
    .await?;
    let version = row.version;
    Ok(updated_response(version, &view(&state, row, true).await?))
}
