//! The lines of the minutes: labelled fields, attendees, guests, attachments and decisions,
//! each written as escaped Markdown.

use super::{Attendee, Block, DecisionLine, Guest, Labels, md_escape};

pub(super) fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// "**Label:** value" — `value` is already escaped Markdown.
pub(super) fn labelled(label: &str, value: &str) -> String {
    format!("**{label}:** {value}")
}

/// A label paragraph followed by a bullet list of escaped lines.
pub(super) fn labelled_list(label: &str, lines: &[String], if_empty: Option<&str>) -> String {
    if lines.is_empty() {
        return labelled(label, if_empty.unwrap_or_default());
    }
    let mut s = format!("**{label}:**\n");
    for line in lines {
        s.push_str("\n- ");
        s.push_str(line);
    }
    s
}

/// "Name, Organisation (role; ersätter X; deltog på distans; note)".
pub(super) fn attendee_line(a: &Attendee, l: &Labels) -> String {
    let mut s = name_and_organisation(&a.name, a.organisation.as_deref());
    let mut notes = Vec::new();
    if let Some(role) = non_empty(a.role.as_deref()) {
        notes.push(md_escape(role));
    }
    if let Some(whom) = non_empty(a.substitute_for.as_deref()) {
        notes.push(format!("{} {}", l.substituting, md_escape(whom)));
    }
    if a.remote {
        notes.push(l.remote.to_owned());
    }
    if let Some(note) = non_empty(a.note.as_deref()) {
        notes.push(md_escape(note));
    }
    if !notes.is_empty() {
        s.push_str(&format!(" ({})", notes.join("; ")));
    }
    s
}

/// "Name, Organisation (punkt 8)" or "(punkterna 3, 8)".
pub(super) fn guest_line(g: &Guest, l: &Labels) -> String {
    let mut s = name_and_organisation(&g.name, g.organisation.as_deref());
    let items: Vec<String> = g
        .items
        .iter()
        .filter(|i| !i.trim().is_empty())
        .map(|i| md_escape(i))
        .collect();
    if !items.is_empty() {
        let word = if items.len() == 1 { l.item } else { l.items };
        s.push_str(&format!(" ({word} {})", items.join(", ")));
    }
    s
}

fn name_and_organisation(name: &str, organisation: Option<&str>) -> String {
    let mut s = md_escape(name);
    if let Some(org) = non_empty(organisation) {
        s.push_str(", ");
        s.push_str(&md_escape(org));
    }
    s
}

/// The line naming attached files, if there are any.
pub(super) fn attachments(out: &mut Vec<Block>, names: &[String], l: &Labels) {
    let names: Vec<String> = names.iter().map(|n| md_escape(n)).collect();
    match names.as_slice() {
        [] => {}
        [one] => out.push(Block::Ours(labelled(l.attachment, one))),
        many => out.push(Block::Ours(labelled(l.attachments, &many.join(", ")))),
    }
}

/// A decision as the minutes give it: reference, title and what was decided, unless the
/// item's own text already says it word for word.
pub(super) fn decision_line(d: &DecisionLine, item_minutes: Option<&str>) -> String {
    let mut line = match (d.reference.trim(), d.title.trim()) {
        ("", title) => md_escape(title),
        (reference, "") => md_escape(reference),
        (reference, title) => format!("{} – {}", md_escape(reference), md_escape(title)),
    };
    if !d.text.trim().is_empty() && !said_in(item_minutes, &d.text) {
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&md_escape(d.text.trim()));
    }
    line
}

/// Whether `text`, a sentence of at least three words, stands in `minutes` (whitespace and
/// letter case aside, a final full stop optional).
fn said_in(minutes: Option<&str>, text: &str) -> bool {
    let fold = |t: &str| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let text = fold(text);
    let text = text.trim_end_matches('.');
    text.split(' ').count() >= 3 && minutes.is_some_and(|m| fold(m).contains(text))
}
