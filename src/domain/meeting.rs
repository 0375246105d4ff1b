//! Meetings: their kinds, the status lifecycle, places and documents; agenda items and
//! attendance are in their own modules, re-exported here.

mod agenda;
mod attendance;

use std::ops::Deref;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    organisation::WebUrl,
    text::{FieldErrors, one_line},
};
use crate::{
    error::{ApiError, ApiResult},
    string_enum,
};

/// The longest a meeting may last.
const MAX_HOURS: i64 = 72;
/// Most documents, minutes checkers, presenters or guests one record may list.
pub const MAX_LIST: usize = 50;
/// Most agenda items a meeting may have.
pub const MAX_AGENDA_ITEMS: usize = 200;
/// Most attendance entries a meeting may have.
pub const MAX_ATTENDANCE: usize = 500;

string_enum! {
    /// What kind of meeting.
    pub enum MeetingKind {
        /// Ordinarie möte.
        Ordinary = "ordinary",
        /// Utökat möte.
        Extended = "extended",
        /// Internat.
        Retreat = "retreat",
        /// Extra möte.
        Extra = "extra",
    }
}

string_enum! {
    /// What the record of a meeting is called: the heading of its minutes.
    pub enum RecordKind {
        /// Mötesanteckningar (meeting notes), the default.
        Notes = "notes",
        /// Protokoll (formal minutes).
        Minutes = "minutes",
    }
}

string_enum! {
    /// Where a meeting is in its life. Moves only forward: `planned` → `held` or `cancelled`;
    /// `held` → `minutes_approved`, which locks the record.
    pub enum MeetingStatus {
        /// Planerat.
        Planned = "planned",
        /// Genomfört.
        Held = "held",
        /// Inställt.
        Cancelled = "cancelled",
        /// Protokollet justerat: the record is locked.
        MinutesApproved = "minutes_approved",
    }
}

impl MeetingStatus {
    /// Whether a meeting in this status is locked: its minutes are approved, so the record,
    /// its agenda and its attendance no longer change (corrections are made by a new decision).
    pub fn is_locked(self) -> bool {
        self == Self::MinutesApproved
    }

    /// Ok unless the meeting is locked (409, problem type `locked`).
    pub fn check_unlocked(self) -> ApiResult<()> {
        if self.is_locked() {
            Err(ApiError::Locked(
                "the minutes of this meeting are approved: its record is locked; corrections \
                 are made by a new decision"
                    .into(),
            ))
        } else {
            Ok(())
        }
    }

    /// Ok for staying put or an allowed forward move; 409 otherwise.
    pub fn check_move(self, to: Self) -> ApiResult<()> {
        use MeetingStatus::*;
        match (self, to) {
            (a, b) if a == b => Ok(()),
            (Planned, Held) | (Planned, Cancelled) | (Held, MinutesApproved) => Ok(()),
            (from, to) => Err(ApiError::Conflict(format!(
                "a meeting cannot move from {} to {} (planned → held or cancelled; \
                 held → minutes_approved)",
                from.as_str(),
                to.as_str()
            ))),
        }
    }
}

/// The date in Sweden of an instant: the date a meeting is held on, for "who is in the group
/// on that date" and "approved on or after the meeting".
pub fn date_in_sweden(at: DateTime<Utc>) -> NaiveDate {
    super::time::swedish_date(at)
}

/// Where a meeting takes place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// E.g. "Bolmen" or "Digitalt via Teams" (1–200 characters on one line).
    #[serde(default)]
    #[schema(
        example = "Bolmen",
        min_length = 1,
        max_length = 200,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: Option<String>,
    /// E.g. "Nygatan 20, Växjö" (1–200 characters on one line).
    #[serde(default)]
    #[schema(
        example = "Nygatan 20, Växjö",
        min_length = 1,
        max_length = 200,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub address: Option<String>,
    /// Held online (wholly or partly).
    #[serde(default)]
    pub online: bool,
    /// The meeting link: an absolute http(s) URL.
    #[serde(default)]
    #[schema(
        example = "https://teams.example/m/1",
        max_length = 2000,
        pattern = r"^ *[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*\.?([/?#][^\u0000-\u001F\u007F-\u009F]*)? *$"
    )]
    pub online_url: Option<String>,
}

