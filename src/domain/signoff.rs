//! Sign-off (justering): the chair and every minutes checker sign the same version of the
//! minutes; only then are they "justerade".

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::string_enum;

string_enum! {
    /// In what capacity a member signs the minutes.
    pub enum SignatoryRole {
        /// Ordförande.
        Chair = "chair",
        /// Justerare.
        Checker = "checker",
    }
}

/// Who must sign: the chair (if named) and each checker, each once (a chair who is also a
/// checker signs once, as chair).
pub fn signatories(chair: Option<Uuid>, checkers: &[Uuid]) -> Vec<(Uuid, SignatoryRole)> {
    let mut out: Vec<(Uuid, SignatoryRole)> = chair
        .map(|c| (c, SignatoryRole::Chair))
        .into_iter()
        .collect();
    for checker in checkers {
        if !out.iter().any(|(id, _)| id == checker) {
            out.push((*checker, SignatoryRole::Checker));
        }
    }
    out
}

/// When the minutes were signed off: every signatory has a signature over `current`, the
/// SHA-256 of the minutes as they are; the time is that of the last of those signatures.
/// `None` while anyone is missing, or when nobody is named to sign.
pub fn signed_off_at(
    required: &[(Uuid, SignatoryRole)],
    signatures: &[(Uuid, &str, DateTime<Utc>)],
    current: &str,
) -> Option<DateTime<Utc>> {
    if required.is_empty() {
        return None;
    }
    let mut latest: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for (member, sha256, at) in signatures {
        if *sha256 == current {
            latest.insert(*member, *at);
        }
    }
    required
        .iter()
        .map(|(member, _)| latest.get(member).copied())
        .collect::<Option<Vec<_>>>()
        .and_then(|times| times.into_iter().max())
}

/// Whether `text` is a SHA-256 in hex (64 characters, any case).
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_off_only_when_everyone_signed_the_current_version() {
        let (chair, a, b) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let required = signatories(Some(chair), &[a, b, chair]);
        assert_eq!(required.len(), 3, "the chair signs once");
        let at = |s| DateTime::from_timestamp(s, 0).unwrap_or_default();
        let mut signed = vec![(chair, "v1", at(1)), (a, "v1", at(2))];
        assert_eq!(signed_off_at(&required, &signed, "v1"), None, "b missing");
        signed.push((b, "v1", at(3)));
        assert_eq!(signed_off_at(&required, &signed, "v1"), Some(at(3)));
        assert_eq!(
            signed_off_at(&required, &signed, "v2"),
            None,
            "changed since"
        );
        assert_eq!(signed_off_at(&[], &signed, "v1"), None, "nobody to sign");
        assert!(is_sha256(&"aB".repeat(32)) && !is_sha256("ab"));
    }
}
