//! The feeds checked as RFC 5545 documents: parsed back, folded, escaped, and in Stockholm
//! time across the summer-time changes.

use chrono::NaiveDateTime;
use icalendar::parser::{self, read_calendar, unfold};
use icalendar::{Calendar, DatePerhapsTime};
use uuid::Uuid;

use super::*;

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn meeting() -> MeetingEvent {
    MeetingEvent {
        id: Uuid::parse_str("0b7e3c52-6a0c-4c1e-9d0a-2f6c1c0f9a11").unwrap(),
        title: "Styrgruppsmöte".to_owned(),
        description: None,
        starts_at: utc("2021-11-05T07:30:00Z"),
        ends_at: utc("2021-11-05T09:00:00Z"),
        all_day: false,
        location: Some("Digitalt via Teams".to_owned()),
        url: Some("https://samverkan.example/meetings/0b7e3c52".to_owned()),
        status: EventStatus::Confirmed,
        sequence: 0,
        updated_at: utc("2021-10-20T12:00:00Z"),
        created_at: utc("2021-10-01T08:15:00Z"),
    }
}

/// Parses the feed with the crate's reader, into its typed calendar.
fn parse(feed: &str) -> Calendar {
    feed.parse().unwrap()
}

fn only_event(feed: &str) -> Event {
    let calendar = parse(feed);
    let events: Vec<&Event> = calendar.events().collect();
    assert_eq!(events.len(), 1, "{feed}");
    events[0].clone()
}

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").unwrap()
}

fn assert_local(event: &Event, key: &str, expected: &str) {
    let property = event.properties().get(key).unwrap();
    assert_eq!(property.value(), expected, "{key}");
    assert_eq!(
        property
            .params()
            .get("TZID")
            .map(icalendar::Parameter::value),
        Some(TZID),
        "{key}"
    );
    let read = match key {
        "DTSTART" => event.get_start(),
        _ => event.get_end(),
    };
    assert_eq!(
        read,
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone {
            date_time: local(expected),
            tzid: TZID.to_owned(),
        }))
    );
}

#[test]
fn an_all_day_meeting_is_an_all_day_event() {
    // The retreat of 17–18 March 2022: from the midnight of the 17th to the one after the 18th.
    let retreat = MeetingEvent {
        starts_at: utc("2022-03-16T23:00:00Z"),
        ends_at: utc("2022-03-18T23:00:00Z"),
        all_day: true,
        ..meeting()
    };
    let feed = calendar("Samverkan", &[retreat]);

    assert!(feed.contains("DTSTART;VALUE=DATE:20220317\r\n"), "{feed}");
    assert!(feed.contains("DTEND;VALUE=DATE:20220319\r\n"), "{feed}");
    let event = only_event(&feed);
    let day = |d| DatePerhapsTime::Date(chrono::NaiveDate::from_ymd_opt(2022, 3, d).unwrap());
    assert_eq!(event.get_start(), Some(day(17)));
    assert_eq!(event.get_end(), Some(day(19)), "DTEND is exclusive");
}

#[test]
fn a_winter_meeting_is_written_in_central_european_time() {
    let feed = calendar("Samverkan", &[meeting()]);

    let event = only_event(&feed);
    assert_local(&event, "DTSTART", "20211105T083000");
    assert_local(&event, "DTEND", "20211105T100000");
}

#[test]
fn a_summer_meeting_is_written_in_summer_time() {
    let summer = MeetingEvent {
        starts_at: utc("2021-06-04T06:30:00Z"),
        ends_at: utc("2021-06-04T08:00:00Z"),
        ..meeting()
    };

    let feed = calendar("Samverkan", &[summer]);

    let event = only_event(&feed);
    assert_local(&event, "DTSTART", "20210604T083000");
    assert_local(&event, "DTEND", "20210604T100000");
    let start = event.get_start().unwrap();
    let DatePerhapsTime::DateTime(start) = start else {
        panic!("a date-time, not a date");
    };
    assert_eq!(start.try_into_utc(), Some(utc("2021-06-04T06:30:00Z")));
}

