//! How a decision was reached, as Swedish minutes record it: the outcome (bifall, avslag,
//! noterat, återremiss), reservations with their text, votes by name and their counts, and the
//! conflicts of interest (jäv) declared under an agenda item.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::text::{FieldErrors, multi_line};
use crate::string_enum;

/// Most reservations or conflicts one record may list.
pub const MAX_RESERVATIONS: usize = 50;
/// Most votes by name one decision may list.
pub const MAX_VOTES: usize = 500;
/// The longest text of a reservation or a conflict note.
const MAX_TEXT: usize = 2000;
/// The most votes of one kind.
pub const MAX_COUNT: i32 = 100_000;

string_enum! {
    /// What came of the proposal.
    pub enum DecisionOutcome {
        /// Bifall: adopted.
        Adopted = "adopted",
        /// Avslag: rejected.
        Rejected = "rejected",
        /// Noterat (lagt till handlingarna): noted.
        Noted = "noted",
        /// Återremiss: sent back for more preparation.
        ReferredBack = "referred_back",
    }
}

string_enum! {
    /// One member's vote.
    pub enum Vote {
        /// Ja.
        Yes = "yes",
        /// Nej.
        No = "no",
        /// Avstår.
        Abstain = "abstain",
    }
}

/// A member who entered a reservation against the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reservation {
    /// The member.
    pub member_id: Uuid,
    /// The written reservation, if any (at most 2000 characters; line breaks allowed).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub text: Option<String>,
}

/// A member's vote by name (omröstning med namnupprop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberVote {
    /// The member.
    pub member_id: Uuid,
    /// How they voted.
    pub vote: Vote,
}

/// The counted votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteCounts {
    /// Ja.
    #[schema(minimum = 0, maximum = 100000)]
    pub yes: i32,
    /// Nej.
    #[schema(minimum = 0, maximum = 100000)]
    pub no: i32,
    /// Avstår.
    #[schema(minimum = 0, maximum = 100000)]
    pub abstain: i32,
}

/// A member who declared a conflict of interest (jäv) under an agenda item and took no part
/// in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// The member.
    pub member_id: Uuid,
    /// Why, if the minutes say (at most 2000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Checks an optional text, trimming it; blank reads as none.
fn text(errors: &mut FieldErrors, field: &str, value: &mut Option<String>) {
    if let Some(t) = value.as_deref() {
        *value = errors.check(field, multi_line(t, MAX_TEXT)).flatten();
    }
}

/// Member ids listed twice, as the field of the second.
fn repeated<'a>(errors: &mut FieldErrors, field: &str, ids: impl Iterator<Item = &'a Uuid>) {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        if !seen.insert(*id) {
            errors.add(
                &format!("{field}[{i}].member_id"),
                "this member is listed twice",
            );
        }
    }
}

/// Checks reservations: at most 50, each member once, texts trimmed.
pub fn check_reservations(errors: &mut FieldErrors, reservations: &mut [Reservation]) {
    if reservations.len() > MAX_RESERVATIONS {
        errors.add("reservations", format!("at most {MAX_RESERVATIONS}"));
    }
    repeated(
        errors,
        "reservations",
        reservations.iter().map(|r| &r.member_id),
    );
    for (i, r) in reservations.iter_mut().enumerate() {
        text(errors, &format!("reservations[{i}].text"), &mut r.text);
    }
}

/// Checks conflicts of interest: at most 50, each member once, notes trimmed.
pub fn check_conflicts(errors: &mut FieldErrors, conflicts: &mut [Conflict]) {
    if conflicts.len() > MAX_RESERVATIONS {
        errors.add("conflicts", format!("at most {MAX_RESERVATIONS}"));
    }
    repeated(errors, "conflicts", conflicts.iter().map(|c| &c.member_id));
    for (i, c) in conflicts.iter_mut().enumerate() {
        text(errors, &format!("conflicts[{i}].note"), &mut c.note);
    }
}

/// Checks votes by name and counts: at most 500 named votes, each member once, counts within
/// 0..=100 000 and, when both are given, the counts equal the named votes.
pub fn check_votes(errors: &mut FieldErrors, votes: &[MemberVote], counts: Option<VoteCounts>) {
    if votes.len() > MAX_VOTES {
        errors.add("votes", format!("at most {MAX_VOTES}"));
    }
    repeated(errors, "votes", votes.iter().map(|v| &v.member_id));
    let Some(counts) = counts else {
        return;
    };
    for (field, count, kind) in [
        ("vote_counts.yes", counts.yes, Vote::Yes),
        ("vote_counts.no", counts.no, Vote::No),
        ("vote_counts.abstain", counts.abstain, Vote::Abstain),
    ] {
        if !(0..=MAX_COUNT).contains(&count) {
            errors.add(field, format!("must be between 0 and {MAX_COUNT}"));
            continue;
        }
        let named = votes.iter().filter(|v| v.vote == kind).count();
        if !votes.is_empty() && usize::try_from(count).ok() != Some(named) {
            errors.add(
                field,
                format!(
                    "does not match the votes by name ({named} {})",
                    kind.as_str()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(vote: Vote) -> MemberVote {
        MemberVote {
            member_id: Uuid::now_v7(),
            vote,
        }
    }

    #[test]
    fn counts_must_match_named_votes_when_both_are_given() {
        let votes = [vote(Vote::Yes), vote(Vote::Yes), vote(Vote::No)];
        let counts = |yes, no, abstain| Some(VoteCounts { yes, no, abstain });
        let fields = |votes: &[MemberVote], c| {
            let mut errors = FieldErrors::default();
            check_votes(&mut errors, votes, c);
            errors.fields()
        };
        assert!(fields(&votes, counts(2, 1, 0)).is_empty());
        assert_eq!(fields(&votes, counts(3, 1, 0)), ["vote_counts.yes"]);
        assert!(fields(&[], counts(7, 2, 1)).is_empty(), "counts alone");
        assert_eq!(fields(&[], counts(-1, 0, 0)), ["vote_counts.yes"]);
        let twice = [votes[0], votes[0]];
        assert_eq!(fields(&twice, None), ["votes[1].member_id"]);
    }
}
