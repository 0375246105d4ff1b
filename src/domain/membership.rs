//! Memberships: a member's seat in a group, in a role, for an organisation, over a period.

use chrono::NaiveDate;
use uuid::Uuid;

use super::text::{FieldErrors, multi_line};
use crate::error::ApiError;

crate::string_enum! {
    /// A role in a group.
    pub enum MembershipRole {
        /// Ordförande: at most one per group on any date.
        Chair = "chair",
        /// Vice ordförande: at most one per group on any date.
        ViceChair = "vice_chair",
        /// Ledamot.
        Member = "member",
        /// Ersättare.
        Deputy = "deputy",
        /// Processledare.
        ProcessLeader = "process_leader",
        /// Sekreterare.
        Secretary = "secretary",
        /// Kommunikatör.
        Communicator = "communicator",
        /// Forskare.
        Researcher = "researcher",
        /// Adjungerad.
        Adjunct = "adjunct",
    }
}

impl MembershipRole {
    /// Whether a group may have only one holder of this role on any date.
    pub fn is_unique_per_group(self) -> bool {
        matches!(self, Self::Chair | Self::ViceChair)
    }

    /// Roster order: chair, vice-chair, then everyone else.
    pub fn roster_rank(self) -> u8 {
        match self {
            Self::Chair => 0,
            Self::ViceChair => 1,
            _ => 2,
        }
    }
}

/// The fields of a membership as a client sends them, before any check.
#[derive(Debug, Clone)]
pub struct UncheckedMembership {
    /// The member.
    pub member_id: Uuid,
    /// The group (an organisation of kind `group`).
    pub group_id: Uuid,
    /// The role.
    pub role: MembershipRole,
    /// The organisation the member speaks for.
    pub represents_id: Option<Uuid>,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day, if the period has ended or will end.
    pub end_date: Option<NaiveDate>,
    /// The member this one stands in for during the period.
    pub substitute_for_member_id: Option<Uuid>,
    /// Whether the member votes.
    pub voting_right: bool,
    /// A note, e.g. "until a new head of social services is appointed".
    pub note: Option<String>,
    /// The decision that elected the member.
    pub elected_by_decision_id: Option<Uuid>,
}

/// A membership whose own fields are consistent; the store checks the references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The member.
    pub member_id: Uuid,
    /// The group.
    pub group_id: Uuid,
    /// The role.
    pub role: MembershipRole,
    /// The organisation represented.
    pub represents_id: Option<Uuid>,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: Option<NaiveDate>,
    /// Stands in for this member.
    pub substitute_for_member_id: Option<Uuid>,
    /// Votes.
    pub voting_right: bool,
    /// Note, at most 2000 characters.
    pub note: Option<String>,
    /// Electing decision.
    pub elected_by_decision_id: Option<Uuid>,
}

impl Membership {
    /// Checks the fields and the rules between them; all errors are reported at once.
    pub fn parse(input: UncheckedMembership) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        if input.end_date.is_some_and(|end| end < input.start_date) {
            errors.add("end_date", "must not be before start_date");
        }
        if input.substitute_for_member_id == Some(input.member_id) {
            errors.add(
                "substitute_for_member_id",
                "a member cannot stand in for themself",
            );
        }
        let note = match input.note.as_deref() {
            Some(note) => errors.check("note", multi_line(note, 2000)).flatten(),
            None => None,
        };
        errors.finish()?;
        Ok(Self {
            member_id: input.member_id,
            group_id: input.group_id,
            role: input.role,
            represents_id: input.represents_id,
            start_date: input.start_date,
            end_date: input.end_date,
            substitute_for_member_id: input.substitute_for_member_id,
            voting_right: input.voting_right,
            note,
            elected_by_decision_id: input.elected_by_decision_id,
        })
    }

    /// Whether this membership's period overlaps `[start, end]` (an open end runs forever).
    pub fn overlaps(&self, start: NaiveDate, end: Option<NaiveDate>) -> bool {
        let starts_before_other_ends = end.is_none_or(|end| self.start_date <= end);
        let ends_after_other_starts = self.end_date.is_none_or(|own_end| own_end >= start);
        starts_before_other_ends && ends_after_other_starts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn chair(start: &str, end: Option<&str>) -> UncheckedMembership {
        UncheckedMembership {
            member_id: Uuid::now_v7(),
            group_id: Uuid::now_v7(),
            role: MembershipRole::Chair,
            represents_id: None,
            start_date: date(start),
            end_date: end.map(date),
            substitute_for_member_id: None,
            voting_right: true,
            note: None,
            elected_by_decision_id: None,
        }
    }

    #[test]
    fn a_period_may_not_end_before_it_starts() {
        assert!(Membership::parse(chair("2021-06-04", Some("2021-06-03"))).is_err());
        assert!(Membership::parse(chair("2021-06-04", Some("2021-06-04"))).is_ok());
    }

    #[test]
    fn periods_overlap_when_they_share_a_day() {
        let held = Membership::parse(chair("2021-01-01", Some("2021-06-30"))).unwrap();
        assert!(held.overlaps(date("2021-06-30"), None));
        assert!(!held.overlaps(date("2021-07-01"), None));
        assert!(held.overlaps(date("2020-01-01"), Some(date("2021-01-01"))));
        assert!(!held.overlaps(date("2020-01-01"), Some(date("2020-12-31"))));
        let open = Membership::parse(chair("2021-01-01", None)).unwrap();
        assert!(open.overlaps(date("2030-01-01"), None));
    }

    #[test]
    fn nobody_stands_in_for_themself() {
        let mut input = chair("2021-01-01", None);
        input.substitute_for_member_id = Some(input.member_id);
        assert!(Membership::parse(input).is_err());
    }
}
