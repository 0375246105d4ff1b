//! Revisions of an action plan: drafting, consultation, approval by decision, the revision in
//! force on a date, and the diff of two revisions.

use actix_web::{HttpRequest, HttpResponse, get, http::header, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::plan_path;
use crate::{
    auth::{AdminOrSecretary, Authorized, Caller},
    domain::action_plan::{
        Content, PartDiff, Publication, RevisionStatus, UncheckedRevision, diff as content_diff,
    },
    entities::action_plan_revision::Model,
    error::{ApiError, ApiResult, FieldError},
    extract::{IdempotencyKey, JsonBody, Query},
    pagination::Page,
    plan_document::{self, PlanDocument},
    routes::kit::{created, read as record_response, stored_response, updated as updated_response},
    routes::{
        AppState,
        meetings::minutes::wants_html,
        present,
        responses::{CreateErrors, ReadErrors, UpdateErrors},
    },
    store::Precondition,
    store::{
        Actor,
        action_plans::{self as store, NewRevision, RevisionChange, content_of, publications_of},
        idempotency, today,
    },
};

/// Mounts the revision routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(current)
        .service(list)
        .service(create)
        .service(diff)
        .service(publish)
        .service(document)
        .service(get)
        .service(update)
        .service(replace);
}

fn revision_path(plan_id: Uuid, number: i32) -> String {
    format!("{}/revisions/{number}", plan_path(plan_id))
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
            content: content_of(&row),
            publications: publications_of(&row),
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

/// A new draft. Without `content` it copies the revision in force (or `from_revision`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRevisionBody {
    /// The revision to copy (default: the one in force today).
    #[serde(default)]
    pub from_revision: Option<i32>,
    /// The content (default: a copy).
    #[serde(default)]
    pub content: Option<Content>,
    /// What changes.
    #[serde(default)]
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
    /// What changes.
    #[serde(default)]
    pub change_summary: Option<String>,
    /// First day in force once approved.
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
}

/// Changes to a revision: edits of a draft, or a move to another status. `consultation`
/// needs `consultation_deadline`; `approved` needs `decision_id` (a decision of kind
/// `approval`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionPatch {
    /// New content (drafts only).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Content)]
    pub content: Option<Option<Content>>,
    /// What changes (`null` clears it).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub change_summary: Option<Option<String>>,
    /// First day in force.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_from: Option<Option<NaiveDate>>,
    /// `draft`, `consultation` or `approved`.
    #[serde(default)]
    pub status: Option<RevisionStatus>,
    /// Last day for consultation responses.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub consultation_deadline: Option<Option<NaiveDate>>,
    /// The approving decision.
    #[serde(default)]
    pub decision_id: Option<Uuid>,
}

/// Checks content and summary when given.
fn checked_text(
    content: Option<Content>,
    change_summary: Option<Option<String>>,
) -> ApiResult<(Option<Content>, Option<Option<String>>)> {
    let has_content = content.is_some();
    let summary_given = change_summary.is_some();
    let checked = UncheckedRevision {
        content: content.unwrap_or_default(),
        change_summary: change_summary.flatten(),
        valid_from: None,
    }
    .check()?;
    Ok((
        has_content.then_some(checked.content),
        summary_given.then_some(checked.change_summary),
    ))
}

