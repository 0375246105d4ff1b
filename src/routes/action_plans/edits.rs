//! Changes to a revision: edits of a draft (PATCH, PUT) and the moves of its life cycle, to
//! consultation and to approved by a decision (PATCH `status`, or the approval action).

use crate::domain::time::Day;
use actix_web::{HttpResponse, patch, post, put, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::revisions::RevisionView;
use crate::{
    auth::AdminOrSecretary,
    domain::action_plan::{
        CheckedContent, Content, Revision, RevisionStatus, UncheckedRevision, check_change_summary,
    },
    error::{ApiError, ApiResult},
    extract::JsonBody,
    routes::kit::{self, IfMatchHeader, Patch, Updated, Write},
    store::action_plans::{self as store, RevisionChange},
};

/// Mounts the routes that change a revision.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(approve_plan_revision)
        .service(update_plan_revision)
        .service(replace_plan_revision);
}

/// A plan id and a revision number in a path.
type RevisionPath = web::Path<(Uuid, i32)>;

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
    pub valid_from: Option<Day>,
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
    #[schema(value_type = Option<Day>)]
    pub valid_from: Patch<Day>,
    /// `draft`, `consultation` or `approved`.
    #[serde(default)]
    #[schema(value_type = RevisionStatus)]
    pub status: Patch<RevisionStatus>,
    /// Last day for consultation responses (`null` clears it).
    #[serde(default)]
    #[schema(value_type = Option<Day>)]
    pub consultation_deadline: Patch<Day>,
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
            valid_from: changed(self.valid_from.map(NaiveDate::from)),
            status,
            consultation_deadline: changed(self.consultation_deadline.map(NaiveDate::from)),
            decision_id,
        })
    }
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
    security(("bearer" = ["admin", "secretary"]))
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
    security(("bearer" = ["admin", "secretary"]))
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
        valid_from: body.valid_from.map(NaiveDate::from),
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
    pub valid_from: Option<Day>,
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
    security(("bearer" = ["admin", "secretary"]))
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
        valid_from: body.valid_from.map(|day| Some(day.into())),
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
