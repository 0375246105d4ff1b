//! One organisation's dashboard: every active indicator with trend, baseline, target and rank.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    arithmetic::{Baseline, Target, applicable, baseline, improved, parsed, ranks},
    source::{Wanted, total_values},
    summary::IndicatorBrief,
};
use crate::{
    domain::indicator::{Better, IndicatorStatus, Period, PeriodChoice},
    entities::{indicator, indicator_target, organisation},
    error::{ApiError, ApiResult},
    store::indicators,
};

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

/// Every active indicator's value for an organisation, with trend, baseline, target and rank,
/// from the values as they stood at `as_of` (as they are, without); `latest` is per indicator
/// the organisation's latest period ([`Period::latest`]).
pub async fn dashboard<C: ConnectionTrait>(
    db: &C,
    organisation_id: Uuid,
    choice: PeriodChoice,
    as_of: Option<DateTime<Utc>>,
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
    let wanted = Wanted {
        indicator_ids: ids.clone(),
        organisation_id: Some(organisation_id),
        periods: None,
    };
    for v in total_values(db, as_of, wanted).await? {
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
            PeriodChoice::Latest => Period::latest(series.iter().map(|(p, _)| *p)),
        };
        let value = period.and_then(|p| series.iter().find(|(q, _)| *q == p).map(|(_, x)| *x));
        let trend = match (period, value) {
            (Some(p), Some(x)) => series
                .iter()
                .rev()
                .find(|(q, _)| *q < p && q.same_length(p))
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
                rank_at(db, as_of, ind, p, organisation_id).await?
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
    as_of: Option<DateTime<Utc>>,
    ind: &indicator::Model,
    period: Period,
    organisation_id: Uuid,
) -> ApiResult<Option<i64>> {
    let wanted = Wanted {
        indicator_ids: vec![ind.id],
        organisation_id: None,
        periods: Some(vec![period.to_string()]),
    };
    let values = total_values(db, as_of, wanted).await?;
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
