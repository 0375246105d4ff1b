//! The summary of one indicator across organisations for one period.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    arithmetic::{Baseline, Target, applicable, baseline, parsed, ranks},
    source::{Wanted, latest_period, total_values},
    targets::targets,
};
use crate::{
    domain::{
        indicator::{Aggregation, Better, Period, PeriodChoice, Unit},
        organisation::OrganisationKind,
    },
    entities::{indicator, organisation},
    error::ApiResult,
    store::indicators,
};

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

/// The county figure: the region's own value, or else the municipalities' values added up by
/// the indicator's `aggregation` (a sum for counts, a mean, or a mean weighted by another
/// indicator such as population).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountyFigure {
    /// The value.
    pub value: f64,
    /// True when computed from the municipalities.
    pub computed: bool,
    /// The rule it was computed by (computed figures only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Aggregation>,
    /// How many municipalities it is computed over (computed figures only; for a weighted
    /// mean, those with a weight).
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

/// The municipalities' values added up by the indicator's rule; `None` for a weighted mean
/// when no municipality has a weight for the period.
async fn county_figure<C: ConnectionTrait>(
    db: &C,
    as_of: Option<DateTime<Utc>>,
    ind: &indicator::Model,
    period: Period,
    municipal: &[(Uuid, f64)],
) -> ApiResult<Option<CountyFigure>> {
    let figure = |value: f64, n: usize| CountyFigure {
        value,
        computed: true,
        rule: Some(ind.aggregation),
        municipalities: Some(n),
        organisation_id: None,
    };
    let n = municipal.len();
    Ok(match (ind.aggregation, ind.weight_indicator_id) {
        (Aggregation::Sum, _) => Some(figure(municipal.iter().map(|(_, x)| x).sum(), n)),
        (Aggregation::WeightedMean, Some(weight_id)) => {
            let wanted = Wanted {
                indicator_ids: vec![weight_id],
                organisation_id: None,
                periods: Some(vec![period.to_string()]),
            };
            let weights: HashMap<Uuid, f64> = total_values(db, as_of, wanted)
                .await?
                .iter()
                .filter_map(|v| v.value.map(|w| (v.organisation_id, w)))
                .collect();
            let weighted: Vec<(f64, f64)> = municipal
                .iter()
                .filter_map(|(o, x)| weights.get(o).map(|w| (*x, *w)))
                .filter(|(_, w)| *w > 0.0)
                .collect();
            let total: f64 = weighted.iter().map(|(_, w)| w).sum();
            (total > 0.0).then(|| {
                figure(
                    weighted.iter().map(|(x, w)| x * w).sum::<f64>() / total,
                    weighted.len(),
                )
            })
        }
        _ => Some(figure(
            municipal.iter().map(|(_, x)| x).sum::<f64>() / n as f64,
            n,
        )),
    })
}

/// The summary of an indicator for a period, from the values as they are.
pub async fn summary<C: ConnectionTrait>(
    db: &C,
    indicator_id: Uuid,
    choice: PeriodChoice,
) -> ApiResult<Summary> {
    summary_as_of(db, indicator_id, choice, None).await
}

/// The summary of an indicator for a period, from the values as they stood at `as_of` (as
/// they are, without); `latest` is the latest period then ([`Period::latest`]).
pub async fn summary_as_of<C: ConnectionTrait>(
    db: &C,
    indicator_id: Uuid,
    choice: PeriodChoice,
    as_of: Option<DateTime<Utc>>,
) -> ApiResult<Summary> {
    let ind = indicators::get(db, indicator_id).await?;
    let period = match choice {
        PeriodChoice::Given(p) => Some(p),
        PeriodChoice::Latest => latest_period(db, as_of, indicator_id).await?,
    };
    // Only the values the summary reads: the period's and the baselines'.
    let mut needed: Vec<String> = period.iter().map(Period::to_string).collect();
    needed.extend(
        targets(db, indicator_id)
            .await?
            .into_iter()
            .filter_map(|t| t.baseline_period),
    );
    let wanted = Wanted {
        indicator_ids: vec![indicator_id],
        organisation_id: None,
        periods: Some(needed),
    };
    let values = total_values(db, as_of, wanted).await?;
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
            rule: None,
            municipalities: None,
            organisation_id: Some(r.organisation_id),
        }),
        None if !municipal.is_empty() => county_figure(db, as_of, &ind, period, &municipal).await?,
        None => None,
    };
    Ok(Summary {
        indicator: brief,
        period: Some(period.to_string()),
        rows,
        county,
    })
}
