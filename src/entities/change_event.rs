//! The `change_events` table: the outbox every write appends to in its own transaction, read by
//! the change feed and the webhook deliverer in `position` order (handed out after commit).

use sea_orm::entity::prelude::*;

use crate::domain::EntityType;

/// One change event.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "change_events")]
pub struct Model {
    /// Insertion order (not the feed order: transactions commit out of this order).
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub occurred_at: DateTimeUtc,
    pub entity_type: EntityType,
    pub entity_id: Uuid,
    pub action: String,
    pub version: i32,
    /// The event type, e.g. `decision.superseded`.
    pub event_type: String,
    pub parent_type: Option<EntityType>,
    pub parent_id: Option<Uuid>,
    /// The organisations the record concerns (none: every party, or not applicable).
    pub concerns: Option<Json>,
    pub group_id: Option<Uuid>,
    /// Whether callers who see only public records may see the event.
    pub public: bool,
    /// The record's state after the change (scrubbed by an erasure).
    pub data: Option<Json>,
    /// The feed position, handed out in commit order after the write commits.
    pub position: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
