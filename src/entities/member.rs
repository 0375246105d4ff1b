//! The `members` table.

use sea_orm::entity::prelude::*;

/// One person taking part in the collaboration.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `name` lower-cased in Rust, for case-insensitive search on both backends.
    pub name_folded: String,
    pub title: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[sea_orm(unique)]
    pub subject: Option<String>,
    pub erased_at: Option<DateTimeUtc>,
    pub archived: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