/// The revisions of a plan (drafts and consultations only for admin, secretary and member).
#[utoipa::path(
    tag = "action_plans",
    params(("id" = Uuid, Path, description = "Action plan id")),
    responses((status = 200, body = Page<RevisionView>), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/revisions")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let plan = store::get(&state.db, id.into_inner()).await?;
    let rows = store::list_revisions(&state.db, plan.id, caller.sees_unpublished()).await?;
    let items: Vec<RevisionView> = rows.into_iter().map(RevisionView::from).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// Start a new draft (admin, secretary), numbered one above the highest; concurrent requests
/// get distinct numbers without gaps.
#[utoipa::path(
    tag = "action_plans",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("Idempotency-Key" = Option<String>, Header,
         description = "Makes a retried POST answer from the first attempt (keys live 24 h)")
    ),
    request_body = NewRevisionBody,
    responses(
        (status = 201, body = RevisionView, headers(("ETag" = String), ("Location" = String))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/action-plans/{id}/revisions")]
pub async fn create(
    req: HttpRequest,
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    key: IdempotencyKey,
    JsonBody(body, digest): JsonBody<NewRevisionBody>,
) -> ApiResult<HttpResponse> {
    let plan_id = id.into_inner();
    let copy = body.content.is_none();
    let revision = UncheckedRevision {
        content: body.content.unwrap_or_default(),
        change_summary: body.change_summary,
        valid_from: body.valid_from,
    }
    .check()?;
    let new = NewRevision {
        from_revision: body.from_revision,
        revision,
        copy,
    };
    let actor = Actor::from(&user.0);
    let idempotent = key.for_request(&req, &digest);
    let (response, replayed) = idempotency::create_once(
        &state.db,
        &actor,
        idempotent.as_ref(),
        async |txn| store::insert_revision(txn, &actor, plan_id, today(), new).await,
        |row| {
            let location = revision_path(row.action_plan_id, row.number);
            created(location, row.version, &RevisionView::from(row.clone()))
        },
    )
    .await?;
    Ok(stored_response(response, replayed))
}

/// Read one revision (drafts are 404 unless the caller is admin, secretary or member).
#[utoipa::path(
    tag = "action_plans",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number")
    ),
    responses((status = 200, body = RevisionView, headers(("ETag" = String))), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/revisions/{number}")]
pub async fn get(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let row = store::get_revision(&state.db, plan_id, number, caller.sees_unpublished()).await?;
    Ok(record_response(&req, row.version, &RevisionView::from(row)))
}

/// Edit a draft or move a revision on (admin, secretary): to `consultation` (with
/// `consultation_deadline`), back to `draft`, or to `approved` with the approval decision,
/// which supersedes the revision approved before in the same transaction. Approved and
/// superseded revisions never change (409, type `locked`).
#[utoipa::path(
    tag = "action_plans",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")
    ),
    request_body = RevisionPatch,
    responses((status = 200, body = RevisionView, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/action-plans/{id}/revisions/{number}")]
pub async fn update(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
    if_match: Precondition,
    JsonBody(patch, _): JsonBody<RevisionPatch>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    if matches!(patch.content, Some(None)) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "content",
            "must not be null",
        )]));
    }
    let (content, change_summary) = checked_text(patch.content.flatten(), patch.change_summary)?;
    let change = RevisionChange {
        content,
        change_summary,
        valid_from: patch.valid_from,
        status: patch.status,
        consultation_deadline: patch.consultation_deadline,
        decision_id: patch.decision_id,
    };
    let actor = Actor::from(&user.0);
    let row = store::update_revision(&state.db, &actor, plan_id, number, &if_match, change).await?;
    Ok(updated_response(row.version, &RevisionView::from(row)))
}

