//! Minutes as a document, assembled from the meeting record.
//!
//! The shape follows the steering group's own minutes: a heading, the
//! time, place, who was present and absent, guests for particular items,
//! then the numbered agenda items with presenters, the secretary's text
//! and the decisions, and at the end who took the minutes and who checks
//! them. [`markdown`] writes the document as Markdown; [`html`] renders
//! that Markdown as a complete HTML5 document without ever letting raw
//! HTML or `javascript:` links through.
//!
//! Plain fields (names, titles, places) are escaped so that they cannot
//! add Markdown structure. The secretary's item text is Markdown and is
//! kept as written; in the HTML it is rendered on its own, so an unclosed
//! construct in one item cannot swallow the rest of the document.

mod dates;
mod labels;
mod lines;
mod markdown;
mod pdf;
mod proceedings;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Stockholm;

use dates::time_span;
use labels::{Labels, labels};
use lines::{
    attachments, attendee_line, decision_line, guest_line, labelled, labelled_list, non_empty,
};
use markdown::one_line;
pub(crate) use markdown::{CSS, escape_html, md_escape, render_safe};
pub use pdf::pdf;
pub use proceedings::Proceedings;

/// Label language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Swedish.
    Sv,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 language tag, as used in `<html lang="…">`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }
}

/// A person as the minutes name them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attendee {
    /// The person's name.
    pub name: String,
    /// The organisation they represent, e.g. "Växjö kommun".
    pub organisation: Option<String>,
    /// Already-localised role note, e.g. "ordförande"/"chair"; `None` for
    /// ordinary members.
    pub role: Option<String>,
    /// Name of the member they stand in for.
    pub substitute_for: Option<String>,
    /// Took part remotely.
    pub remote: bool,
    /// Any other note, shown after the role notes.
    pub note: Option<String>,
}

/// A guest and the agenda item numbers they attended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Guest {
    /// The guest's name.
    pub name: String,
    /// The organisation they come from.
    pub organisation: Option<String>,
    /// The numbers of the agenda items they attended, e.g. `["8"]`.
    pub items: Vec<String>,
}

/// A decision under an agenda item (empty until decisions exist).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecisionLine {
    /// The decision's reference, e.g. "2021:14"; may be empty.
    pub reference: String,
    /// The decision's title.
    pub title: String,
    /// What was decided, as plain text.
    pub text: String,
    /// How it was reached and what it asks.
    pub proceedings: Proceedings,
}

/// One agenda item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Item {
    /// The item number, "3" or "3.1".
    pub number: String,
    /// The item's title.
    pub title: String,
    /// Names of those presenting the item.
    pub presenters: Vec<String>,
    /// Markdown written by the secretary (may contain raw HTML, lists,
    /// links); raw HTML is shown as text in [`html`].
    pub minutes: Option<String>,
    /// Decisions taken under the item.
    pub decisions: Vec<DecisionLine>,
    /// (name, note) of each member who declared a conflict of interest (jäv).
    pub conflicts: Vec<(String, Option<String>)>,
    /// Where the item was deferred to, or from, as a sentence.
    pub deferral: Option<String>,
    /// The file names of its attachments (bilagor) and its decisions'.
    pub attachments: Vec<String>,
}

/// Everything the minutes document says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minutes {
    /// What the record is called, e.g. "Mötesanteckningar" or "Protokoll" (empty: the title
    /// alone heads the document).
    pub heading: String,
    /// The meeting title, e.g. "Styrgrupp Barnens bästa gäller! i Kronoberg".
    pub title: String,
    /// The group's subtitle, shown under the heading.
    pub subtitle: Option<String>,
    /// When the meeting starts.
    pub starts_at: DateTime<Utc>,
    /// When the meeting ends.
    pub ends_at: DateTime<Utc>,
    /// Held over whole days: the minutes give the dates only.
    pub all_day: bool,
    /// Where, e.g. "Digitalt via Teams" or "Bolmen, Nygatan 20, Växjö".
    pub place: String,
    /// Caller-localised status, e.g. "Inställt" or "Protokollet justerat
    /// 2021-12-03".
    pub status_note: Option<String>,
    /// Those present, in the order to show them.
    pub present: Vec<Attendee>,
    /// Those absent, in the order to show them.
    pub absent: Vec<Attendee>,
    /// Guests for particular items.
    pub guests: Vec<Guest>,
    /// The agenda items, in order.
    pub items: Vec<Item>,
    /// The file names of the meeting's own attachments (bilagor).
    pub attachments: Vec<String>,
    /// Who took the minutes.
    pub minutes_taker: Option<String>,
    /// Who checks (justerar) the minutes.
    pub checkers: Vec<String>,
    /// The valid signatures, e.g. "Anna Ek (ordförande) 2021-11-12".
    pub signatures: Vec<String>,
}

/// The minutes as Markdown.
pub fn markdown(minutes: &Minutes, lang: Lang) -> String {
    let blocks = blocks(minutes, lang);
    let mut out = String::new();
    for block in &blocks {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(block.text().trim_end());
    }
    out.push('\n');
    out
}

