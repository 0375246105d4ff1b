//! Decisions: their kinds and statuses, and the assignment, funding and election parts.

use crate::domain::time::Day;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    membership::MembershipRole,
    proceedings::{
        DecisionOutcome, MemberVote, Reservation, VoteCounts, check_reservations, check_votes,
    },
    text::{FieldErrors, multi_line, one_line},
};
use crate::{error::ApiResult, string_enum};

string_enum! {
    /// What a decision is.
    pub enum DecisionKind {
        /// Beslut.
        Decision = "decision",
        /// Uppdrag: asks someone to act and report.
        Assignment = "assignment",
        /// Godkännande (e.g. of an action plan).
        Approval = "approval",
        /// Val (elects or relieves members).
        Election = "election",
        /// Finansiering.
        Funding = "funding",
        /// Ställningstagande.
        Position = "position",
        /// Information (noted).
        Information = "information",
    }
}

string_enum! {
    /// Whether a decision stands.
    pub enum DecisionStatus {
        /// In force.
        Adopted = "adopted",
        /// Replaced by a later decision (`superseded_by`).
        Superseded = "superseded",
        /// Revoked by a later decision.
        Revoked = "revoked",
    }
}

string_enum! {
    /// Where an assignment is.
    pub enum FollowUpStatus {
        /// Not yet reported.
        Open = "open",
        /// Reported back.
        Reported = "reported",
        /// Done.
        Done = "done",
        /// No longer wanted.
        Cancelled = "cancelled",
    }
}

/// Whether a decision is an open assignment past its due date on `today`: adopted, its
/// follow-up open, and due before today. Computed, never stored; every view of an assignment
/// (lists, follow-ups, minutes) uses this one rule.
pub fn is_overdue(
    status: DecisionStatus,
    follow_up_status: Option<FollowUpStatus>,
    due_date: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    follow_up_status == Some(FollowUpStatus::Open)
        && status == DecisionStatus::Adopted
        && due_date.is_some_and(|due| due < today)
}

/// Whether an assignment runs with no date and nothing to report to ("löpande"): an open
/// ongoing assignment is followed up at every later meeting of its group.
pub fn is_ongoing(
    follow_up_status: Option<FollowUpStatus>,
    due_date: Option<NaiveDate>,
    report_to: [Option<Uuid>; 3],
) -> bool {
    follow_up_status.is_some() && due_date.is_none() && report_to.iter().all(Option::is_none)
}

string_enum! {
    /// Who an assignment is given to (stored inside the `assignees` JSON column).
    pub enum AssigneeKind {
        /// An organisation or a group.
        Organisation = "organisation",
        /// A member.
        Member = "member",
    }
}

/// One assignee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignee {
    /// Organisation (or group) or member.
    pub kind: AssigneeKind,
    /// Its id.
    pub id: Uuid,
}

/// A seat an election decision fills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Elected {
    /// The member elected.
    pub member_id: Uuid,
    /// The role, e.g. `vice_chair`.
    pub role: MembershipRole,
    /// The organisation they speak for.
    #[serde(default)]
    pub represents_id: Option<Uuid>,
    /// First day (default: the decision date).
    #[serde(default)]
    pub start_date: Option<Day>,
}

/// The fields of a decision as a client sends them, before any check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncheckedDecision {
    /// The meeting.
    pub meeting_id: Uuid,
    /// The agenda item of that meeting.
    pub agenda_item_id: Uuid,
    /// Title.
    pub title: String,
    /// The wording.
    pub text: String,
    /// Kind.
    pub kind: DecisionKind,
    /// The decision it replaces.
    pub supersedes_id: Option<Uuid>,
    /// The decision it revokes.
    pub revokes_id: Option<Uuid>,
    /// Organisations concerned (empty: every party).
    pub concerns: Vec<Uuid>,
    /// Public.
    pub public: bool,
    /// Assignees.
    pub assignees: Vec<Assignee>,
    /// Due date.
    pub due_date: Option<NaiveDate>,
    /// The meeting to report to.
    pub report_to_meeting_id: Option<Uuid>,
    /// The member to report to.
    pub report_to_member_id: Option<Uuid>,
    /// The group (or organisation) to report to.
    pub report_to_group_id: Option<Uuid>,
    /// Follow-up status (assignments).
    pub follow_up_status: Option<FollowUpStatus>,
    /// The decision in which it was reported.
    pub reported_in_decision_id: Option<Uuid>,
    /// Amount (funding).
    pub amount_sek: Option<i64>,
    /// Period start (funding).
    pub period_start: Option<NaiveDate>,
    /// Period end (funding).
    pub period_end: Option<NaiveDate>,
    /// Funders (funding).
    pub funders: Vec<Uuid>,
    /// Seats filled (election).
    pub elects: Vec<Elected>,
    /// Memberships ended (election).
    pub ends_membership_ids: Vec<Uuid>,
    /// What came of the proposal.
    pub outcome: DecisionOutcome,
    /// Reservations entered against it.
    pub reservations: Vec<Reservation>,
    /// Votes by name.
    pub votes: Vec<MemberVote>,
    /// Counted votes.
    pub vote_counts: Option<VoteCounts>,
}

