//! Indicators: their definitions, periods ordered in time, and the rows of reported values.

use std::{fmt, str::FromStr};

use chrono::NaiveDate;
use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::text::{FieldErrors, multi_line, one_line};
use crate::error::ApiResult;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize,
            Deserialize, ToSchema,
        )]
        #[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }
    };
}

text_enum!(
    /// What area an indicator measures.
    Category {
        /// Hälsa.
        Health,
        /// Utveckling och omsorg.
        DevelopmentAndCare,
        /// Utbildning.
        Education,
        /// Trygghet.
        Safety,
        /// Delaktighet.
        Participation,
        /// Levnadsvillkor.
        LivingConditions,
        /// Annat.
        Other,
    }
);

text_enum!(
    /// Whether an indicator follows the work or its effect.
    IndicatorKind {
        /// Processindikator.
        Process,
        /// Resultatindikator.
        Outcome,
    }
);

text_enum!(
    /// The unit of an indicator's values.
    Unit {
        /// Percent.
        Percent,
        /// A count.
        Count,
        /// Per 1,000 inhabitants.
        #[serde(rename = "rate_per_1000")]
        #[sea_orm(string_value = "rate_per_1000")]
        RatePer1000,
        /// An index.
        Index,
        /// Days.
        Days,
        /// Swedish kronor.
        Sek,
    }
);

text_enum!(
    /// Which direction is better.
    Better {
        /// Higher is better.
        Higher,
        /// Lower is better.
        Lower,
        /// Neither.
        None,
    }
);

text_enum!(
    /// Whether an indicator is still followed.
    IndicatorStatus {
        /// Followed.
        Active,
        /// No longer followed (by a decision).
        Retired,
    }
);

text_enum!(
    /// Whether a value may still change.
    ValueStatus {
        /// Preliminary.
        Preliminary,
        /// Final.
        Final,
    }
);

text_enum!(
    /// The gender breakdown of a value.
    Gender {
        /// Everyone (Kolada `T`).
        Total,
        /// Girls and women (Kolada `K`).
        Female,
        /// Boys and men (Kolada `M`).
        Male,
    }
);

impl Gender {
    /// Sort order: total, female, male.
    pub fn cmp_key(self) -> u8 {
        match self {
            Self::Total => 0,
            Self::Female => 1,
            Self::Male => 2,
        }
    }
}

/// Where an indicator's values come from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// E.g. "Elevhälsans enkät" or "Kolada".
    #[serde(default)]
    pub name: Option<String>,
    /// A web page describing the source.
    #[serde(default)]
    pub url: Option<String>,
    /// The Kolada KPI id, e.g. "N17473".
    #[serde(default)]
    pub kolada_kpi: Option<String>,
}

/// How an indicator's values are broken down.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Breakdowns {
    /// By gender.
    #[serde(default)]
    pub gender: bool,
    /// By age group, e.g. ["3", "6", "12"].
    #[serde(default)]
    pub age_groups: Vec<String>,
}

/// A change in an indicator's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    /// When.
    pub date: NaiveDate,
    /// `rename`, `category` or `retire`.
    pub change: String,
    /// The old value.
    pub from: Option<String>,
    /// The new value.
    pub to: Option<String>,
    /// The decision behind it.
    pub decision_id: Option<Uuid>,
}

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

/// The fields of an indicator definition as a client sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncheckedIndicator {
    /// Unique code; also the Kolada KPI id.
    pub code: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Category.
    pub category: Category,
    /// Kind.
    pub kind: IndicatorKind,
    /// Unit.
    pub unit: Unit,
    /// Better direction.
    pub better: Better,
    /// Decimals shown.
    pub decimals: i32,
    /// Source.
    pub source: Source,
    /// Breakdowns.
    pub breakdowns: Breakdowns,
    /// Adopting decision.
    pub adopted_by_decision_id: Option<Uuid>,
}

