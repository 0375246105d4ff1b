//! The `search_documents` table.

use sea_orm::entity::prelude::*;

/// One searchable record: its text and the Swedish stems of that text.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_documents")]
pub struct Model {
    /// `agenda_item`, `decision`, `action_plan_revision`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub entity_type: crate::domain::EntityType,
    #[sea_orm(primary_key, auto_increment = false)]
    pub entity_id: Uuid,
    /// The record it belongs to (the meeting of an agenda item or a decision).
    pub parent_id: Option<Uuid>,
    /// The record's own `public` flag.
    pub own_public: bool,
    /// Readable by everyone: the record's own flag and its parent's.
    pub public: bool,
    pub title: String,
    pub body: String,
    /// The stems of title and body, space-separated, with a space at each end.
    pub terms: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
