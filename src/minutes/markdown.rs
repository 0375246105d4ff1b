//! Safe Markdown and HTML for the service's documents (minutes, action plans): escaping plain
//! fields so they cannot add structure, and rendering Markdown to HTML with raw HTML shown as
//! text and unsafe links reduced to their text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The little inline CSS of the HTML documents.
pub(crate) const CSS: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;\
max-width:48rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}\
ul{padding-left:1.5rem}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:.2rem .5rem}";

/// Collapses all whitespace, line breaks included, to single spaces.
pub(super) fn one_line(s: &str) -> String {
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
    use super::is_safe_url;

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
