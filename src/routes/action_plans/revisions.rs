//! Revisions of an action plan: drafting, consultation, approval by decision, and the revision
//! in force on a date.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{ParentNotFound, revision_path};
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::action_plan::{
        CheckedContent, Content, Publication, Revision, RevisionStatus, UncheckedRevision,
        check_change_summary,
    },
    entities::action_plan_revision::Model,
    error::{ApiError, ApiResult},
    extract::{JsonBody, Query},
    routes::{
        AppState,
        kit::{
            self, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, ListQuery,
            Listed, PagingParams, Patch, Read, Updated, Write,
        },
    },
    store::{
        action_plans::{self as store, NewRevision, RevisionChange},
        today,
    },
};

/// Mounts the revision routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_current_plan_revision)
        .service(list_plan_revisions)
        .service(create_plan_revision)
        .service(approve_plan_revision)
        .service(get_plan_revision)
        .service(update_plan_revision)
        .service(replace_plan_revision);
}

/// One revision of an action plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The plan.
    pub action_plan_id: Uuid,
    /// 1, 2, 3… in order of creation, without gaps.
    pub number: i32,
    /// Draft, consultation, approved or superseded.
    pub status: RevisionStatus,
    /// Sections, goals and activities.
    pub content: Content,
    /// What changed since the revision it was based on.
    pub change_summary: Option<String>,
    /// First day in force (once approved).
    pub valid_from: Option<NaiveDate>,
    /// Last day for consultation responses.
    pub consultation_deadline: Option<NaiveDate>,
    /// The approving decision.
    pub decision_id: Option<Uuid>,
    /// The approving decision's date.
    pub approved_on: Option<NaiveDate>,
    /// The number of the revision it was copied from.
    pub based_on: Option<i32>,
    /// Where it was published (approved and superseded revisions only).
    pub publications: Vec<Publication>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
}

impl From<Model> for RevisionView {
    fn from(row: Model) -> Self {
        Self {
            content: row.content.0,
            publications: row.publications.map(|list| list.0).unwrap_or_default(),
            id: row.id,
            action_plan_id: row.action_plan_id,
            number: row.number,
            status: row.status,
            change_summary: row.change_summary,
            valid_from: row.valid_from,
            consultation_deadline: row.consultation_deadline,
            decision_id: row.decision_id,
            approved_on: row.approved_on,
            based_on: row.based_on,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// The 201 of a revision, at its number.
fn created(row: &Model) -> (String, i32, RevisionView) {
    (
        revision_path(row.action_plan_id, row.number),
        row.version,
        RevisionView::from(row.clone()),
    )
}

/// A plan id and a revision number in a path.
type RevisionPath = web::Path<(Uuid, i32)>;

/// A new draft. Without `content` it copies the revision in force (or `from_revision`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRevisionBody {
    /// The revision to copy (default: the one in force today); 422 when the plan has none
    /// with this number.
    #[serde(default)]
    pub from_revision: Option<i32>,
    /// The content (default: a copy).
    #[serde(default)]
    pub content: Option<Content>,
    /// What changes, at most 10 000 characters.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub change_summary: Option<String>,
    /// First day in force once approved (default: the approval date).
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
}

/// The whole editable part of a draft (PUT).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionReplace {
    /// The content.
    pub content: Content,
    /// What changes, at most 10 000 characters.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub change_summary: Option<String>,
    /// First day in force once approved.
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
}

/// Changes to a revision: edits of a draft, or a move to another status. `consultation`
/// needs `consultation_deadline`; `approved` needs `decision_id` (a decision of kind
/// `approval`). Absent fields stay as they are; `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionPatch {
    /// New content (drafts only).
    #[serde(default)]
    #[schema(value_type = Content)]
    pub content: Patch<Content>,
    /// What changes, at most 10 000 characters (`null` clears it).
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub change_summary: Patch<String>,
    /// First day in force (`null` clears it).
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_from: Patch<NaiveDate>,
    /// `draft`, `consultation` or `approved`.
    #[serde(default)]
    #[schema(value_type = RevisionStatus)]
    pub status: Patch<RevisionStatus>,
    /// Last day for consultation responses (`null` clears it).
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub consultation_deadline: Patch<NaiveDate>,
    /// The approving decision.
    #[serde(default)]
    #[schema(value_type = Uuid)]
    pub decision_id: Patch<Uuid>,
}

