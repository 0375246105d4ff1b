//! The plans themselves: group, title, description, and which revisions are in force and
//! being drafted.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::text::{FieldErrors, multi_line, one_line},
    entities::action_plan::{Entity, Model},
    error::{ApiError, ApiResult},
    extract::JsonBody,
    pagination::Page,
    routes::{
        AppState,
        kit::{
            self, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, ListQuery,
            Listed, PagingParams, Patch, Read, Updated, Write,
        },
    },
    store::{
        action_plans::{self as store, NewPlan, PlanFilter},
        today,
    },
};

/// Mounts the plan routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_action_plans)
        .service(create_action_plan)
        .service(get_action_plan)
        .service(update_action_plan);
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

impl ActionPlanView {
    fn new(row: Model, current_revision: Option<i32>, latest_draft: Option<i32>) -> Self {
        Self {
            id: row.id,
            group_id: row.group_id,
            title: row.title,
            description: row.description,
            current_revision,
            latest_draft,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// The view of a plan, with its revision in force and (for those who see drafts) its draft.
async fn view(state: &AppState, row: Model, sees_drafts: bool) -> ApiResult<ActionPlanView> {
    let current = store::in_force(&state.db, row.id, today()).await?;
    let draft = if sees_drafts {
        store::latest_draft(&state.db, row.id).await?
    } else {
        None
    };
    Ok(ActionPlanView::new(row, current.map(|r| r.number), draft))
}

/// A new action plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionPlan {
    /// The group (organisation of kind `group`) that owns it.
    pub group_id: Uuid,
    /// Title, 1–300 characters on one line.
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub title: String,
    /// Description, at most 20 000 characters.
    #[serde(default)]
    #[schema(max_length = 20000)]
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

/// Changes to a plan: absent fields stay as they are, `null` clears the description.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionPlanPatch {
    /// The owning group.
    #[serde(default)]
    #[schema(value_type = Uuid)]
    pub group_id: Patch<Uuid>,
    /// Title, 1–300 characters on one line.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 300, pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$")]
    pub title: Patch<String>,
    /// Description, at most 20 000 characters (`null` clears it).
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub description: Patch<String>,
}

impl ActionPlanPatch {
    /// The current plan with this patch applied, checked.
    fn apply(self, current: &Model) -> ApiResult<NewPlan> {
        let mut errors = Vec::new();
        let group_id = self
            .group_id
            .keep("group_id", current.group_id, &mut errors);
        let title = self.title.keep("title", current.title.clone(), &mut errors);
        let description = self.description.or(current.description.clone());
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        checked(group_id, &title, description.as_deref())
    }
}

/// Filters of the plan list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionPlanQuery {
    /// Plans of this group.
    pub group_id: Option<Uuid>,
}

/// List action plans.
///
/// Ordered by creation, or by change time when `updated_since` is given.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "list_action_plans",
    params(ActionPlanQuery, PagingParams),
    responses(Listed<ActionPlanView>),
    security((), ("bearer" = []))
)]
#[get("/action-plans")]
pub async fn list_action_plans(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<ActionPlanQuery>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter, page } = query;
    let filter = PlanFilter {
        group_id: filter.group_id,
    };
    let (rows, next_cursor) = store::list(&state.db, &filter, &page).await?;
    let sees_drafts = caller.sees_unpublished();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(view(&state, row, sees_drafts).await?);
    }
    Ok(kit::page(&req, Page { items, next_cursor }))
}

/// Record an action plan (admin, secretary); its content lives in its revisions.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "create_action_plan",
    params(IdempotencyKeyHeader),
    request_body = NewActionPlan,
    responses(Created<ActionPlanView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/action-plans")]
pub async fn create_action_plan(
    write: Write<AdminOrSecretary>,
    JsonBody(body, digest): JsonBody<NewActionPlan>,
) -> ApiResult<HttpResponse> {
    let plan = checked(body.group_id, &body.title, body.description.as_deref())?;
    write
        .create::<Entity, _>(
            &digest,
            async |txn, actor| store::insert(txn, actor, plan).await,
            |row| ActionPlanView::new(row, None, None),
        )
        .await
}

/// Read an action plan, with the number of the revision in force today and the latest draft.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "get_action_plan",
    params(("id" = Uuid, Path, description = "Action plan id"), IfNoneMatchHeader),
    responses(Read<ActionPlanView>),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}")]
pub async fn get_action_plan(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    let version = row.version;
    let body = view(&state, row, caller.sees_unpublished()).await?;
    Ok(kit::read(&req, version, &body))
}

/// Change an action plan's group, title or description (admin, secretary); send `If-Match` to
/// refuse a stale write.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "update_action_plan",
    params(("id" = Uuid, Path, description = "Action plan id"), IfMatchHeader),
    request_body = ActionPlanPatch,
    responses(Updated<ActionPlanView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[patch("/action-plans/{id}")]
pub async fn update_action_plan(
    write: Write<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    JsonBody(patch, _): JsonBody<ActionPlanPatch>,
) -> ApiResult<HttpResponse> {
    let row = store::update(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
        |current| patch.apply(current),
    )
    .await?;
    let version = row.version;
    Ok(kit::updated(version, &view(&state, row, true).await?))
}
