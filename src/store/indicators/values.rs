//! Indicator values: the series query and the all-or-nothing batch upsert with its one audit row.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::OnConflict,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::history;
use crate::{
    domain::{
        indicator::{CheckedValue, Gender, HistoryChange, IndicatorStatus, ValueRow, ValueStatus},
        text::FieldErrors,
    },
    entities::{indicator, indicator_value, organisation},
    error::{ApiError, ApiResult},
    store::{Action, Actor, Change, begin_write, now, record},
};

pub use super::history::VALUES_ENTITY_TYPE;
use super::history::value_json;
/// Most rows one batch may hold.
pub const MAX_BATCH: usize = 10_000;

/// The most values one read answers (`GET /indicators/{id}/values`); a larger selection is
/// refused and must be narrowed.
pub const MAX_POINTS: usize = 10_000;

/// Rows per INSERT: 17 columns each stays below SQLite's 32,766 bound parameters.
const CHUNK: usize = 500;

/// Filters of a value query.
#[derive(Debug, Clone, Default)]
pub struct ValueFilter {
    /// Only these organisations.
    pub organisation_ids: Vec<Uuid>,
    /// Periods starting on or after this day.
    pub from: Option<NaiveDate>,
    /// Periods starting on or before this day.
    pub to: Option<NaiveDate>,
    /// Only this gender.
    pub gender: Option<Gender>,
    /// Only this age group ("" for all ages).
    pub age_group: Option<String>,
    /// Only this status.
    pub status: Option<ValueStatus>,
    /// Only values changed at or after this time.
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// The values of an indicator, ordered by organisation, period, gender and age group; at most
/// `cap` of them when given.
pub async fn values<C: ConnectionTrait>(
    db: &C,
    indicator_id: Uuid,
    filter: &ValueFilter,
    cap: Option<usize>,
) -> ApiResult<Vec<indicator_value::Model>> {
    use indicator_value::Column as C;
    let mut select = super::filtered(
        indicator_value::Entity::find().filter(C::IndicatorId.eq(indicator_id)),
        filter,
        super::ValueColumns {
            organisation_id: C::OrganisationId,
            period_start: C::PeriodStart,
            gender: C::Gender,
            age_group: C::AgeGroup,
        },
    );
    if let Some(status) = filter.status {
        select = select.filter(C::Status.eq(status));
    }
    if let Some(since) = filter.updated_since {
        select = select.filter(C::UpdatedAt.gte(since));
    }
    if let Some(cap) = cap {
        select = select.limit(u64::try_from(cap).unwrap_or(u64::MAX));
    }
    Ok(select
        .order_by_asc(C::OrganisationId)
        .order_by_asc(C::PeriodStart)
        .order_by_asc(C::Period)
        .order_by_asc(C::Gender)
        .order_by_asc(C::AgeGroup)
        .all(db)
        .await?)
}

/// The ids of the organisations with these municipality codes, by code.
pub async fn organisations_by_municipality_code<C: ConnectionTrait>(
    db: &C,
    codes: BTreeSet<String>,
) -> ApiResult<HashMap<String, Uuid>> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(organisation::Entity::find()
        .filter(organisation::Column::MunicipalityCode.is_in(codes))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|o| o.municipality_code.map(|c| (c, o.id)))
        .collect())
}

/// What a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    /// New values.
    pub created: usize,
    /// Changed values.
    pub updated: usize,
    /// Values sent again unchanged.
    pub unchanged: usize,
}

fn value_key(
    organisation_id: Uuid,
    period: &str,
    gender: Gender,
    age_group: &str,
) -> (Uuid, String, Gender, String) {
    (
        organisation_id,
        period.to_owned(),
        gender,
        age_group.to_owned(),
    )
}

/// The day a retired indicator was retired (its history's retirement; its last change when
/// the history does not say); `None` while it is active.
fn retired_on(indicator: &indicator::Model) -> Option<NaiveDate> {
    if indicator.status != IndicatorStatus::Retired {
        return None;
    }
    indicator
        .history
        .0
        .iter()
        .rev()
        .find(|h| h.change == HistoryChange::Retire)
        .map(|h| h.date)
        .or_else(|| Some(indicator.updated_at.date_naive()))
}

/// `base` with the fields a report sets, one version on.
fn reported(
    base: indicator_value::Model,
    row: ValueRow,
    at: chrono::DateTime<chrono::Utc>,
) -> indicator_value::Model {
    indicator_value::Model {
        value: row.value,
        suppressed: row.suppressed,
        status: row.status,
        approximate: row.approximate,
        note: row.note,
        source_ref: row.source_ref,
        updated_at: at,
        version: base.version + 1,
        ..base
    }
}