/// Replace a draft's content, change summary and first day in force (admin, secretary).
#[utoipa::path(
    tag = "action_plans",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")
    ),
    request_body = RevisionReplace,
    responses((status = 200, body = RevisionView, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[put("/action-plans/{id}/revisions/{number}")]
pub async fn replace(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
    if_match: Precondition,
    JsonBody(body, _): JsonBody<RevisionReplace>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let (content, change_summary) = checked_text(Some(body.content), Some(body.change_summary))?;
    let change = RevisionChange {
        content,
        change_summary,
        valid_from: Some(body.valid_from),
        ..Default::default()
    };
    let actor = Actor::from(&user.0);
    let row = store::update_revision(&state.db, &actor, plan_id, number, &if_match, change).await?;
    Ok(updated_response(row.version, &RevisionView::from(row)))
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
    params(("id" = Uuid, Path, description = "Action plan id"), OnQuery),
    responses((status = 200, body = RevisionView, headers(("ETag" = String))), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/current")]
pub async fn current(
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
    Ok(record_response(&req, row.version, &RevisionView::from(row)))
}

/// The revision to compare with.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older revision's number.
    pub against: i32,
}

/// A structured diff of two revisions by key.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDiff {
    /// The revision compared against (the older).
    pub from: i32,
    /// The revision compared (the newer).
    pub to: i32,
    /// Sections: added, removed, changed or unchanged.
    pub sections: Vec<PartDiff>,
    /// Goals: also moved to another section.
    pub goals: Vec<PartDiff>,
    /// Activities: also moved to another goal; field-level changes.
    pub activities: Vec<PartDiff>,
    /// A unified diff (three lines of context) of the two revisions rendered as Markdown.
    pub text_diff: String,
}

/// Compare revision `number` with revision `against`: sections, goals and activities added,
/// removed, moved and changed (field by field), by their stable keys; unchanged ones too.
#[utoipa::path(
    tag = "action_plans",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        DiffQuery
    ),
    responses((status = 200, body = RevisionDiff), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/revisions/{number}/diff")]
pub async fn diff(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
    Query(query): Query<DiffQuery>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let all = caller.sees_unpublished();
    let new = store::get_revision(&state.db, plan_id, number, all).await?;
    let old = store::get_revision(&state.db, plan_id, query.against, all).await?;
    let d = content_diff(&content_of(&old), &content_of(&new));
    let plan = store::get(&state.db, plan_id).await?;
    let (old_text, new_text) = (
        render(&plan.title, &old, false),
        render(&plan.title, &new, false),
    );
    let text_diff = similar::TextDiff::from_lines(&old_text, &new_text)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("revision {}", old.number),
            &format!("revision {}", new.number),
        )
        .to_string();
    Ok(HttpResponse::Ok().json(RevisionDiff {
        from: old.number,
        to: new.number,
        sections: d.sections,
        goals: d.goals,
        activities: d.activities,
        text_diff,
    }))
}

/// Record where an approved (or superseded) revision was published (admin, secretary): the
/// only change such a revision takes; drafts and consultations are a 409. Answers with the
/// revision.
#[utoipa::path(
    tag = "action_plans",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        ("Idempotency-Key" = Option<String>, Header,
         description = "Makes a retried POST answer from the first attempt (keys live 24 h)")
    ),
    request_body = Publication,
    responses(
        (status = 201, body = RevisionView, headers(("ETag" = String), ("Location" = String))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/action-plans/{id}/revisions/{number}/publications")]
pub async fn publish(
    req: HttpRequest,
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
    key: IdempotencyKey,
    JsonBody(body, digest): JsonBody<Publication>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let publication = body.check()?;
    let actor = Actor::from(&user.0);
    let idempotent = key.for_request(&req, &digest);
    let (response, replayed) = idempotency::create_once(
        &state.db,
        &actor,
        idempotent.as_ref(),
        async |txn| store::add_publication(txn, &actor, plan_id, number, publication).await,
        |row| {
            let location = revision_path(row.action_plan_id, row.number);
            created(location, row.version, &RevisionView::from(row.clone()))
        },
    )
    .await?;
    Ok(stored_response(response, replayed))
}

/// A revision as a document: title, status, dates, change summary, sections, goals and
/// activities, and where it was published. `Accept: text/markdown` (default) or `text/html`;
/// plain fields are escaped and no raw HTML passes through. Drafts are 404 unless the caller
/// is admin, secretary or member.
#[utoipa::path(
    tag = "action_plans",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number")
    ),
    responses(
        (status = 200, description = "The revision as a document", content(
            (String = "text/markdown"),
            (String = "text/html")
        )),
        (status = 406, description = "Neither Markdown nor HTML is acceptable",
         body = crate::error::Problem, content_type = "application/problem+json"),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/revisions/{number}/document")]
pub async fn document(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
) -> ApiResult<HttpResponse> {
    let html = wants_html(&req)?;
    let (plan_id, number) = path.into_inner();
    let plan = store::get(&state.db, plan_id).await?;
    let row = store::get_revision(&state.db, plan_id, number, caller.sees_unpublished()).await?;
    let body = render(&plan.title, &row, html);
    let content_type = if html {
        "text/html; charset=utf-8"
    } else {
        "text/markdown; charset=utf-8"
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::VARY, "Accept"))
        .body(body))
}

/// A revision rendered as Markdown or HTML.
fn render(title: &str, row: &Model, html: bool) -> String {
    let content = content_of(row);
    let publications = publications_of(row);
    let doc = PlanDocument {
        title,
        number: row.number,
        status: row.status,
        valid_from: row.valid_from,
        approved_on: row.approved_on,
        change_summary: row.change_summary.as_deref(),
        content: &content,
        publications: &publications,
    };
    if html {
        plan_document::html(&doc)
    } else {
        plan_document::markdown(&doc)
    }
}
