//! The queries behind the Kolada v3-compatible read API: KPIs are our indicators, Kolada's
//! municipalities and regions are our organisations with a municipality code (type `K`) or the
//! region's county code (type `L`, id `"00"` + county code), and data are yearly, all-ages values.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{ValueFilter, all, by_codes, deleted_since, values};
use crate::{
    domain::{
        indicator::{Gender, Period},
        organisation::OrganisationKind,
    },
    entities::{indicator, indicator_value, organisation},
    error::ApiResult,
};

/// The latest year with a total value, per indicator (Kolada's `publ_period`): the rule of
/// [`crate::domain::indicator::Period::latest`], over years, Kolada's only granularity.
pub async fn latest_years<C: ConnectionTrait>(db: &C) -> ApiResult<HashMap<Uuid, String>> {
    use indicator_value::Column as C;
    let rows: Vec<(Uuid, Option<String>)> = indicator_value::Entity::find()
        .select_only()
        .column(C::IndicatorId)
        .column_as(C::Period.max(), "latest")
        // Yearly periods are the four-character ones ("2021"; not "2021-H1"): Kolada has only
        // years. A total value (all genders, all ages, with a number), as in the summaries.
        .filter(C::Period.like("____"))
        .filter(C::Gender.eq(crate::domain::indicator::Gender::Total))
        .filter(C::AgeGroup.eq(""))
        .filter(C::Value.is_not_null())
        .group_by(C::IndicatorId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, latest)| Some((id, latest?)))
        .collect())
}

/// Whether a Kolada unit is a municipality or a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitType {
    /// A municipality (`K`).
    Municipality,
    /// A region (`L`).
    Region,
}

impl UnitType {
    /// Kolada's letter.
    pub fn letter(self) -> &'static str {
        match self {
            Self::Municipality => "K",
            Self::Region => "L",
        }
    }
}

/// An organisation as Kolada knows it.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Four digits: the municipality code, or "00" and the county code for a region.
    pub id: String,
    /// The organisation's name.
    pub title: String,
    /// Municipality or region.
    pub kind: UnitType,
    /// Our organisation.
    pub organisation_id: Uuid,
}

/// The organisations Kolada knows, by Kolada id: municipalities and regions, not archived.
pub async fn units<C: ConnectionTrait>(db: &C) -> ApiResult<Vec<Unit>> {
    let rows = organisation::Entity::find()
        .filter(organisation::Column::Archived.eq(false))
        .all(db)
        .await?;
    let mut units: Vec<Unit> = rows
        .into_iter()
        .filter_map(|row| {
            let (id, kind) = match (&row.municipality_code, &row.county_code) {
                (Some(code), _) => (code.clone(), UnitType::Municipality),
                (None, Some(county)) if row.kind == OrganisationKind::Region => {
                    (format!("00{county}"), UnitType::Region)
                }
                _ => return None,
            };
            Some(Unit {
                id,
                title: row.name,
                kind,
                organisation_id: row.id,
            })
        })
        .collect();
    units.sort_by(|a, b| a.id.cmp(&b.id));
    units.dedup_by(|a, b| a.id == b.id);
    Ok(units)
}

/// The KPIs a data request selects: `None` is every one.
pub async fn kpis<C: ConnectionTrait>(
    db: &C,
    codes: Option<&[String]>,
) -> ApiResult<Vec<indicator::Model>> {
    match codes {
        Some([]) => Ok(Vec::new()),
        Some(codes) => by_codes(db, codes).await,
        None => all(db).await,
    }
}

/// What a data request selects; `None` is every one.
#[derive(Debug, Default)]
pub struct DataSelection {
    /// KPI ids.
    pub kpis: Option<Vec<String>>,
    /// Kolada municipality ids.
    pub municipalities: Option<Vec<String>>,
    /// Years.
    pub years: Option<BTreeSet<i32>>,
    /// Only values changed at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
}

/// One data entry: the values of a KPI for a municipality and year, per gender.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The KPI id.
    pub kpi: String,
    /// The Kolada municipality id.
    pub municipality: String,
    /// The year.
    pub year: i32,
    /// The value per gender.
    pub values: Vec<EntryValue>,
}

/// One gender's value of a data entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntryValue {
    /// The gender.
    pub gender: Gender,
    /// The value (null when suppressed or deleted).
    pub value: Option<f64>,
    /// An approximate figure.
    pub approximate: bool,
    /// Deleted since the selection's `updated_since` (Kolada's `from_date`).
    pub deleted: bool,
}

/// A data entry's KPI, municipality and year.
type EntryKey = (String, String, i32);

/// The data entries a selection picks, ordered by KPI, municipality and year.
pub async fn data<C: ConnectionTrait>(db: &C, selection: &DataSelection) -> ApiResult<Vec<Entry>> {
    let indicators = kpis(db, selection.kpis.as_deref()).await?;
    let mut units = units(db).await?;
    if let Some(ids) = &selection.municipalities {
        units.retain(|u| ids.contains(&u.id));
    }
    let years = selection.years.as_ref();
    if units.is_empty() || years.is_some_and(BTreeSet::is_empty) {
        return Ok(Vec::new());
    }
    let kolada_ids: HashMap<Uuid, &str> = units
        .iter()
        .map(|u| (u.organisation_id, u.id.as_str()))
        .collect();
    let filter = ValueFilter {
        organisation_ids: units.iter().map(|u| u.organisation_id).collect(),
        from: years
            .and_then(|y| y.first())
            .and_then(|y| NaiveDate::from_ymd_opt(*y, 1, 1)),
        to: years
            .and_then(|y| y.last())
            .and_then(|y| NaiveDate::from_ymd_opt(*y, 12, 31)),
        age_group: Some(String::new()),
        updated_since: selection.updated_since,
        ..Default::default()
    };
    let mut entries: BTreeMap<EntryKey, Vec<EntryValue>> = BTreeMap::new();
    for indicator in &indicators {
        for value in values(db, indicator.id, &filter, None).await? {
            let Ok(Period::Year(year)) = value.period.parse::<Period>() else {
                continue;
            };
            if years.is_some_and(|y| !y.contains(&year)) {
                continue;
            }
            let Some(municipality) = kolada_ids.get(&value.organisation_id) else {
                continue;
            };
            entries
                .entry((indicator.code.clone(), (*municipality).to_owned(), year))
                .or_default()
                .push(EntryValue {
                    gender: value.gender,
                    value: value.value,
                    approximate: value.approximate,
                    deleted: false,
                });
        }
        // With `from_date`, the values deleted since then are sent flagged, as Kolada does.
        let Some(since) = selection.updated_since else {
            continue;
        };
        for (key, _) in deleted_since(db, indicator.id, &filter, since).await? {
            let Ok(Period::Year(year)) = key.period.parse::<Period>() else {
                continue;
            };
            let Some(municipality) = kolada_ids.get(&key.organisation_id) else {
                continue;
            };
            if years.is_some_and(|y| !y.contains(&year)) {
                continue;
            }
            entries
                .entry((indicator.code.clone(), (*municipality).to_owned(), year))
                .or_default()
                .push(EntryValue {
                    gender: key.gender,
                    value: None,
                    approximate: false,
                    deleted: true,
                });
        }
    }
    Ok(entries
        .into_iter()
        .map(|((kpi, municipality, year), values)| Entry {
            kpi,
            municipality,
            year,
            values,
        })
        .collect())
}
