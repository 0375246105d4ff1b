//! The words of the minutes in each language.

use super::Lang;

/// Labels in one language.
pub(super) struct Labels {
    pub(super) time: &'static str,
    pub(super) place: &'static str,
    pub(super) present: &'static str,
    pub(super) absent: &'static str,
    pub(super) guests: &'static str,
    pub(super) presenter: &'static str,
    pub(super) presenters: &'static str,
    pub(super) decision: &'static str,
    pub(super) decisions: &'static str,
    pub(super) minutes_taker: &'static str,
    pub(super) checkers: &'static str,
    pub(super) conflicts: &'static str,
    pub(super) attachment: &'static str,
    pub(super) attachments: &'static str,
    pub(super) signed: &'static str,
    pub(super) substituting: &'static str,
    pub(super) remote: &'static str,
    pub(super) item: &'static str,
    pub(super) items: &'static str,
    pub(super) nobody: &'static str,
}

const SV: Labels = Labels {
    time: "Tid",
    place: "Plats",
    present: "Närvarande",
    absent: "Frånvarande",
    guests: "Gäster",
    presenter: "Föredragande",
    presenters: "Föredragande",
    decision: "Beslut",
    decisions: "Beslut",
    minutes_taker: "Vid anteckningarna",
    checkers: "Justeras",
    conflicts: "Jäv",
    attachment: "Bilaga",
    attachments: "Bilagor",
    signed: "Justerat",
    substituting: "ersätter",
    remote: "deltog på distans",
    item: "punkt",
    items: "punkterna",
    nobody: "–",
};

const EN: Labels = Labels {
    time: "Time",
    place: "Place",
    present: "Present",
    absent: "Absent",
    guests: "Guests",
    presenter: "Presenter",
    presenters: "Presenters",
    decision: "Decision",
    decisions: "Decisions",
    minutes_taker: "Minutes taken by",
    checkers: "Checked by",
    conflicts: "Conflicts of interest",
    attachment: "Attachment",
    attachments: "Attachments",
    signed: "Signed",
    substituting: "substituting for",
    remote: "remote",
    item: "item",
    items: "items",
    nobody: "–",
};

pub(super) fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}
