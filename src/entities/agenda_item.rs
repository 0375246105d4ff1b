//! The `agenda_items` table.

use sea_orm::entity::prelude::*;

use super::JsonColumn;

/// One item on a meeting's agenda, with its minutes text.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agenda_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub number: String,
    pub position: i32,
    pub title: String,
    /// Member ids.
    pub presenter_ids: JsonColumn<Vec<Uuid>>,
    /// Member ids.
    pub guest_ids: JsonColumn<Vec<Uuid>>,
    /// `[{member_id, note}]`: declared conflicts of interest.
    pub conflicts: JsonColumn<Vec<crate::domain::proceedings::Conflict>>,
    /// Deferred (bordlagd) to a later meeting, or to one not yet scheduled.
    pub deferred: bool,
    pub deferred_to_meeting_id: Option<Uuid>,
    pub deferred_to_item_id: Option<Uuid>,
    /// The item this one continues, deferred from an earlier meeting.
    pub deferred_from_meeting_id: Option<Uuid>,
    pub deferred_from_item_id: Option<Uuid>,
    /// Markdown; may name people, so the audit log holds only its digest.
    pub minutes: Option<String>,
    pub public: bool,
    pub archived: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
