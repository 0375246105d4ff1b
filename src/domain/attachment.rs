//! Attachments (bilagor): what may be attached to what, which files are taken, and how a file's
//! first bytes must agree with the type its uploader declares.

use crate::{domain::text::one_line, string_enum};

string_enum! {
    /// The kind of record a file is attached to.
    pub enum OwnerType {
        /// A meeting (e.g. the signed minutes, a presentation).
        Meeting = "meeting",
        /// An agenda item (the material of one item).
        AgendaItem = "agenda_item",
        /// A decision (e.g. the inquiry it adopts).
        Decision = "decision",
        /// A revision of an action plan (the plan as a document).
        ActionPlanRevision = "action_plan_revision",
    }
}

/// How a declared type is checked against the file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// The file's signature must name exactly this type.
    Signature,
    /// A ZIP container (Office Open XML, OpenDocument): the signature names this type or ZIP.
    Container,
    /// Text: UTF-8 without NUL bytes.
    Text,
}

/// The file types taken, as `Content-Type` names them, with how each is checked.
const TYPES: &[(&str, Check)] = &[
    ("application/pdf", Check::Signature),
    ("image/png", Check::Signature),
    ("image/jpeg", Check::Signature),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Check::Container,
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Check::Container,
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Check::Container,
    ),
    ("application/vnd.oasis.opendocument.text", Check::Container),
    (
        "application/vnd.oasis.opendocument.spreadsheet",
        Check::Container,
    ),
    (
        "application/vnd.oasis.opendocument.presentation",
        Check::Container,
    ),
    ("text/plain", Check::Text),
    ("text/csv", Check::Text),
    ("text/markdown", Check::Text),
];

/// How many of a file's first bytes [`content_matches`] looks at.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// The accepted `Content-Type` values, for documentation and error messages.
pub fn accepted_types() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|(name, _)| *name)
}

/// The accepted type named by a `Content-Type` value (parameters such as `charset` dropped, any
/// letter case); `None` when the type is not taken.
pub fn accepted_type(content_type: &str) -> Option<&'static str> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    TYPES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(essence))
        .map(|(name, _)| *name)
}

/// Whether `head` (the first [`SNIFF_BYTES`] of a file, or all of a shorter one) agrees with
/// the accepted type `declared`: a PDF starts as a PDF, an image is that image, an Office or
/// OpenDocument file is a ZIP container, and text is UTF-8 (a character cut at the end of
/// `head` is allowed) without NUL bytes.
pub fn content_matches(declared: &str, head: &[u8]) -> bool {
    let Some((_, check)) = TYPES.iter().find(|(name, _)| *name == declared) else {
        return false;
    };
    let detected = infer::get(head).map(|kind| kind.mime_type());
    match check {
        Check::Signature => detected == Some(declared),
        Check::Container => detected == Some(declared) || detected == Some("application/zip"),
        Check::Text => {
            let utf8 = match std::str::from_utf8(head) {
                Ok(_) => true,
                // A multi-byte character cut by the end of the sniffed bytes.
                Err(e) => e.error_len().is_none() && head.len() >= SNIFF_BYTES,
            };
            utf8 && !head.contains(&0)
        }
    }
}

/// A file name as kept: one line of 1 to 255 characters, with no path in it.
pub fn filename(value: &str) -> Result<String, String> {
    let name = one_line(value, 1, 255)?;
    if name.contains(['/', '\\']) {
        return Err("must be a file name, without `/` or `\\`".into());
    }
    if name == "." || name == ".." {
        return Err("must be a file name".into());
    }
    Ok(name)
}

/// The file name with every character outside printable ASCII replaced by `_`: the plain
/// `filename` of a `Content-Disposition` header (the exact name goes in `filename*`).
pub fn ascii_filename(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_are_matched_with_parameters_and_case() {
        assert_eq!(accepted_type("Application/PDF"), Some("application/pdf"));
        assert_eq!(
            accepted_type("text/plain; charset=utf-8"),
            Some("text/plain")
        );
        assert_eq!(accepted_type("application/x-msdownload"), None);
        assert_eq!(accepted_type("text/html"), None);
    }

    #[test]
    fn the_first_bytes_must_agree_with_the_declared_type() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
        assert!(content_matches("application/pdf", pdf));
        assert!(!content_matches("image/png", pdf));
        assert!(!content_matches(
            "application/pdf",
            b"MZ\x90\x00\x03 not a pdf"
        ));
        let zip = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00";
        assert!(content_matches(
            "application/vnd.oasis.opendocument.text",
            zip
        ));
        assert!(!content_matches("application/pdf", zip));
        assert!(content_matches(
            "text/plain",
            "Protokoll från mötet".as_bytes()
        ));
        assert!(!content_matches("text/plain", b"abc\0def"));
        assert!(!content_matches("text/csv", b"\xff\xfe\x00a"));
        assert!(!content_matches("text/plain", pdf));
    }

    #[test]
    fn file_names_have_no_path() {
        assert_eq!(
            filename(" Protokoll 2021-11-05.pdf ").as_deref(),
            Ok("Protokoll 2021-11-05.pdf")
        );
        assert!(filename("../etc/passwd").is_err());
        assert!(filename("a\\b.pdf").is_err());
        assert!(filename("..").is_err());
        assert!(filename("").is_err());
        assert!(filename(&"x".repeat(256)).is_err());
        assert_eq!(ascii_filename("Bilaga å \"1\".pdf"), "Bilaga _ _1_.pdf");
    }
}
