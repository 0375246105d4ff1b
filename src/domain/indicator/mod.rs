//! Indicators: their definitions, checked; periods ordered in time ([`period`]); and the rows of
//! reported values ([`value`]).

mod period;
mod value;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use period::{PERIOD_CHOICE_PATTERN, PERIOD_PATTERN, Period, PeriodChoice};
pub use value::{CheckedValue, ValueRow, check_rows};

use super::text::{FieldErrors, Name, multi_line};
use crate::{error::ApiResult, string_enum};

string_enum! {
    /// What area an indicator measures.
    pub enum Category {
        /// Hälsa.
        Health = "health",
        /// Utveckling och omsorg.
        DevelopmentAndCare = "development_and_care",
        /// Utbildning.
        Education = "education",
        /// Trygghet.
        Safety = "safety",
        /// Delaktighet.
        Participation = "participation",
        /// Levnadsvillkor.
        LivingConditions = "living_conditions",
        /// Annat.
        Other = "other",
    }
}

string_enum! {
    /// Whether an indicator follows the work or its effect.
    pub enum IndicatorKind {
        /// Processindikator.
        Process = "process",
        /// Resultatindikator.
        Outcome = "outcome",
    }
}

string_enum! {
    /// The unit of an indicator's values.
    pub enum Unit {
        /// Percent.
        Percent = "percent",
        /// A count.
        Count = "count",
        /// Per 1,000 inhabitants.
        RatePer1000 = "rate_per_1000",
        /// An index.
        Index = "index",
        /// Days.
        Days = "days",
        /// Swedish kronor.
        Sek = "sek",
    }
}

string_enum! {
    /// Which direction is better.
    pub enum Better {
        /// Higher is better.
        Higher = "higher",
        /// Lower is better.
        Lower = "lower",
        /// Neither.
        None = "none",
    }
}

string_enum! {
    /// Whether an indicator is still followed.
    pub enum IndicatorStatus {
        /// Followed.
        Active = "active",
        /// No longer followed (by a decision).
        Retired = "retired",
    }
}

string_enum! {
    /// Whether a value may still change.
    pub enum ValueStatus {
        /// Preliminary.
        Preliminary = "preliminary",
        /// Final.
        Final = "final",
    }
}

string_enum! {
    /// The gender breakdown of a value.
    pub enum Gender {
        /// Everyone (Kolada `T`).
        Total = "total",
        /// Girls and women (Kolada `K`).
        Female = "female",
        /// Boys and men (Kolada `M`).
        Male = "male",
    }
}

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
    /// A web page describing the source (an absolute http or https URL).
    #[serde(default)]
    #[schema(pattern = "^[Hh][Tt][Tt][Pp][Ss]?://")]
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
    /// By age group, e.g. ["3", "6", "12"]: at most 20, each 1–20 characters on one line.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub age_groups: Vec<String>,
}

string_enum! {
    /// How the organisations' values add up to a county figure when the region reports none.
    pub enum Aggregation {
        /// The sum (counts: cases, children, visits).
        Sum = "sum",
        /// The unweighted mean of the municipalities.
        Mean = "mean",
        /// The mean weighted by another indicator's values for the same period (e.g.
        /// population), named by `weight_indicator_id`.
        WeightedMean = "weighted_mean",
    }
}

impl Aggregation {
    /// The rule an indicator of `unit` gets when its definition names none: counts add up,
    /// everything else is averaged.
    pub fn default_for(unit: Unit) -> Self {
        if unit == Unit::Count {
            Self::Sum
        } else {
            Self::Mean
        }
    }
}

string_enum! {
    /// What kind of change a history entry records.
    pub enum HistoryChange {
        /// The name changed.
        Rename = "rename",
        /// The category changed.
        Category = "category",
        /// The indicator was retired.
        Retire = "retire",
    }
}

/// A change in an indicator's definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    /// When.
    pub date: NaiveDate,
    /// What changed.
    pub change: HistoryChange,
    /// The old value.
    pub from: Option<String>,
    /// The new value.
    pub to: Option<String>,
    /// The decision behind it.
    pub decision_id: Option<Uuid>,
}

/// The pattern of an indicator code (also the Kolada KPI id).
pub const CODE_PATTERN: &str = "^[A-Za-z0-9_-]{1,25}$";

/// An indicator code: 1–25 letters, digits, `-` and `_`; also the Kolada KPI id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorCode(String);

