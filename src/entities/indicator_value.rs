//! The `indicator_values` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::domain::indicator::{Gender, ValueStatus};

/// One value of an indicator for an organisation, period, gender and age group.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "indicator_values")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub indicator_id: Uuid,
    pub organisation_id: Uuid,
    /// Canonical text, e.g. "2021" or "2021-H1".
    pub period: String,
    /// The period's first day, for ordering and ranges.
    pub period_start: Date,
    pub gender: Gender,
    /// "" for all ages.
    pub age_group: String,
    pub value: Option<f64>,
    pub suppressed: bool,
    pub status: ValueStatus,
    /// An approximate figure ("ca 80", "knappt 70").
    pub approximate: bool,
    pub note: Option<String>,
    pub source_ref: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
