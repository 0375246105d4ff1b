//! The range of dates and times the service accepts anywhere (request fields, query parameters,
//! cursors): the years 1900 to 2200. Outside it a request is refused (400 or 422), the same on
//! both databases, and calendar feeds stay valid RFC 5545.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The first year accepted.
pub const MIN_YEAR: i32 = 1900;
/// The last year accepted.
pub const MAX_YEAR: i32 = 2200;

/// The message of a date or time outside the range.
pub const OUT_OF_RANGE: &str = "must be in the years 1900 to 2200";

/// Whether `day` is in the accepted range.
pub fn date_in_range(day: NaiveDate) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&day.year())
}

/// Whether `at` is in the accepted range.
pub fn in_range(at: DateTime<Utc>) -> bool {
    date_in_range(at.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_is_1900_to_2200() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(date_in_range(day(1900, 1, 1)));
        assert!(date_in_range(day(2200, 12, 31)));
        assert!(!date_in_range(day(1899, 12, 31)));
        assert!(!date_in_range(day(2201, 1, 1)));
        assert!(!in_range(DateTime::<Utc>::MIN_UTC));
        assert!(in_range(Utc::now()));
    }
}
