//! Indicators and their values: 290 municipalities x 20 years per indicator, as many
//! indicators as the size needs, the values made a batch at a time.

use chrono::{Datelike, NaiveDate};
use samverkan::{
    domain::indicator::{
        Aggregation, Better, Breakdowns, Category, Gender, IndicatorKind, IndicatorStatus, Source,
        Unit, ValueStatus,
    },
    entities::{indicator, indicator_value},
};
use uuid::Uuid;

use crate::{
    rows::{Generator, MUNICIPALITIES, PER_INDICATOR},
    words::TOPICS,
};

impl Generator {
    /// The indicators `n` values need (290 municipalities x 20 years each).
    pub fn indicators(&mut self) -> Vec<indicator::Model> {
        let (n, now, rng) = (self.n, self.now, &mut self.rng);
        let indicators: Vec<indicator::Model> = (0..n.div_ceil(PER_INDICATOR))
            .map(|i| indicator::Model {
                id: Uuid::from_u128(0x6000_0000 + i as u128),
                code: format!("BENCH-{i:04}"),
                name: format!("Andel barn med {}", rng.skewed(TOPICS)),
                description: None,
                category: Category::Health,
                kind: IndicatorKind::Outcome,
                unit: Unit::Percent,
                better: Better::Higher,
                decimals: 1,
                aggregation: Aggregation::Mean,
                weight_indicator_id: None,
                source: Source::default().into(),
                breakdowns: Breakdowns::default().into(),
                status: IndicatorStatus::Active,
                adopted_by_decision_id: None,
                retired_by_decision_id: None,
                history: Vec::new().into(),
                created_at: now,
                updated_at: now,
                version: 1,
            })
            .collect();
        indicators
    }

    /// Values `from..to` (of `n`) of `indicators`.
    pub fn values(
        &mut self,
        indicators: &[indicator::Model],
        from: usize,
        to: usize,
    ) -> Vec<indicator_value::Model> {
        let (now, rng) = (self.now, &mut self.rng);
        let mut values = Vec::with_capacity(to - from);
        for k in from..to.min(self.n) {
            let ind = &indicators[k / PER_INDICATOR];
            let within = k % PER_INDICATOR;
            let org = self.municipalities[within % MUNICIPALITIES];
            let year = 2005 + (within / MUNICIPALITIES) as i32;
            let period_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
            values.push(indicator_value::Model {
                id: Uuid::from_u128(0x7000_0000_0000 + k as u128),
                indicator_id: ind.id,
                organisation_id: org,
                period: format!("{}", period_start.year()),
                period_start,
                gender: Gender::Total,
                age_group: String::new(),
                value: Some(40.0 + rng.below(600) as f64 / 10.0),
                suppressed: false,
                status: ValueStatus::Final,
                approximate: false,
                note: None,
                source_ref: None,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }

        values
    }
}
