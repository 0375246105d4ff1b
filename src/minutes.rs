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

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Europe::Stockholm;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

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
    /// What was decided, as plain text.
    pub text: String,
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
}

/// Everything the minutes document says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minutes {
    /// The meeting title, e.g. "Styrgrupp Barnens bästa gäller! i Kronoberg".
    pub title: String,
    /// When the meeting starts.
    pub starts_at: DateTime<Utc>,
    /// When the meeting ends.
    pub ends_at: DateTime<Utc>,
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
    /// Who took the minutes.
    pub minutes_taker: Option<String>,
    /// Who checks (justerar) the minutes.
    pub checkers: Vec<String>,
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

pub(crate) const CSS: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;\
max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}\
ul{padding-left:1.5rem}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:.2rem .5rem}";

/// Labels in one language.
struct Labels {
    time: &'static str,
    place: &'static str,
    present: &'static str,
    absent: &'static str,
    guests: &'static str,
    presenter: &'static str,
    presenters: &'static str,
    decision: &'static str,
    decisions: &'static str,
    minutes_taker: &'static str,
    checkers: &'static str,
    substituting: &'static str,
    remote: &'static str,
    item: &'static str,
    items: &'static str,
    nobody: &'static str,
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
    substituting: "substituting for",
    remote: "remote",
    item: "item",
    items: "items",
    nobody: "–",
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
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
    out.push(Block::Ours(format!("# {}", md_escape(&m.title))));
    if let Some(note) = non_empty(m.status_note.as_deref()) {
        out.push(Block::Ours(format!("*{}*", md_escape(note))));
    }
    out.push(Block::Ours(labelled(
        l.time,
        &time_span(m.starts_at, m.ends_at, lang),
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
        if let Some(text) = non_empty(item.minutes.as_deref()) {
            out.push(Block::Secretary(text.to_owned()));
        }
        match item.decisions.as_slice() {
            [] => {}
            [one] => out.push(Block::Ours(labelled(l.decision, &decision_line(one)))),
            many => {
                let lines: Vec<String> = many.iter().map(decision_line).collect();
                out.push(Block::Ours(labelled_list(l.decisions, &lines, None)));
            }
        }
    }

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
    out
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// "**Label:** value" — `value` is already escaped Markdown.
fn labelled(label: &str, value: &str) -> String {
    format!("**{label}:** {value}")
}

/// A label paragraph followed by a bullet list of escaped lines.
fn labelled_list(label: &str, lines: &[String], if_empty: Option<&str>) -> String {
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
fn attendee_line(a: &Attendee, l: &Labels) -> String {
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
fn guest_line(g: &Guest, l: &Labels) -> String {
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

fn decision_line(d: &DecisionLine) -> String {
    if d.reference.trim().is_empty() {
        md_escape(&d.text)
    } else {
        format!("{}: {}", md_escape(&d.reference), md_escape(&d.text))
    }
}

const WEEKDAYS_SV: [&str; 7] = [
    "måndagen",
    "tisdagen",
    "onsdagen",
    "torsdagen",
    "fredagen",
    "lördagen",
    "söndagen",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "Fredagen den 5 november 2021 kl. 08:30–11:30" /
/// "Friday 5 November 2021, 08:30–11:30", in Stockholm time. A meeting
/// that ends on another day gets both dates.
fn time_span(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, lang: Lang) -> String {
    let start = starts_at.with_timezone(&Stockholm);
    let end = ends_at.with_timezone(&Stockholm);
    let hm = |t: &DateTime<chrono_tz::Tz>| format!("{:02}:{:02}", t.hour(), t.minute());
    if start.date_naive() == end.date_naive() {
        match lang {
            Lang::Sv => format!(
                "{} kl. {}–{}",
                capitalise(&date_sv(&start)),
                hm(&start),
                hm(&end)
            ),
            Lang::En => format!("{}, {}–{}", date_en(&start), hm(&start), hm(&end)),
        }
    } else {
        match lang {
            Lang::Sv => format!(
                "{} kl. {} – {} kl. {}",
                capitalise(&date_sv(&start)),
                hm(&start),
                date_sv(&end),
                hm(&end)
            ),
            Lang::En => format!(
                "{}, {} – {}, {}",
                date_en(&start),
                hm(&start),
                date_en(&end),
                hm(&end)
            ),
        }
    }
}

/// "fredagen den 5 november 2021" (lower case, for use mid-sentence).
fn date_sv(t: &DateTime<chrono_tz::Tz>) -> String {
    format!(
        "{} den {} {} {}",
        WEEKDAYS_SV[t.weekday().num_days_from_monday() as usize],
        t.day(),
        MONTHS_SV[t.month0() as usize],
        t.year()
    )
}

/// "Friday 5 November 2021".
fn date_en(t: &DateTime<chrono_tz::Tz>) -> String {
    format!(
        "{} {} {} {}",
        WEEKDAYS_EN[t.weekday().num_days_from_monday() as usize],
        t.day(),
        MONTHS_EN[t.month0() as usize],
        t.year()
    )
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Collapses all whitespace, line breaks included, to single spaces.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes a plain field so that it reads as text wherever it is placed
/// inside a line of Markdown: no emphasis, code, links, raw HTML, tables,
/// headings, block quotes, list markers or line breaks.
pub(crate) fn md_escape(s: &str) -> String {
    let s = one_line(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '#' | '[' | ']' | '<' | '>' | '|' | '&' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    // A field may start a list item or a line: "- x", "+ x", "= x" and
    // "1. x" / "1) x" would otherwise open a list, rule or heading.
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    } else {
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && matches!(out[digits..].chars().next(), Some('.' | ')')) {
            out.insert(digits, '\\');
        }
    }
    out
}

pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders Markdown to HTML, with raw HTML as visible text and links or
/// images to unsafe destinations reduced to their text.
pub(crate) fn render_safe(markdown: &str, out: &mut String) {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // One entry per open link or image: whether it was kept.
    let mut kept: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, options).filter_map(move |event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Link { ref dest_url, .. } | Tag::Image { ref dest_url, .. }) => {
            let safe = is_safe_url(dest_url);
            kept.push(safe);
            safe.then_some(event)
        }
        Event::End(TagEnd::Link | TagEnd::Image) => kept.pop().unwrap_or(false).then_some(event),
        other => Some(other),
    });
    pulldown_cmark::html::push_html(out, events);
}

/// Relative URLs and http, https, mailto and tel are safe; any other
/// scheme (`javascript:`, `data:`, `vbscript:` …) is not.
fn is_safe_url(url: &str) -> bool {
    // Browsers ignore control characters and spaces around and inside
    // the scheme; so do we.
    let normalised: String = url
        .chars()
        .filter(|c| !c.is_ascii_control() && *c != ' ')
        .flat_map(char::to_lowercase)
        .collect();
    let Some(colon) = normalised.find(':') else {
        return true;
    };
    if normalised[..colon].contains(['/', '?', '#']) {
        return true;
    }
    matches!(&normalised[..colon], "http" | "https" | "mailto" | "tel")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
    }

    fn member(name: &str, organisation: &str) -> Attendee {
        Attendee {
            name: name.into(),
            organisation: Some(organisation.into()),
            ..Attendee::default()
        }
    }

    fn item(number: &str, title: &str, presenters: &[&str], minutes: &str) -> Item {
        Item {
            number: number.into(),
            title: title.into(),
            presenters: presenters.iter().map(|p| p.to_string()).collect(),
            minutes: Some(minutes.into()),
            decisions: Vec::new(),
        }
    }

    /// Modelled on the steering group's meeting of 5 November 2021.
    fn november_meeting(lang: Lang) -> Minutes {
        let (chair, process_lead) = match lang {
            Lang::Sv => ("ordförande", "processledare"),
            Lang::En => ("chair", "process lead"),
        };
        let mut decided = item(
            "3",
            "Information inför beslut om kontaktvägar",
            &["Anders Ek", "Sara Lind"],
            "Förslag om att ge tvärgrupp barn och unga i uppgift att ta fram kontaktvägar.",
        );
        decided.decisions.push(DecisionLine {
            reference: "2021:14".into(),
            text: "Uppdrag ges till tvärgrupp barn och processledaren.".into(),
        });
        Minutes {
            title: "Styrgrupp Barnens bästa gäller! i Kronoberg".into(),
            starts_at: utc(2021, 11, 5, 7, 30),
            ends_at: utc(2021, 11, 5, 10, 30),
            place: "Digitalt via Teams".into(),
            status_note: None,
            present: vec![
                Attendee {
                    role: Some(chair.into()),
                    ..member("Anders Ek", "Växjö kommun")
                },
                member("Karin Berg", "Lessebo kommun"),
                Attendee {
                    substitute_for: Some("Anna-Lisa Jarl".into()),
                    ..member("Nick Björk", "Uppvidinge kommun")
                },
                Attendee {
                    remote: true,
                    ..member("Mats Sten", "Linnéuniversitetet")
                },
                Attendee {
                    note: Some(process_lead.into()),
                    ..member("Sara Lind", "Region Kronoberg")
                },
            ],
            absent: vec![
                member("Anna-Lisa Jarl", "Uppvidinge kommun"),
                member("Per Vik", "Polismyndigheten"),
            ],
            guests: ["Lisa Holm", "Omar Said", "Eva Strand"]
                .iter()
                .map(|name| Guest {
                    name: name.to_string(),
                    organisation: Some("Region Kronoberg".into()),
                    items: vec!["8".into()],
                })
                .collect(),
            items: vec![
                item(
                    "1",
                    "Ordförande hälsar välkommen",
                    &["Anders Ek"],
                    "Ordförande hälsar alla välkomna.",
                ),
                item(
                    "2",
                    "Redovisning enkät",
                    &["Sara Lind"],
                    "Sara går igenom enkätsvaren.\n\n- Mycket finns\n- Inte allt på plats",
                ),
                decided,
                item(
                    "4",
                    "Kompetens- och utbildningsplan",
                    &["Sara Lind"],
                    "Det behöver bli tydligt.",
                ),
                item("5", "Barnets plan", &["Karin Berg"], "Arbetet fortskrider."),
                item(
                    "6",
                    "Forskningen",
                    &["Mats Sten"],
                    "Se <https://lnu.se/forskning/>.",
                ),
                item(
                    "7",
                    "Lägesrapport",
                    &["Sara Lind"],
                    "Spridningskonferenser genomförda.",
                ),
                item(
                    "8",
                    "Samverkan skola och socialtjänst",
                    &["Lisa Holm", "Omar Said", "Eva Strand"],
                    "Gästerna berättar om arbetet.",
                ),
            ],
            minutes_taker: Some("Sara Lind".into()),
            checkers: vec!["Karin Berg".into()],
        }
    }

    const SV_FACTS: &[&str] = &[
        "# Styrgrupp Barnens bästa gäller! i Kronoberg",
        "**Tid:** Fredagen den 5 november 2021 kl. 08:30–11:30",
        "**Plats:** Digitalt via Teams",
        "**Närvarande:**",
        "- Anders Ek, Växjö kommun (ordförande)",
        "- Karin Berg, Lessebo kommun\n",
        "- Nick Björk, Uppvidinge kommun (ersätter Anna-Lisa Jarl)",
        "- Mats Sten, Linnéuniversitetet (deltog på distans)",
        "- Sara Lind, Region Kronoberg (processledare)",
        "**Frånvarande:**",
        "- Anna-Lisa Jarl, Uppvidinge kommun",
        "- Per Vik, Polismyndigheten",
        "**Gäster:**",
        "- Lisa Holm, Region Kronoberg (punkt 8)",
        "- Omar Said, Region Kronoberg (punkt 8)",
        "- Eva Strand, Region Kronoberg (punkt 8)",
        "## 1. Ordförande hälsar välkommen\n\n**Föredragande:** Anders Ek\n\nOrdförande hälsar alla välkomna.",
        "## 2. Redovisning enkät\n\n**Föredragande:** Sara Lind\n\nSara går igenom enkätsvaren.\n\n- Mycket finns",
        "## 3. Information inför beslut om kontaktvägar\n\n**Föredragande:** Anders Ek, Sara Lind",
        "**Beslut:** 2021:14: Uppdrag ges till tvärgrupp barn och processledaren.",
        "## 4. Kompetens- och utbildningsplan\n\n**Föredragande:** Sara Lind",
        "## 5. Barnets plan\n\n**Föredragande:** Karin Berg",
        "## 6. Forskningen\n\n**Föredragande:** Mats Sten",
        "## 7. Lägesrapport\n\n**Föredragande:** Sara Lind",
        "## 8. Samverkan skola och socialtjänst\n\n**Föredragande:** Lisa Holm, Omar Said, Eva Strand",
        "**Vid anteckningarna:** Sara Lind",
        "**Justeras:** Karin Berg",
    ];

    #[test]
    fn swedish_markdown_states_every_fact() {
        let md = markdown(&november_meeting(Lang::Sv), Lang::Sv);
        for fact in SV_FACTS {
            assert!(md.contains(fact), "missing {fact:?} in\n{md}");
        }
        assert!(md.starts_with("# Styrgrupp"));
        assert!(md.ends_with("**Justeras:** Karin Berg\n"));
    }

    #[test]
    fn english_markdown_states_every_fact() {
        let md = markdown(&november_meeting(Lang::En), Lang::En);
        for fact in [
            "**Time:** Friday 5 November 2021, 08:30–11:30",
            "**Place:** Digitalt via Teams",
            "**Present:**",
            "- Anders Ek, Växjö kommun (chair)",
            "- Nick Björk, Uppvidinge kommun (substituting for Anna-Lisa Jarl)",
            "- Mats Sten, Linnéuniversitetet (remote)",
            "**Absent:**",
            "- Per Vik, Polismyndigheten",
            "**Guests:**",
            "- Lisa Holm, Region Kronoberg (item 8)",
            "- Eva Strand, Region Kronoberg (item 8)",
            "## 1. Ordförande hälsar välkommen\n\n**Presenter:** Anders Ek",
            "## 3. Information inför beslut om kontaktvägar\n\n**Presenters:** Anders Ek, Sara Lind",
            "**Decision:** 2021:14: Uppdrag ges",
            "**Minutes taken by:** Sara Lind",
            "**Checked by:** Karin Berg",
        ] {
            assert!(md.contains(fact), "missing {fact:?} in\n{md}");
        }
    }

    #[test]
    fn summer_times_are_in_swedish_summer_time() {
        let mut m = november_meeting(Lang::Sv);
        m.starts_at = utc(2021, 6, 4, 6, 30);
        m.ends_at = utc(2021, 6, 4, 7, 30);
        assert!(markdown(&m, Lang::Sv).contains("Fredagen den 4 juni 2021 kl. 08:30–09:30"));
        assert!(markdown(&m, Lang::En).contains("Friday 4 June 2021, 08:30–09:30"));
    }

    #[test]
    fn a_meeting_over_two_days_gives_both_dates() {
        assert_eq!(
            time_span(utc(2022, 3, 17, 8, 0), utc(2022, 3, 18, 13, 0), Lang::Sv),
            "Torsdagen den 17 mars 2022 kl. 09:00 – fredagen den 18 mars 2022 kl. 14:00"
        );
        assert_eq!(
            time_span(utc(2022, 3, 17, 8, 0), utc(2022, 3, 18, 13, 0), Lang::En),
            "Thursday 17 March 2022, 09:00 – Friday 18 March 2022, 14:00"
        );
        // Midnight in Stockholm is still the previous day in UTC.
        assert_eq!(
            time_span(utc(2021, 12, 31, 23, 0), utc(2022, 1, 1, 0, 0), Lang::Sv),
            "Lördagen den 1 januari 2022 kl. 00:00–01:00"
        );
    }

    #[test]
    fn a_guest_at_several_items_lists_them_all() {
        let mut m = november_meeting(Lang::Sv);
        m.guests[0].items = vec!["3".into(), "8".into()];
        assert!(markdown(&m, Lang::Sv).contains("- Lisa Holm, Region Kronoberg (punkterna 3, 8)"));
        assert!(markdown(&m, Lang::En).contains("- Lisa Holm, Region Kronoberg (items 3, 8)"));
    }

    #[test]
    fn empty_sections_are_left_out_but_time_place_and_present_stay() {
        let mut m = november_meeting(Lang::Sv);
        m.present.clear();
        m.absent.clear();
        m.guests.clear();
        m.items.clear();
        m.minutes_taker = None;
        m.checkers.clear();
        m.status_note = Some("Inställt".into());
        let md = markdown(&m, Lang::Sv);
        assert_eq!(
            md,
            "# Styrgrupp Barnens bästa gäller! i Kronoberg\n\n*Inställt*\n\n\
             **Tid:** Fredagen den 5 november 2021 kl. 08:30–11:30\n\n\
             **Plats:** Digitalt via Teams\n\n**Närvarande:** –\n"
        );
    }

    #[test]
    fn several_decisions_become_a_list() {
        let mut m = november_meeting(Lang::Sv);
        m.items[0].decisions = vec![
            DecisionLine {
                reference: "2021:15".into(),
                text: "Första".into(),
            },
            DecisionLine {
                reference: String::new(),
                text: "Andra".into(),
            },
        ];
        assert!(markdown(&m, Lang::Sv).contains("**Beslut:**\n\n- 2021:15: Första\n- Andra\n"));
    }

    #[test]
    fn plain_fields_cannot_add_markdown_structure() {
        let mut m = november_meeting(Lang::Sv);
        m.present[1].name = "*Anna* #1".into();
        m.present[2].name = "- [klick](javascript:x) `kod` <b>\n# Rubrik".into();
        m.absent[0].name = "1. Lista".into();
        m.title = "_Titel_ | x".into();
        for item in &mut m.items {
            item.minutes = None;
        }
        let md = markdown(&m, Lang::Sv);
        assert!(md.contains("- \\*Anna\\* \\#1, Lessebo kommun\n"), "{md}");
        assert!(md.contains("- 1\\. Lista"), "{md}");

        let parser = Parser::new_ext(&md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
        let (mut headings, mut list_depth) = (0, 0);
        for event in parser {
            match event {
                Event::Start(Tag::Heading { .. }) => headings += 1,
                Event::Start(Tag::List(None)) => {
                    list_depth += 1;
                    assert_eq!(list_depth, 1, "nested list in\n{md}");
                }
                Event::End(TagEnd::List(_)) => list_depth -= 1,
                Event::Start(
                    Tag::Emphasis
                    | Tag::Link { .. }
                    | Tag::Table(_)
                    | Tag::HtmlBlock
                    | Tag::BlockQuote(_)
                    | Tag::CodeBlock(_)
                    | Tag::List(Some(_)),
                )
                | Event::Code(_)
                | Event::Rule
                | Event::Html(_)
                | Event::InlineHtml(_) => panic!("plain field added {event:?} in\n{md}"),
                _ => {}
            }
        }
        assert_eq!(headings, 1 + m.items.len());

        let html = html(&m, Lang::Sv);
        assert!(html.contains("*Anna* #1, Lessebo kommun"), "{html}");
        assert!(!html.contains("<em>Anna</em>"));
        assert!(html.contains("<h1>_Titel_ | x</h1>"), "{html}");
    }

    #[test]
    fn html_is_a_complete_document_with_every_fact() {
        let html = html(&november_meeting(Lang::Sv), Lang::Sv);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"));
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(
            html.contains(
                "<title>Styrgrupp Barnens bästa gäller! i Kronoberg – 2021-11-05</title>"
            )
        );
        assert!(html.trim_end().ends_with("</html>"));
        for fact in [
            "<h1>Styrgrupp Barnens bästa gäller! i Kronoberg</h1>",
            "<strong>Tid:</strong> Fredagen den 5 november 2021 kl. 08:30–11:30",
            "<strong>Plats:</strong> Digitalt via Teams",
            "<li>Anders Ek, Växjö kommun (ordförande)</li>",
            "<li>Nick Björk, Uppvidinge kommun (ersätter Anna-Lisa Jarl)</li>",
            "<li>Mats Sten, Linnéuniversitetet (deltog på distans)</li>",
            "<strong>Frånvarande:</strong>",
            "<li>Per Vik, Polismyndigheten</li>",
            "<li>Lisa Holm, Region Kronoberg (punkt 8)</li>",
            "<li>Omar Said, Region Kronoberg (punkt 8)</li>",
            "<li>Eva Strand, Region Kronoberg (punkt 8)</li>",
            "<h2>1. Ordförande hälsar välkommen</h2>\n<p><strong>Föredragande:</strong> Anders Ek</p>",
            "<h2>8. Samverkan skola och socialtjänst</h2>\n<p><strong>Föredragande:</strong> Lisa Holm, Omar Said, Eva Strand</p>",
            "<li>Mycket finns</li>",
            "<a href=\"https://lnu.se/forskning/\">https://lnu.se/forskning/</a>",
            "<strong>Beslut:</strong> 2021:14: Uppdrag ges",
            "<strong>Vid anteckningarna:</strong> Sara Lind",
            "<strong>Justeras:</strong> Karin Berg",
        ] {
            assert!(html.contains(fact), "missing {fact:?} in\n{html}");
        }
        let en = super::html(&november_meeting(Lang::En), Lang::En);
        assert!(en.contains("<html lang=\"en\">"));
        assert!(en.contains("<strong>Time:</strong> Friday 5 November 2021, 08:30–11:30"));
        assert!(en.contains("<li>Lisa Holm, Region Kronoberg (item 8)</li>"));
    }

    #[test]
    fn script_in_minutes_text_or_a_name_is_shown_as_text() {
        let mut m = november_meeting(Lang::Sv);
        m.items[0].minutes = Some("Före <script>alert(1)</script> efter".into());
        m.items[1].minutes = Some("<script>\nalert(2)\n</script>".into());
        m.items[2].minutes = Some("<div onclick=\"x()\">\n\n<img src=x onerror=alert(3)>".into());
        m.present[0].name = "<script>alert(4)</script>".into();
        m.title = "</title><script>alert(5)</script>".into();
        let html = html(&m, Lang::Sv);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(
            html.contains("Före &lt;script&gt;alert(1)&lt;/script&gt; efter"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;\nalert(2)"), "{html}");
        assert!(html.contains("<li>&lt;script&gt;alert(4)&lt;/script&gt;, Växjö kommun"));
        assert!(
            html.contains("<title>&lt;/title&gt;&lt;script&gt;alert(5)"),
            "{html}"
        );
        assert_eq!(html.matches("<title>").count(), 1);
    }

    #[test]
    fn javascript_links_lose_their_href_and_keep_their_text() {
        let mut m = november_meeting(Lang::Sv);
        m.items[0].minutes = Some(
            "[x](javascript:alert(1)) [y](<JaVa\tScript:alert(2)>) \
             [z](&#106;avascript:alert(3)) ![bild](data:text/html,hej) \
             [ok](https://example.org/a:b) [rel](protokoll/2021.pdf) <mailto:a@b.se>"
                .into(),
        );
        let html = html(&m, Lang::Sv);
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("<p>x y z bild "), "{html}");
        assert!(
            html.contains("<a href=\"https://example.org/a:b\">ok</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"protokoll/2021.pdf\">rel</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"mailto:a@b.se\">"), "{html}");
    }

    #[test]
    fn an_unclosed_fence_in_one_item_does_not_swallow_the_next_in_html() {
        let mut m = november_meeting(Lang::Sv);
        m.items[0].minutes = Some("```\nkod".into());
        let html = html(&m, Lang::Sv);
        assert!(html.contains("<h2>2. Redovisning enkät</h2>"), "{html}");
    }

    #[test]
    fn url_safety() {
        assert!(is_safe_url("https://x.se"));
        assert!(is_safe_url("#punkt-3"));
        assert!(is_safe_url("a/b:c"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url("\u{1}java script:alert(1)"));
        assert!(!is_safe_url("VBScript:x"));
        assert!(!is_safe_url("data:text/html,x"));
    }
}
