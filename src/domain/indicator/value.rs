//! The rows of reported values: what a client sends, and the checks a whole batch passes before
//! anything is stored.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Breakdowns, Gender, Period, ValueStatus};
use crate::{
    domain::text::{FieldErrors, multi_line},
    error::ApiResult,
};

/// One reported value as a client sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueRow {
    /// The organisation the value is for.
    pub organisation_id: Uuid,
    /// The period, e.g. "2021" or "2021-H1" (checked with the rest of the batch, so that one
    /// answer names every bad row).
    #[schema(value_type = Period)]
    pub period: String,
    /// Gender (default `total`).
    #[serde(default = "total")]
    pub gender: Gender,
    /// Age group (default: all ages, ""); one of the indicator's `breakdowns.age_groups`.
    #[serde(default)]
    #[schema(max_length = 20)]
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
    /// An approximate figure ("ca 80", "knappt 70"); shown as such in every format.
    #[serde(default)]
    pub approximate: bool,
    /// A note, at most 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Where the value comes from (e.g. a survey round), at most 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
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
    /// The row (its `period` in canonical text).
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