impl Location {
    /// The place in one line, e.g. "Bolmen, Nygatan 20, Växjö" or "Digitalt via Teams".
    pub fn describe(&self) -> String {
        let parts: Vec<&str> = [self.name.as_deref(), self.address.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        parts.join(", ")
    }
}

string_enum! {
    /// What a linked document is.
    pub enum DocumentKind {
        /// Kallelse.
        Invitation = "invitation",
        /// Protokoll / mötesanteckningar.
        Minutes = "minutes",
        /// Bilaga.
        Attachment = "attachment",
        /// Presentation.
        Presentation = "presentation",
    }
}

/// A link to a document, e.g. in the document portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Title, 1–200 characters on one line.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub title: String,
    /// An absolute http(s) URL.
    #[schema(
        example = "https://dokument.example/kallelse.pdf",
        max_length = 2000,
        pattern = r"^ *[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*\.?([/?#][^\u0000-\u001F\u007F-\u009F]*)? *$"
    )]
    pub url: String,
    /// Kind.
    pub kind: DocumentKind,
}

/// The fields of a meeting as a client sends them, before any check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncheckedMeeting {
    /// The group.
    pub group_id: Uuid,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: MeetingKind,
    /// What its record is called.
    pub record_kind: RecordKind,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Held over whole days (a forum, a retreat): only the dates of `starts_at` and `ends_at`
    /// in Sweden count, inclusive.
    pub all_day: bool,
    /// Place.
    pub location: Location,
    /// Status.
    pub status: MeetingStatus,
    /// Chair.
    pub chair_id: Option<Uuid>,
    /// Minute-taker.
    pub minutes_taker_id: Option<Uuid>,
    /// Checkers.
    pub minutes_checkers: Vec<Uuid>,
    /// Documents.
    pub documents: Vec<Document>,
    /// Public.
    pub public: bool,
    /// When the minutes were approved.
    pub minutes_approved_on: Option<NaiveDate>,
    /// The meeting that approved them.
    pub minutes_approved_in_meeting_id: Option<Uuid>,
}

/// A meeting whose own fields are consistent; the store checks references and the lifecycle.
/// Only [`Meeting::parse`] builds one; its fields are read through `Deref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting(UncheckedMeeting);

impl Deref for Meeting {
    type Target = UncheckedMeeting;

    fn deref(&self) -> &UncheckedMeeting {
        &self.0
    }
}

impl Meeting {
    /// Checks every field and the rules between them; all errors are reported at once.
    pub fn parse(mut input: UncheckedMeeting) -> ApiResult<Self> {
        input.check()?;
        Ok(Self(input))
    }
}

impl UncheckedMeeting {
    fn check(&mut self) -> ApiResult<()> {
        let mut errors = FieldErrors::default();
        if let Some(title) = errors.check("title", one_line(&self.title, 1, 200)) {
            self.title = title;
        }
        for (field, at) in [("starts_at", self.starts_at), ("ends_at", self.ends_at)] {
            if !super::time::in_range(at) {
                errors.add(field, super::time::OUT_OF_RANGE);
            }
        }
        if self.all_day {
            let first = super::time::swedish_date(self.starts_at);
            let last = super::time::swedish_date(self.ends_at);
            self.starts_at = super::time::swedish_midnight(first);
            self.ends_at = last
                .succ_opt()
                .map_or(self.ends_at, super::time::swedish_midnight);
            if last < first {
                errors.add(
                    "ends_at",
                    "an all-day meeting ends on or after the day it starts",
                );
            }
        }
        if self.ends_at <= self.starts_at {
            if !self.all_day {
                errors.add("ends_at", "must be after starts_at");
            }
        } else if self.ends_at - self.starts_at > chrono::Duration::hours(MAX_HOURS) {
            errors.add(
                "ends_at",
                format!("a meeting lasts at most {MAX_HOURS} hours"),
            );
        }
        for (field, value) in [
            ("location.name", &mut self.location.name),
            ("location.address", &mut self.location.address),
        ] {
            if let Some(text) = value.as_deref() {
                *value = errors.check(field, one_line(text, 1, 200));
            }
        }
        if let Some(url) = self.location.online_url.as_deref() {
            self.location.online_url = errors
                .check("location.online_url", WebUrl::parse(url))
                .map(|u| u.as_str().to_owned());
        }
        if self.minutes_checkers.len() > MAX_LIST {
            errors.add("minutes_checkers", format!("at most {MAX_LIST}"));
        }
        if self.documents.len() > MAX_LIST {
            errors.add("documents", format!("at most {MAX_LIST}"));
        }
        for (i, document) in self.documents.iter_mut().enumerate() {
            if let Some(title) = errors.check(
                &format!("documents[{i}].title"),
                one_line(&document.title, 1, 200),
            ) {
                document.title = title;
            }
            if let Some(url) =
                errors.check(&format!("documents[{i}].url"), WebUrl::parse(&document.url))
            {
                document.url = url.as_str().to_owned();
            }
        }
        let approved = self.status == MeetingStatus::MinutesApproved;
        if approved && self.minutes_approved_on.is_none() {
            errors.add(
                "minutes_approved_on",
                "is required when the minutes are approved",
            );
        }
        if !approved && self.minutes_approved_on.is_some() {
            errors.add(
                "minutes_approved_on",
                "only for a meeting whose minutes are approved",
            );
        }
        if !approved && self.minutes_approved_in_meeting_id.is_some() {
            errors.add(
                "minutes_approved_in_meeting_id",
                "only for a meeting whose minutes are approved",
            );
        }
        errors.finish()
    }
}

