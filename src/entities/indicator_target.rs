//! The `indicator_targets` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

/// The baseline and target of an indicator for an organisation (or, without one, for the
/// whole collaboration).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "indicator_targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub indicator_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub baseline_period: Option<String>,
    pub target_period: Option<String>,
    pub target_value: Option<f64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
