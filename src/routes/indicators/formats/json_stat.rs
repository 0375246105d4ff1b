//! An indicator's values as a JSON-stat 2.0 dataset (<https://json-stat.org/full/>), typed so
//! that the OpenAPI document describes exactly what `format=json-stat` answers.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::SecondsFormat;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::indicator::{Better, Gender, IndicatorStatus, Period, Unit, ValueStatus},
    entities::{indicator, indicator_value},
};

/// The category id of "all ages" in the age group dimension.
const ALL_AGES: &str = "all";

/// A JSON-stat 2.0 dataset: dimensions `organisation` × `period`, then `gender` and
/// `age_group` when the values are broken down by them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JsonStatDataset {
    /// Always "2.0".
    #[schema(example = "2.0")]
    pub version: String,
    /// Always "dataset".
    #[schema(example = "dataset")]
    pub class: String,
    /// The indicator's name.
    pub label: String,
    /// When a value last changed (RFC 3339, seconds).
    pub updated: String,
    /// The dimension ids, in the order of `value`'s row-major layout.
    pub id: Vec<String>,
    /// The size of each dimension, in `id` order.
    pub size: Vec<usize>,
    /// Which dimensions are geography and time.
    pub role: JsonStatRole,
    /// The dimensions by id.
    pub dimension: BTreeMap<String, JsonStatDimension>,
    /// The cells, row-major over `id`; null for missing and suppressed values.
    pub value: Vec<Option<f64>>,
    /// The source's name, when the indicator names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Cell position -> `suppressed`, `preliminary`, `approximate` or `preliminary approximate`
    /// (absent when no cell is any).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub status: BTreeMap<String, String>,
    /// This service's additions.
    pub extension: JsonStatExtension,
}

/// The roles of a dataset's dimensions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JsonStatRole {
    /// `["organisation"]`.
    pub geo: Vec<String>,
    /// `["period"]`.
    pub time: Vec<String>,
}

/// One dimension.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JsonStatDimension {
    /// Its label.
    pub label: String,
    /// Its categories.
    pub category: JsonStatCategory,
}

/// The categories of a dimension.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JsonStatCategory {
    /// Category id -> position.
    pub index: BTreeMap<String, usize>,
    /// Category id -> label.
    pub label: BTreeMap<String, String>,
}

/// This service's additions to a dataset.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JsonStatExtension {
    /// The indicator.
    pub samverkan: JsonStatIndicator,
}

/// The indicator a dataset holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JsonStatIndicator {
    /// Its id.
    pub indicator_id: Uuid,
    /// Its code.
    pub code: String,
    /// Its unit.
    pub unit: Unit,
    /// Decimals shown.
    pub decimals: i32,
    /// Which direction is better.
    pub better: Better,
    /// Active or retired.
    pub status: IndicatorStatus,
}

fn dimension(label: &str, categories: Vec<(String, String)>) -> JsonStatDimension {
    JsonStatDimension {
        label: label.to_owned(),
        category: JsonStatCategory {
            index: categories
                .iter()
                .enumerate()
                .map(|(i, (id, _))| (id.clone(), i))
                .collect(),
            label: categories.into_iter().collect(),
        },
    }
}

fn gender_label(gender: Gender) -> &'static str {
    match gender {
        Gender::Total => "Totalt",
        Gender::Female => "Kvinnor",
        Gender::Male => "Män",
    }
}

/// The age groups present, in the indicator's order: all ages first, then its breakdowns,
/// then any others by text.
fn age_groups(indicator: &indicator::Model, values: &[indicator_value::Model]) -> Vec<String> {
    let present: HashSet<&str> = values.iter().map(|v| v.age_group.as_str()).collect();
    let mut ages: Vec<String> = Vec::new();
    if present.contains("") {
        ages.push(String::new());
    }
    for group in &indicator.breakdowns.age_groups {
        if present.contains(group.as_str()) && !ages.contains(group) {
            ages.push(group.clone());
        }
    }
    let mut others: Vec<String> = present
        .iter()
        .filter(|g| !g.is_empty() && !ages.iter().any(|a| a == *g))
        .map(|g| (*g).to_owned())
        .collect();
    others.sort();
    ages.extend(others);
    ages
}

fn age_id(group: &str) -> String {
    if group.is_empty() {
        ALL_AGES.to_owned()
    } else {
        group.to_owned()
    }
}

