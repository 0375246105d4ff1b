//! The audit log and the change events: appended by every write, read by admins.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use serde_json::Value;
use uuid::Uuid;

use migration::seal;

use super::{Actor, actors, now};
use crate::{
    domain::EntityType,
    entities::{audit_log, audit_text},
    error::ApiResult,
    pagination::PageRequest,
};

pub mod chain;

pub use crate::domain::audit::Action;

/// One write, as the audit log and the change events record it.
#[derive(Debug, Clone)]
pub struct Change {
    /// The kind of record, e.g. `organisation`.
    pub entity_type: EntityType,
    /// The record's id.
    pub entity_id: Uuid,
    /// What was done.
    pub action: Action,
    /// The record's version after the write.
    pub version: i32,
    /// The record before the write (none for a creation).
    pub before: Option<Value>,
    /// The record after the write.
    pub after: Option<Value>,
    /// The record's state as its change event carries it, when it differs from `after` (the
    /// audit log's copy leaves out free text; a value batch's event summarises the batch).
    pub event: Option<Value>,
}

/// Appends the audit row and the change event of `change`; call inside the write's transaction.
/// The row's free text goes to `audit_texts` and the row is sealed onto the chain (see
/// [`migration::seal`]); on PostgreSQL the chain's head is held by a transaction-scoped lock,
/// so that rows are sealed in the order they are numbered. Writers should record last, after
/// their other statements: everything after the seal runs under that lock.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    change: Change,
) -> Result<(), DbErr> {
    let at = now();
    let actor_id = actor.id(db).await?.to_string();
    let roles = serde_json::to_value(&actor.roles).map_err(|e| DbErr::Custom(e.to_string()))?;
    let mut moved = Vec::new();
    let mut before = change.before.clone();
    let mut after = change.after.clone();
    for value in [before.as_mut(), after.as_mut()].into_iter().flatten() {
        seal::split(value, &mut moved);
    }
    for text in moved {
        audit_text::ActiveModel {
            id: Set(text.id),
            entity_type: Set(change.entity_type),
            entity_id: Set(change.entity_id),
            field: Set(text.field),
            text: Set(text.text),
        }
        .insert(db)
        .await?;
    }
    // The change event first: the chain's lock (below) is held until the transaction ends, so
    // the less that follows it, the more writers commit per second.
    super::events::append(
        db,
        at,
        change.entity_type,
        change.entity_id,
        change.action,
        change.version,
        change.before.as_ref(),
        change.after.as_ref(),
        change.event,
    )
    .await?;
    let previous = chain::head_for_append(db).await?;
    let content = seal::Content {
        occurred_at: at,
        actor: &actor_id,
        actor_roles: &roles,
        action: change.action.as_str(),
        entity_type: change.entity_type.as_str(),
        entity_id: change.entity_id,
        request_id: actor.request_id.as_deref(),
        before: before.as_ref(),
        after: after.as_ref(),
    };
    let sealed = seal::seal(&content, &previous);
    audit_log::ActiveModel {
        occurred_at: Set(at),
        actor: Set(actor_id),
        actor_roles: Set(actor.roles.clone().into()),
        action: Set(change.action),
        entity_type: Set(change.entity_type),
        entity_id: Set(change.entity_id),
        request_id: Set(actor.request_id.clone()),
        before: Set(before),
        after: Set(after),
        previous_sha256: Set(Some(previous)),
        sha256: Set(Some(sealed)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Filters of the audit list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only rows about this kind of record.
    pub entity_type: Option<EntityType>,
    /// Only rows about this record.
    pub entity_id: Option<Uuid>,
    /// Only rows written by this `sub`.
    pub actor: Option<String>,
}

/// An audit row with the login `sub` of its writer (none once the writer is erased).
pub type AuditRow = (audit_log::Model, Option<String>);

/// One page of the audit log, oldest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<AuditRow>, Option<String>)> {
    let mut select = audit_log::Entity::find();
    if let Some(entity_type) = &filter.entity_type {
        select = select.filter(audit_log::Column::EntityType.eq(*entity_type));
    }
    if let Some(entity_id) = filter.entity_id {
        select = select.filter(audit_log::Column::EntityId.eq(entity_id));
    }
    if let Some(sub) = &filter.actor {
        let Some(actor_id) = actors::find(db, sub).await? else {
            return Ok((Vec::new(), None));
        };
        select = select.filter(audit_log::Column::Actor.eq(actor_id.to_string()));
    }
    let select = page.apply_seq(select, audit_log::Column::Id, audit_log::Column::OccurredAt);
    let (rows, next) = page.finish_seq(select.all(db).await?, |row| row.id);
    let ids = rows
        .iter()
        .filter_map(|row| row.actor.parse().ok())
        .collect();
    let subjects = actors::subjects(db, ids).await?;
    let rows = chain::with_texts(db, rows).await?;
    let rows = rows
        .into_iter()
        .map(|row| {
            let sub = row
                .actor
                .parse()
                .ok()
                .and_then(|id: Uuid| subjects.get(&id).cloned());
            (row, sub)
        })
        .collect();
    Ok((rows, next))
}
