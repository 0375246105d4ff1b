//! Indicators: definitions with their history, and values reported in all-or-nothing batches.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Action, Actor, Change, Versioned, begin_write, now, record, record_creation, write_next,
};
use crate::{
    domain::indicator::{CheckedValue, Gender, IndicatorStatus, UncheckedIndicator, ValueStatus},
    entities::{indicator, indicator_value, organisation},
    error::{ApiError, ApiResult},
    store::Precondition,
};

/// The entity type of definitions in the audit log and the change events.
pub const ENTITY_TYPE: crate::domain::EntityType = crate::domain::EntityType::Indicator;
/// The entity type of a value batch (its id is the indicator's).
pub const VALUES_ENTITY_TYPE: crate::domain::EntityType =
    crate::domain::EntityType::IndicatorValues;
/// Most rows one batch may hold.
pub const MAX_BATCH: usize = 10_000;

impl Versioned for indicator::Entity {
    const ENTITY: crate::domain::EntityType = ENTITY_TYPE;
    const VERSION: indicator::Column = indicator::Column::Version;
    const UPDATED_AT: indicator::Column = indicator::Column::UpdatedAt;

    fn id(model: &indicator::Model) -> Uuid {
        model.id
    }

    fn version(model: &indicator::Model) -> i32 {
        model.version
    }

    fn audit_json(model: &indicator::Model) -> Option<Value> {
        serde_json::to_value(model).ok()
    }
}

/// The indicator with `id`.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> ApiResult<indicator::Model> {
    indicator::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Every indicator, by code (definitions are few: tens, not thousands).
pub async fn all<C: ConnectionTrait>(db: &C) -> ApiResult<Vec<indicator::Model>> {
    Ok(indicator::Entity::find()
        .order_by_asc(indicator::Column::Code)
        .all(db)
        .await?)
}

/// The indicators with these codes.
pub async fn by_codes<C: ConnectionTrait>(
    db: &C,
    codes: &[String],
) -> ApiResult<Vec<indicator::Model>> {
    Ok(indicator::Entity::find()
        .filter(indicator::Column::Code.is_in(codes.iter().cloned()))
        .order_by_asc(indicator::Column::Code)
        .all(db)
        .await?)
}

async fn check_code_free<C: ConnectionTrait>(db: &C, code: &str, id: Uuid) -> ApiResult<()> {
    let taken = indicator::Entity::find()
        .filter(indicator::Column::Code.eq(code))
        .filter(indicator::Column::Id.ne(id))
        .one(db)
        .await?;
    match taken {
        Some(other) => Err(ApiError::Conflict(format!(
            "code {code} is already indicator {}",
            other.id
        ))),
        None => Ok(()),
    }
}

async fn check_decision<C: ConnectionTrait>(
    db: &C,
    field: &str,
    id: Option<Uuid>,
) -> ApiResult<()> {
    if let Some(id) = id
        && crate::entities::decision::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_none()
    {
        return Err(ApiError::field(field, "no decision has this id"));
    }
    Ok(())
}

/// Creates an indicator inside the caller's write transaction.
pub async fn insert(
    txn: &DatabaseTransaction,
    actor: &Actor,
    i: UncheckedIndicator,
) -> ApiResult<indicator::Model> {
    let id = Uuid::now_v7();
    check_code_free(txn, &i.code, id).await?;
    check_decision(txn, "adopted_by_decision_id", i.adopted_by_decision_id).await?;
    let at = now();
    let model = indicator::ActiveModel {
        id: Set(id),
        code: Set(i.code),
        name: Set(i.name),
        description: Set(i.description),
        category: Set(i.category),
        kind: Set(i.kind),
        unit: Set(i.unit),
        better: Set(i.better),
        decimals: Set(i.decimals),
        source: Set(json!(i.source)),
        breakdowns: Set(json!(i.breakdowns)),
        status: Set(IndicatorStatus::Active),
        adopted_by_decision_id: Set(i.adopted_by_decision_id),
        retired_by_decision_id: Set(None),
        history: Set(json!([])),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    record_creation::<indicator::Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// A change to a definition and what brought it about.
#[derive(Debug, Clone)]
pub struct DefinitionChange {
    /// The new fields.
    pub fields: UncheckedIndicator,
    /// Retire the indicator.
    pub retire: bool,
    /// The decision behind a rename, category move or retirement.
    pub decision_id: Option<Uuid>,
    /// When it took effect.
    pub effective_on: NaiveDate,
}

/// Changes a definition; a rename, a category move and a retirement are added to its history
/// with their date and decision.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    if_match: &Precondition,
    change: impl FnOnce(&indicator::Model) -> ApiResult<DefinitionChange>,
) -> ApiResult<indicator::Model> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id).await?;
    if_match.check(current.version)?;
    let c = change(&current)?;
    check_code_free(&txn, &c.fields.code, id).await?;
    check_decision(&txn, "decision_id", c.decision_id).await?;
    let mut history: Vec<Value> = current.history.as_array().cloned().unwrap_or_default();
    let entry = |change: &str, from: String, to: String| json!({"date": c.effective_on, "change": change, "from": from, "to": to, "decision_id": c.decision_id});
    if c.fields.name != current.name {
        history.push(entry("rename", current.name.clone(), c.fields.name.clone()));
    }
    let category = |v| {
        serde_json::to_value(v)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    if c.fields.category != current.category {
        history.push(entry(
            "category",
            category(current.category),
            category(c.fields.category),
        ));
    }
    let retiring = c.retire && current.status == IndicatorStatus::Active;
    if retiring {
        history.push(entry("retire", "active".into(), "retired".into()));
    }
    let next = indicator::ActiveModel {
        id: Set(id),
        code: Set(c.fields.code),
        name: Set(c.fields.name),
        description: Set(c.fields.description),
        category: Set(c.fields.category),
        kind: Set(c.fields.kind),
        unit: Set(c.fields.unit),
        better: Set(c.fields.better),
        decimals: Set(c.fields.decimals),
        source: Set(json!(c.fields.source)),
        breakdowns: Set(json!(c.fields.breakdowns)),
        status: Set(if c.retire || current.status == IndicatorStatus::Retired {
            IndicatorStatus::Retired
        } else {
            IndicatorStatus::Active
        }),
        retired_by_decision_id: Set(if retiring {
            c.decision_id
        } else {
            current.retired_by_decision_id
        }),
        history: Set(Value::Array(history)),
        ..Default::default()
    };
    let model = write_next(&txn, actor, &current, next, Action::Update, if_match).await?;
    txn.commit().await?;
    Ok(model)
}

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