#[test]
fn the_second_occurrence_of_the_repeated_autumn_hour_is_written_in_utc() {
    // 2021-10-31 02:30 local happens twice; 01:30Z is the second time.
    let first = MeetingEvent {
        starts_at: utc("2021-10-31T00:30:00Z"),
        ..meeting()
    };
    let second = MeetingEvent {
        starts_at: utc("2021-10-31T01:30:00Z"),
        ..meeting()
    };

    let first = only_event(&calendar("Samverkan", &[first]));
    let second = only_event(&calendar("Samverkan", &[second]));

    assert_local(&first, "DTSTART", "20211031T023000");
    let start = second.properties().get("DTSTART").unwrap();
    assert_eq!(start.value(), "20211031T013000Z");
    assert!(start.params().get("TZID").is_none());
}

#[test]
fn the_uid_is_the_same_in_every_rendering() {
    let first = only_event(&calendar("Samverkan", &[meeting()]));
    let changed = MeetingEvent {
        title: "Nytt namn".to_owned(),
        sequence: 1,
        ..meeting()
    };
    let second = only_event(&calendar("Samverkan", &[changed]));

    assert_eq!(
        first.get_uid(),
        Some("0b7e3c52-6a0c-4c1e-9d0a-2f6c1c0f9a11@samverkan")
    );
    assert_eq!(first.get_uid(), second.get_uid());
}

#[test]
fn rendering_twice_gives_identical_documents() {
    let events = [meeting()];

    assert_eq!(
        calendar("Samverkan", &events),
        calendar("Samverkan", &events)
    );
}

#[test]
fn every_event_property_is_written() {
    let full = MeetingEvent {
        description: Some("Dagordning bifogas.".to_owned()),
        sequence: 7,
        status: EventStatus::Tentative,
        ..meeting()
    };

    let event = only_event(&calendar("Samverkan", &[full]));

    assert_eq!(event.get_sequence(), Some(7));
    assert_eq!(event.get_status(), Some(icalendar::EventStatus::Tentative));
    assert_eq!(event.get_summary(), Some("Styrgruppsmöte"));
    assert_eq!(event.get_description(), Some("Dagordning bifogas."));
    assert_eq!(event.get_location(), Some("Digitalt via Teams"));
    assert_eq!(
        event.get_url(),
        Some("https://samverkan.example/meetings/0b7e3c52")
    );
    assert_eq!(event.get_timestamp(), Some(utc("2021-10-20T12:00:00Z")));
    assert_eq!(event.get_last_modified(), Some(utc("2021-10-20T12:00:00Z")));
    assert_eq!(event.get_created(), Some(utc("2021-10-01T08:15:00Z")));
    assert_eq!(event.property_value("DTSTAMP"), Some("20211020T120000Z"));
}

#[test]
fn absent_optional_fields_are_left_out() {
    let bare = MeetingEvent {
        location: None,
        url: None,
        ..meeting()
    };

    let event = only_event(&calendar("Samverkan", &[bare]));

    for key in ["DESCRIPTION", "LOCATION", "URL"] {
        assert!(event.properties().get(key).is_none(), "{key}");
    }
}

#[test]
fn a_cancelled_meeting_has_status_cancelled() {
    let cancelled = MeetingEvent {
        status: EventStatus::Cancelled,
        sequence: 3,
        ..meeting()
    };

    let feed = calendar("Samverkan", &[cancelled]);

    let event = only_event(&feed);
    assert_eq!(event.get_status(), Some(icalendar::EventStatus::Cancelled));
    assert_eq!(event.get_sequence(), Some(3));
    assert!(feed.contains("\r\nSTATUS:CANCELLED\r\n"));
}

