//! Text values and the collector of field errors that every input check uses.

use crate::error::{ApiError, FieldError};

/// Collects the field errors of one input, so that a client learns of all of them at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Keeps the value, or records the error under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError::new(field, message));
                None
            }
        }
    }

    /// Records an error under `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields named so far (for tests).
    #[cfg(test)]
    pub fn fields(&self) -> Vec<String> {
        self.0.iter().map(|e| e.field.clone()).collect()
    }

    /// Ok when nothing was recorded, else the 422 with every error.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

/// Whether `c` changes how a text is shown without being seen: bidirectional overrides and
/// isolates, zero-width characters, the byte-order mark, line and paragraph separators, and
/// noncharacters. Names and titles refuse them (a name that reads differently than it is).
pub fn is_display_trick(c: char) -> bool {
    let n = u32::from(c);
    matches!(n,
        0x061C | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2069 | 0xFEFF | 0xFDD0..=0xFDEF)
        || n & 0xFFFE == 0xFFFE
}

/// Checks a one-line text: trimmed, `min..=max` characters, no control characters and no
/// invisible or direction-changing characters ([`is_display_trick`]).
pub fn one_line(value: &str, min: usize, max: usize) -> Result<String, String> {
    let value = value.trim();
    let len = value.chars().count();
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    if let Some(c) = value.chars().find(|c| is_display_trick(*c)) {
        return Err(format!(
            "must not contain invisible or direction-changing characters (U+{:04X})",
            u32::from(c)
        ));
    }
    if len < min {
        return Err(if min == 1 {
            "must not be empty".into()
        } else {
            format!("must be at least {min} characters")
        });
    }
    if len > max {
        return Err(format!("must be at most {max} characters"));
    }
    Ok(value.to_owned())
}

/// A text cell as a spreadsheet may safely open it (OWASP's rule against CSV injection): a
/// text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`,
/// so that it is shown as text, never evaluated as a formula.
pub fn spreadsheet_safe(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// A name: 1 to 200 characters on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    /// Checks and trims a name.
    pub fn parse(value: &str) -> Result<Self, String> {
        one_line(value, 1, 200).map(Self)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name lower-cased, for case-insensitive search (å, ä and ö included).
    pub fn folded(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Checks a text that may span lines: at most `max` characters, no control characters but
/// line breaks and tabs; empty means none.
pub fn multi_line(value: &str, max: usize) -> Result<Option<String>, String> {
    let value = value.trim();
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err("must not contain control characters".into());
    }
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// A key that sorts text the Swedish way: case-insensitive, with å, ä and ö after z (in that
/// order), ü as y, é as e, æ as ä and ø as ö.
pub fn swedish_sort_key(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'å' => '{',
            'ä' | 'æ' => '|',
            'ö' | 'ø' => '}',
            'ü' => 'y',
            'é' | 'è' | 'ê' => 'e',
            'á' | 'à' => 'a',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod display_tests {
    use super::one_line;

    #[test]
    fn names_refuse_invisible_and_direction_changing_characters() {
        for trick in [
            "evil\u{202E}gnp.exe",
            "a\u{200B}b",
            "a\u{2028}b",
            "\u{FEFF}Växjö",
            "a\u{2066}b",
            "a\u{FDD0}b",
            "a\u{1FFFE}b",
        ] {
            assert!(one_line(trick, 1, 200).is_err(), "{trick:?}");
        }
        assert_eq!(
            one_line(" Växjö kommun ", 1, 200).as_deref(),
            Ok("Växjö kommun")
        );
        assert!(one_line("Åsa Öberg-Ängström", 1, 200).is_ok());
    }
}

#[cfg(test)]
mod csv_tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_become_text() {
        for formula in ["=HYPERLINK(\"x\")", "@cmd", "+1", "-2", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(formula.into()), format!("'{formula}"));
        }
        assert_eq!(spreadsheet_safe("Växjö kommun".into()), "Växjö kommun");
        assert_eq!(spreadsheet_safe(String::new()), "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_keeps_swedish_letters() {
        let name = Name::parse("  Region Kronoberg – Växjö ").unwrap();
        assert_eq!(name.as_str(), "Region Kronoberg – Växjö");
        assert_eq!(Name::parse("ÄLMHULT").unwrap().folded(), "älmhult");
    }

    #[test]
    fn swedish_names_sort_with_a_ring_a_umlaut_and_o_umlaut_last() {
        let mut names = vec!["Östra", "Ängby", "Åsa", "Zeta", "alvesta", "Émile"];
        names.sort_by_key(|n| swedish_sort_key(n));
        assert_eq!(names, ["alvesta", "Émile", "Zeta", "Åsa", "Ängby", "Östra"]);
    }

    #[test]
    fn multi_line_text_keeps_line_breaks_and_refuses_other_controls() {
        assert_eq!(multi_line(" a\nb ", 10).unwrap().as_deref(), Some("a\nb"));
        assert_eq!(multi_line("  ", 10).unwrap(), None);
        assert!(multi_line("a\u{0}b", 10).is_err());
        assert!(multi_line("abc", 2).is_err());
    }

    #[test]
    fn a_name_is_refused_when_empty_too_long_or_with_control_characters() {
        for (input, why) in [
            ("", "empty"),
            ("   ", "only spaces"),
            ("a\u{0}b", "a NUL byte"),
            ("a\nb", "a line break"),
        ] {
            assert!(Name::parse(input).is_err(), "accepted a name with {why}");
        }
        assert!(
            Name::parse(&"å".repeat(200)).is_ok(),
            "200 characters are allowed"
        );
        assert!(
            Name::parse(&"å".repeat(201)).is_err(),
            "201 characters are not"
        );
    }
}
