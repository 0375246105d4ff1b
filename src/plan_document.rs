//! A revision of an action plan as a document: Markdown, or HTML rendered from it safely.
//!
//! Every plain field (titles, activity texts, the change summary, URLs) is escaped so that it
//! reads as text: no emphasis, links, headings or raw HTML pass through. The HTML is rendered
//! block by block with the minutes' safe renderer (raw HTML shown as text, unsafe links
//! dropped). The Markdown is also what the unified text diff of two revisions compares.

use chrono::NaiveDate;

use crate::{
    domain::action_plan::{ActivityStatus, Channel, Content, Publication, RevisionStatus},
    minutes::{CSS, escape_html, md_escape, render_safe},
};

/// What the document shows of a revision.
#[derive(Debug, Clone)]
pub struct PlanDocument<'a> {
    /// The plan's title.
    pub title: &'a str,
    /// The revision's number.
    pub number: i32,
    /// Its status.
    pub status: RevisionStatus,
    /// First day in force.
    pub valid_from: Option<NaiveDate>,
    /// The approving decision's date.
    pub approved_on: Option<NaiveDate>,
    /// What changed.
    pub change_summary: Option<&'a str>,
    /// Sections, goals, activities.
    pub content: &'a Content,
    /// Where it was published.
    pub publications: &'a [Publication],
}

fn status_sv(status: RevisionStatus) -> &'static str {
    match status {
        RevisionStatus::Draft => "utkast",
        RevisionStatus::Consultation => "på remiss",
        RevisionStatus::Approved => "fastställd",
        RevisionStatus::Superseded => "ersatt",
    }
}

fn activity_status_sv(status: ActivityStatus) -> &'static str {
    match status {
        ActivityStatus::Planned => "planerad",
        ActivityStatus::Ongoing => "pågår",
        ActivityStatus::Done => "klar",
        ActivityStatus::Cancelled => "struken",
    }
}

fn channel_sv(channel: Channel) -> &'static str {
    match channel {
        Channel::DocumentPortal => "dokumentportalen",
        Channel::Website => "webbplatsen",
        Channel::Other => "annat",
    }
}

/// The document's blocks of Markdown, each rendered on its own for HTML.
fn blocks(doc: &PlanDocument<'_>) -> Vec<String> {
    let mut out = vec![format!(
        "# {} – revision {}",
        md_escape(doc.title),
        doc.number
    )];
    let mut facts = vec![format!("Status: {}", status_sv(doc.status))];
    if let Some(d) = doc.approved_on {
        facts.push(format!("Fastställd: {d}"));
    }
    if let Some(d) = doc.valid_from {
        facts.push(format!("Gäller från: {d}"));
    }
    out.push(facts.join("  \n"));
    if let Some(summary) = doc.change_summary.filter(|s| !s.trim().is_empty()) {
        out.push(format!("Ändringar: {}", md_escape(summary)));
    }
    for section in &doc.content.sections {
        out.push(format!("## {}", md_escape(&section.title)));
        for goal in &section.goals {
            out.push(format!("### {}", md_escape(&goal.title)));
            if goal.activities.is_empty() {
                continue;
            }
            let lines: Vec<String> = goal
                .activities
                .iter()
                .map(|a| {
                    let mut line = format!(
                        "- {} ({}, {} %",
                        md_escape(&a.text),
                        activity_status_sv(a.status),
                        a.progress
                    );
                    if let Some(due) = &a.due {
                        line.push_str(&format!(", senast {}", md_escape(due)));
                    }
                    line.push(')');
                    line
                })
                .collect();
            out.push(lines.join("\n"));
        }
    }
    if !doc.publications.is_empty() {
        out.push("## Publicerad".into());
        let lines: Vec<String> = doc
            .publications
            .iter()
            .map(|p| {
                format!(
                    "- {} {}: {}",
                    p.published_at,
                    channel_sv(p.channel),
                    md_escape(&p.url)
                )
            })
            .collect();
        out.push(lines.join("\n"));
    }
    out
}

/// The revision as Markdown.
pub fn markdown(doc: &PlanDocument<'_>) -> String {
    let mut out = blocks(doc).join("\n\n");
    out.push('\n');
    out
}

/// The revision as a complete HTML5 document.
pub fn html(doc: &PlanDocument<'_>) -> String {
    let mut body = String::new();
    for block in blocks(doc) {
        render_safe(&block, &mut body);
    }
    let title = escape_html(&format!("{} – revision {}", doc.title, doc.number));
    format!(
        "<!DOCTYPE html>\n\
         <html lang=\"sv\">\n\
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
         </html>\n"
    )
}
