//! The lines the minutes add under a decision (its outcome when not adopted, reservations,
//! votes, an assignment's responsible, due date and report-to) and under an item (conflicts
//! of interest), in the language of the document.

use chrono::NaiveDate;

use super::Lang;
use crate::domain::proceedings::{DecisionOutcome, VoteCounts};

/// What the minutes say about how a decision was reached and what it asks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Proceedings {
    /// The outcome.
    pub outcome: Option<DecisionOutcome>,
    /// (name, text) of each reservation.
    pub reservations: Vec<(String, Option<String>)>,
    /// The counted votes.
    pub vote_counts: Option<VoteCounts>,
    /// Names of those who voted yes, no and abstained (votes by name).
    pub votes_by_name: [Vec<String>; 3],
    /// Who is to act.
    pub responsible: Vec<String>,
    /// Due date.
    pub due_date: Option<NaiveDate>,
    /// Whom or what to report to: a meeting's date, a person or a group.
    pub report_to: Option<String>,
    /// An open assignment past its due date.
    pub overdue: bool,
    /// An assignment with neither a date nor anyone to report to.
    pub ongoing: bool,
}

/// The plain-text lines (not yet escaped) for a decision.
pub(super) fn decision_notes(p: &Proceedings, lang: Lang) -> Vec<String> {
    let sv = lang == Lang::Sv;
    let mut lines = Vec::new();
    match p.outcome {
        Some(DecisionOutcome::Rejected) => {
            lines.push(if sv { "Avslogs." } else { "Rejected." }.into())
        }
        Some(DecisionOutcome::Noted) => {
            lines.push(if sv { "Noterades." } else { "Noted." }.into());
        }
        Some(DecisionOutcome::ReferredBack) => lines.push(
            if sv {
                "Återremitterades."
            } else {
                "Referred back."
            }
            .into(),
        ),
        Some(DecisionOutcome::Adopted) | None => {}
    }
    if !p.responsible.is_empty() {
        let label = if sv { "Ansvarig" } else { "Responsible" };
        lines.push(format!("{label}: {}", p.responsible.join(", ")));
    }
    if let Some(due) = p.due_date {
        let label = if sv { "Klart senast" } else { "Due" };
        let late = match (p.overdue, sv) {
            (true, true) => " (försenat)",
            (true, false) => " (overdue)",
            _ => "",
        };
        lines.push(format!("{label}: {due}{late}"));
    }
    if let Some(to) = &p.report_to {
        let label = if sv {
            "Återrapporteras till"
        } else {
            "Report to"
        };
        lines.push(format!("{label}: {to}"));
    }
    if p.ongoing {
        lines.push(
            if sv {
                "Löpande uppdrag."
            } else {
                "Ongoing assignment."
            }
            .into(),
        );
    }
    if let Some(c) = p.vote_counts {
        lines.push(if sv {
            format!(
                "Omröstning: {} ja, {} nej, {} avstår.",
                c.yes, c.no, c.abstain
            )
        } else {
            format!(
                "Vote: {} yes, {} no, {} abstaining.",
                c.yes, c.no, c.abstain
            )
        });
    }
    let kinds = if sv {
        ["Ja", "Nej", "Avstår"]
    } else {
        ["Yes", "No", "Abstaining"]
    };
    for (kind, names) in kinds.iter().zip(&p.votes_by_name) {
        if !names.is_empty() {
            lines.push(format!("{kind}: {}", names.join(", ")));
        }
    }
    for (name, text) in &p.reservations {
        // The same word in both languages.
        match text {
            Some(text) => lines.push(format!("Reservation: {name}: {text}")),
            None => lines.push(format!("Reservation: {name}")),
        }
    }
    lines
}

/// The plain-text line for a conflict of interest declared under an item.
pub(super) fn conflict_note(name: &str, note: Option<&str>, lang: Lang) -> String {
    let base = match lang {
        Lang::Sv => format!("{name} anmälde jäv och deltog inte i ärendet"),
        Lang::En => format!("{name} declared a conflict of interest and took no part"),
    };
    match note {
        Some(note) => format!("{base} ({note})"),
        None => base,
    }
}