pub use agenda::{AgendaItem, UncheckedAgendaItem};
pub use attendance::{AttendanceEntry, AttendanceStatus};

#[cfg(test)]
mod tests {
    use regex::Regex;
    use utoipa::PartialSchema;

    use super::*;
    use crate::domain::text::multi_line;

    /// The pattern the document states for `field` of the schema `T`.
    fn documented<T: PartialSchema>(field: &str) -> Regex {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let pattern = schema["properties"][field]["pattern"].as_str().unwrap();
        Regex::new(pattern).unwrap()
    }

    #[test]
    fn the_documented_patterns_agree_with_the_checks() {
        let url = documented::<Location>("online_url");
        for (text, ok) in [
            ("https://vaxjo.se", true),
            ("HTTP://Region-Kronoberg.se/a?b=c#d", true),
            (" https://vaxjo.se ", true),
            ("https://vaxjo.se.", true),
            ("ftp://vaxjo.se", false),
            ("https://", false),
            ("javascript:alert(1)", false),
            ("https://vaxjo.se/a b", true),
            ("https://vaxjo.se?q", true),
            ("https://vaxjo.se\u{7}", false),
            ("https://1.2.3.4.5", false),
        ] {
            assert_eq!(url.is_match(text), ok, "pattern on {text:?}");
            assert_eq!(WebUrl::parse(text).is_ok(), ok, "check on {text:?}");
        }
        for pattern in [
            documented::<Location>("name"),
            documented::<Document>("title"),
        ] {
            for (text, ok) in [
                ("Bolmen", true),
                (" Nygatan 20, Växjö ", true),
                ("", false),
                ("   ", false),
                ("a\u{7}b", false),
                ("a\nb", false),
                ("a\u{85}b", false),
                ("a\u{202E}b", false),
                ("a\u{200B}b", false),
                ("\u{FEFF}", false),
                ("\u{2028}Bolmen\u{2029}", true),
                ("Bol\u{2028}men", false),
            ] {
                assert_eq!(pattern.is_match(text), ok, "pattern on {text:?}");
                assert_eq!(one_line(text, 1, 200).is_ok(), ok, "check on {text:?}");
            }
        }
        let note = documented::<AttendanceEntry>("note");
        for (text, ok) in [
            ("Lämnade efter punkt 5\n\tsedan", true),
            ("a\u{1b}b", false),
        ] {
            assert_eq!(note.is_match(text), ok, "pattern on {text:?}");
            assert_eq!(multi_line(text, 2000).is_ok(), ok, "check on {text:?}");
        }
    }

    #[test]
    fn statuses_move_only_forward() {
        use MeetingStatus::*;
        for (from, to, ok) in [
            (Planned, Held, true),
            (Planned, Cancelled, true),
            (Held, MinutesApproved, true),
            (Planned, Planned, true),
            (Planned, MinutesApproved, false),
            (Held, Planned, false),
            (Held, Cancelled, false),
            (Cancelled, Planned, false),
            (Cancelled, Held, false),
            (MinutesApproved, Held, false),
        ] {
            assert_eq!(from.check_move(to).is_ok(), ok, "{from:?} → {to:?}");
        }
    }

    #[test]
    fn a_place_reads_as_one_line() {
        let place = Location {
            name: Some("Bolmen".into()),
            address: Some("Nygatan 20, Växjö".into()),
            ..Default::default()
        };
        assert_eq!(place.describe(), "Bolmen, Nygatan 20, Växjö");
    }
}