impl IndicatorCode {
    /// Checks a code (no trimming: the document's pattern is the rule).
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("must not be empty".into());
        }
        if text.chars().count() > 25 {
            return Err("must be at most 25 characters".into());
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("letters, digits, - and _ only (it is also the Kolada KPI id)".into());
        }
        Ok(Self(text.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
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
    /// How organisations add up (default by unit: `sum` for counts, else `mean`).
    pub aggregation: Option<Aggregation>,
    /// The weight indicator of a `weighted_mean`.
    pub weight_indicator_id: Option<Uuid>,
    pub adopted_by_decision_id: Option<Uuid>,
}

/// A checked indicator definition: only [`Indicator::parse`] builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    /// Unique code; also the Kolada KPI id.
    pub code: IndicatorCode,
    /// Name, 1–200 characters on one line.
    pub name: Name,
    /// Description, at most 5,000 characters.
    pub description: Option<String>,
    /// Category.
    pub category: Category,
    /// Kind.
    pub kind: IndicatorKind,
    /// Unit.
    pub unit: Unit,
    /// Better direction.
    pub better: Better,
    /// Decimals shown, 0–6.
    pub decimals: i32,
    /// Source (its URL checked).
    pub source: Source,
    /// Breakdowns (at most 20 age groups of 1–20 characters).
    pub breakdowns: Breakdowns,
    /// Adopting decision (checked against the database by the store).
    /// How organisations add up (default by unit: `sum` for counts, else `mean`).
    pub aggregation: Option<Aggregation>,
    /// The weight indicator of a `weighted_mean`.
    pub weight_indicator_id: Option<Uuid>,
    pub adopted_by_decision_id: Option<Uuid>,
}

impl Indicator {
    /// Checks the fields; every error at once.
    pub fn parse(input: UncheckedIndicator) -> ApiResult<Self> {
        let mut errors = FieldErrors::default();
        let code = errors.check("code", IndicatorCode::parse(&input.code));
        let name = errors.check("name", Name::parse(&input.name));
        let description = match input.description.as_deref() {
            Some(text) => errors
                .check("description", multi_line(text, 5000))
                .flatten(),
            None => None,
        };
        if !(0..=6).contains(&input.decimals) {
            errors.add("decimals", "must be between 0 and 6");
        }
        let mut source = input.source;
        // One line each, no NUL or other control characters (PostgreSQL's text refuses NUL).
        for (field, text, max) in [
            ("source.name", &mut source.name, 200),
            ("source.kolada_kpi", &mut source.kolada_kpi, 20),
        ] {
            if let Some(value) = text.as_deref() {
                *text = errors.check(field, super::text::one_line(value, 1, max));
            }
        }
        if let Some(url) = source.url.as_deref() {
            source.url = errors
                .check("source.url", super::organisation::WebUrl::parse(url))
                .map(|u| u.as_str().to_owned());
        }
        if input.breakdowns.age_groups.len() > 20 {
            errors.add("breakdowns.age_groups", "at most 20");
        }
        for (i, group) in input.breakdowns.age_groups.iter().enumerate() {
            if super::text::one_line(group, 1, 20).is_err() {
                errors.add(
                    &format!("breakdowns.age_groups[{i}]"),
                    "1–20 characters on one line",
                );
            }
        }
        let aggregation = input
            .aggregation
            .unwrap_or_else(|| Aggregation::default_for(input.unit));
        match (aggregation, input.weight_indicator_id) {
            (Aggregation::WeightedMean, None) => errors.add(
                "weight_indicator_id",
                "a weighted mean needs its weight indicator (e.g. population)",
            ),
            (Aggregation::Sum | Aggregation::Mean, Some(_)) => errors.add(
                "weight_indicator_id",
                "only a weighted_mean has a weight indicator",
            ),
            _ => {}
        }
        errors.finish()?;
        match (code, name) {
            (Some(code), Some(name)) => Ok(Self {
                code,
                name,
                description,
                category: input.category,
                kind: input.kind,
                unit: input.unit,
                better: input.better,
                decimals: input.decimals,
                source,
                breakdowns: input.breakdowns,
                aggregation: Some(aggregation),
                weight_indicator_id: input.weight_indicator_id,
                adopted_by_decision_id: input.adopted_by_decision_id,
            }),
            _ => Err(crate::error::ApiError::Internal(
                "a checked indicator lacks its code or name".into(),
            )),
        }
    }
}