/// The values of an indicator, ordered by organisation, period, gender and age group.
pub async fn values<C: ConnectionTrait>(
    db: &C,
    indicator_id: Uuid,
    filter: &ValueFilter,
) -> ApiResult<Vec<indicator_value::Model>> {
    use indicator_value::Column as C;
    let mut select = indicator_value::Entity::find().filter(C::IndicatorId.eq(indicator_id));
    if !filter.organisation_ids.is_empty() {
        select = select.filter(C::OrganisationId.is_in(filter.organisation_ids.clone()));
    }
    if let Some(from) = filter.from {
        select = select.filter(C::PeriodStart.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(C::PeriodStart.lte(to));
    }
    if let Some(gender) = filter.gender {
        select = select.filter(C::Gender.eq(gender));
    }
    if let Some(group) = &filter.age_group {
        select = select.filter(C::AgeGroup.eq(group.as_str()));
    }
    if let Some(status) = filter.status {
        select = select.filter(C::Status.eq(status));
    }
    if let Some(since) = filter.updated_since {
        select = select.filter(C::UpdatedAt.gte(since));
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

fn value_json(v: &indicator_value::Model) -> Value {
    json!({
        "organisation_id": v.organisation_id, "period": v.period, "gender": v.gender,
        "age_group": v.age_group, "value": v.value, "suppressed": v.suppressed, "status": v.status,
    })
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
    let known: std::collections::HashSet<Uuid> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let mut errors = crate::domain::text::FieldErrors::default();
    for (i, r) in rows.iter().enumerate() {
        if !known.contains(&r.row.organisation_id) {
            errors.add(
                &format!("values[{i}].organisation_id"),
                "no organisation has this id",
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
    let mut counts = UpsertCounts::default();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let mut inserts = Vec::new();
    for CheckedValue { row, period } in rows {
        let key = value_key(row.organisation_id, &row.period, row.gender, &row.age_group);
        match existing.get(&key) {
            Some(old)
                if old.value == row.value
                    && old.suppressed == row.suppressed
                    && old.status == row.status
                    && old.note == row.note
                    && old.source_ref == row.source_ref =>
            {
                counts.unchanged += 1
            }
            Some(old) => {
                let next = indicator_value::ActiveModel {
                    id: Set(old.id),
                    value: Set(row.value),
                    suppressed: Set(row.suppressed),
                    status: Set(row.status),
                    note: Set(row.note),
                    source_ref: Set(row.source_ref),
                    updated_at: Set(at),
                    version: Set(old.version + 1),
                    ..Default::default()
                };
                let new = next.update(&txn).await?;
                before.push(value_json(old));
                after.push(value_json(&new));
                counts.updated += 1;
            }
            None => {
                after.push(json!({
                    "organisation_id": row.organisation_id, "period": row.period, "gender": row.gender,
                    "age_group": row.age_group, "value": row.value, "suppressed": row.suppressed,
                    "status": row.status,
                }));
                let model = indicator_value::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    indicator_id: Set(indicator.id),
                    organisation_id: Set(row.organisation_id),
                    period: Set(row.period),
                    period_start: Set(period.start()),
                    gender: Set(row.gender),
                    age_group: Set(row.age_group),
                    value: Set(row.value),
                    suppressed: Set(row.suppressed),
                    status: Set(row.status),
                    note: Set(row.note),
                    source_ref: Set(row.source_ref),
                    created_at: Set(at),
                    updated_at: Set(at),
                    version: Set(1),
                };
                inserts.push(model);
                counts.created += 1;
            }
        }
    }
    for chunk in inserts.chunks(500) {
        indicator_value::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    if counts.created + counts.updated > 0 {
        let change = Change {
            entity_type: VALUES_ENTITY_TYPE,
            entity_id: indicator.id,
            action: Action::Update,
            version: indicator.version,
            before: Some(Value::Array(before)),
            after: Some(Value::Array(after)),
        };
        record(&txn, actor, change).await?;
    }
    txn.commit().await?;
    Ok(counts)
}
