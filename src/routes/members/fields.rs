//! The OpenAPI schemas of the text fields members and memberships take, stating exactly what
//! their checks in `domain::member`, `domain::membership` and `domain::text` accept: the text is
//! trimmed of Unicode white space first, then must be free of control characters and within
//! its length. Patterns can say that where `minLength`/`maxLength` (which count the untrimmed
//! text) cannot, so the lengths are in the patterns and the descriptions.

use utoipa::openapi::{
    RefOr,
    schema::{ObjectBuilder, Schema, SchemaType, Type},
};

/// Unicode `White_Space`, what `str::trim` removes (as a regex class body).
const SPACE: &str = r"\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// Unicode control characters (`char::is_control`), as a regex class body.
const CONTROL: &str = r"\u0000-\u001F\u007F-\u009F";

/// What `domain::text::is_display_trick` refuses in a one-line text (the noncharacters above
/// the Basic Multilingual Plane cannot be written in a JSON Schema pattern and are left out).
const TRICK: &str = r"\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF";

/// One line of 1 to `max` characters after trimming, with no control characters and none of
/// the invisible or direction-changing characters names refuse.
fn one_line_pattern(max: usize) -> String {
    format!(
        "^[{SPACE}]*[^{SPACE}{CONTROL}{TRICK}](?:[^{CONTROL}{TRICK}]{{0,{inner}}}[^{SPACE}{CONTROL}{TRICK}])?[{SPACE}]*$",
        inner = max - 2
    )
}

fn string(nullable: bool, description: &str, pattern: String) -> RefOr<Schema> {
    let schema_type = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(schema_type)
        .description(Some(description))
        .pattern(Some(pattern))
        .into()
}

/// A name: one line, 1–200 characters after trimming.
pub fn name() -> RefOr<Schema> {
    string(
        false,
        "Name: one line, 1–200 characters after trimming, no control characters",
        one_line_pattern(200),
    )
}

/// An optional one-line text of 1–200 characters (title, login subject); `null` for none.
pub fn optional_line() -> RefOr<Schema> {
    string(
        true,
        "One line, 1–200 characters after trimming, no control characters; null for none",
        one_line_pattern(200),
    )
}

/// An optional e-mail address; `null` for none.
pub fn optional_email() -> RefOr<Schema> {
    let local = format!("[^@{SPACE}{CONTROL}]");
    let domain = format!("[^@{SPACE}{CONTROL}]");
    let edge = format!("[^@.{SPACE}{CONTROL}]");
    string(
        true,
        "E-mail address, 3–254 characters after trimming: one `@`, a local part, a domain \
         with a dot that neither starts nor ends it, no white space; null for none",
        format!(
            "^[{SPACE}]*(?=[^{SPACE}]{{3,254}}[{SPACE}]*$){local}+@{edge}{domain}*\\.{domain}*{edge}[{SPACE}]*$"
        ),
    )
}

/// An optional phone number; `null` for none.
pub fn optional_phone() -> RefOr<Schema> {
    string(
        true,
        "Phone number, 3–40 characters after trimming: digits, `+`, spaces, dashes and \
         parentheses, at least three digits; null for none",
        format!(
            "^[{SPACE}]*(?=(?:[^0-9]*[0-9]){{3}})(?=[0-9+() -]{{3,40}}[{SPACE}]*$)[0-9+()-](?:[0-9+() -]*[0-9+()-])?[{SPACE}]*$"
        ),
    )
}

