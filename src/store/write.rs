//! The one write path of versioned records: creation, the next version (with `If-Match`),
//! update and archive. Each appends its audit row and change event in the write's transaction,
//! and a write that changes nothing makes no version, no audit row and no event.

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel, Iterable,
    ModelTrait, PrimaryKeyToColumn, QueryFilter,
};
use serde_json::Value;
use uuid::Uuid;

use super::{Action, Actor, Change, begin_write, now, record};
use crate::{
    domain::EntityType,
    error::{ApiError, ApiResult},
};

/// The `If-Match` precondition of a write, as the client sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`: the write applies to whatever version is current.
    #[default]
    None,
    /// `If-Match: *`: any current version.
    Any,
    /// `If-Match` with entity tags: the strong tags that name a version (others never match).
    Versions(Vec<i32>),
    /// No `If-Match` where this deployment requires one (`SAMVERKAN_REQUIRE_IF_MATCH`): every
    /// change to an existing record is refused with 428.
    Required,
}

impl Precondition {
    /// Ok when there is no precondition or it matches `version`; 412 otherwise; 428 when
    /// one is required and missing.
    pub fn check(&self, version: i32) -> ApiResult<()> {
        match self {
            Self::None | Self::Any => Ok(()),
            Self::Versions(versions) if versions.contains(&version) => Ok(()),
            Self::Versions(_) => Err(ApiError::PreconditionFailed),
            Self::Required => Err(ApiError::PreconditionRequired),
        }
    }

    /// Whether the client named a version (a lost update then is a 412, not a 409).
    pub fn is_given(&self) -> bool {
        matches!(self, Self::Any | Self::Versions(_))
    }
}

/// What the shared write path needs to know about a table of versioned records.
pub trait Versioned: EntityTrait {
    /// The entity type in the audit log and the change events.
    const ENTITY: EntityType;
    /// The `version` column.
    const VERSION: Self::Column;
    /// The `updated_at` column.
    const UPDATED_AT: Self::Column;
    /// The record's id.
    fn id(model: &Self::Model) -> Uuid;
    /// The record's version.
    fn version(model: &Self::Model) -> i32;
    /// The record as the audit log keeps it (personal data left out).
    fn audit_json(model: &Self::Model) -> Option<Value>;
    /// The record as its change events carry it (by default the audit log's copy).
    fn event_json(model: &Self::Model) -> Option<Value> {
        Self::audit_json(model)
    }
}

/// Implements [`Versioned`] for the `Entity` in scope (with its `Model` and `Column`), a table
/// with `id`, `version` and `updated_at` columns: `versioned!(EntityType::Meeting)`. The audit
/// log keeps the whole row unless `audit = f` names a `fn(&Model) -> Option<Value>` that leaves
/// personal data out; the change events carry the audit log's copy unless `event = f` says
/// otherwise.
macro_rules! versioned {
    ($kind:expr $(, audit = $audit:path)? $(, event = $event:path)? $(,)?) => {
        impl $crate::store::Versioned for Entity {
            const ENTITY: $crate::domain::EntityType = $kind;
            const VERSION: Column = Column::Version;
            const UPDATED_AT: Column = Column::UpdatedAt;

            fn id(model: &Model) -> ::uuid::Uuid {
                model.id
            }

            fn version(model: &Model) -> i32 {
                model.version
            }

            fn audit_json(model: &Model) -> Option<::serde_json::Value> {
                $crate::store::write::versioned!(@audit model $(, $audit)?)
            }

            $(
                fn event_json(model: &Model) -> Option<::serde_json::Value> {
                    $event(model)
                }
            )?
        }
    };
    (@audit $model:ident) => {
        ::serde_json::to_value($model).ok()
    };
    (@audit $model:ident, $audit:path) => {
        $audit($model)
    };
}
pub(crate) use versioned;

/// A versioned record that is deleted by archiving: it stays, as a tombstone.
pub trait Archivable: Versioned {
    /// The `archived` column.
    const ARCHIVED: Self::Column;
    /// Whether the record is archived.
    fn is_archived(model: &Self::Model) -> bool;
}

/// Records the creation of `model` (audit row and change event); call inside the transaction
/// that inserted it.
pub async fn record_creation<E: Versioned, C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    model: &E::Model,
) -> Result<(), DbErr> {
    let change = Change {
        entity_type: E::ENTITY,
        entity_id: E::id(model),
        action: Action::Create,
        version: E::version(model),
        before: None,
        after: E::audit_json(model),
        event: E::event_json(model),
    };
    record(db, actor, change).await
}

