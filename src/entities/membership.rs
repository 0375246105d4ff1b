//! The `memberships` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::domain::membership::MembershipRole;

/// One period in which a member sits in a group, in a role, for an organisation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub group_id: Uuid,
    pub role: MembershipRole,
    pub represents_id: Option<Uuid>,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub substitute_for_member_id: Option<Uuid>,
    pub voting_right: bool,
    /// Free text; may name people, so the audit log never holds it.
    #[serde(skip)]
    pub note: Option<String>,
    pub elected_by_decision_id: Option<Uuid>,
    pub archived: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