/// A PATCH field that may be cleared, as "unchanged" (`None`) or its new value.
fn changed<T>(patch: Patch<T>) -> Option<Option<T>> {
    match patch {
        Patch::Absent => None,
        Patch::Null => Some(None),
        Patch::Value(value) => Some(Some(value)),
    }
}

impl RevisionPatch {
    /// The change this patch asks for, its own fields checked.
    fn change(self) -> ApiResult<RevisionChange> {
        let mut errors = Vec::new();
        let content = self.content.given("content", &mut errors);
        let status = self.status.given("status", &mut errors);
        let decision_id = self.decision_id.given("decision_id", &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let change_summary = match changed(self.change_summary) {
            None => None,
            Some(summary) => Some(check_change_summary(summary)?),
        };
        Ok(RevisionChange {
            content: content.map(CheckedContent::parse).transpose()?,
            change_summary,
            valid_from: changed(self.valid_from),
            status,
            consultation_deadline: changed(self.consultation_deadline),
            decision_id,
        })
    }
}

/// The revisions of a plan (drafts and consultations only for admin, secretary and member).
///
/// Ordered by number, or by change time when `updated_since` is given.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "list_plan_revisions",
    params(("id" = Uuid, Path, description = "Action plan id"), PagingParams),
    responses(Listed<RevisionView>, ParentNotFound),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/revisions")]
pub async fn list_plan_revisions(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoFilter>,
) -> ApiResult<HttpResponse> {
    let plan = store::get(&state.db, id.into_inner()).await?;
    let rows =
        store::list_revisions(&state.db, plan.id, caller.sees_unpublished(), &query.page).await?;
    Ok(kit::page_of(&req, rows, RevisionView::from))
}

/// A list without filters of its own: only `limit`, `cursor` and `updated_since`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFilter {}

/// Start a new draft (admin, secretary), numbered one above the highest; concurrent requests
/// get distinct numbers without gaps. 404 when there is no such plan; 422 when
/// `from_revision` names no revision of the plan.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "create_plan_revision",
    params(("id" = Uuid, Path, description = "Action plan id"), IdempotencyKeyHeader),
    request_body = NewRevisionBody,
    responses(Created<RevisionView>, ParentNotFound),
    security(("bearer" = []))
)]
#[post("/action-plans/{id}/revisions")]
pub async fn create_plan_revision(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
    JsonBody(body, digest): JsonBody<NewRevisionBody>,
) -> ApiResult<HttpResponse> {
    let plan_id = id.into_inner();
    let copy = body.content.is_none();
    let revision = Revision::parse(UncheckedRevision {
        content: body.content.unwrap_or_default(),
        change_summary: body.change_summary,
        valid_from: body.valid_from,
    })?;
    let new = NewRevision {
        from_revision: body.from_revision,
        revision,
        copy,
    };
    write
        .create_at(
            &digest,
            async |txn, actor| store::insert_revision(txn, actor, plan_id, today(), new).await,
            created,
        )
        .await
}

/// Read one revision (drafts are 404 unless the caller is admin, secretary or member).
#[utoipa::path(
    tag = "action_plans",
    operation_id = "get_plan_revision",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        IfNoneMatchHeader
    ),
    responses(Read<RevisionView>),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/revisions/{number}")]
pub async fn get_plan_revision(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    path: RevisionPath,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let row = store::get_revision(&state.db, plan_id, number, caller.sees_unpublished()).await?;
    Ok(kit::read(&req, row.version, &RevisionView::from(row)))
}