#[test]
fn special_characters_are_escaped_and_round_trip() {
    let title = "Möte; budget, uppföljning\noch \\ övrigt";
    let location = "Bolmen, Nygatan 20, Växjö;\r\nplan 3";
    let tricky = MeetingEvent {
        title: title.to_owned(),
        location: Some(location.to_owned()),
        ..meeting()
    };

    let feed = calendar("Kronoberg, Växjö; samverkan", &[tricky]);

    let unfolded = unfold(&feed);
    assert!(
        unfolded.contains(r"SUMMARY:Möte\; budget\, uppföljning\noch \\ övrigt"),
        "{feed}"
    );
    assert!(unfolded.contains(r"LOCATION:Bolmen\, Nygatan 20\, Växjö\;\nplan 3"));
    let calendar = parse(&feed);
    assert_eq!(
        calendar.property_value("X-WR-CALNAME"),
        Some("Kronoberg, Växjö; samverkan")
    );
    let event = calendar.events().next().unwrap();
    assert_eq!(event.get_summary(), Some(title));
    assert_eq!(
        event.get_location(),
        Some("Bolmen, Nygatan 20, Växjö;\nplan 3")
    );
}

#[test]
fn control_characters_cannot_start_a_new_content_line() {
    let hostile = MeetingEvent {
        title: "Möte\rSTATUS:CANCELLED".to_owned(),
        url: Some("https://example.org/\r\nSTATUS:CANCELLED".to_owned()),
        ..meeting()
    };

    let feed = calendar("Samverkan\u{7}", &[hostile]);

    assert!(!feed.contains("\r\nSTATUS:CANCELLED"));
    let event = only_event(&feed);
    assert_eq!(event.get_status(), Some(icalendar::EventStatus::Confirmed));
    assert_eq!(event.get_summary(), Some("Möte\nSTATUS:CANCELLED"));
    assert_eq!(
        event.get_url(),
        Some("https://example.org/STATUS:CANCELLED")
    );
    assert_eq!(
        parse(&feed).property_value("X-WR-CALNAME"),
        Some("Samverkan")
    );
}

#[test]
fn long_lines_are_folded_and_unfold_to_the_original() {
    let description = "Årsmöte för samverkansgruppen i Kronobergs län: \
            genomgång av handlingsplanen, indikatorerna för året, \
            budgeten och de beslut som återstår. Välkomna till Växjö! "
        .repeat(4);
    let long = MeetingEvent {
        description: Some(description.clone()),
        ..meeting()
    };

    let feed = calendar("Samverkan", &[long]);

    for line in feed.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    assert!(feed.contains("\r\n "), "something was folded");
    let unfolded = unfold(&feed);
    let expected_line = format!("DESCRIPTION:{}", description.replace(',', r"\,"));
    assert!(unfolded.split("\r\n").any(|line| line == expected_line));
    assert_eq!(
        only_event(&feed).get_description(),
        Some(description.as_str())
    );
}

fn value<'a>(component: &'a parser::Component<'_>, key: &str) -> &'a str {
    component.find_prop(key).unwrap().val.as_str()
}

#[test]
fn there_is_exactly_one_vtimezone_with_standard_and_daylight_rules() {
    let feed = calendar("Samverkan", &[meeting(), meeting()]);

    let unfolded = unfold(&feed);
    let parsed = read_calendar(&unfolded).unwrap();
    let timezones: Vec<&parser::Component<'_>> = parsed
        .components
        .iter()
        .filter(|component| component.name == "VTIMEZONE")
        .collect();
    assert_eq!(timezones.len(), 1);
    let timezone = timezones[0];
    assert_eq!(value(timezone, "TZID"), TZID);
    assert!(timezone.find_prop("UID").is_none());
    assert!(timezone.find_prop("DTSTAMP").is_none());
    let names: Vec<&str> = timezone
        .components
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["STANDARD", "DAYLIGHT"]);
    let standard = &timezone.components[0];
    assert_eq!(value(standard, "TZOFFSETFROM"), "+0200");
    assert_eq!(value(standard, "TZOFFSETTO"), "+0100");
    assert_eq!(value(standard, "TZNAME"), "CET");
    assert_eq!(value(standard, "DTSTART"), "19701025T030000");
    assert_eq!(
        value(standard, "RRULE"),
        "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"
    );
    let daylight = &timezone.components[1];
    assert_eq!(value(daylight, "TZOFFSETFROM"), "+0100");
    assert_eq!(value(daylight, "TZOFFSETTO"), "+0200");
    assert_eq!(value(daylight, "TZNAME"), "CEST");
    assert_eq!(value(daylight, "DTSTART"), "19700329T020000");
    assert_eq!(value(daylight, "RRULE"), "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
}

