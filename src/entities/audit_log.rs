//! The append-only `audit_log` table.

use sea_orm::entity::prelude::*;

use super::JsonColumn;
use crate::domain::{EntityType, Role, audit::Action};

/// One audit row: who changed what, when, from what to what.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    /// The writer's actor id (see the `actors` table), never a login `sub` itself.
    pub actor: String,
    /// The writer's roles, as a JSON list of role names.
    pub actor_roles: JsonColumn<Vec<Role>>,
    pub action: Action,
    pub entity_type: EntityType,
    pub entity_id: Uuid,
    pub request_id: Option<String>,
    /// The record before the write, as its `Versioned::audit_json` keeps it, free text replaced
    /// by references into `audit_texts`.
    pub before: Option<Json>,
    /// The record after the write.
    pub after: Option<Json>,
    /// The seal of the row before (see `migration::seal`).
    pub previous_sha256: Option<String>,
    /// The seal of this row: its content and the previous seal.
    pub sha256: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
