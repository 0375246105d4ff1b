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