impl UncheckedIndicator {
    /// Checks the fields.
    pub fn check(mut self) -> ApiResult<Self> {
        let mut errors = FieldErrors::default();
        match one_line(&self.code, 1, 25) {
            Ok(code)
                if code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                self.code = code
            }
            Ok(_) => errors.add(
                "code",
                "letters, digits, - and _ only (it is also the Kolada KPI id)",
            ),
            Err(message) => errors.add("code", message),
        }
        if let Some(name) = errors.check("name", one_line(&self.name, 1, 200)) {
            self.name = name;
        }
        if let Some(text) = self.description.as_deref() {
            self.description = errors
                .check("description", multi_line(text, 5000))
                .flatten();
        }
        if !(0..=6).contains(&self.decimals) {
            errors.add("decimals", "must be between 0 and 6");
        }
        if let Some(url) = self.source.url.as_deref() {
            self.source.url = errors
                .check("source.url", super::organisation::WebUrl::parse(url))
                .map(|u| u.as_str().to_owned());
        }
        if self.breakdowns.age_groups.len() > 20 {
            errors.add("breakdowns.age_groups", "at most 20");
        }
        for (i, group) in self.breakdowns.age_groups.iter().enumerate() {
            if one_line(group, 1, 20).is_err() {
                errors.add(
                    &format!("breakdowns.age_groups[{i}]"),
                    "1–20 characters on one line",
                );
            }
        }
        errors.finish()?;
        Ok(self)
    }
}

/// One reported value as a client sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueRow {
    /// The organisation the value is for.
    pub organisation_id: Uuid,
    /// The period, e.g. "2021" or "2021-H1".
    #[schema(example = "2021")]
    pub period: String,
    /// Gender (default `total`).
    #[serde(default = "total")]
    pub gender: Gender,
    /// Age group (default: all ages, "").
    #[serde(default)]
    pub age_group: String,
    /// The value; null only when suppressed.
    #[serde(default)]
    pub value: Option<f64>,
    /// Withheld because the numbers are small.
    #[serde(default)]
    pub suppressed: bool,
    /// `preliminary` or `final` (default `final`).
    #[serde(default = "final_status")]
    pub status: ValueStatus,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
    /// Where the value comes from (e.g. a survey round).
    #[serde(default)]
    pub source_ref: Option<String>,
}

fn total() -> Gender {
    Gender::Total
}

fn final_status() -> ValueStatus {
    ValueStatus::Final
}

/// A value row that passed its checks, with its parsed period.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedValue {
    /// The row.
    pub row: ValueRow,
    /// Its period.
    pub period: Period,
}

/// Checks every row of a batch against the indicator's breakdowns; errors name the row.
pub fn check_rows(rows: Vec<ValueRow>, breakdowns: &Breakdowns) -> ApiResult<Vec<CheckedValue>> {
    let mut errors = FieldErrors::default();
    let mut checked = Vec::with_capacity(rows.len());
    let mut keys = std::collections::HashSet::new();
    for (i, mut row) in rows.into_iter().enumerate() {
        let field = |name: &str| format!("values[{i}].{name}");
        let period = errors.check(&field("period"), row.period.parse::<Period>());
        if row.gender != Gender::Total && !breakdowns.gender {
            errors.add(
                &field("gender"),
                "this indicator is not broken down by gender",
            );
        }
        if !row.age_group.is_empty() && !breakdowns.age_groups.contains(&row.age_group) {
            errors.add(
                &field("age_group"),
                format!("must be one of {:?} or empty", breakdowns.age_groups),
            );
        }
        match (row.value, row.suppressed) {
            (None, false) => errors.add(&field("value"), "is required unless suppressed"),
            (Some(_), true) => errors.add(&field("value"), "must be null when suppressed"),
            (Some(v), false) if !v.is_finite() => {
                errors.add(&field("value"), "must be a finite number")
            }
            _ => {}
        }
        for (name, text) in [("note", &mut row.note), ("source_ref", &mut row.source_ref)] {
            if let Some(t) = text.as_deref() {
                *text = errors.check(&field(name), multi_line(t, 2000)).flatten();
            }
        }
        if let Some(period) = period {
            row.period = period.to_string();
            let key = (
                row.organisation_id,
                row.period.clone(),
                row.gender,
                row.age_group.clone(),
            );
            if !keys.insert(key) {
                errors.add(
                    &field("period"),
                    "the same organisation, period, gender and age group appear twice",
                );
            }
            checked.push(CheckedValue { row, period });
        }
    }
    errors.finish()?;
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
