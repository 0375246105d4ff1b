//! The history of indicator values: every change of a value is a revision (its creation, each
//! change, its deletion), so that the values can be read as they stood at any time (`as_of`),
//! each with its revisions (`include_history`), and a deletion leaves a tombstone for pulling
//! clients.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ValueFilter;
use crate::{
    domain::{indicator::Gender, text::FieldErrors},
    entities::{indicator, indicator_value, indicator_value_revision as revision},
    error::ApiResult,
    store::{Action, Actor, Change, begin_write, now, record},
};

/// The entity type of a value batch (its id is the indicator's).
pub const VALUES_ENTITY_TYPE: crate::domain::EntityType =
    crate::domain::EntityType::IndicatorValues;

/// A value as the audit log keeps it.
pub(super) fn value_json(v: &indicator_value::Model) -> Value {
    json!({
        "organisation_id": v.organisation_id, "period": v.period, "gender": v.gender,
        "age_group": v.age_group, "value": v.value, "suppressed": v.suppressed, "status": v.status,
        "approximate": v.approximate,
    })
}

/// The key of one value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueKey {
    /// The organisation.
    pub organisation_id: Uuid,
    /// The period, e.g. "2021" or "2021-H1".
    pub period: String,
    /// Gender (default `total`).
    #[serde(default = "total")]
    pub gender: Gender,
    /// Age group (default: all ages, "").
    #[serde(default)]
    #[schema(max_length = 20)]
    pub age_group: String,
}

fn total() -> Gender {
    Gender::Total
}

impl ValueKey {
    fn of(v: &indicator_value::Model) -> Self {
        Self {
            organisation_id: v.organisation_id,
            period: v.period.clone(),
            gender: v.gender,
            age_group: v.age_group.clone(),
        }
    }
}

/// The revision that records `v` as it is now (or, `deleted`, its deletion) at `at`.
pub(super) fn revision_of(
    v: &indicator_value::Model,
    deleted: bool,
    at: DateTime<Utc>,
    by: Uuid,
) -> revision::ActiveModel {
    revision::ActiveModel {
        id: Set(Uuid::now_v7()),
        value_id: Set(v.id),
        indicator_id: Set(v.indicator_id),
        organisation_id: Set(v.organisation_id),
        period: Set(v.period.clone()),
        period_start: Set(v.period_start),
        gender: Set(v.gender),
        age_group: Set(v.age_group.clone()),
        value: Set(v.value),
        suppressed: Set(v.suppressed),
        status: Set(v.status),
        approximate: Set(v.approximate),
        note: Set(v.note.clone()),
        source_ref: Set(v.source_ref.clone()),
        deleted: Set(deleted),
        version: Set(if deleted { v.version + 1 } else { v.version }),
        recorded_at: Set(at),
        recorded_by: Set(Some(by)),
    }
}