/// The minutes as a complete HTML5 document (UTF-8, `<html lang="sv"|"en">`,
/// a `<title>`, a little inline CSS).
///
/// Each block of the Markdown is rendered on its own with raw HTML turned
/// into visible text and links or images with unsafe schemes reduced to
/// their text.
pub fn html(minutes: &Minutes, lang: Lang) -> String {
    let mut body = String::new();
    for block in blocks(minutes, lang) {
        render_safe(block.text(), &mut body);
    }
    let date = minutes
        .starts_at
        .with_timezone(&Stockholm)
        .format("%Y-%m-%d")
        .to_string();
    let title = escape_html(&format!("{} – {date}", one_line(&minutes.title)));
    format!(
        "<!DOCTYPE html>\n\
         <html lang=\"{lang}\">\n\
         <head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         <style>{CSS}</style>\n\
         </head>\n\
         <body>\n\
         <article>\n\
         {body}\
         </article>\n\
         </body>\n\
         </html>\n",
        lang = lang.tag(),
    )
}

/// A piece of the document: either Markdown we wrote ourselves from
/// escaped fields, or the secretary's Markdown, kept as written.
enum Block {
    Ours(String),
    Secretary(String),
}

impl Block {
    fn text(&self) -> &str {
        match self {
            Block::Ours(s) | Block::Secretary(s) => s,
        }
    }
}

fn blocks(m: &Minutes, lang: Lang) -> Vec<Block> {
    let l = labels(lang);
    let mut out = Vec::new();
    if m.heading.trim().is_empty() {
        out.push(Block::Ours(format!("# {}", md_escape(&m.title))));
    } else {
        out.push(Block::Ours(format!(
            "# {} – {}",
            md_escape(&m.heading),
            md_escape(&m.title)
        )));
    }
    if let Some(subtitle) = non_empty(m.subtitle.as_deref()) {
        out.push(Block::Ours(format!("*{}*", md_escape(subtitle))));
    }
    if let Some(note) = non_empty(m.status_note.as_deref()) {
        out.push(Block::Ours(format!("*{}*", md_escape(note))));
    }
    out.push(Block::Ours(labelled(
        l.time,
        &if m.all_day {
            dates::day_span(m.starts_at, m.ends_at, lang)
        } else {
            time_span(m.starts_at, m.ends_at, lang)
        },
    )));
    out.push(Block::Ours(labelled(l.place, &md_escape(&m.place))));

    let present: Vec<String> = m.present.iter().map(|a| attendee_line(a, l)).collect();
    out.push(Block::Ours(labelled_list(
        l.present,
        &present,
        Some(l.nobody),
    )));
    if !m.absent.is_empty() {
        let absent: Vec<String> = m.absent.iter().map(|a| attendee_line(a, l)).collect();
        out.push(Block::Ours(labelled_list(l.absent, &absent, None)));
    }
    if !m.guests.is_empty() {
        let guests: Vec<String> = m.guests.iter().map(|g| guest_line(g, l)).collect();
        out.push(Block::Ours(labelled_list(l.guests, &guests, None)));
    }

    for item in &m.items {
        let number = md_escape(&item.number);
        let number = number.trim_end_matches('.');
        out.push(Block::Ours(format!(
            "## {number}. {}",
            md_escape(&item.title)
        )));
        let presenters: Vec<String> = item
            .presenters
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| md_escape(p))
            .collect();
        if !presenters.is_empty() {
            let label = if presenters.len() == 1 {
                l.presenter
            } else {
                l.presenters
            };
            out.push(Block::Ours(labelled(label, &presenters.join(", "))));
        }
        if let Some(deferral) = non_empty(item.deferral.as_deref()) {
            out.push(Block::Ours(format!("*{}*", md_escape(deferral))));
        }
        if !item.conflicts.is_empty() {
            let lines: Vec<String> = item
                .conflicts
                .iter()
                .map(|(name, note)| {
                    md_escape(&proceedings::conflict_note(name, note.as_deref(), lang))
                })
                .collect();
            out.push(Block::Ours(labelled_list(l.conflicts, &lines, None)));
        }
        if let Some(text) = non_empty(item.minutes.as_deref()) {
            out.push(Block::Secretary(text.to_owned()));
        }
        match item.decisions.as_slice() {
            [] => {}
            [one] => out.push(Block::Ours(labelled(
                l.decision,
                &decision_line(one, item.minutes.as_deref()),
            ))),
            many => {
                let lines: Vec<String> = many
                    .iter()
                    .map(|d| decision_line(d, item.minutes.as_deref()))
                    .collect();
                out.push(Block::Ours(labelled_list(l.decisions, &lines, None)));
            }
        }
        for decision in &item.decisions {
            let notes = proceedings::decision_notes(&decision.proceedings, lang);
            if !notes.is_empty() {
                let mut block = String::new();
                if item.decisions.len() > 1 {
                    block.push_str(&format!("*{}*\n\n", md_escape(&decision.reference)));
                }
                let lines: Vec<String> = notes
                    .iter()
                    .map(|n| format!("- {}", md_escape(n)))
                    .collect();
                block.push_str(&lines.join("\n"));
                out.push(Block::Ours(block));
            }
        }
        attachments(&mut out, &item.attachments, l);
    }
    attachments(&mut out, &m.attachments, l);

    if let Some(taker) = non_empty(m.minutes_taker.as_deref()) {
        out.push(Block::Ours(labelled(l.minutes_taker, &md_escape(taker))));
    }
    let checkers: Vec<String> = m
        .checkers
        .iter()
        .filter(|c| !c.trim().is_empty())
        .map(|c| md_escape(c))
        .collect();
    if !checkers.is_empty() {
        out.push(Block::Ours(labelled(l.checkers, &checkers.join(", "))));
    }
    if !m.signatures.is_empty() {
        let lines: Vec<String> = m.signatures.iter().map(|s| md_escape(s)).collect();
        out.push(Block::Ours(labelled_list(l.signed, &lines, None)));
    }
    out
}
