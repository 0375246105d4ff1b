//! The `attendance` table.

use sea_orm::entity::prelude::*;

use super::JsonColumn;
use crate::domain::meeting::AttendanceStatus;

/// One person's attendance at a meeting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub member_id: Uuid,
    /// Order in the list as given.
    pub position: i32,
    pub status: AttendanceStatus,
    pub substitute_for_member_id: Option<Uuid>,
    pub represents_id: Option<Uuid>,
    pub guest: bool,
    /// Agenda item ids (for guests: the items they attended).
    pub agenda_item_ids: JsonColumn<Vec<Uuid>>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
