//! Baselines and targets of indicators, and the dashboard queries built on them: the summary of
//! one indicator across organisations, and one organisation's dashboard across indicators.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Action, Actor, Change, begin_write, indicators, now, record};
use crate::{
    domain::{
        indicator::{Better, Gender, IndicatorStatus, Period, Unit},
        organisation::OrganisationKind,
        text::FieldErrors,
    },
    entities::{indicator, indicator_target, indicator_value, organisation},
    error::{ApiError, ApiResult},
};

/// The entity type of an indicator's set of targets in the audit log (its id is the
/// indicator's).
pub const TARGETS_ENTITY_TYPE: crate::domain::EntityType =
    crate::domain::EntityType::IndicatorTargets;

/// Which period a dashboard query is about.
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

// ---------------------------------------------------------------------------------------------
// Targets

/// One baseline and target as a client sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInput {
    /// The organisation; `None` for the whole collaboration.
    pub organisation_id: Option<Uuid>,
    /// The period the change is measured from.
    pub baseline_period: Option<String>,
    /// The period by which the target is to be reached.
    pub target_period: Option<String>,
    /// The target value.
    pub target_value: Option<f64>,
}

/// The targets of an indicator, the collaboration's first, then by organisation.
pub async fn targets<C: ConnectionTrait>(
    db: &C,
    indicator_id: Uuid,
) -> ApiResult<Vec<indicator_target::Model>> {
    let mut rows = indicator_target::Entity::find()
        .filter(indicator_target::Column::IndicatorId.eq(indicator_id))
        .order_by_asc(indicator_target::Column::Id)
        .all(db)
        .await?;
    rows.sort_by_key(|r| r.organisation_id);
    Ok(rows)
}

fn target_json(t: &indicator_target::Model) -> Value {
    json!({
        "organisation_id": t.organisation_id, "baseline_period": t.baseline_period,
        "target_period": t.target_period, "target_value": t.target_value,
    })
}