#[test]
fn the_vtimezone_agrees_with_the_timezone_database() {
    // The last Sundays of March and October 2021, an hour after each change.
    let summer = Stockholm.with_ymd_and_hms(2021, 3, 28, 3, 0, 0).unwrap();
    let winter = Stockholm.with_ymd_and_hms(2021, 10, 31, 3, 0, 0).unwrap();

    assert_eq!(summer.format("%z %Z").to_string(), "+0200 CEST");
    assert_eq!(winter.format("%z %Z").to_string(), "+0100 CET");
    assert_eq!(Stockholm.name(), TZID);
}

#[test]
fn the_calendar_properties_are_set() {
    let feed = calendar("Styrgruppen Kronoberg", &[meeting()]);

    let calendar = parse(&feed);
    assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
    assert_eq!(calendar.property_value("PRODID"), Some(PRODID));
    assert_eq!(calendar.property_value("CALSCALE"), Some("GREGORIAN"));
    assert_eq!(calendar.property_value("METHOD"), Some("PUBLISH"));
    assert_eq!(
        calendar.property_value("X-WR-CALNAME"),
        Some("Styrgruppen Kronoberg")
    );
    assert_eq!(calendar.property_value("X-WR-TIMEZONE"), Some(TZID));
    assert!(feed.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(feed.ends_with("END:VCALENDAR\r\n"));
}

#[test]
fn an_empty_feed_is_a_valid_calendar_with_the_timezone() {
    let feed = calendar("Samverkan", &[]);

    let calendar = parse(&feed);
    assert_eq!(calendar.events().count(), 0);
    assert_eq!(calendar.components.len(), 1);
    let unfolded = unfold(&feed);
    let parsed = read_calendar(&unfolded).unwrap();
    let names: Vec<&str> = parsed.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["VTIMEZONE"]);
}

#[test]
fn one_event_per_meeting() {
    let second = MeetingEvent {
        id: Uuid::parse_str("5d1f0c8e-2b7a-4f3e-8c6d-9a0b1c2d3e4f").unwrap(),
        ..meeting()
    };

    let feed = calendar("Samverkan", &[meeting(), second]);

    let uids: Vec<String> = parse(&feed)
        .events()
        .filter_map(|event| event.get_uid().map(str::to_owned))
        .collect();
    assert_eq!(
        uids,
        [
            "0b7e3c52-6a0c-4c1e-9d0a-2f6c1c0f9a11@samverkan",
            "5d1f0c8e-2b7a-4f3e-8c6d-9a0b1c2d3e4f@samverkan",
        ]
    );
}

#[test]
fn every_line_ends_with_crlf() {
    let feed = calendar("Samverkan", &[meeting()]);

    assert!(feed.ends_with("\r\n"));
    let bytes = feed.as_bytes();
    for (index, byte) in bytes.iter().enumerate() {
        match byte {
            b'\n' => assert_eq!(bytes.get(index.wrapping_sub(1)), Some(&b'\r'), "{index}"),
            b'\r' => assert_eq!(bytes.get(index + 1), Some(&b'\n'), "{index}"),
            _ => {}
        }
    }
}
