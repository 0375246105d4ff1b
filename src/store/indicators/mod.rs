//! Indicators: definitions with their history (here), values reported in all-or-nothing
//! batches ([`values`]), and the queries of the Kolada-compatible read API ([`kolada`]).

mod history;
pub mod kolada;
mod values;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

pub use history::{ValueKey, delete_values, deleted_since, revisions, value_of, values_as_of};
pub use values::{
    MAX_BATCH, MAX_POINTS, UpsertCounts, VALUES_ENTITY_TYPE, ValueFilter,
    organisations_by_municipality_code, upsert_values, values,
};

use super::{Actor, Precondition, now, record_creation};
use crate::{
    domain::indicator::{
        Aggregation, Category, HistoryChange, HistoryEntry, Indicator, IndicatorKind,
        IndicatorStatus,
    },
    entities::indicator::{ActiveModel, Column, Entity, Model},
    error::{ApiError, ApiResult},
    pagination::PageRequest,
};

/// The columns a [`ValueFilter`] reads, on `indicator_values` or on their revisions.
struct ValueColumns<C> {
    organisation_id: C,
    period_start: C,
    gender: C,
    age_group: C,
}

/// `select` narrowed by the organisations, the period range, the gender and the age group of
/// `filter` (the filters both values and their revisions have).
fn filtered<E: EntityTrait>(
    mut select: sea_orm::Select<E>,
    filter: &ValueFilter,
    c: ValueColumns<E::Column>,
) -> sea_orm::Select<E> {
    if !filter.organisation_ids.is_empty() {
        select = select.filter(c.organisation_id.is_in(filter.organisation_ids.clone()));
    }
    if let Some(from) = filter.from {
        select = select.filter(c.period_start.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(c.period_start.lte(to));
    }
    if let Some(gender) = filter.gender {
        select = select.filter(c.gender.eq(gender));
    }
    if let Some(group) = &filter.age_group {
        select = select.filter(c.age_group.eq(group.as_str()));
    }
    select
}

/// The entity type of definitions in the audit log and the change events.
pub const ENTITY_TYPE: crate::domain::EntityType = crate::domain::EntityType::Indicator;

crate::store::write::versioned!(ENTITY_TYPE);

/// Filters of the indicator list.
#[derive(Debug, Clone, Default)]
pub struct IndicatorFilter {
    /// Only this category.
    pub category: Option<Category>,
    /// Only this kind.
    pub kind: Option<IndicatorKind>,
    /// Only active or retired ones.
    pub status: Option<IndicatorStatus>,
}

/// The indicator with `id`.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> ApiResult<Model> {
    Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// One page of indicators (retired ones too: an indicator is never deleted).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &IndicatorFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<Model>, Option<String>)> {
    let mut select = Entity::find();
    if let Some(category) = filter.category {
        select = select.filter(Column::Category.eq(category));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(Column::Kind.eq(kind));
    }
    if let Some(status) = filter.status {
        select = select.filter(Column::Status.eq(status));
    }
    let rows = page
        .apply(select, Column::Id, Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish(rows, |row| (row.updated_at, row.id)))
}

/// Every indicator, by code (for the dashboard and Kolada, which show them all: definitions
/// are few, tens not thousands).
pub async fn all<C: ConnectionTrait>(db: &C) -> ApiResult<Vec<Model>> {
    Ok(Entity::find().order_by_asc(Column::Code).all(db).await?)
}

/// The indicators with these codes, by code.
pub async fn by_codes<C: ConnectionTrait>(db: &C, codes: &[String]) -> ApiResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::Code.is_in(codes.iter().cloned()))
        .order_by_asc(Column::Code)
        .all(db)
        .await?)
}