/// Replaces every target of an indicator in one transaction, audited as one write.
pub async fn replace_targets(
    db: &DatabaseConnection,
    actor: &Actor,
    indicator_id: Uuid,
    inputs: Vec<TargetInput>,
) -> ApiResult<Vec<indicator_target::Model>> {
    let txn = begin_write(db).await?;
    indicators::get(&txn, indicator_id).await?;
    let mut errors = FieldErrors::default();
    let mut seen = HashSet::new();
    let mut parsed = Vec::with_capacity(inputs.len());
    for (i, t) in inputs.iter().enumerate() {
        let field = |name: &str| format!("targets[{i}].{name}");
        if !seen.insert(t.organisation_id) {
            errors.add(
                &field("organisation_id"),
                "one entry per organisation (and one for the whole collaboration)",
            );
        }
        let baseline = t
            .baseline_period
            .as_deref()
            .and_then(|p| errors.check(&field("baseline_period"), p.parse::<Period>()));
        let target = t
            .target_period
            .as_deref()
            .and_then(|p| errors.check(&field("target_period"), p.parse::<Period>()));
        match (t.target_value, t.target_period.is_some()) {
            (Some(v), _) if !v.is_finite() => {
                errors.add(&field("target_value"), "must be a finite number")
            }
            (Some(_), false) => {
                errors.add(&field("target_period"), "is required with a target_value")
            }
            (None, true) => errors.add(&field("target_value"), "is required with a target_period"),
            _ => {}
        }
        if let (Some(b), Some(t)) = (baseline, target)
            && t <= b
        {
            errors.add(
                &field("target_period"),
                "must come after the baseline_period",
            );
        }
        parsed.push((baseline, target));
    }
    let org_ids: Vec<Uuid> = inputs.iter().filter_map(|t| t.organisation_id).collect();
    let known: HashSet<Uuid> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    for (i, t) in inputs.iter().enumerate() {
        if let Some(id) = t.organisation_id
            && !known.contains(&id)
        {
            errors.add(
                &format!("targets[{i}].organisation_id"),
                "no organisation has this id",
            );
        }
    }
    errors.finish()?;

    let before = targets(&txn, indicator_id).await?;
    let version = before.iter().map(|t| t.version).max().unwrap_or(0) + 1;
    indicator_target::Entity::delete_many()
        .filter(indicator_target::Column::IndicatorId.eq(indicator_id))
        .exec(&txn)
        .await?;
    let at = now();
    for (t, (baseline, target)) in inputs.into_iter().zip(parsed) {
        indicator_target::ActiveModel {
            id: Set(Uuid::now_v7()),
            indicator_id: Set(indicator_id),
            organisation_id: Set(t.organisation_id),
            baseline_period: Set(baseline.map(|p| p.to_string())),
            target_period: Set(target.map(|p| p.to_string())),
            target_value: Set(t.target_value),
            created_at: Set(at),
            updated_at: Set(at),
            version: Set(version),
        }
        .insert(&txn)
        .await?;
    }
    let after = targets(&txn, indicator_id).await?;
    let change = Change {
        entity_type: TARGETS_ENTITY_TYPE,
        entity_id: indicator_id,
        action: Action::Update,
        version,
        before: Some(Value::Array(before.iter().map(target_json).collect())),
        after: Some(Value::Array(after.iter().map(target_json).collect())),
    };
    record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------------------------------------
// Shared arithmetic

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
struct Applicable {
    baseline_period: Option<String>,
    target: Option<Target>,
}

fn applicable(targets: &[indicator_target::Model], organisation_id: Uuid) -> Applicable {
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
fn improved(better: Better, from: f64, to: f64) -> Option<bool> {
    match better {
        Better::Higher => Some(to > from),
        Better::Lower => Some(to < from),
        Better::None => None,
    }
}

fn baseline(better: Better, period: String, base: Option<f64>, value: f64) -> Baseline {
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
fn ranks(better: Better, values: &[(Uuid, f64)]) -> HashMap<Uuid, i64> {
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
fn totals(
    select: sea_orm::Select<indicator_value::Entity>,
) -> sea_orm::Select<indicator_value::Entity> {
    select
        .filter(indicator_value::Column::Gender.eq(Gender::Total))
        .filter(indicator_value::Column::AgeGroup.eq(""))
        .filter(indicator_value::Column::Value.is_not_null())
}

/// The latest whole year with a total value, found with one indexed query.
async fn latest_year<C: ConnectionTrait>(db: &C, indicator_id: Uuid) -> ApiResult<Option<Period>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let row = totals(indicator_value::Entity::find())
        .filter(indicator_value::Column::IndicatorId.eq(indicator_id))
        .filter(indicator_value::Column::Period.not_like("%-%"))
        .order_by_desc(indicator_value::Column::PeriodStart)
        .limit(1)
        .one(db)
        .await?;
    Ok(row.and_then(|v| v.period.parse().ok()))
}

fn parsed(v: &indicator_value::Model) -> Option<(Period, f64)> {
    Some((v.period.parse().ok()?, v.value?))
}

// ---------------------------------------------------------------------------------------------
// Summary

/// The indicator a summary or dashboard row is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorBrief {
    /// Id.
    pub id: Uuid,
    /// Code (the Kolada KPI id).
    pub code: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: Unit,
    /// Better direction.
    pub better: Better,
    /// Decimals shown.
    pub decimals: i32,
}

impl From<&indicator::Model> for IndicatorBrief {
    fn from(i: &indicator::Model) -> Self {
        Self {
            id: i.id,
            code: i.code.clone(),
            name: i.name.clone(),
            unit: i.unit,
            better: i.better,
            decimals: i.decimals,
        }
    }
}

/// One organisation's line in a summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SummaryRow {
    /// The organisation.
    pub organisation_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its municipality code (municipalities only).
    pub municipality_code: Option<String>,
    /// Its kind.
    pub kind: OrganisationKind,
    /// The value (all genders, all ages).
    pub value: f64,
    /// The baseline and the change since (null when no baseline period applies).
    pub baseline: Option<Baseline>,
    /// The target (its own, else the collaboration's).
    pub target: Option<Target>,
    /// Rank among the municipalities, 1 = best; ties share a rank (null for others and for
    /// `better: none`).
    pub rank: Option<i64>,
}

/// The county figure: the region's own value, or else the unweighted mean of the
/// municipalities' values.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountyFigure {
    /// The value.
    pub value: f64,
    /// True when computed as the unweighted mean of the municipalities.
    pub computed: bool,
    /// How many municipalities the mean is over (computed figures only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipalities: Option<usize>,
    /// The region whose own value this is (reported figures only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<Uuid>,
}

/// An indicator across organisations for one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    /// The indicator.
    pub indicator: IndicatorBrief,
    /// The period (null when `latest` was asked and there are no yearly values).
    pub period: Option<String>,
    /// One row per organisation with a value, by rank, then name.
    pub rows: Vec<SummaryRow>,
    /// The county figure (null when neither the region nor any municipality reported).
    pub county: Option<CountyFigure>,
}

