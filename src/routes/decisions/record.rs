//! The decision record: list, record, read and change a decision.

use crate::domain::time::Day;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::DecisionView;
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::decision::{
        Assignee, Decision, DecisionKind, DecisionStatus, Elected, FollowUpStatus,
        UncheckedDecision,
    },
    entities::decision::{Entity, Model},
    error::{ApiError, ApiResult},
    extract::JsonBody,
    routes::{
        AppState,
        kit::{
            self, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, ListQuery,
            Listed, PagingParams, Patch, Read, Updated, Write,
        },
    },
    store::decisions::{self as store, DecisionFilter},
};

fn yes() -> bool {
    true
}

/// A new decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    /// The meeting (not cancelled; its minutes not yet approved).
    pub meeting_id: Uuid,
    /// The agenda item of that meeting.
    pub agenda_item_id: Uuid,
    /// Title: one line, 1–300 characters once trimmed.
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub title: String,
    /// The wording: not blank, at most 20 000 characters; line breaks and tabs allowed.
    #[schema(
        example = "Styrgruppen beslutar att samfinansiera ytterligare två år, 2022–2023.",
        min_length = 1,
        max_length = 20000,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub text: String,
    /// Kind.
    pub kind: DecisionKind,
    /// The adopted decision it replaces (marked superseded in the same transaction).
    #[serde(default)]
    pub supersedes_id: Option<Uuid>,
    /// The adopted decision it revokes (marked revoked in the same transaction); not together
    /// with `supersedes_id`.
    #[serde(default)]
    pub revokes_id: Option<Uuid>,
    /// Organisations it concerns; empty (default) means every party.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub concerns: Vec<Uuid>,
    /// Visible to everyone (default true).
    #[serde(default = "yes")]
    pub public: bool,
    /// Who is to act: organisations, groups or members (an assignment names at least one).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub assignees: Vec<Assignee>,
    /// Due date (only assignments; they need it or `report_to_meeting_id`).
    #[serde(default)]
    pub due_date: Option<Day>,
    /// The meeting to report to (only assignments).
    #[serde(default)]
    pub report_to_meeting_id: Option<Uuid>,
    /// Follow-up status (only assignments; default `open`).
    #[serde(default)]
    pub follow_up_status: Option<FollowUpStatus>,
    /// Amount in SEK (only funding, which needs it).
    #[serde(default)]
    #[schema(minimum = 0)]
    pub amount_sek: Option<i64>,
    /// Funded period start (only funding).
    #[serde(default)]
    pub period_start: Option<Day>,
    /// Funded period end (only funding; not before the start).
    #[serde(default)]
    pub period_end: Option<Day>,
    /// Funders (only funding).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub funders: Vec<Uuid>,
    /// Seats an election fills (memberships created in the same transaction; only elections).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub elects: Vec<Elected>,
    /// Memberships an election ends (they end the day before the decision; only elections).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub ends_membership_ids: Vec<Uuid>,
}

impl From<NewDecision> for UncheckedDecision {
    fn from(n: NewDecision) -> Self {
        Self {
            meeting_id: n.meeting_id,
            agenda_item_id: n.agenda_item_id,
            title: n.title,
            text: n.text,
            kind: n.kind,
            supersedes_id: n.supersedes_id,
            revokes_id: n.revokes_id,
            concerns: n.concerns,
            public: n.public,
            assignees: n.assignees,
            due_date: n.due_date.map(NaiveDate::from),
            report_to_meeting_id: n.report_to_meeting_id,
            follow_up_status: n.follow_up_status,
            reported_in_decision_id: None,
            amount_sek: n.amount_sek,
            period_start: n.period_start.map(NaiveDate::from),
            period_end: n.period_end.map(NaiveDate::from),
            funders: n.funders,
            elects: n.elects,
            ends_membership_ids: n.ends_membership_ids,
        }
    }
}

/// Changes to a decision: absent fields stay as they are, `null` clears an optional one. Once
/// the meeting's minutes are approved only the follow-up fields change; everything else is
/// corrected by a new decision that supersedes this one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionPatch {
    /// Title: one line, 1–300 characters once trimmed.
    #[serde(default)]
    #[schema(
        value_type = String,
        min_length = 1,
        max_length = 300,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub title: Patch<String>,
    /// Wording: not blank, at most 20 000 characters.
    #[serde(default)]
    #[schema(
        value_type = String,
        min_length = 1,
        max_length = 20000,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub text: Patch<String>,
    /// Concerned organisations (replaces the list; empty means every party).
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>, max_items = 50)]
    pub concerns: Patch<Vec<Uuid>>,
    /// Public.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub public: Patch<bool>,
    /// Due date (assignments).
    #[serde(default)]
    #[schema(value_type = Option<Day>)]
    pub due_date: Patch<Day>,
    /// The meeting to report to (assignments).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub report_to_meeting_id: Patch<Uuid>,
    /// Follow-up status (assignments; also after approval).
    #[serde(default)]
    #[schema(value_type = FollowUpStatus)]
    pub follow_up_status: Patch<FollowUpStatus>,
    /// The decision in which it was reported (assignments; also after approval).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub reported_in_decision_id: Patch<Uuid>,
}

impl DecisionPatch {
    /// Whether the patch changes the record itself (wording or metadata), which approved
    /// minutes lock, and not only its follow-up.
    fn touches_record(&self) -> bool {
        self.title.is_present()
            || self.text.is_present()
            || self.concerns.is_present()
            || self.public.is_present()
            || self.due_date.is_present()
            || self.report_to_meeting_id.is_present()
    }

    /// The current record with this patch applied, not yet checked.
    fn apply(self, current: &Model) -> ApiResult<UncheckedDecision> {
        let mut errors = Vec::new();
        let c = current.clone();
        let unchecked = UncheckedDecision {
            meeting_id: c.meeting_id,
            agenda_item_id: c.agenda_item_id,
            title: self.title.keep("title", c.title, &mut errors),
            text: self.text.keep("text", c.text, &mut errors),
            kind: c.kind,
            supersedes_id: None,
            revokes_id: None,
            concerns: self.concerns.keep("concerns", c.concerns.0, &mut errors),
            public: self.public.keep("public", c.public, &mut errors),
            assignees: c.assignees.0,
            due_date: self.due_date.map(NaiveDate::from).or(c.due_date),
            report_to_meeting_id: self.report_to_meeting_id.or(c.report_to_meeting_id),
            follow_up_status: self
                .follow_up_status
                .given("follow_up_status", &mut errors)
                .or(c.follow_up_status),
            reported_in_decision_id: self.reported_in_decision_id.or(c.reported_in_decision_id),
            amount_sek: c.amount_sek,
            period_start: c.period_start,
            period_end: c.period_end,
            funders: c.funders.0,
            elects: Vec::new(),
            ends_membership_ids: Vec::new(),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

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
    /// Decided on or after this date.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<Day>,
    /// Decided on or before this date.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<Day>,
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
            from: self.from.map(NaiveDate::from),
            to: self.to.map(NaiveDate::from),
            assignments_only: false,
            public_only: !sees_unpublished,
        }
    }
}

/// List decisions (public ones of public meetings unless the caller is admin, secretary or
/// member).
///
/// In creation order; with `updated_since`, what changed since then in the order it changed:
/// how a municipality pulls what changed since its last pull.
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
    security(("bearer" = []))
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
    security(("bearer" = []))
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
