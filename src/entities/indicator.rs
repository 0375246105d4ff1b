//! The `indicators` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use super::JsonColumn;
use crate::domain::indicator::{
    Aggregation, Better, Breakdowns, Category, HistoryEntry, IndicatorKind, IndicatorStatus,
    Source, Unit,
};

/// One indicator definition.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "indicators")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub category: Category,
    pub kind: IndicatorKind,
    pub unit: Unit,
    pub better: Better,
    pub decimals: i32,
    pub aggregation: Aggregation,
    pub weight_indicator_id: Option<Uuid>,
    pub source: JsonColumn<Source>,
    pub breakdowns: JsonColumn<Breakdowns>,
    pub status: IndicatorStatus,
    pub adopted_by_decision_id: Option<Uuid>,
    pub retired_by_decision_id: Option<Uuid>,
    /// Renames, category moves and the retirement, oldest first.
    pub history: JsonColumn<Vec<HistoryEntry>>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