/// The summary of an indicator for a period.
pub async fn summary<C: ConnectionTrait>(
    db: &C,
    indicator_id: Uuid,
    choice: PeriodChoice,
) -> ApiResult<Summary> {
    let ind = indicators::get(db, indicator_id).await?;
    let period = match choice {
        PeriodChoice::Given(p) => Some(p),
        PeriodChoice::Latest => latest_year(db, indicator_id).await?,
    };
    // Only the values the summary reads: the period's and the baselines'.
    let mut needed: Vec<String> = period.iter().map(Period::to_string).collect();
    needed.extend(
        targets(db, indicator_id)
            .await?
            .into_iter()
            .filter_map(|t| t.baseline_period),
    );
    let values = totals(indicator_value::Entity::find())
        .filter(indicator_value::Column::IndicatorId.eq(indicator_id))
        .filter(indicator_value::Column::Period.is_in(needed))
        .all(db)
        .await?;
    // (organisation, period) -> value
    let mut by_org_period: HashMap<(Uuid, Period), f64> = HashMap::new();
    for v in &values {
        if let Some((p, x)) = parsed(v) {
            by_org_period.insert((v.organisation_id, p), x);
        }
    }
    let brief = IndicatorBrief::from(&ind);
    let Some(period) = period else {
        return Ok(Summary {
            indicator: brief,
            period: None,
            rows: Vec::new(),
            county: None,
        });
    };
    let current: Vec<(Uuid, f64)> = by_org_period
        .iter()
        .filter(|((_, p), _)| *p == period)
        .map(|((o, _), x)| (*o, *x))
        .collect();
    let orgs: HashMap<Uuid, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(current.iter().map(|(o, _)| *o).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let targets = targets(db, indicator_id).await?;
    let municipal: Vec<(Uuid, f64)> = current
        .iter()
        .filter(|(o, _)| orgs.get(o).is_some_and(|o| o.municipality_code.is_some()))
        .copied()
        .collect();
    let ranks = ranks(ind.better, &municipal);
    let mut rows: Vec<SummaryRow> = current
        .iter()
        .filter_map(|(org_id, value)| {
            let org = orgs.get(org_id)?;
            let a = applicable(&targets, *org_id);
            let baseline = a.baseline_period.map(|bp| {
                let base = bp
                    .parse::<Period>()
                    .ok()
                    .and_then(|p| by_org_period.get(&(*org_id, p)).copied());
                baseline(ind.better, bp, base, *value)
            });
            Some(SummaryRow {
                organisation_id: *org_id,
                name: org.name.clone(),
                municipality_code: org.municipality_code.clone(),
                kind: org.kind,
                value: *value,
                baseline,
                target: a.target,
                rank: ranks.get(org_id).copied(),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.rank.is_none(), a.rank, &a.name, a.organisation_id).cmp(&(
            b.rank.is_none(),
            b.rank,
            &b.name,
            b.organisation_id,
        ))
    });
    let region = rows
        .iter()
        .filter(|r| r.kind == OrganisationKind::Region)
        .min_by(|a, b| a.name.cmp(&b.name));
    let county = match region {
        Some(r) => Some(CountyFigure {
            value: r.value,
            computed: false,
            municipalities: None,
            organisation_id: Some(r.organisation_id),
        }),
        None if !municipal.is_empty() => Some(CountyFigure {
            value: municipal.iter().map(|(_, x)| x).sum::<f64>() / municipal.len() as f64,
            computed: true,
            municipalities: Some(municipal.len()),
            organisation_id: None,
        }),
        None => None,
    };
    Ok(Summary {
        indicator: brief,
        period: Some(period.to_string()),
        rows,
        county,
    })
}

// ---------------------------------------------------------------------------------------------
// Dashboard

/// Which way a value went since the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher than before.
    Up,
    /// Lower than before.
    Down,
    /// The same.
    Flat,
}

/// The trend against the previous period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Trend {
    /// The previous period with a value (of the same length, e.g. the year before).
    pub previous_period: String,
    /// Its value.
    pub previous_value: f64,
    /// Up, down or flat.
    pub direction: Direction,
    /// Whether it moved in the better direction (null for `better: none`).
    pub improved: Option<bool>,
}

/// One indicator on an organisation's dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardRow {
    /// The indicator.
    pub indicator: IndicatorBrief,
    /// The period shown (null when the organisation has no value).
    pub period: Option<String>,
    /// The value (all genders, all ages), null when none.
    pub value: Option<f64>,
    /// Against the previous period (null without one).
    pub trend: Option<Trend>,
    /// Against the baseline (null when no baseline period applies or there is no value).
    pub baseline: Option<Baseline>,
    /// The target.
    pub target: Option<Target>,
    /// Rank among the municipalities for the period, 1 = best (null for non-municipalities and
    /// for `better: none`).
    pub rank: Option<i64>,
}

