//! Swedish full-text search: words, their stems, and highlighted snippets.
//!
//! The service stems both the documents it indexes and the queries it answers with the Snowball
//! Swedish stemmer, so "kontaktvägar", "kontaktvägarna" and "kontaktväg" all become
//! "kontaktväg", and SQLite and PostgreSQL compare the same stems. Snowball leaves some
//! definite forms alone ("beslutet" stays apart from "beslut", "skolan" from "skola"); that is a
//! known limit of the algorithm, accepted here rather than guessed around.

use std::{collections::HashSet, sync::LazyLock};

use rust_stemmers::{Algorithm, Stemmer};

static SWEDISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Swedish));

/// Length of a snippet in characters, give or take a word.
pub const SNIPPET_CHARS: usize = 160;

/// Characters of context a snippet shows before the first match.
const SNIPPET_LEAD: usize = 50;

/// The words of `text`, lower-cased: runs of Unicode letters and digits (å, ä, ö, é
/// included); everything else separates words.
pub fn tokens(text: &str) -> Vec<String> {
    migration::postings::words(text)
        .map(str::to_lowercase)
        .collect()
}

/// The Swedish stem of `word`, lower-cased.
pub fn stem(word: &str) -> String {
    SWEDISH.stem(&word.to_lowercase()).into_owned()
}

/// The stems of every word of `text` in order, space-separated, with a space at each end, so
/// that `LIKE '% stem %'` matches whole stems only.
pub fn terms(text: &str) -> String {
    let mut terms = String::from(" ");
    for word in tokens(text) {
        terms.push_str(&stem(&word));
        terms.push(' ');
    }
    terms
}

/// The distinct stems of a query, in the order they first appear.
pub fn query_stems(query: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    tokens(query)
        .iter()
        .map(|word| stem(word))
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

/// About [`SNIPPET_CHARS`] characters of `text` around the first word whose stem is one of
/// `query_stems` (the start of `text` when none is), cut at whole words, HTML-escaped, with
/// every matching word wrapped in `<mark>…</mark>`, runs of white space made one space, and
/// "…" where the text was cut.
pub fn snippet(text: &str, query_stems: &[String]) -> String {
    let wanted: HashSet<&str> = query_stems.iter().map(String::as_str).collect();
    let chars: Vec<char> = text.chars().collect();
    let words = word_spans(&chars);
    let matched: Vec<bool> = words
        .iter()
        .map(|&(start, end)| {
            let word: String = chars[start..end].iter().collect();
            wanted.contains(stem(&word).as_str())
        })
        .collect();
    let first = matched.iter().position(|m| *m).map(|i| words[i]);
    let (from, to) = window(&chars, &words, first);

    let mut out = String::new();
    let mut at = from;
    for (&(start, end), &hit) in words.iter().zip(&matched) {
        if start < from || end > to {
            continue;
        }
        push_plain(&chars[at..start], &mut out);
        let word: String = chars[start..end].iter().collect();
        if hit {
            out.push_str("<mark>");
            escape_into(&word, &mut out);
            out.push_str("</mark>");
        } else {
            escape_into(&word, &mut out);
        }
        at = end;
    }
    push_plain(&chars[at..to], &mut out);
    format!(
        "{}{}{}",
        if from > 0 { "…" } else { "" },
        out.trim(),
        if to < chars.len() { "…" } else { "" }
    )
}

/// The words of `chars` as `(start, end)` character ranges.
fn word_spans(chars: &[char]) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in chars.iter().enumerate() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, chars.len()));
    }
    words
}

/// The character range a snippet shows: it starts at a word (or the text's start) a little
/// before `first`, and ends after a whole word (or at the text's end), including `first`.
fn window(
    chars: &[char],
    words: &[(usize, usize)],
    first: Option<(usize, usize)>,
) -> (usize, usize) {
    let len = chars.len();
    let (anchor, anchor_end) = first.unwrap_or((0, 0));
    let from = anchor
        .saturating_sub(SNIPPET_LEAD)
        .min(len.saturating_sub(SNIPPET_CHARS));
    let from = if from == 0 {
        0
    } else {
        words.iter().find(|w| w.0 >= from).map_or(anchor, |w| w.0)
    };
    let to = from + SNIPPET_CHARS;
    if to >= len {
        return (from, len);
    }
    let to = words
        .iter()
        .rev()
        .find(|w| w.1 <= to)
        .map_or(to, |w| w.1)
        .max(anchor_end)
        .max(from);
    (from, to)
}

/// Appends `chars` HTML-escaped, with each run of white space as one space.
fn push_plain(chars: &[char], out: &mut String) {
    for &c in chars {
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            escape_char(c, out);
        }
    }
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        escape_char(c, out);
    }
}