/// Appends revisions, in chunks.
pub(super) async fn append<C: ConnectionTrait>(
    db: &C,
    revisions: Vec<revision::ActiveModel>,
) -> ApiResult<()> {
    for chunk in revisions.chunks(500) {
        revision::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The revisions of an indicator's values that `filter` picks, recorded up to `until` (all
/// without), oldest first.
pub async fn revisions<C: ConnectionTrait>(
    db: &C,
    indicator_id: Uuid,
    filter: &ValueFilter,
    until: Option<DateTime<Utc>>,
) -> ApiResult<Vec<revision::Model>> {
    use revision::Column as C;
    let mut select = super::filtered(
        revision::Entity::find().filter(C::IndicatorId.eq(indicator_id)),
        filter,
        super::ValueColumns {
            organisation_id: C::OrganisationId,
            period_start: C::PeriodStart,
            gender: C::Gender,
            age_group: C::AgeGroup,
        },
    );
    if let Some(until) = until {
        select = select.filter(C::RecordedAt.lte(until));
    }
    Ok(select
        .order_by_asc(C::RecordedAt)
        .order_by_asc(C::Id)
        .all(db)
        .await?)
}

/// The value a revision records, as the values table would hold it (dated by the revision).
pub fn value_of(r: revision::Model) -> indicator_value::Model {
    indicator_value::Model {
        id: r.value_id,
        indicator_id: r.indicator_id,
        organisation_id: r.organisation_id,
        period: r.period,
        period_start: r.period_start,
        gender: r.gender,
        age_group: r.age_group,
        value: r.value,
        suppressed: r.suppressed,
        status: r.status,
        approximate: r.approximate,
        note: r.note,
        source_ref: r.source_ref,
        created_at: r.recorded_at,
        updated_at: r.recorded_at,
        version: r.version,
    }
}

/// The values as they stood at `at`: for each key its last revision up to then, unless that
/// was a deletion; ordered like [`super::values`].
pub async fn values_as_of<C: ConnectionTrait>(
    db: &C,
    indicator_id: Uuid,
    filter: &ValueFilter,
    at: DateTime<Utc>,
) -> ApiResult<Vec<indicator_value::Model>> {
    let mut latest: HashMap<ValueKey, revision::Model> = HashMap::new();
    for r in revisions(db, indicator_id, filter, Some(at)).await? {
        let key = ValueKey {
            organisation_id: r.organisation_id,
            period: r.period.clone(),
            gender: r.gender,
            age_group: r.age_group.clone(),
        };
        latest.insert(key, r);
    }
    let mut rows: Vec<indicator_value::Model> = latest
        .into_values()
        .filter(|r| !r.deleted)
        .filter(|r| filter.status.is_none_or(|s| s == r.status))
        .map(value_of)
        .collect();
    rows.sort_by(|a, b| {
        (
            a.organisation_id,
            a.period_start,
            &a.period,
            a.gender.as_str(),
            &a.age_group,
        )
            .cmp(&(
                b.organisation_id,
                b.period_start,
                &b.period,
                b.gender.as_str(),
                &b.age_group,
            ))
    });
    Ok(rows)
}

/// The keys of values deleted since `since` (and not stored again since): the tombstones of an
/// `updated_since` pull.
pub async fn deleted_since<C: ConnectionTrait>(
    db: &C,
    indicator_id: Uuid,
    filter: &ValueFilter,
    since: DateTime<Utc>,
) -> ApiResult<Vec<(ValueKey, DateTime<Utc>)>> {
    use revision::Column as C;
    // Only the deletions since then are read (none, on most pulls), never the whole history.
    let deletions = super::filtered(
        revision::Entity::find()
            .filter(C::IndicatorId.eq(indicator_id))
            .filter(C::Deleted.eq(true))
            .filter(C::RecordedAt.gte(since)),
        filter,
        super::ValueColumns {
            organisation_id: C::OrganisationId,
            period_start: C::PeriodStart,
            gender: C::Gender,
            age_group: C::AgeGroup,
        },
    )
    .order_by_asc(C::RecordedAt)
    .all(db)
    .await?;
    if deletions.is_empty() {
        return Ok(Vec::new());
    }
    let mut gone: HashMap<ValueKey, DateTime<Utc>> = deletions
        .into_iter()
        .map(|r| {
            let key = ValueKey {
                organisation_id: r.organisation_id,
                period: r.period,
                gender: r.gender,
                age_group: r.age_group,
            };
            (key, r.recorded_at)
        })
        .collect();
    // A deletion row removes the value, so a key stored again since has a current value.
    let organisations: BTreeSet<Uuid> = gone.keys().map(|k| k.organisation_id).collect();
    let current = indicator_value::Entity::find()
        .filter(indicator_value::Column::IndicatorId.eq(indicator_id))
        .filter(indicator_value::Column::OrganisationId.is_in(organisations))
        .all(db)
        .await?;
    for v in &current {
        gone.remove(&ValueKey::of(v));
    }
    let mut gone: Vec<(ValueKey, DateTime<Utc>)> = gone.into_iter().collect();
    gone.sort_by(|a, b| {
        (a.0.organisation_id, &a.0.period).cmp(&(b.0.organisation_id, &b.0.period))
    });
    Ok(gone)
}

/// Deletes the values with these keys, all or none (422 naming `keys[i]` for a key with no
/// value): each leaves a revision marking its deletion, the batch one audit row and one change
/// event (`deleted` and the keys).
pub async fn delete_values(
    db: &DatabaseConnection,
    actor: &Actor,
    indicator: &indicator::Model,
    keys: Vec<ValueKey>,
) -> ApiResult<usize> {
    let txn = begin_write(db).await?;
    let found = find(&txn, indicator.id, &keys).await?;
    let mut errors = FieldErrors::default();
    let mut rows = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        match found.get(key) {
            Some(row) => rows.push(row.clone()),
            None => errors.add(&format!("keys[{i}]"), "no value has this key"),
        }
    }
    errors.finish()?;
    rows.dedup_by_key(|r| r.id);
    let at = now();
    let by = actor.id(&txn).await?;
    append(
        &txn,
        rows.iter().map(|r| revision_of(r, true, at, by)).collect(),
    )
    .await?;
    indicator_value::Entity::delete_many()
        .filter(indicator_value::Column::Id.is_in(rows.iter().map(|r| r.id)))
        .exec(&txn)
        .await?;
    let before: Vec<Value> = rows.iter().map(value_json).collect();
    let organisations: BTreeSet<Uuid> = rows.iter().map(|r| r.organisation_id).collect();
    let periods: BTreeSet<&str> = rows.iter().map(|r| r.period.as_str()).collect();
    let deleted: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({"organisation_id": r.organisation_id, "period": r.period,
                   "gender": r.gender, "age_group": r.age_group})
        })
        .collect();
    record(
        &txn,
        actor,
        Change {
            entity_type: VALUES_ENTITY_TYPE,
            entity_id: indicator.id,
            action: Action::Update,
            version: indicator.version,
            before: Some(Value::Array(before)),
            after: Some(Value::Array(Vec::new())),
            event: Some(json!({
                "indicator_id": indicator.id, "created": 0, "updated": 0,
                "deleted": rows.len(), "deleted_keys": deleted,
                "organisation_ids": organisations, "periods": periods,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(rows.len())
}

/// The stored values with these keys, by key.
async fn find(
    txn: &DatabaseTransaction,
    indicator_id: Uuid,
    keys: &[ValueKey],
) -> ApiResult<HashMap<ValueKey, indicator_value::Model>> {
    let organisations: BTreeSet<Uuid> = keys.iter().map(|k| k.organisation_id).collect();
    Ok(indicator_value::Entity::find()
        .filter(indicator_value::Column::IndicatorId.eq(indicator_id))
        .filter(indicator_value::Column::OrganisationId.is_in(organisations))
        .all(txn)
        .await?
        .into_iter()
        .map(|v| (ValueKey::of(&v), v))
        .collect())
}
