//! The range of dates and times the service accepts anywhere (request fields, query parameters,
//! cursors): the years 1900 to 2200. Outside it a request is refused (400 or 422), the same on
//! both databases, and calendar feeds stay valid RFC 5545.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{KnownFormat, ObjectBuilder, RefOr, Schema, SchemaFormat, Type},
};

/// The first year accepted.
pub const MIN_YEAR: i32 = 1900;
/// The last year accepted.
pub const MAX_YEAR: i32 = 2200;

/// The message of a date or time outside the range.
pub const OUT_OF_RANGE: &str = "must be in the years 1900 to 2200";

/// The pattern of a date in the accepted range, as the OpenAPI document states it.
pub const DATE_PATTERN: &str = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$";

/// A calendar date in the accepted range: what every date a request sends (a field or a query
/// parameter) is read as, so that none outside it reaches a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Day(pub NaiveDate);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let day = NaiveDate::deserialize(de)?;
        if date_in_range(day) {
            Ok(Self(day))
        } else {
            Err(serde::de::Error::custom(OUT_OF_RANGE))
        }
    }
}

impl std::ops::Deref for Day {
    type Target = NaiveDate;

    fn deref(&self) -> &NaiveDate {
        &self.0
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<Day> for NaiveDate {
    fn from(day: Day) -> Self {
        day.0
    }
}

impl PartialSchema for Day {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(DATE_PATTERN))
            .description(Some("A date (ISO 8601), in the years 1900 to 2200"))
            .into()
    }
}

impl ToSchema for Day {}

/// Whether `day` is in the accepted range.
pub fn date_in_range(day: NaiveDate) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&day.year())
}

/// Whether `at` is in the accepted range.
pub fn in_range(at: DateTime<Utc>) -> bool {
    date_in_range(at.date_naive())
}

/// Midnight in Sweden at the start of `day`.
pub fn swedish_midnight(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let local = day.and_time(chrono::NaiveTime::MIN);
    chrono_tz::Europe::Stockholm
        .from_local_datetime(&local)
        .earliest()
        .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc))
}

/// The date in Sweden of an instant.
pub fn swedish_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::Stockholm).date_naive()
}

/// A `from` or `to` query parameter: a date (`2021-12-04`, a whole day in Sweden) or an
/// RFC 3339 timestamp, in the accepted range. Every `from`/`to` of the API reads it the same
/// way: a list of instants starts at the date's midnight and ends at the end of the `to` date;
/// a list of dates takes the Swedish date of a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// A whole day.
    Date(NaiveDate),
    /// An instant.
    Time(DateTime<Utc>),
}

/// The pattern of a timestamp in the accepted range, as the OpenAPI document states it.
pub const TIME_PATTERN: &str = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-";

impl Bound {
    /// Parses a date or an RFC 3339 timestamp (a `+` sent unescaped reads as a space).
    pub fn parse(text: &str) -> Result<Self, String> {
        let bound = if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Self::Date(day)
        } else {
            DateTime::parse_from_rfc3339(text)
                .or_else(|_| DateTime::parse_from_rfc3339(&text.replace(' ', "+")))
                .map(|at| Self::Time(at.with_timezone(&Utc)))
                .map_err(|_| {
                    "must be a date (2021-12-04) or an RFC 3339 timestamp \
                     (2021-12-04T08:30:00+01:00)"
                        .to_owned()
                })?
        };
        if date_in_range(bound.first_day()) {
            Ok(bound)
        } else {
            Err(OUT_OF_RANGE.into())
        }
    }

    /// The first instant it covers.
    pub fn start(self) -> DateTime<Utc> {
        match self {
            Self::Date(day) => swedish_midnight(day),
            Self::Time(at) => at,
        }
    }

    /// The instant it ends at (exclusive): the next midnight for a date.
    pub fn end(self) -> DateTime<Utc> {
        match self {
            Self::Date(day) => day
                .succ_opt()
                .map_or_else(|| swedish_midnight(day), swedish_midnight),
            Self::Time(at) => at,
        }
    }

    /// The first date it covers.
    pub fn first_day(self) -> NaiveDate {
        match self {
            Self::Date(day) => day,
            Self::Time(at) => swedish_date(at),
        }
    }

    /// The last date it covers.
    pub fn last_day(self) -> NaiveDate {
        self.first_day()
    }
}

impl<'de> Deserialize<'de> for Bound {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl PartialSchema for Bound {
    fn schema() -> RefOr<Schema> {
        let date = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(DATE_PATTERN));
        let time = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .pattern(Some(TIME_PATTERN));
        utoipa::openapi::schema::AnyOfBuilder::new()
            .item(date)
            .item(time)
            .description(Some(
                "A date (a whole day in Sweden) or an RFC 3339 timestamp, in the years 1900 \
                 to 2200",
            ))
            .into()
    }
}

impl ToSchema for Bound {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_is_a_swedish_day_or_an_instant() {
        let day = Bound::parse("2021-12-04").unwrap();
        assert_eq!(day.start().to_rfc3339(), "2021-12-03T23:00:00+00:00");
        assert_eq!(day.end().to_rfc3339(), "2021-12-04T23:00:00+00:00");
        let summer = Bound::parse("2021-06-04").unwrap();
        assert_eq!(summer.start().to_rfc3339(), "2021-06-03T22:00:00+00:00");
        let at = Bound::parse("2021-12-04T23:30:00Z").unwrap();
        assert_eq!(at.first_day().to_string(), "2021-12-05", "Swedish date");
        assert_eq!(at.start(), at.end());
        assert_eq!(
            Bound::parse("2021-12-04T08:30:00 01:00")
                .unwrap()
                .start()
                .to_rfc3339(),
            "2021-12-04T07:30:00+00:00"
        );
        assert!(Bound::parse("1899-12-31").is_err());
        assert!(Bound::parse("2021-13-01").is_err());
        assert!(Bound::parse("-9999-01-01").is_err());
        assert!(Bound::parse("+12345-01-01T00:00:00Z").is_err());
        for ok in ["2021-12-04", "2021-12-04T08:30:00Z", "2021-12-04t08:30:00z"] {
            assert!(Bound::parse(ok).is_ok(), "{ok}");
        }
    }

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
