//! The arithmetic the summary and the dashboard share: which baseline and target apply to an
//! organisation, the change since the baseline, whether it improved, and competition ranks.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::indicator::{Better, Gender, Period},
    entities::{indicator_target, indicator_value},
};

/// A target: a value to reach by a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Target {
    /// The period, e.g. "2025".
    pub period: String,
    /// The value.
    pub value: f64,
}

/// The baseline of an organisation and its change since then.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Baseline {
    /// The baseline period.
    pub period: String,
    /// The organisation's value then (null when it reported none).
    pub value: Option<f64>,
    /// Value now minus value at baseline (null without a baseline value).
    pub change_absolute: Option<f64>,
    /// The change as a fraction of the baseline value's magnitude, e.g. 0.25 for +25 % (null
    /// without a baseline value or when it is 0).
    pub change_relative: Option<f64>,
    /// Whether the value moved in the better direction (null for `better: none` or without a
    /// baseline value).
    pub improved: Option<bool>,
}

/// The baseline period and target that apply to one organisation: its own entry, field by
/// field falling back on the collaboration's.
pub(super) struct Applicable {
    pub(super) baseline_period: Option<String>,
    pub(super) target: Option<Target>,
}

pub(super) fn applicable(targets: &[indicator_target::Model], organisation_id: Uuid) -> Applicable {
    let own = targets
        .iter()
        .find(|t| t.organisation_id == Some(organisation_id));
    let all = targets.iter().find(|t| t.organisation_id.is_none());
    let baseline_period = own
        .and_then(|t| t.baseline_period.clone())
        .or_else(|| all.and_then(|t| t.baseline_period.clone()));
    let target_of = |t: &indicator_target::Model| match (&t.target_period, t.target_value) {
        (Some(period), Some(value)) => Some(Target {
            period: period.clone(),
            value,
        }),
        _ => None,
    };
    let target = own.and_then(target_of).or_else(|| all.and_then(target_of));
    Applicable {
        baseline_period,
        target,
    }
}

/// Whether going from `from` to `to` is better: null for `better: none`; no change is false.
pub(super) fn improved(better: Better, from: f64, to: f64) -> Option<bool> {
    match better {
        Better::Higher => Some(to > from),
        Better::Lower => Some(to < from),
        Better::None => None,
    }
}

pub(super) fn baseline(better: Better, period: String, base: Option<f64>, value: f64) -> Baseline {
    let change_absolute = base.map(|b| value - b);
    let change_relative = base.filter(|b| *b != 0.0).map(|b| (value - b) / b.abs());
    Baseline {
        period,
        value: base,
        change_absolute,
        change_relative,
        improved: base.and_then(|b| improved(better, b, value)),
    }
}

/// Competition ranks ("1224") of `values` by `better`: 1 is best, ties share a rank.
pub(super) fn ranks(better: Better, values: &[(Uuid, f64)]) -> HashMap<Uuid, i64> {
    let beats = |a: f64, b: f64| match better {
        Better::Higher => a > b,
        Better::Lower => a < b,
        Better::None => false,
    };
    if better == Better::None {
        return HashMap::new();
    }
    values
        .iter()
        .map(|(id, v)| {
            let ahead = values.iter().filter(|(_, other)| beats(*other, *v)).count();
            (*id, ahead as i64 + 1)
        })
        .collect()
}

/// Values of all ages and genders together, with a number (not suppressed).
pub(super) fn totals(
    select: sea_orm::Select<indicator_value::Entity>,
) -> sea_orm::Select<indicator_value::Entity> {
    select
        .filter(indicator_value::Column::Gender.eq(Gender::Total))
        .filter(indicator_value::Column::AgeGroup.eq(""))
        .filter(indicator_value::Column::Value.is_not_null())
}

pub(super) fn parsed(v: &indicator_value::Model) -> Option<(Period, f64)> {
    Some((v.period.parse().ok()?, v.value?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_rank_both_ways() {
        let (a, b, c, d) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        );
        let values = [(a, 10.0), (b, 20.0), (c, 20.0), (d, 5.0)];
        let higher = ranks(Better::Higher, &values);
        assert_eq!(
            [higher[&b], higher[&c], higher[&a], higher[&d]],
            [1, 1, 3, 4]
        );
        let lower = ranks(Better::Lower, &values);
        assert_eq!([lower[&d], lower[&a], lower[&b], lower[&c]], [1, 2, 3, 3]);
        assert!(ranks(Better::None, &values).is_empty());
    }

    #[test]
    fn relative_change_needs_a_nonzero_baseline() {
        let b = baseline(Better::Lower, "2020".into(), Some(0.0), 3.0);
        assert_eq!(
            (b.change_absolute, b.change_relative, b.improved),
            (Some(3.0), None, Some(false))
        );
        let b = baseline(Better::Higher, "2020".into(), None, 3.0);
        assert_eq!(
            (b.change_absolute, b.change_relative, b.improved),
            (None, None, None)
        );
    }
}
