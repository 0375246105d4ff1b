//! The `minutes_signatures` table: who signed a meeting's minutes (justering), when, and the
//! SHA-256 of the version they signed. Rows are never changed; a later change to the minutes
//! makes earlier signatures void by their hash no longer matching.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::domain::signoff::SignatoryRole;

/// One signature.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "minutes_signatures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub member_id: Uuid,
    pub role: SignatoryRole,
    pub sha256: String,
    pub signed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
