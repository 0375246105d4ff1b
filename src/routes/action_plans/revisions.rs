//! Revisions of an action plan: the record, drafting a new one, reading, listing, and the
//! revision in force on a date. Changes to a revision are in [`super::edits`].

use crate::domain::time::Day;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{ParentNotFound, revision_path};
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::action_plan::{Content, Publication, Revision, RevisionStatus, UncheckedRevision},
    entities::action_plan_revision::Model,
    error::{ApiError, ApiResult},
    extract::{JsonBody, Query},
    routes::{
        AppState,
        kit::{
            self, Created, IdempotencyKeyHeader, IfNoneMatchHeader, ListQuery, Listed,
            PagingParams, Read, Write,
        },
    },
    store::{
        action_plans::{self as store, NewRevision},
        today,
    },
};

/// Mounts the revision routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_current_plan_revision)
        .service(list_plan_revisions)
        .service(create_plan_revision)
        .service(get_plan_revision);
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

/// An optional 32-bit integer, also when JSON spells it as an integral number (`3.0`): JSON
/// Schema counts `3.0` as an integer, so the document's `type: integer` admits it.
fn integral<'de, D: Deserializer<'de>>(de: D) -> Result<Option<i32>, D::Error> {
    let Some(n) = Option::<f64>::deserialize(de)? else {
        return Ok(None);
    };
    if n.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&n) {
        Ok(Some(n as i32))
    } else {
        Err(serde::de::Error::custom("must be a 32-bit integer"))
    }
}

/// A new draft. Without `content` it copies the revision in force (or `from_revision`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRevisionBody {
    /// The revision to copy (default: the one in force today); 422 when the plan has none
    /// with this number.
    #[serde(default, deserialize_with = "integral")]
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
    pub valid_from: Option<Day>,
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
    security(("bearer" = ["admin", "secretary"]))
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
        valid_from: body.valid_from.map(NaiveDate::from),
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

/// The day to look at.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OnQuery {
    /// The date (default: today).
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    pub on: Option<Day>,
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
    let row = store::in_force(
        &state.db,
        plan.id,
        query.on.map_or_else(today, NaiveDate::from),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    Ok(kit::read(&req, row.version, &RevisionView::from(row)))
}