/// An indicator's values as a JSON-stat 2.0 dataset. Organisations are ordered by name,
/// periods in time. Missing and suppressed cells are `null`; `status` marks suppressed cells
/// `suppressed`, preliminary ones `preliminary` and approximate ones `approximate`.
pub fn json_stat(
    indicator: &indicator::Model,
    values: &[indicator_value::Model],
    organisation_names: &HashMap<Uuid, String>,
) -> JsonStatDataset {
    let name_of = |id: &Uuid| {
        organisation_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };

    let mut orgs: Vec<Uuid> = values.iter().map(|v| v.organisation_id).collect();
    orgs.sort();
    orgs.dedup();
    orgs.sort_by_cached_key(|id| (name_of(id), *id));

    let mut periods: Vec<String> = values.iter().map(|v| v.period.clone()).collect();
    periods.sort();
    periods.dedup();
    periods.sort_by_cached_key(|p| (p.parse::<Period>().ok(), p.clone()));

    let by_gender = values.iter().any(|v| v.gender != Gender::Total);
    let genders: Vec<Gender> = Gender::ALL
        .iter()
        .copied()
        .filter(|g| values.iter().any(|v| v.gender == *g))
        .collect();
    let by_age = values.iter().any(|v| !v.age_group.is_empty());
    let ages = age_groups(indicator, values);

    let mut ids = vec!["organisation".to_owned(), "period".to_owned()];
    let mut sizes = vec![orgs.len(), periods.len()];
    let mut dimensions = BTreeMap::new();
    dimensions.insert(
        "organisation".to_owned(),
        dimension(
            "Organisation",
            orgs.iter()
                .map(|id| (id.to_string(), name_of(id)))
                .collect(),
        ),
    );
    dimensions.insert(
        "period".to_owned(),
        dimension(
            "Period",
            periods.iter().map(|p| (p.clone(), p.clone())).collect(),
        ),
    );
    if by_gender {
        ids.push("gender".to_owned());
        sizes.push(genders.len());
        dimensions.insert(
            "gender".to_owned(),
            dimension(
                "Kön",
                genders
                    .iter()
                    .map(|g| (g.as_str().to_owned(), gender_label(*g).to_owned()))
                    .collect(),
            ),
        );
    }
    if by_age {
        ids.push("age_group".to_owned());
        sizes.push(ages.len());
        dimensions.insert(
            "age_group".to_owned(),
            dimension(
                "Åldersgrupp",
                ages.iter()
                    .map(|g| {
                        let label = if g.is_empty() { "Alla åldrar" } else { g };
                        (age_id(g), label.to_owned())
                    })
                    .collect(),
            ),
        );
    }

    let org_pos: HashMap<Uuid, usize> = orgs.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let period_pos: HashMap<&str, usize> = periods
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let gender_pos: HashMap<Gender, usize> =
        genders.iter().enumerate().map(|(i, g)| (*g, i)).collect();
    let age_pos: HashMap<&str, usize> = ages
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i))
        .collect();

    let total: usize = sizes.iter().product();
    let mut cells = vec![None; total];
    let mut status = BTreeMap::new();
    for v in values {
        // Every position exists: the dimensions were built from these same values.
        let mut index = vec![
            org_pos.get(&v.organisation_id).copied().unwrap_or(0),
            period_pos.get(v.period.as_str()).copied().unwrap_or(0),
        ];
        if by_gender {
            index.push(gender_pos.get(&v.gender).copied().unwrap_or(0));
        }
        if by_age {
            index.push(age_pos.get(v.age_group.as_str()).copied().unwrap_or(0));
        }
        let position = index
            .iter()
            .zip(&sizes)
            .fold(0, |acc, (i, size)| acc * size + i);
        if v.suppressed {
            status.insert(position.to_string(), "suppressed".to_owned());
        } else {
            if let Some(cell) = cells.get_mut(position) {
                *cell = v.value;
            }
            let marks: Vec<&str> = [
                (v.status == ValueStatus::Preliminary).then_some("preliminary"),
                v.approximate.then_some("approximate"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !marks.is_empty() {
                status.insert(position.to_string(), marks.join(" "));
            }
        }
    }

    let updated = values
        .iter()
        .map(|v| v.updated_at)
        .max()
        .unwrap_or(indicator.updated_at);
    JsonStatDataset {
        version: "2.0".to_owned(),
        class: "dataset".to_owned(),
        label: indicator.name.clone(),
        updated: updated.to_rfc3339_opts(SecondsFormat::Secs, true),
        id: ids,
        size: sizes,
        role: JsonStatRole {
            geo: vec!["organisation".to_owned()],
            time: vec!["period".to_owned()],
        },
        dimension: dimensions,
        value: cells,
        source: indicator.source.name.clone(),
        status,
        extension: JsonStatExtension {
            samverkan: JsonStatIndicator {
                indicator_id: indicator.id,
                code: indicator.code.clone(),
                unit: indicator.unit,
                decimals: indicator.decimals,
                better: indicator.better,
                status: indicator.status,
            },
        },
    }
}
