//! iCalendar (RFC 5545) feeds of meetings.
//!
//! Events are built with the `icalendar` crate, which escapes TEXT values and
//! folds long lines at 75 octets on UTF-8 character boundaries. The
//! `VTIMEZONE` is written by hand: the crate has no timezone component, and
//! its generic component writer would add a `DTSTAMP` and a random `UID` to
//! `VTIMEZONE`, `STANDARD` and `DAYLIGHT`, which RFC 5545 does not allow there.

use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use icalendar::{CalendarDateTime, Component, Event, EventLike, Property};

/// The timezone every local date-time in the feed refers to.
const TZID: &str = "Europe/Stockholm";

/// `PRODID` of the feeds this service publishes.
const PRODID: &str = "-//samverkan//samverkan//SV";

/// Suffix that makes a meeting id a globally unique `UID`.
const UID_DOMAIN: &str = "samverkan";

/// The `VTIMEZONE` for Europe/Stockholm under the EU rules in force since 1996:
/// summer time from the last Sunday in March to the last Sunday in October.
const VTIMEZONE: &str = concat!(
    "BEGIN:VTIMEZONE\r\n",
    "TZID:Europe/Stockholm\r\n",
    "BEGIN:STANDARD\r\n",
    "TZOFFSETFROM:+0200\r\n",
    "TZOFFSETTO:+0100\r\n",
    "TZNAME:CET\r\n",
    "DTSTART:19701025T030000\r\n",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n",
    "END:STANDARD\r\n",
    "BEGIN:DAYLIGHT\r\n",
    "TZOFFSETFROM:+0100\r\n",
    "TZOFFSETTO:+0200\r\n",
    "TZNAME:CEST\r\n",
    "DTSTART:19700329T020000\r\n",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n",
    "END:DAYLIGHT\r\n",
    "END:VTIMEZONE\r\n",
);

/// Status of a calendar event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// The meeting will take place.
    Confirmed,
    /// The meeting is planned but not yet settled.
    Tentative,
    /// The meeting has been called off.
    Cancelled,
}

impl From<EventStatus> for icalendar::EventStatus {
    fn from(status: EventStatus) -> Self {
        match status {
            EventStatus::Confirmed => Self::Confirmed,
            EventStatus::Tentative => Self::Tentative,
            EventStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// One meeting as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingEvent {
    /// The meeting's id; the event's `UID` is `{id}@samverkan`.
    pub id: uuid::Uuid,
    /// `SUMMARY`.
    pub title: String,
    /// `DESCRIPTION`, left out when `None`.
    pub description: Option<String>,
    /// `DTSTART`, written in Stockholm local time.
    pub starts_at: DateTime<Utc>,
    /// `DTEND`, written in Stockholm local time.
    pub ends_at: DateTime<Utc>,
    /// Whole days: `DTSTART` and `DTEND` are dates (`VALUE=DATE`, the end exclusive).
    pub all_day: bool,
    /// `LOCATION`, e.g. "Digitalt via Teams" or "Bolmen, Nygatan 20, Växjö".
    pub location: Option<String>,
    /// `URL`, an absolute address of the meeting.
    pub url: Option<String>,
    /// `STATUS`.
    pub status: EventStatus,
    /// `SEQUENCE`: the meeting's version minus one, so it grows with every change.
    pub sequence: u32,
    /// `LAST-MODIFIED` and `DTSTAMP`.
    pub updated_at: DateTime<Utc>,
    /// `CREATED`.
    pub created_at: DateTime<Utc>,
}

/// A VCALENDAR with a VTIMEZONE for Europe/Stockholm and one VEVENT per meeting.
///
/// `name` becomes `X-WR-CALNAME`. The result uses CRLF line endings and folds
/// lines longer than 75 octets.
pub fn calendar(name: &str, events: &[MeetingEvent]) -> String {
    Feed { name, events }.to_string()
}

/// The whole document, written piece by piece so that the hand-written
/// `VTIMEZONE` sits between the calendar properties and the events.
struct Feed<'a> {
    name: &'a str,
    events: &'a [MeetingEvent],
}

impl fmt::Display for Feed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BEGIN:VCALENDAR\r\n")?;
        let properties = [
            Property::new("VERSION", "2.0"),
            Property::new("PRODID", PRODID),
            Property::new("CALSCALE", "GREGORIAN"),
            Property::new("METHOD", "PUBLISH"),
            Property::new("X-WR-CALNAME", clean_text(self.name)),
            Property::new("X-WR-TIMEZONE", TZID),
        ];
        for property in properties {
            let line: String = property.try_into()?;
            f.write_str(&line)?;
        }
        f.write_str(VTIMEZONE)?;
        for event in self.events {
            f.write_str(&vevent(event).try_into_string()?)?;
        }
        f.write_str("END:VCALENDAR\r\n")
    }
}

/// Builds the `VEVENT` for one meeting. Every property is set explicitly, so
/// the crate adds neither a random `UID` nor a wall-clock `DTSTAMP`.
fn vevent(meeting: &MeetingEvent) -> Event {
    let mut event = Event::new();
    event
        .uid(&format!("{}@{UID_DOMAIN}", meeting.id))
        .timestamp(meeting.updated_at)
        .summary(&clean_text(&meeting.title))
        .status(meeting.status.into())
        .sequence(meeting.sequence)
        .created(meeting.created_at)
        .last_modified(meeting.updated_at);
    if meeting.all_day {
        event
            .starts(crate::domain::time::swedish_date(meeting.starts_at))
            .ends(crate::domain::time::swedish_date(meeting.ends_at));
    } else {
        event
            .starts(local_date_time(meeting.starts_at))
            .ends(local_date_time(meeting.ends_at));
    }
    if let Some(description) = &meeting.description {
        event.description(&clean_text(description));
    }
    if let Some(location) = &meeting.location {
        event.location(&clean_text(location));
    }
    if let Some(url) = &meeting.url {
        event.url(&clean_uri(url));
    }
    event.done()
}

/// An instant as Stockholm local time with a `TZID` reference.
///
/// A local time in the repeated hour when summer time ends means its first
/// occurrence (RFC 5545 §3.3.5); an instant in the second occurrence is
/// written in UTC instead, so that it is not read an hour early.
fn local_date_time(instant: DateTime<Utc>) -> CalendarDateTime {
    let local = instant.with_timezone(&Stockholm).naive_local();
    match Stockholm.from_local_datetime(&local).earliest() {
        Some(read_back) if read_back.with_timezone(&Utc) == instant => {
            CalendarDateTime::WithTimezone {
                date_time: local,
                tzid: TZID.to_owned(),
            }
        }
        _ => CalendarDateTime::Utc(instant),
    }
}

/// Prepares a TEXT value for escaping: CRLF and lone CR become LF (which the
/// crate escapes as `\n`), other control characters but TAB are dropped.
fn clean_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect()
}

/// A URI value is not escaped, so control characters could end the content
/// line; drop them all.
fn clean_uri(uri: &str) -> String {
    uri.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests;