async fn check_code_free<C: ConnectionTrait>(db: &C, code: &str, id: Uuid) -> ApiResult<()> {
    let taken = Entity::find()
        .filter(Column::Code.eq(code))
        .filter(Column::Id.ne(id))
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

/// The weight indicator of a weighted mean exists and is another indicator (422 otherwise).
async fn check_weight<C: ConnectionTrait>(db: &C, id: Uuid, weight: Option<Uuid>) -> ApiResult<()> {
    match weight {
        Some(w) if w == id => Err(ApiError::field(
            "weight_indicator_id",
            "an indicator cannot weigh itself",
        )),
        Some(w) if Entity::find_by_id(w).one(db).await?.is_none() => Err(ApiError::field(
            "weight_indicator_id",
            "no indicator has this id",
        )),
        _ => Ok(()),
    }
}

/// The stored columns of a definition's checked fields.
fn fields(i: &Indicator) -> ActiveModel {
    ActiveModel {
        code: Set(i.code.as_str().to_owned()),
        name: Set(i.name.as_str().to_owned()),
        description: Set(i.description.clone()),
        category: Set(i.category),
        kind: Set(i.kind),
        unit: Set(i.unit),
        better: Set(i.better),
        decimals: Set(i.decimals),
        aggregation: Set(i
            .aggregation
            .unwrap_or_else(|| Aggregation::default_for(i.unit))),
        weight_indicator_id: Set(i.weight_indicator_id),
        source: Set(i.source.clone().into()),
        breakdowns: Set(i.breakdowns.clone().into()),
        ..Default::default()
    }
}

/// Creates an indicator inside the caller's write transaction.
pub async fn insert(txn: &DatabaseTransaction, actor: &Actor, i: Indicator) -> ApiResult<Model> {
    let id = Uuid::now_v7();
    check_code_free(txn, i.code.as_str(), id).await?;
    check_decision(txn, "adopted_by_decision_id", i.adopted_by_decision_id).await?;
    check_weight(txn, id, i.weight_indicator_id).await?;
    let at = now();
    let model = ActiveModel {
        id: Set(id),
        status: Set(IndicatorStatus::Active),
        adopted_by_decision_id: Set(i.adopted_by_decision_id),
        retired_by_decision_id: Set(None),
        history: Set(Vec::new().into()),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        ..fields(&i)
    }
    .insert(txn)
    .await?;
    record_creation::<Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// A change to a definition and what brought it about.
#[derive(Debug, Clone)]
pub struct DefinitionChange {
    /// The new fields.
    pub fields: Indicator,
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
    precondition: &Precondition,
    change: impl FnOnce(&Model) -> ApiResult<DefinitionChange>,
) -> ApiResult<Model> {
    super::update::<Entity, _>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id).await,
        async |txn, current| {
            let c = change(current)?;
            check_code_free(txn, c.fields.code.as_str(), id).await?;
            check_decision(txn, "decision_id", c.decision_id).await?;
            check_weight(txn, id, c.fields.weight_indicator_id).await?;
            Ok(next_definition(current, c))
        },
    )
    .await
}

/// The columns of the next version: the new fields, the status, and the history with an entry
/// for each rename, category move and retirement.
fn next_definition(current: &Model, c: DefinitionChange) -> ActiveModel {
    let mut history = current.history.0.clone();
    let entry = |change, from: &str, to: &str| HistoryEntry {
        date: c.effective_on,
        change,
        from: Some(from.to_owned()),
        to: Some(to.to_owned()),
        decision_id: c.decision_id,
    };
    if c.fields.name.as_str() != current.name {
        history.push(entry(
            HistoryChange::Rename,
            &current.name,
            c.fields.name.as_str(),
        ));
    }
    if c.fields.category != current.category {
        history.push(entry(
            HistoryChange::Category,
            current.category.as_str(),
            c.fields.category.as_str(),
        ));
    }
    let retiring = c.retire && current.status == IndicatorStatus::Active;
    if retiring {
        history.push(entry(
            HistoryChange::Retire,
            IndicatorStatus::Active.as_str(),
            IndicatorStatus::Retired.as_str(),
        ));
    }
    let retired = c.retire || current.status == IndicatorStatus::Retired;
    ActiveModel {
        id: Set(current.id),
        status: Set(if retired {
            IndicatorStatus::Retired
        } else {
            IndicatorStatus::Active
        }),
        retired_by_decision_id: Set(if retiring {
            c.decision_id
        } else {
            current.retired_by_decision_id
        }),
        history: Set(history.into()),
        ..fields(&c.fields)
    }
}
