//! The JSON answer of a value query: one series per organisation, each point with its status,
//! whether it is approximate, and (on request) its revisions; tombstones of deleted values for
//! `updated_since` pulls.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::indicator::{Gender, Period, ValueStatus},
    entities::{indicator_value, indicator_value_revision},
    store::indicators::ValueKey,
};

/// One value in a series.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesPoint {
    /// Period.
    #[schema(value_type = Period)]
    pub period: String,
    /// Gender.
    pub gender: Gender,
    /// Age group ("" for all ages).
    pub age_group: String,
    /// The value (null when suppressed).
    pub value: Option<f64>,
    /// Withheld because the numbers are small.
    pub suppressed: bool,
    /// Preliminary or final.
    pub status: ValueStatus,
    /// An approximate figure ("ca 80", "knappt 70").
    pub approximate: bool,
    /// Note.
    pub note: Option<String>,
    /// Source reference.
    pub source_ref: Option<String>,
    /// When it last changed (with `as_of`: the change in force then).
    pub updated_at: DateTime<Utc>,
    /// Whether it changed after it was first reported (a dashboard's "revised" marker); with
    /// `include_history=true` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revised: Option<bool>,
    /// Every state it has had up to the answer's time, oldest first; with
    /// `include_history=true` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<ValueRevision>>,
}

/// One state of a value: what it was from `recorded_at` on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ValueRevision {
    /// When the change was made.
    pub recorded_at: DateTime<Utc>,
    /// The value from then on (null when suppressed).
    pub value: Option<f64>,
    /// The value before this change (none for the first report).
    pub previous_value: Option<f64>,
    /// Withheld from then on.
    pub suppressed: bool,
    /// Preliminary or final from then on (a change from preliminary to final shows here).
    pub status: ValueStatus,
    /// Approximate from then on.
    pub approximate: bool,
    /// The writer as the audit log names it (null for values stored before history was kept).
    pub changed_by: Option<Uuid>,
}

/// A value deleted since `updated_since`: a pulling client deletes its copy.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeletedValue {
    /// The organisation.
    pub organisation_id: Uuid,
    /// The period.
    #[schema(value_type = Period)]
    pub period: String,
    /// Gender.
    pub gender: Gender,
    /// Age group.
    pub age_group: String,
    /// When it was deleted.
    pub deleted_at: DateTime<Utc>,
}

impl From<(ValueKey, DateTime<Utc>)> for DeletedValue {
    fn from((key, at): (ValueKey, DateTime<Utc>)) -> Self {
        Self {
            organisation_id: key.organisation_id,
            period: key.period,
            gender: key.gender,
            age_group: key.age_group,
            deleted_at: at,
        }
    }
}

/// The revisions of each value, by its key (organisation, period, gender, age group).
pub type Histories = HashMap<(Uuid, String, Gender, String), Vec<ValueRevision>>;

/// The history of each value, by the value's key, from its revisions (oldest first).
pub fn histories(revisions: Vec<indicator_value_revision::Model>) -> Histories {
    let mut out = Histories::new();
    for r in revisions.into_iter().filter(|r| !r.deleted) {
        let entries = out
            .entry((r.organisation_id, r.period, r.gender, r.age_group))
            .or_default();
        let previous_value = entries.last().and_then(|e| e.value);
        entries.push(ValueRevision {
            recorded_at: r.recorded_at,
            value: r.value,
            previous_value,
            suppressed: r.suppressed,
            status: r.status,
            approximate: r.approximate,
            changed_by: r.recorded_by,
        });
    }
    out
}

/// The values of one organisation, in time order.
#[derive(Debug, Serialize, ToSchema)]
pub struct Series {
    /// The organisation.
    pub organisation_id: Uuid,
    /// Its name.
    pub organisation: String,
    /// Its municipality code, if a municipality.
    pub municipality_code: Option<String>,
    /// The values.
    pub values: Vec<SeriesPoint>,
}

/// An indicator's values grouped per organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueSeries {
    /// The indicator.
    pub indicator_id: Uuid,
    /// Its code.
    pub code: String,
    /// One series per organisation, by name.
    pub series: Vec<Series>,
    /// With `updated_since`: the values deleted since then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Vec<DeletedValue>>,
}

/// The values as series per organisation; each point with its history when `history` is given.
pub fn series(
    indicator_id: Uuid,
    code: String,
    rows: Vec<indicator_value::Model>,
    orgs: &HashMap<Uuid, (String, Option<String>)>,
    mut history: Option<Histories>,
) -> ValueSeries {
    let mut by_org: Vec<Series> = Vec::new();
    for v in rows {
        if by_org
            .last()
            .is_none_or(|s| s.organisation_id != v.organisation_id)
        {
            let (name, code) = orgs.get(&v.organisation_id).cloned().unwrap_or_default();
            by_org.push(Series {
                organisation_id: v.organisation_id,
                organisation: name,
                municipality_code: code,
                values: Vec::new(),
            });
        }
        let revisions = history.as_mut().map(|h| {
            h.remove(&(
                v.organisation_id,
                v.period.clone(),
                v.gender,
                v.age_group.clone(),
            ))
            .unwrap_or_default()
        });
        if let Some(series) = by_org.last_mut() {
            series.values.push(SeriesPoint {
                approximate: v.approximate,
                revised: revisions.as_ref().map(|r| r.len() > 1),
                history: revisions,
                period: v.period,
                gender: v.gender,
                age_group: v.age_group,
                value: v.value,
                suppressed: v.suppressed,
                status: v.status,
                note: v.note,
                source_ref: v.source_ref,
                updated_at: v.updated_at,
            });
        }
    }
    for s in &mut by_org {
        s.values.sort_by(|a, b| {
            let (pa, pb) = (
                a.period.parse::<Period>().ok(),
                b.period.parse::<Period>().ok(),
            );
            pa.cmp(&pb)
                .then(a.gender.cmp_key().cmp(&b.gender.cmp_key()))
                .then(a.age_group.cmp(&b.age_group))
        });
    }
    by_org.sort_by_cached_key(|s| crate::domain::text::swedish_sort_key(&s.organisation));
    ValueSeries {
        indicator_id,
        code,
        series: by_org,
        deleted: None,
    }
}