/// One organisation's dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    /// The organisation.
    pub organisation_id: Uuid,
    /// Its name.
    pub name: String,
    /// Every active indicator, by code.
    pub indicators: Vec<DashboardRow>,
}

fn same_length(a: Period, b: Period) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

/// Every active indicator's value for an organisation, with trend, baseline, target and rank.
pub async fn dashboard<C: ConnectionTrait>(
    db: &C,
    organisation_id: Uuid,
    choice: PeriodChoice,
) -> ApiResult<Dashboard> {
    let org = organisation::Entity::find_by_id(organisation_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let active: Vec<indicator::Model> = indicators::all(db)
        .await?
        .into_iter()
        .filter(|i| i.status == IndicatorStatus::Active)
        .collect();
    let ids: Vec<Uuid> = active.iter().map(|i| i.id).collect();
    let mut own: HashMap<Uuid, Vec<(Period, f64)>> = HashMap::new();
    for v in totals(indicator_value::Entity::find())
        .filter(indicator_value::Column::OrganisationId.eq(organisation_id))
        .filter(indicator_value::Column::IndicatorId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        if let Some(pv) = parsed(&v) {
            own.entry(v.indicator_id).or_default().push(pv);
        }
    }
    let all_targets = indicator_target::Entity::find()
        .filter(indicator_target::Column::IndicatorId.is_in(ids))
        .all(db)
        .await?;
    let mut rows = Vec::with_capacity(active.len());
    for ind in &active {
        let mut series = own.remove(&ind.id).unwrap_or_default();
        series.sort_by_key(|(p, _)| *p);
        let period = match choice {
            PeriodChoice::Given(p) => Some(p),
            PeriodChoice::Latest => series
                .iter()
                .rev()
                .find(|(p, _)| p.is_year())
                .or(series.last())
                .map(|(p, _)| *p),
        };
        let value = period.and_then(|p| series.iter().find(|(q, _)| *q == p).map(|(_, x)| *x));
        let trend = match (period, value) {
            (Some(p), Some(x)) => series
                .iter()
                .rev()
                .find(|(q, _)| *q < p && same_length(*q, p))
                .map(|(q, prev)| Trend {
                    previous_period: q.to_string(),
                    previous_value: *prev,
                    direction: if x > *prev {
                        Direction::Up
                    } else if x < *prev {
                        Direction::Down
                    } else {
                        Direction::Flat
                    },
                    improved: improved(ind.better, *prev, x),
                }),
            _ => None,
        };
        let targets: Vec<indicator_target::Model> = all_targets
            .iter()
            .filter(|t| t.indicator_id == ind.id)
            .cloned()
            .collect();
        let a = applicable(&targets, organisation_id);
        let baseline = match (a.baseline_period, value) {
            (Some(bp), Some(x)) => {
                let base = bp
                    .parse::<Period>()
                    .ok()
                    .and_then(|b| series.iter().find(|(q, _)| *q == b).map(|(_, v)| *v));
                Some(baseline(ind.better, bp, base, x))
            }
            _ => None,
        };
        let rank = match (period, value) {
            (Some(p), Some(_)) if org.municipality_code.is_some() && ind.better != Better::None => {
                rank_at(db, ind, p, organisation_id).await?
            }
            _ => None,
        };
        rows.push(DashboardRow {
            indicator: IndicatorBrief::from(ind),
            period: period.map(|p| p.to_string()),
            value,
            trend,
            baseline,
            target: a.target,
            rank,
        });
    }
    Ok(Dashboard {
        organisation_id,
        name: org.name,
        indicators: rows,
    })
}

/// The rank of one municipality among all municipalities for an indicator and period.
async fn rank_at<C: ConnectionTrait>(
    db: &C,
    ind: &indicator::Model,
    period: Period,
    organisation_id: Uuid,
) -> ApiResult<Option<i64>> {
    let values = totals(indicator_value::Entity::find())
        .filter(indicator_value::Column::IndicatorId.eq(ind.id))
        .filter(indicator_value::Column::Period.eq(period.to_string()))
        .all(db)
        .await?;
    let municipalities: HashSet<Uuid> = organisation::Entity::find()
        .filter(
            organisation::Column::Id
                .is_in(values.iter().map(|v| v.organisation_id).collect::<Vec<_>>()),
        )
        .filter(organisation::Column::MunicipalityCode.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let municipal: Vec<(Uuid, f64)> = values
        .iter()
        .filter(|v| municipalities.contains(&v.organisation_id))
        .filter_map(|v| Some((v.organisation_id, v.value?)))
        .collect();
    Ok(ranks(ind.better, &municipal).get(&organisation_id).copied())
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