/// A decision whose own fields are consistent (the store checks its references); only
/// [`Decision::parse`] builds one. Its fields are read through `Deref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision(UncheckedDecision);

impl std::ops::Deref for Decision {
    type Target = UncheckedDecision;

    fn deref(&self) -> &UncheckedDecision {
        &self.0
    }
}

/// Most entries in one list field.
const MAX_LIST: usize = 50;

impl UncheckedDecision {
    /// Whether the decision asks someone to act.
    pub fn is_assignment(&self) -> bool {
        self.kind == DecisionKind::Assignment || !self.assignees.is_empty()
    }
}

impl Decision {
    /// Checks the fields and the rules between them (trimming the texts and opening an
    /// assignment's follow-up); all errors are reported at once.
    pub fn parse(mut input: UncheckedDecision) -> ApiResult<Self> {
        input.check_fields()?;
        Ok(Self(input))
    }
}

impl UncheckedDecision {
    fn check_fields(&mut self) -> ApiResult<()> {
        let mut errors = FieldErrors::default();
        if let Some(title) = errors.check("title", one_line(&self.title, 1, 300)) {
            self.title = title;
        }
        match multi_line(&self.text, 20_000) {
            Ok(Some(text)) => self.text = text,
            Ok(None) => errors.add("text", "must not be empty"),
            Err(message) => errors.add("text", message),
        }
        for (field, len) in [
            ("concerns", self.concerns.len()),
            ("assignees", self.assignees.len()),
            ("funders", self.funders.len()),
            ("elects", self.elects.len()),
            ("ends_membership_ids", self.ends_membership_ids.len()),
        ] {
            if len > MAX_LIST {
                errors.add(field, format!("at most {MAX_LIST}"));
            }
        }
        if self.supersedes_id.is_some() && self.revokes_id.is_some() {
            errors.add(
                "revokes_id",
                "a decision either supersedes or revokes another, not both",
            );
        }
        if self.kind == DecisionKind::Assignment && self.assignees.is_empty() {
            errors.add("assignees", "an assignment names who is to act");
        }
        check_reservations(&mut errors, &mut self.reservations);
        check_votes(&mut errors, &self.votes, self.vote_counts);
        if self.is_assignment() {
            if self.outcome != DecisionOutcome::Adopted {
                errors.add(
                    "outcome",
                    "an assignment is given only by an adopted decision",
                );
            }
            if self.report_to_member_id.is_some() && self.report_to_group_id.is_some() {
                errors.add(
                    "report_to_group_id",
                    "an assignment reports to a member or a group, not both",
                );
            }
            self.follow_up_status.get_or_insert(FollowUpStatus::Open);
        } else {
            for (field, set) in [
                ("due_date", self.due_date.is_some()),
                ("report_to_meeting_id", self.report_to_meeting_id.is_some()),
                ("report_to_member_id", self.report_to_member_id.is_some()),
                ("report_to_group_id", self.report_to_group_id.is_some()),
                ("follow_up_status", self.follow_up_status.is_some()),
                (
                    "reported_in_decision_id",
                    self.reported_in_decision_id.is_some(),
                ),
            ] {
                if set {
                    errors.add(field, "only for assignments (decisions with assignees)");
                }
            }
        }
        let funding = self.kind == DecisionKind::Funding;
        if funding {
            if self.amount_sek.is_some_and(|amount| amount < 0) {
                errors.add("amount_sek", "must not be negative");
            }
            if let (Some(start), Some(end)) = (self.period_start, self.period_end)
                && end < start
            {
                errors.add("period_end", "must not be before period_start");
            }
        } else {
            for (field, set) in [
                ("amount_sek", self.amount_sek.is_some()),
                ("period_start", self.period_start.is_some()),
                ("period_end", self.period_end.is_some()),
                ("funders", !self.funders.is_empty()),
            ] {
                if set {
                    errors.add(field, "only for funding decisions");
                }
            }
        }
        if self.kind != DecisionKind::Election {
            for (field, set) in [
                ("elects", !self.elects.is_empty()),
                ("ends_membership_ids", !self.ends_membership_ids.is_empty()),
            ] {
                if set {
                    errors.add(field, "only for election decisions");
                }
            }
        }
        errors.finish()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::{DecisionStatus, FollowUpStatus, is_overdue};

    #[test]
    fn only_an_open_adopted_assignment_past_its_due_date_is_overdue() {
        let day = |d| NaiveDate::from_ymd_opt(2022, 2, d);
        let today = day(4).unwrap_or_default();
        let open = Some(FollowUpStatus::Open);
        let adopted = DecisionStatus::Adopted;
        assert!(is_overdue(adopted, open, day(3), today));
        assert!(!is_overdue(adopted, open, day(4), today), "due today");
        assert!(!is_overdue(adopted, open, None, today), "no due date");
        assert!(!is_overdue(
            adopted,
            Some(FollowUpStatus::Done),
            day(3),
            today
        ));
        assert!(!is_overdue(DecisionStatus::Revoked, open, day(3), today));
        assert!(
            !is_overdue(adopted, None, day(3), today),
            "not an assignment"
        );
    }
}
