//! The `audit_texts` table: the free text of audit rows, kept apart so that an erasure can
//! rewrite it while the sealed rows stay as they are.

use sea_orm::entity::prelude::*;

use crate::domain::EntityType;

/// One text an audit row refers to (`{"$text": id}`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_texts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The kind of record the audit row is about.
    pub entity_type: EntityType,
    /// The record the audit row is about.
    pub entity_id: Uuid,
    /// The key the text stood under, e.g. `title`.
    pub field: String,
    pub text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
