//! A revision as a document (Markdown or HTML), and the diff of two revisions: by key, and as
//! a unified text diff of the two documents.

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::{
    auth::Caller,
    domain::action_plan::{PartDiff, diff},
    entities::action_plan_revision::Model,
    error::{ApiResult, Problem},
    extract::Query,
    plan_document::{self, PlanDocument},
    routes::{AppState, meetings::minutes::wants_html, responses::ReadErrors},
    store::action_plans as store,
};

/// Mounts the document and diff routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(diff_plan_revisions)
        .service(get_plan_revision_document);
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
/// Drafts are 404 unless the caller is admin, secretary or member.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "diff_plan_revisions",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        DiffQuery
    ),
    responses(
        (status = 200, description = "The differences from revision `against` to `number`",
         body = RevisionDiff),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/revisions/{number}/diff")]
pub async fn diff_plan_revisions(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
    Query(query): Query<DiffQuery>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let all = caller.sees_unpublished();
    let new = store::get_revision(&state.db, plan_id, number, all).await?;
    let old = store::get_revision(&state.db, plan_id, query.against, all).await?;
    let by_key = diff(&old.content, &new.content);
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
        sections: by_key.sections,
        goals: by_key.goals,
        activities: by_key.activities,
        text_diff,
    }))
}

/// A revision as a document: title, status, dates, change summary, sections, goals and
/// activities, and where it was published. `Accept: text/markdown` (default) or `text/html`;
/// plain fields are escaped and no raw HTML passes through. Drafts are 404 unless the caller
/// is admin, secretary or member.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "get_plan_revision_document",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        ("Accept" = Option<String>, Header,
         description = "`text/markdown` (the default) or `text/html`")
    ),
    responses(
        (status = 200,
         description = "The revision as a Markdown document (`text/markdown`, the default) or \
                        as an HTML page rendered from it (`text/html`), in UTF-8",
         headers(("Vary" = String, description = "`Accept`: the media type follows it")),
         content(
            (String = "text/markdown"),
            (String = "text/html")
         )),
        (status = 406, description = "Neither Markdown nor HTML is acceptable",
         body = Problem, content_type = "application/problem+json"),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/revisions/{number}/document")]
pub async fn get_plan_revision_document(
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
    let publications = row.publications.as_ref().map(|list| list.as_slice());
    let doc = PlanDocument {
        title,
        number: row.number,
        status: row.status,
        valid_from: row.valid_from,
        approved_on: row.approved_on,
        change_summary: row.change_summary.as_deref(),
        content: &row.content,
        publications: publications.unwrap_or_default(),
    };
    if html {
        plan_document::html(&doc)
    } else {
        plan_document::markdown(&doc)
    }
}
