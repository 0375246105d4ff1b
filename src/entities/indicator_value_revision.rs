//! The `indicator_value_revisions` table: every state an indicator value has had, appended at
//! each change (its creation, each change, its deletion); never changed.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::domain::indicator::{Gender, ValueStatus};

/// One state of one value, from `recorded_at` until the next revision of the same value.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "indicator_value_revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The value (its id in `indicator_values`, gone after a deletion).
    pub value_id: Uuid,
    pub indicator_id: Uuid,
    pub organisation_id: Uuid,
    pub period: String,
    pub period_start: Date,
    pub gender: Gender,
    pub age_group: String,
    pub value: Option<f64>,
    pub suppressed: bool,
    pub status: ValueStatus,
    pub approximate: bool,
    pub note: Option<String>,
    pub source_ref: Option<String>,
    /// The value was deleted at `recorded_at`.
    pub deleted: bool,
    /// The value's version from this revision on.
    pub version: i32,
    pub recorded_at: DateTimeUtc,
    /// The actor (the audit log's id) who made the change; none for values stored before
    /// revisions were kept.
    pub recorded_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