/// An optional note of at most 2000 characters after trimming (line breaks and tabs allowed,
/// other control characters not); blank or `null` for none.
pub fn optional_note() -> RefOr<Schema> {
    string(
        true,
        "A note, at most 2000 characters after trimming; line breaks and tabs allowed, other \
         control characters not; blank or null for none",
        format!(
            r"^[{SPACE}]*[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{{0,2000}}[{SPACE}]*$"
        ),
    )
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;
    use crate::domain::{
        member::{Email, Phone},
        text::{Name, multi_line, one_line},
    };

    fn pattern(schema: RefOr<Schema>) -> Regex {
        let json = serde_json::to_value(schema).ok();
        let text = json
            .as_ref()
            .and_then(|s| s["pattern"].as_str())
            .unwrap_or_default();
        // The `regex` crate spells `\uXXXX` as `\x{XXXX}`; `(?=…)` is checked separately.
        let text = Regex::new(r"\\u([0-9A-F]{4})")
            .map(|re| re.replace_all(text, r"\x{$1}").into_owned())
            .unwrap_or_default();
        Regex::new(&text).unwrap_or_else(|e| panic!("{e}"))
    }

    const SAMPLES: &[&str] = &[
        "",
        " ",
        "a",
        " Karin Lind ",
        "\tKarin\n",
        "Karin\u{1}Lind",
        "Karin\u{85}",
        "\u{85}Karin",
        "a\u{1c}",
        "Karin\tLind",
        "rad ett\nrad två",
        "Karin\u{202E}Lind",
        "\u{200B}",
        "Karin\u{2028}",
        "Kar\u{2028}in",
        "\u{FEFF}Karin",
        "Karin\u{2066}",
    ];

    #[test]
    fn the_one_line_pattern_accepts_what_the_name_check_accepts() {
        let re = pattern(name());
        let long = "x".repeat(200);
        let longer = "x".repeat(201);
        let padded = format!("  {long}  ");
        let mut samples: Vec<&str> = SAMPLES.to_vec();
        samples.extend([long.as_str(), longer.as_str(), padded.as_str()]);
        for sample in samples {
            assert_eq!(
                re.is_match(sample),
                Name::parse(sample).is_ok(),
                "{sample:?}"
            );
            assert_eq!(
                re.is_match(sample),
                one_line(sample, 1, 200).is_ok(),
                "{sample:?}"
            );
        }
    }

    #[test]
    fn the_note_pattern_accepts_what_the_note_check_accepts() {
        let re = pattern(optional_note());
        let long = "x".repeat(2000);
        let longer = "x".repeat(2001);
        let mut samples: Vec<&str> = SAMPLES.to_vec();
        samples.extend([long.as_str(), longer.as_str()]);
        for sample in samples {
            assert_eq!(
                re.is_match(sample),
                multi_line(sample, 2000).is_ok(),
                "{sample:?}"
            );
        }
    }

    #[test]
    fn the_phone_and_email_patterns_accept_what_their_checks_accept() {
        // Without the look-aheads (which `regex` lacks), the rest of each pattern still has to
        // agree on samples within the length bounds.
        let strip = |schema: RefOr<Schema>| {
            let json = serde_json::to_value(schema).ok();
            let text = json
                .as_ref()
                .and_then(|s| s["pattern"].as_str())
                .unwrap_or_default()
                .to_owned();
            let text = Regex::new(r"\(\?=(?:[^()]|\([^()]*\))*\)")
                .map(|re| re.replace_all(&text, "").into_owned())
                .unwrap_or_default();
            let text = Regex::new(r"\\u([0-9A-F]{4})")
                .map(|re| re.replace_all(&text, r"\x{$1}").into_owned())
                .unwrap_or_default();
            Regex::new(&text).unwrap_or_else(|e| panic!("{e}"))
        };
        let phone = strip(optional_phone());
        for sample in [
            "+46 470-123 45",
            " 0470 (12) 34 ",
            "call me",
            "(123)",
            "1 2 3",
        ] {
            assert_eq!(
                phone.is_match(sample),
                Phone::parse(sample).is_ok(),
                "{sample:?}"
            );
        }
        let email = strip(optional_email());
        for sample in [
            "anna.andersson@kronoberg.se",
            " a@b.se\n",
            "anna",
            "@kronoberg.se",
            "anna@kronoberg",
            "an na@x.se",
            "a@b@c.se",
            "a@.se",
            "a@b.",
            "a@b..c",
        ] {
            assert_eq!(
                email.is_match(sample),
                Email::parse(sample).is_ok(),
                "{sample:?}"
            );
        }
    }
}
