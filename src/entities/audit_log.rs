//! The append-only `audit_log` table.

use sea_orm::entity::prelude::*;

/// One audit row: who changed what, when, from what to what.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    /// The writer's actor id (see the `actors` table), never a login `sub` itself.
    pub actor: String,
    pub actor_roles: Json,
    pub action: String,
    pub entity_type: crate::domain::EntityType,
    pub entity_id: Uuid,
    pub request_id: Option<String>,
    pub before: Option<Json>,
    pub after: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