/// Upserts a checked batch in one transaction: all rows or none. Repeating a batch changes
/// nothing. The audit log gets one row for the batch, with every changed value before and after.
pub async fn upsert_values(
    db: &DatabaseConnection,
    actor: &Actor,
    indicator: &indicator::Model,
    rows: Vec<CheckedValue>,
) -> ApiResult<UpsertCounts> {
    if rows.len() > MAX_BATCH {
        return Err(ApiError::field(
            "values",
            format!("at most {MAX_BATCH} rows in one batch"),
        ));
    }
    let txn = begin_write(db).await?;
    let mut org_ids: Vec<Uuid> = rows.iter().map(|r| r.row.organisation_id).collect();
    org_ids.sort();
    org_ids.dedup();
    let known: HashSet<Uuid> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let mut errors = FieldErrors::default();
    let retired_on = retired_on(indicator);
    for (i, r) in rows.iter().enumerate() {
        if !known.contains(&r.row.organisation_id) {
            errors.add(
                &format!("values[{i}].organisation_id"),
                "no organisation has this id",
            );
        }
        if let Some(day) = retired_on
            && r.period.start() >= day
        {
            errors.add(
                &format!("values[{i}].period"),
                format!(
                    "the indicator was retired on {day}: only periods that began before then \
                     take values"
                ),
            );
        }
    }
    errors.finish()?;
    let existing: HashMap<_, indicator_value::Model> = indicator_value::Entity::find()
        .filter(indicator_value::Column::IndicatorId.eq(indicator.id))
        .filter(indicator_value::Column::OrganisationId.is_in(org_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|v| {
            (
                value_key(v.organisation_id, &v.period, v.gender, &v.age_group),
                v,
            )
        })
        .collect();
    let at = now();
    let by = actor.id(&txn).await?;
    let mut revisions = Vec::new();
    let mut counts = UpsertCounts::default();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let (mut inserts, mut updates) = (Vec::new(), Vec::new());
    for CheckedValue { row, period } in rows {
        let key = value_key(row.organisation_id, &row.period, row.gender, &row.age_group);
        match existing.get(&key) {
            Some(old)
                if old.value == row.value
                    && old.suppressed == row.suppressed
                    && old.status == row.status
                    && old.approximate == row.approximate
                    && old.note == row.note
                    && old.source_ref == row.source_ref =>
            {
                counts.unchanged += 1
            }
            Some(old) => {
                let new = reported(old.clone(), row, at);
                revisions.push(history::revision_of(&new, false, at, by));
                before.push(value_json(old));
                after.push(value_json(&new));
                updates.push(indicator_value::ActiveModel::from(new));
                counts.updated += 1;
            }
            None => {
                after.push(json!({
                    "organisation_id": row.organisation_id, "period": row.period, "gender": row.gender,
                    "age_group": row.age_group, "value": row.value, "suppressed": row.suppressed,
                    "status": row.status, "approximate": row.approximate,
                }));
                let blank = indicator_value::Model {
                    id: Uuid::now_v7(),
                    indicator_id: indicator.id,
                    organisation_id: row.organisation_id,
                    period: row.period.clone(),
                    period_start: period.start(),
                    gender: row.gender,
                    age_group: row.age_group.clone(),
                    value: None,
                    suppressed: false,
                    status: row.status,
                    approximate: false,
                    note: None,
                    source_ref: None,
                    created_at: at,
                    updated_at: at,
                    version: 0,
                };
                let model = reported(blank, row, at);
                revisions.push(history::revision_of(&model, false, at, by));
                let model = indicator_value::ActiveModel::from(model);
                inserts.push(model);
                counts.created += 1;
            }
        }
    }
    // Changed rows are written whole, as an upsert on the primary key: one statement per
    // chunk instead of one UPDATE per value (a 1,000-row batch was 1,000 round trips).
    use indicator_value::Column as V;
    let by_id = OnConflict::column(V::Id)
        .update_columns([
            V::Value,
            V::Suppressed,
            V::Status,
            V::Approximate,
            V::Note,
            V::SourceRef,
            V::UpdatedAt,
            V::Version,
        ])
        .to_owned();
    for chunk in updates.chunks(CHUNK) {
        indicator_value::Entity::insert_many(chunk.to_vec())
            .on_conflict(by_id.clone())
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in inserts.chunks(CHUNK) {
        indicator_value::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    history::append(&txn, revisions).await?;
    if counts.created + counts.updated > 0 {
        let distinct = |field: &str| -> BTreeSet<String> {
            after
                .iter()
                .filter_map(|row| row[field].as_str().map(str::to_owned))
                .collect()
        };
        let (changed_orgs, changed_periods) = (distinct("organisation_id"), distinct("period"));
        let change = Change {
            entity_type: VALUES_ENTITY_TYPE,
            entity_id: indicator.id,
            action: Action::Update,
            version: indicator.version,
            before: Some(Value::Array(before)),
            after: Some(Value::Array(after)),
            event: Some(serde_json::json!({
                "indicator_id": indicator.id,
                "created": counts.created,
                "updated": counts.updated,
                "organisation_ids": changed_orgs,
                "periods": changed_periods,
            })),
        };
        record(&txn, actor, change).await?;
    }
    txn.commit().await?;
    Ok(counts)
}
