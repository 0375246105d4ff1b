//! What a client sends to record or change a decision.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::{
        decision::{Assignee, DecisionKind, Elected, FollowUpStatus, UncheckedDecision},
        proceedings::{DecisionOutcome, MemberVote, Reservation, VoteCounts},
        time::Day,
    },
    entities::decision::Model,
    error::{ApiError, ApiResult},
    routes::kit::Patch,
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
    /// Due date (only assignments). An assignment may have a due date, a meeting, a member
    /// or a group to report to, or none of them (ongoing, "löpande").
    #[serde(default)]
    pub due_date: Option<Day>,
    /// The meeting to report to (only assignments).
    #[serde(default)]
    pub report_to_meeting_id: Option<Uuid>,
    /// The member to report to (only assignments).
    #[serde(default)]
    pub report_to_member_id: Option<Uuid>,
    /// The group or organisation to report to (only assignments; not with
    /// `report_to_member_id`).
    #[serde(default)]
    pub report_to_group_id: Option<Uuid>,
    /// Follow-up status (only assignments; default `open`).
    #[serde(default)]
    pub follow_up_status: Option<FollowUpStatus>,
    /// Amount in SEK (only funding; optional: a decision to co-finance may name the period
    /// and the funders only).
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
    /// What came of the proposal (default `adopted`); an assignment is only given by an
    /// adopted decision.
    #[serde(default)]
    pub outcome: Option<DecisionOutcome>,
    /// Members who entered a reservation, each once.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub reservations: Vec<Reservation>,
    /// Votes by name, each member once.
    #[serde(default)]
    #[schema(max_items = 500)]
    pub votes: Vec<MemberVote>,
    /// The counted votes; with `votes`, they equal the votes by name.
    #[serde(default)]
    pub vote_counts: Option<VoteCounts>,
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
            report_to_member_id: n.report_to_member_id,
            report_to_group_id: n.report_to_group_id,
            outcome: n.outcome.unwrap_or(DecisionOutcome::Adopted),
            reservations: n.reservations,
            votes: n.votes,
            vote_counts: n.vote_counts,
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
    /// The member to report to (assignments).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub report_to_member_id: Patch<Uuid>,
    /// The group or organisation to report to (assignments).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub report_to_group_id: Patch<Uuid>,
    /// What came of the proposal.
    #[serde(default)]
    #[schema(value_type = DecisionOutcome)]
    pub outcome: Patch<DecisionOutcome>,
    /// Reservations (replaces the list).
    #[serde(default)]
    #[schema(value_type = Vec<Reservation>, max_items = 50)]
    pub reservations: Patch<Vec<Reservation>>,
    /// Votes by name (replaces the list).
    #[serde(default)]
    #[schema(value_type = Vec<MemberVote>, max_items = 500)]
    pub votes: Patch<Vec<MemberVote>>,
    /// Counted votes; `null` clears them.
    #[serde(default)]
    #[schema(value_type = Option<VoteCounts>)]
    pub vote_counts: Patch<VoteCounts>,
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
    pub(super) fn touches_record(&self) -> bool {
        self.title.is_present()
            || self.text.is_present()
            || self.concerns.is_present()
            || self.public.is_present()
            || self.due_date.is_present()
            || self.report_to_meeting_id.is_present()
            || self.report_to_member_id.is_present()
            || self.report_to_group_id.is_present()
            || self.outcome.is_present()
            || self.reservations.is_present()
            || self.votes.is_present()
            || self.vote_counts.is_present()
    }

    /// The current record with this patch applied, not yet checked.
    pub(super) fn apply(self, current: &Model) -> ApiResult<UncheckedDecision> {
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
            report_to_member_id: self.report_to_member_id.or(c.report_to_member_id),
            report_to_group_id: self.report_to_group_id.or(c.report_to_group_id),
            outcome: self
                .outcome
                .given("outcome", &mut errors)
                .unwrap_or(c.outcome),
            reservations: self
                .reservations
                .keep("reservations", c.reservations.0, &mut errors),
            votes: self.votes.keep("votes", c.votes.0, &mut errors),
            vote_counts: self.vote_counts.or(c.vote_counts.map(|v| v.0)),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}