fn escape_char(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(query: &str) -> Vec<String> {
        query_stems(query)
    }

    #[test]
    fn words_are_lower_cased_runs_of_letters_and_digits() {
        assert_eq!(
            tokens("Växjö, Älmhult & Linnéuniversitetet: 2022–2023 (AU)!"),
            [
                "växjö",
                "älmhult",
                "linnéuniversitetet",
                "2022",
                "2023",
                "au"
            ]
        );
        assert!(tokens(" -- !? ").is_empty());
    }

    #[test]
    fn the_inflections_the_issue_names_share_a_stem() {
        for group in [
            &[
                "kontaktvägar",
                "kontaktvägarna",
                "kontaktväg",
                "Kontaktvägen",
            ][..],
            &[
                "handlingsplanen",
                "handlingsplan",
                "Handlingsplaner",
                "handlingsplanerna",
            ][..],
            &["VÄXJÖ", "växjö", "Växjö"][..],
        ] {
            let expected = stem(group[0]);
            for word in group {
                assert_eq!(stem(word), expected, "{word} and {}", group[0]);
            }
        }
        assert_eq!(stem("kontaktvägarna"), "kontaktväg");
        assert_eq!(stem("Handlingsplanen"), "handlingsplan");
    }

    #[test]
    fn terms_are_stems_with_a_space_at_each_end() {
        assert_eq!(
            terms("Kontaktvägarna till Växjö"),
            " kontaktväg till växjö "
        );
        assert_eq!(terms(""), " ");
    }

    #[test]
    fn query_stems_are_distinct() {
        assert_eq!(
            stems("kontaktvägar KONTAKTVÄG växjö"),
            ["kontaktväg", "växjö"]
        );
    }

    #[test]
    fn a_short_text_is_shown_whole_with_its_matches_marked() {
        assert_eq!(
            snippet(
                "Kontaktvägarna mellan skola &  socialtjänst\nses över; en ny kontaktväg prövas.",
                &stems("kontaktvägar")
            ),
            "<mark>Kontaktvägarna</mark> mellan skola &amp; socialtjänst ses över; en ny \
             <mark>kontaktväg</mark> prövas."
        );
    }

    #[test]
    fn markup_in_the_text_is_escaped() {
        assert_eq!(
            snippet("<b>Växjö</b> & \"Ljungby\" 'x'", &stems("växjö")),
            "&lt;b&gt;<mark>Växjö</mark>&lt;/b&gt; &amp; &quot;Ljungby&quot; &#39;x&#39;"
        );
    }

    #[test]
    fn a_long_text_is_cut_at_whole_words_around_the_first_match() {
        let before = "ord ".repeat(100);
        let after = " text".repeat(100);
        let text = format!("{before}Handlingsplanen antogs{after}");
        let shown = snippet(&text, &stems("handlingsplan"));
        assert!(shown.starts_with("…ord "), "{shown}");
        assert!(shown.ends_with(" text…"), "{shown}");
        assert!(
            shown.contains("<mark>Handlingsplanen</mark> antogs"),
            "{shown}"
        );
        let plain = shown.replace("<mark>", "").replace("</mark>", "");
        let length = plain.chars().count();
        assert!(
            (150..=SNIPPET_CHARS + 2).contains(&length),
            "{length}: {shown}"
        );
        let lead = plain.find("Handlingsplanen").unwrap_or_default();
        assert!((40..=60).contains(&lead), "{lead}: {shown}");
    }

    #[test]
    fn a_match_near_the_end_fills_the_snippet_from_before_it() {
        let text = format!("{}slutet om Växjö.", "början ".repeat(60));
        let shown = snippet(&text, &stems("växjö"));
        assert!(shown.starts_with('…'), "{shown}");
        assert!(shown.ends_with("<mark>Växjö</mark>."), "{shown}");
        assert!(shown.chars().count() > 140, "{shown}");
    }

    #[test]
    fn without_a_match_the_snippet_is_the_start_of_the_text() {
        let text = "Inledning. ".repeat(40);
        let shown = snippet(&text, &stems("växjö"));
        assert!(shown.starts_with("Inledning. Inledning."), "{shown}");
        assert!(shown.ends_with('…'), "{shown}");
        assert!(!shown.contains("<mark>"));
        assert_eq!(snippet("", &stems("växjö")), "");
    }

    #[test]
    fn a_word_longer_than_the_snippet_is_shown_whole() {
        let word = "a".repeat(300);
        let text = format!("före {word} efter");
        let shown = snippet(&text, &stems(&word));
        assert!(shown.contains(&format!("<mark>{word}</mark>")), "{shown}");
    }
}
