//! Dates and times as the minutes write them, in Stockholm time: "Fredagen den 5 november
//! 2021 kl. 08:30–11:30" or "Friday 5 November 2021, 08:30–11:30".

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Europe::Stockholm;

use super::Lang;

const WEEKDAYS_SV: [&str; 7] = [
    "måndagen",
    "tisdagen",
    "onsdagen",
    "torsdagen",
    "fredagen",
    "lördagen",
    "söndagen",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "Fredagen den 5 november 2021 kl. 08:30–11:30" /
/// "Friday 5 November 2021, 08:30–11:30", in Stockholm time. A meeting
/// that ends on another day gets both dates.
pub(super) fn time_span(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, lang: Lang) -> String {
    let start = starts_at.with_timezone(&Stockholm);
    let end = ends_at.with_timezone(&Stockholm);
    let hm = |t: &DateTime<chrono_tz::Tz>| format!("{:02}:{:02}", t.hour(), t.minute());
    if start.date_naive() == end.date_naive() {
        match lang {
            Lang::Sv => format!(
                "{} kl. {}–{}",
                capitalise(&date_sv(&start)),
                hm(&start),
                hm(&end)
            ),
            Lang::En => format!("{}, {}–{}", date_en(&start), hm(&start), hm(&end)),
        }
    } else {
        match lang {
            Lang::Sv => format!(
                "{} kl. {} – {} kl. {}",
                capitalise(&date_sv(&start)),
                hm(&start),
                date_sv(&end),
                hm(&end)
            ),
            Lang::En => format!(
                "{}, {} – {}, {}",
                date_en(&start),
                hm(&start),
                date_en(&end),
                hm(&end)
            ),
        }
    }
}

/// The days of an all-day meeting stored from `starts_at` to the midnight after its last day:
/// "Fredagen den 14 januari 2022" or "Torsdagen den 17 mars 2022 – fredagen den 18 mars 2022".
pub(super) fn day_span(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, lang: Lang) -> String {
    let start = starts_at.with_timezone(&Stockholm);
    let end = (ends_at - chrono::Duration::seconds(1)).with_timezone(&Stockholm);
    let one = |t: &DateTime<chrono_tz::Tz>| match lang {
        Lang::Sv => date_sv(t),
        Lang::En => date_en(t),
    };
    let first = capitalise(&one(&start));
    if start.date_naive() >= end.date_naive() {
        first
    } else {
        format!("{first} – {}", one(&end))
    }
}

/// "fredagen den 5 november 2021" (lower case, for use mid-sentence).
fn date_sv(t: &DateTime<chrono_tz::Tz>) -> String {
    format!(
        "{} den {} {} {}",
        WEEKDAYS_SV[t.weekday().num_days_from_monday() as usize],
        t.day(),
        MONTHS_SV[t.month0() as usize],
        t.year()
    )
}

/// "Friday 5 November 2021".
fn date_en(t: &DateTime<chrono_tz::Tz>) -> String {
    format!(
        "{} {} {} {}",
        WEEKDAYS_EN[t.weekday().num_days_from_monday() as usize],
        t.day(),
        MONTHS_EN[t.month0() as usize],
        t.year()
    )
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::{Lang, time_span};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
    }

    #[test]
    fn a_meeting_over_two_days_gives_both_dates() {
        assert_eq!(
            time_span(utc(2022, 3, 17, 8, 0), utc(2022, 3, 18, 13, 0), Lang::Sv),
            "Torsdagen den 17 mars 2022 kl. 09:00 – fredagen den 18 mars 2022 kl. 14:00"
        );
        assert_eq!(
            time_span(utc(2022, 3, 17, 8, 0), utc(2022, 3, 18, 13, 0), Lang::En),
            "Thursday 17 March 2022, 09:00 – Friday 18 March 2022, 14:00"
        );
        // Midnight in Stockholm is still the previous day in UTC.
        assert_eq!(
            time_span(utc(2021, 12, 31, 23, 0), utc(2022, 1, 1, 0, 0), Lang::Sv),
            "Lördagen den 1 januari 2022 kl. 00:00–01:00"
        );
    }
}