/// Whether `next` sets any column to a value other than the one `current` holds.
pub fn changes<E, A>(next: &A, current: &E::Model) -> bool
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E>,
{
    E::Column::iter().any(|column| match next.get(column) {
        ActiveValue::Set(value) | ActiveValue::Unchanged(value) => current.get(column) != value,
        ActiveValue::NotSet => false,
    })
}

/// Writes `next` as the version after `current` (stamping `updated_at` and `version`) if no one
/// else wrote in between, and appends its audit row and change event. The caller commits.
pub async fn write_next<E, A>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &E::Model,
    mut next: A,
    action: Action,
    precondition: &Precondition,
) -> ApiResult<E::Model>
where
    E: Versioned,
    A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Model: IntoActiveModel<A>,
{
    let version = E::version(current);
    next.set(E::UPDATED_AT, now().into());
    next.set(E::VERSION, (version + 1).into());
    let model = write_if_version(txn, next, E::VERSION, version, precondition).await?;
    let change = Change {
        entity_type: E::ENTITY,
        entity_id: E::id(current),
        action,
        version: E::version(&model),
        before: E::audit_json(current),
        after: E::audit_json(&model),
        event: E::event_json(&model),
    };
    record(txn, actor, change).await?;
    Ok(model)
}

/// Writes `next` only if the stored `version` column still holds `expected`: a concurrent writer
/// in between makes this a 412 (with `If-Match`) or a 409 (without).
pub async fn write_if_version<A, C>(
    db: &C,
    next: A,
    version: <A::Entity as EntityTrait>::Column,
    expected: i32,
    precondition: &Precondition,
) -> ApiResult<<A::Entity as EntityTrait>::Model>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let update = A::Entity::update(next)
        .validate()?
        .filter(version.eq(expected));
    match update.exec(db).await {
        Ok(model) => Ok(model),
        Err(DbErr::RecordNotUpdated) if precondition.is_given() => {
            Err(ApiError::PreconditionFailed)
        }
        Err(DbErr::RecordNotUpdated) => Err(ApiError::Conflict(
            "the record was changed by another request; retry".into(),
        )),
        Err(other) => Err(other.into()),
    }
}

/// The shared update: in one write transaction, `load` the current record, check the
/// precondition, let `change` build the next columns (and run the rules that need the
/// database), and write them as the next version. When nothing changes, nothing is written and
/// the current record is returned.
pub async fn update<E, A>(
    db: &DatabaseConnection,
    actor: &Actor,
    precondition: &Precondition,
    load: impl AsyncFnOnce(&DatabaseTransaction) -> ApiResult<E::Model>,
    change: impl AsyncFnOnce(&DatabaseTransaction, &E::Model) -> ApiResult<A>,
) -> ApiResult<E::Model>
where
    E: Versioned,
    A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Model: IntoActiveModel<A>,
{
    let txn = begin_write(db).await?;
    let current = load(&txn).await?;
    precondition.check(E::version(&current))?;
    let next = change(&txn, &current).await?;
    if !changes(&next, &current) {
        txn.rollback().await?;
        return Ok(current);
    }
    let model = write_next(&txn, actor, &current, next, Action::Update, precondition).await?;
    txn.commit().await?;
    Ok(model)
}

/// The shared archive (the soft delete): in one write transaction, `load` the current record,
/// check the precondition, let `allow` refuse (e.g. a locked record), and mark it archived.
/// Archiving an archived record changes nothing.
pub async fn archive<E, A>(
    db: &DatabaseConnection,
    actor: &Actor,
    precondition: &Precondition,
    load: impl AsyncFnOnce(&DatabaseTransaction) -> ApiResult<E::Model>,
    allow: impl AsyncFnOnce(&DatabaseTransaction, &E::Model) -> ApiResult<()>,
) -> ApiResult<E::Model>
where
    E: Archivable,
    A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Model: IntoActiveModel<A>,
{
    let txn = begin_write(db).await?;
    let current = load(&txn).await?;
    precondition.check(E::version(&current))?;
    if E::is_archived(&current) {
        txn.rollback().await?;
        return Ok(current);
    }
    allow(&txn, &current).await?;
    let mut next = A::default();
    for key in E::PrimaryKey::iter() {
        let column = key.into_column();
        next.set(column, current.get(column));
    }
    next.set(E::ARCHIVED, true.into());
    let model = write_next(&txn, actor, &current, next, Action::Archive, precondition).await?;
    txn.commit().await?;
    Ok(model)
}
