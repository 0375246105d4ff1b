//! Decisions and assignments: the record municipalities pull, and the follow-up loop.
//!
//! [`record`] holds the decision record itself (list, create, read, change); [`follow_up`] the
//! views of assignments (what a meeting must follow up, the assignment overview). Both answer
//! with [`DecisionView`].

mod follow_up;
mod input;
mod record;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use follow_up::{AssigneeGroup, AssignmentGroups, AssignmentQuery, GroupBy};
pub use record::{DecisionPatch, DecisionQuery, NewDecision};

use crate::{
    domain::{
        decision::{
            Assignee, DecisionKind, DecisionStatus, FollowUpStatus, is_ongoing, is_overdue,
        },
        proceedings::{DecisionOutcome, MemberVote, Reservation, VoteCounts},
    },
    entities::decision::Model,
    store::today,
};

/// A decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Stable reference, e.g. "SG 2021-11-05 §6".
    #[schema(example = "SG 2021-11-05 §6")]
    pub reference: String,
    /// The meeting.
    pub meeting_id: Uuid,
    /// The agenda item.
    pub agenda_item_id: Uuid,
    /// Title.
    pub title: String,
    /// The wording.
    pub text: String,
    /// Kind.
    pub kind: DecisionKind,
    /// The meeting date.
    pub decided_on: NaiveDate,
    /// Adopted, superseded or revoked.
    pub status: DecisionStatus,
    /// The decision this one replaces.
    pub supersedes_id: Option<Uuid>,
    /// The decision this one revokes.
    pub revokes_id: Option<Uuid>,
    /// Organisations it concerns; empty means every party.
    pub concerns: Vec<Uuid>,
    /// Visible to everyone.
    pub public: bool,
    /// Who is to act (assignments).
    pub assignees: Vec<Assignee>,
    /// Due date (assignments).
    pub due_date: Option<NaiveDate>,
    /// The meeting to report to (assignments).
    pub report_to_meeting_id: Option<Uuid>,
    /// The member to report to (assignments).
    pub report_to_member_id: Option<Uuid>,
    /// The group or organisation to report to (assignments).
    pub report_to_group_id: Option<Uuid>,
    /// An assignment with no due date and nothing to report to ("löpande"): followed up at
    /// every later meeting of the group while open (computed).
    pub ongoing: bool,
    /// Follow-up (assignments).
    pub follow_up_status: Option<FollowUpStatus>,
    /// The decision in which it was reported.
    pub reported_in_decision_id: Option<Uuid>,
    /// An open assignment past its due date (computed, never stored).
    pub overdue: bool,
    /// Amount in SEK (funding).
    pub amount_sek: Option<i64>,
    /// Funded period start (funding).
    pub period_start: Option<NaiveDate>,
    /// Funded period end (funding).
    pub period_end: Option<NaiveDate>,
    /// Funders (funding).
    pub funders: Vec<Uuid>,
    /// What came of the proposal.
    pub outcome: DecisionOutcome,
    /// Reservations entered against it.
    pub reservations: Vec<Reservation>,
    /// Votes by name.
    pub votes: Vec<MemberVote>,
    /// Counted votes, if there was a vote.
    pub vote_counts: Option<VoteCounts>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
    /// Every change of the follow-up status, oldest first (assignments; only with
    /// `include_history=true` on the assignment overview).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_history: Option<Vec<FollowUpChange>>,
}

/// One change of an assignment's follow-up status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpChange {
    /// When.
    pub changed_at: DateTime<Utc>,
    /// Who: the actor id the audit log names (null for changes before history was kept).
    pub changed_by: Option<Uuid>,
    /// The status before (null when it became an assignment, or before history was kept).
    pub from: Option<FollowUpStatus>,
    /// The status after.
    pub to: Option<FollowUpStatus>,
    /// The decision in which it was reported, as it stood after the change.
    pub reported_in_decision_id: Option<Uuid>,
    /// The meeting where it was reported (that decision's meeting; null when the caller may
    /// not see it).
    pub reported_at_meeting_id: Option<Uuid>,
}

impl From<Model> for DecisionView {
    fn from(row: Model) -> Self {
        let overdue = is_overdue(row.status, row.follow_up_status, row.due_date, today());
        let ongoing = is_ongoing(
            row.follow_up_status,
            row.due_date,
            [
                row.report_to_meeting_id,
                row.report_to_member_id,
                row.report_to_group_id,
            ],
        );
        Self {
            id: row.id,
            reference: row.reference,
            meeting_id: row.meeting_id,
            agenda_item_id: row.agenda_item_id,
            title: row.title,
            text: row.text,
            kind: row.kind,
            decided_on: row.decided_on,
            status: row.status,
            supersedes_id: row.supersedes_id,
            revokes_id: row.revokes_id,
            concerns: row.concerns.0,
            public: row.public,
            assignees: row.assignees.0,
            due_date: row.due_date,
            report_to_meeting_id: row.report_to_meeting_id,
            report_to_member_id: row.report_to_member_id,
            report_to_group_id: row.report_to_group_id,
            ongoing,
            follow_up_status: row.follow_up_status,
            reported_in_decision_id: row.reported_in_decision_id,
            overdue,
            amount_sek: row.amount_sek,
            period_start: row.period_start,
            period_end: row.period_end,
            funders: row.funders.0,
            outcome: row.outcome,
            reservations: row.reservations.0,
            votes: row.votes.0,
            vote_counts: row.vote_counts.map(|v| v.0),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
            follow_up_history: None,
        }
    }
}

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(follow_up::list_meeting_follow_ups)
        .service(follow_up::list_assignments)
        .service(record::list_decisions)
        .service(record::create_decision)
        .service(record::get_decision)
        .service(record::update_decision);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    super::kit::doc::register::<DecisionView>(schemas);
    super::kit::doc::register::<AssignmentGroups>(schemas);
}
