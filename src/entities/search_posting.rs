//! The `search_postings` table: the inverted index of search.

use sea_orm::entity::prelude::*;

/// One stem of one searchable record (see `migration::postings`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_postings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub stem: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub entity_type: crate::domain::EntityType,
    #[sea_orm(primary_key, auto_increment = false)]
    pub entity_id: Uuid,
    /// 3 per occurrence in the record's title, 1 per occurrence in its text.
    pub score: i32,
    /// Whether everyone may find the record (as `search_documents.public`).
    pub public: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
