//! The decision record: list, record, read and change a decision.

pub use super::input::{DecisionPatch, NewDecision};

use crate::domain::time::{Bound, Day};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::DecisionView;
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::decision::{Decision, DecisionKind, DecisionStatus, FollowUpStatus},
    entities::decision::Entity,
    error::ApiResult,
    extract::JsonBody,
    routes::{
        AppState,
        kit::{
            self, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, ListQuery,
            Listed, PagingParams, Read, Updated, Write,
        },
    },
    store::decisions::{self as store, DecisionFilter},
};

/// Filters of the decision list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DecisionQuery {
    /// Taken at this meeting.
    pub meeting_id: Option<Uuid>,
    /// Taken by this group.
    pub group_id: Option<Uuid>,
    /// Of this kind.
    pub kind: Option<DecisionKind>,
    /// In this status.
    pub status: Option<DecisionStatus>,
    /// Concerning this organisation (or every party).
    pub concerns: Option<Uuid>,
    /// Assignments in this follow-up status.
    pub follow_up_status: Option<FollowUpStatus>,
    /// Assignments given to this organisation, group or member.
    pub assignee_id: Option<Uuid>,
    /// Assignments due before this date.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    pub due_before: Option<Day>,
    /// Only open assignments past (true) their due date, or only the others (false).
    pub overdue: Option<bool>,
    /// Decided on or after this date (a date, or an RFC 3339 timestamp read as its date in
    /// Sweden).
    #[serde(default)]
    #[param(inline)]
    pub from: Option<Bound>,
    /// Decided on or before this date (a date, or an RFC 3339 timestamp read as its date in
    /// Sweden).
    #[serde(default)]
    #[param(inline)]
    pub to: Option<Bound>,
}

impl DecisionQuery {
    fn filter(self, sees_unpublished: bool) -> DecisionFilter {
        DecisionFilter {
            meeting_id: self.meeting_id,
            group_id: self.group_id,
            kind: self.kind,
            status: self.status,
            concerns: self.concerns,
            follow_up_status: self.follow_up_status,
            assignee_id: self.assignee_id,
            due_before: self.due_before.map(NaiveDate::from),
            overdue: self.overdue,
            from: self.from.map(Bound::first_day),
            to: self.to.map(Bound::last_day),
            assignments_only: false,
            public_only: !sees_unpublished,
        }
    }
}

/// List decisions (public ones of public meetings unless the caller is admin, secretary or
/// member).
///
/// In the order of the minutes (meeting start, agenda position, then as taken: "§3", "§6",
/// "§6b", "§10"); with `updated_since`, what changed since then in the order it changed: how a
/// municipality pulls what changed since its last pull.
#[utoipa::path(
    tag = "decisions",
    operation_id = "list_decisions",
    params(DecisionQuery, PagingParams),
    responses(Listed<DecisionView>),
    security((), ("bearer" = []))
)]
#[get("/decisions")]
pub async fn list_decisions(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<DecisionQuery>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter, page } = query;
    let filter = filter.filter(caller.sees_unpublished());
    let rows = store::list(&state.db, &filter, &page).await?;
    Ok(kit::page_of(&req, rows, DecisionView::from))
}

/// Record a decision (admin, secretary).
///
/// Superseding or revoking marks the older decision in the same transaction; an election fills
/// and ends the seats it names. 422 names every field that is wrong, including the rules
/// between fields (an assignment names assignees and a due date or a meeting to report to;
/// amounts and periods only on funding; seats only on elections) and references that do not
/// exist; 409 for a cancelled meeting, or (`locked`) one whose minutes are approved.
#[utoipa::path(
    tag = "decisions",
    operation_id = "create_decision",
    params(IdempotencyKeyHeader),
    request_body = NewDecision,
    responses(Created<DecisionView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/decisions")]
pub async fn create_decision(
    write: Write<AdminOrSecretary>,
    JsonBody(body, digest): JsonBody<NewDecision>,
) -> ApiResult<HttpResponse> {
    let decision = Decision::parse(body.into())?;
    write
        .create::<Entity, _>(
            &digest,
            async |txn, actor| store::insert(txn, actor, decision).await,
            DecisionView::from,
        )
        .await
}

/// Read a decision (a non-public one, or one of a closed meeting, only as admin, secretary or
/// member; 404 otherwise).
#[utoipa::path(
    tag = "decisions",
    operation_id = "get_decision",
    params(("id" = Uuid, Path, description = "Decision id"), IfNoneMatchHeader),
    responses(Read<DecisionView>),
    security((), ("bearer" = []))
)]
#[get("/decisions/{id}")]
pub async fn get_decision(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner(), caller.sees_unpublished()).await?;
    Ok(kit::read(&req, row.version, &DecisionView::from(row)))
}

/// Change a decision (admin, secretary); send `If-Match` to refuse a stale write.
///
/// Once its meeting's minutes are approved only the follow-up fields change (409 otherwise,
/// problem type `locked`); a superseded or revoked decision does not change (409).
#[utoipa::path(
    tag = "decisions",
    operation_id = "update_decision",
    params(("id" = Uuid, Path, description = "Decision id"), IfMatchHeader),
    request_body = DecisionPatch,
    responses(Updated<DecisionView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[patch("/decisions/{id}")]
pub async fn update_decision(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
    JsonBody(patch, _): JsonBody<DecisionPatch>,
) -> ApiResult<HttpResponse> {
    let touches_record = patch.touches_record();
    let row = store::update(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
        touches_record,
        |current| Decision::parse(patch.apply(current)?),
    )
    .await?;
    Ok(kit::updated(row.version, &DecisionView::from(row)))
}
