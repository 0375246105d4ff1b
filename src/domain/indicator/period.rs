//! Reporting periods: a year, half-year, quarter or month, ordered in time, and the choice of
//! period a summary or dashboard is asked for.

use std::{fmt, str::FromStr};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        RefOr,
        schema::{ObjectBuilder, Schema, Type},
    },
};

/// The pattern of a period's text, as the OpenAPI document states it.
pub const PERIOD_PATTERN: &str = r"^(19\d{2}|2[01]\d{2}|2200)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$";

/// The pattern of a period choice: `latest` or a period.
pub const PERIOD_CHOICE_PATTERN: &str =
    r"^(latest|(19\d{2}|2[01]\d{2}|2200)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?)$";

/// A reporting period: a year ("2021"), half-year ("2021-H1"), quarter ("2021-Q3") or month
/// ("2021-05"). Periods order by their start, then the longer first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// A year.
    Year(i32),
    /// A half-year, 1 or 2.
    Half(i32, u32),
    /// A quarter, 1 to 4.
    Quarter(i32, u32),
    /// A month, 1 to 12.
    Month(i32, u32),
}

impl Period {
    /// The first month of the period.
    fn first_month(self) -> u32 {
        match self {
            Self::Year(_) => 1,
            Self::Half(_, h) => (h - 1) * 6 + 1,
            Self::Quarter(_, q) => (q - 1) * 3 + 1,
            Self::Month(_, m) => m,
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        match self {
            Self::Year(y) | Self::Half(y, _) | Self::Quarter(y, _) | Self::Month(y, _) => y,
        }
    }

    /// Months the period lasts.
    fn months(self) -> u32 {
        match self {
            Self::Year(_) => 12,
            Self::Half(..) => 6,
            Self::Quarter(..) => 3,
            Self::Month(..) => 1,
        }
    }

    /// The first day.
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.first_month(), 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day.
    pub fn end(self) -> NaiveDate {
        self.start()
            .checked_add_months(chrono::Months::new(self.months()))
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// Whether this is a whole year.
    pub fn is_year(self) -> bool {
        matches!(self, Self::Year(_))
    }

    /// The latest of `periods`, the one rule of "latest" for summaries, dashboards, plan
    /// progress and Kolada: the latest whole year when there is one (years are what the
    /// organisations compare, and Kolada's only granularity), else the period that ends last,
    /// and of those ending the same day the longest (2022-Q4 before 2022-12).
    pub fn latest(periods: impl IntoIterator<Item = Period>) -> Option<Period> {
        let periods: Vec<Period> = periods.into_iter().collect();
        periods
            .iter()
            .filter(|p| p.is_year())
            .max()
            .or_else(|| periods.iter().max_by_key(|p| (p.end(), p.months())))
            .copied()
    }

    /// Whether `other` is as long as this one (both years, both quarters, ...).
    pub fn same_length(self, other: Self) -> bool {
        std::mem::discriminant(&self) == std::mem::discriminant(&other)
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.start(), std::cmp::Reverse(self.months()))
            .cmp(&(other.start(), std::cmp::Reverse(other.months())))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(y) => write!(f, "{y:04}"),
            Self::Half(y, h) => write!(f, "{y:04}-H{h}"),
            Self::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            Self::Month(y, m) => write!(f, "{y:04}-{m:02}"),
        }
    }
}

impl FromStr for Period {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a period: use 2021, 2021-H1, 2021-Q3 or 2021-05");
        let (year, rest) = match text.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (text, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(1900..=2200).contains(&year) {
            return Err(bad());
        }
        let number = |digits: &str, max: u32| -> Result<u32, String> {
            if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(bad());
            }
            match digits.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(bad()),
            }
        };
        match rest {
            None => Ok(Self::Year(year)),
            Some(r) if r.starts_with('H') => Ok(Self::Half(year, number(&r[1..], 2)?)),
            Some(r) if r.starts_with('Q') => Ok(Self::Quarter(year, number(&r[1..], 4)?)),
            Some(r) if r.len() == 2 => Ok(Self::Month(year, number(r, 12)?)),
            Some(_) => Err(bad()),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        String::deserialize(de)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl PartialSchema for Period {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(PERIOD_PATTERN))
            .description(Some(
                "A year (2021), half-year (2021-H1), quarter (2021-Q3) or month (2021-05), \
                 years 1900-2200",
            ))
            .examples(["2021"])
            .into()
    }
}

impl ToSchema for Period {}

/// Which period a summary or dashboard is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodChoice {
    /// The latest one with a value.
    Latest,
    /// This one.
    Given(Period),
}

impl PeriodChoice {
    /// `latest` or a period such as `2021`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text == "latest" {
            Ok(Self::Latest)
        } else {
            text.parse::<Period>()
                .map(Self::Given)
                .map_err(|e| format!("{e}, or latest"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_period_is_the_latest_year_else_the_one_ending_last() {
        let latest = |texts: &[&str]| {
            Period::latest(texts.iter().map(|t| t.parse::<Period>().unwrap()))
                .map(|p| p.to_string())
        };
        assert_eq!(latest(&["2021", "2022-10", "2022-Q2"]), Some("2021".into()));
        assert_eq!(
            latest(&["2022-12", "2022-Q4", "2022", "2022-H2"]),
            Some("2022".into())
        );
        assert_eq!(
            latest(&["2022-09", "2022-10", "2022-Q2"]),
            Some("2022-10".into())
        );
        assert_eq!(
            latest(&["2022-12", "2022-Q4", "2022-H2"]),
            Some("2022-H2".into())
        );
        assert_eq!(latest(&["2022-H1", "2022-05"]), Some("2022-H1".into()));
        assert_eq!(latest(&[]), None);
    }

    #[test]
    fn periods_parse_print_and_order_in_time() {
        let mut periods: Vec<Period> = [
            "2021-05", "2021", "2021-H2", "2020", "2021-Q3", "2021-H1", "2021-Q1", "2021-01",
        ]
        .iter()
        .map(|p| p.parse().unwrap())
        .collect();
        periods.sort();
        let text: Vec<String> = periods.iter().map(Period::to_string).collect();
        assert_eq!(
            text,
            [
                "2020", "2021", "2021-H1", "2021-Q1", "2021-01", "2021-05", "2021-H2", "2021-Q3"
            ]
        );
    }

    #[test]
    fn bad_periods_are_refused() {
        for bad in [
            "21", "2021-H3", "2021-Q0", "2021-13", "2021-5", "2021-W01", "abcd", "2021-", "1800",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_documented_patterns_agree_with_the_parsers() {
        let pattern = regex::Regex::new(PERIOD_PATTERN).unwrap();
        let choice = regex::Regex::new(PERIOD_CHOICE_PATTERN).unwrap();
        for good in ["2021", "2021-H1", "2021-Q4", "2021-01", "2021-12"] {
            assert!(
                pattern.is_match(good) && good.parse::<Period>().is_ok(),
                "{good}"
            );
            assert!(
                choice.is_match(good) && PeriodChoice::parse(good).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "2021-H3", "2021-Q0", "2021-13", "2021-5", "2021-", "", "\u{14}", "1800", "2201",
        ] {
            assert!(
                !pattern.is_match(bad) && bad.parse::<Period>().is_err(),
                "{bad}"
            );
            assert!(
                !choice.is_match(bad) && PeriodChoice::parse(bad).is_err(),
                "{bad}"
            );
        }
        assert!(choice.is_match("latest") && PeriodChoice::parse("latest").is_ok());
    }
}
