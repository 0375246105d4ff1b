//! The `idempotency_keys` table.

use sea_orm::entity::prelude::*;

/// The stored response of one POST made with an `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    /// The caller's actor id (see the `actors` table).
    pub actor: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub fingerprint: String,
    pub status: i32,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
