//! The `actors` table.

use sea_orm::entity::prelude::*;

/// A surrogate id for a login `sub`; the audit log and stored responses hold only the id.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "actors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The login's `sub`; cleared when the person is erased.
    #[sea_orm(unique)]
    pub subject: Option<String>,
    pub created_at: DateTimeUtc,
    pub erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