/// Edit a draft or move a revision on (admin, secretary): to `consultation` (with
/// `consultation_deadline`), back to `draft`, or to `approved` with the approval decision,
/// which supersedes the revision approved before in the same transaction. Approved and
/// superseded revisions never change (409, type `locked`).
#[utoipa::path(
    tag = "action_plans",
    operation_id = "update_plan_revision",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        IfMatchHeader
    ),
    request_body = RevisionPatch,
    responses(Updated<RevisionView>),
    security(("bearer" = []))
)]
#[patch("/action-plans/{id}/revisions/{number}")]
pub async fn update_plan_revision(
    write: Write<AdminOrSecretary>,
    path: RevisionPath,
    JsonBody(patch, _): JsonBody<RevisionPatch>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let change = patch.change()?;
    let row = store::update_revision(
        &write.db,
        &write.actor,
        plan_id,
        number,
        &write.precondition,
        change,
    )
    .await?;
    Ok(kit::updated(row.version, &RevisionView::from(row)))
}

/// Replace a draft's content, change summary and first day in force (admin, secretary).
#[utoipa::path(
    tag = "action_plans",
    operation_id = "replace_plan_revision",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        IfMatchHeader
    ),
    request_body = RevisionReplace,
    responses(Updated<RevisionView>),
    security(("bearer" = []))
)]
#[put("/action-plans/{id}/revisions/{number}")]
pub async fn replace_plan_revision(
    write: Write<AdminOrSecretary>,
    path: RevisionPath,
    JsonBody(body, _): JsonBody<RevisionReplace>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let (content, change_summary, valid_from) = Revision::parse(UncheckedRevision {
        content: body.content,
        change_summary: body.change_summary,
        valid_from: body.valid_from,
    })?
    .into_parts();
    let change = RevisionChange {
        content: Some(content),
        change_summary: Some(change_summary),
        valid_from: Some(valid_from),
        ..Default::default()
    };
    let row = store::update_revision(
        &write.db,
        &write.actor,
        plan_id,
        number,
        &write.precondition,
        change,
    )
    .await?;
    Ok(kit::updated(row.version, &RevisionView::from(row)))
}

/// The approval of a revision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionApproval {
    /// The approving decision (of kind `approval`, not revoked).
    pub decision_id: Uuid,
    /// First day in force (default: the one the revision names, else the decision's date).
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
}

/// Approve a draft or a revision in consultation by a decision of kind `approval` (admin,
/// secretary): the same as a PATCH to `status: approved`. The revision approved before is
/// superseded in the same transaction.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "approve_plan_revision",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        IfMatchHeader
    ),
    request_body = RevisionApproval,
    responses(Updated<RevisionView>),
    security(("bearer" = []))
)]
#[post("/action-plans/{id}/revisions/{number}/approval")]
pub async fn approve_plan_revision(
    write: Write<AdminOrSecretary>,
    path: RevisionPath,
    JsonBody(body, _): JsonBody<RevisionApproval>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let change = RevisionChange {
        status: Some(RevisionStatus::Approved),
        decision_id: Some(body.decision_id),
        valid_from: body.valid_from.map(Some),
        ..Default::default()
    };
    let row = store::update_revision(
        &write.db,
        &write.actor,
        plan_id,
        number,
        &write.precondition,
        change,
    )
    .await?;
    Ok(kit::updated(row.version, &RevisionView::from(row)))
}

/// The day to look at.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OnQuery {
    /// The date (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub on: Option<NaiveDate>,
}

/// The revision in force on a date: the latest approved or superseded revision valid from
/// that day or before (404 when none was).
#[utoipa::path(
    tag = "action_plans",
    operation_id = "get_current_plan_revision",
    params(("id" = Uuid, Path, description = "Action plan id"), OnQuery, IfNoneMatchHeader),
    responses(Read<RevisionView>),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/current")]
pub async fn get_current_plan_revision(
    req: HttpRequest,
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<Uuid>,
    Query(query): Query<OnQuery>,
) -> ApiResult<HttpResponse> {
    let plan = store::get(&state.db, id.into_inner()).await?;
    let row = store::in_force(&state.db, plan.id, query.on.unwrap_or_else(today))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(kit::read(&req, row.version, &RevisionView::from(row)))
}
