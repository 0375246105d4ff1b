//! The `activity_progress` table: the timeline of an action plan activity's progress, one row
//! per report (the last is where the activity stands).

use sea_orm::entity::prelude::*;

use crate::domain::action_plan::ActivityStatus;

/// One progress report on one activity of a plan (activities are named by their stable key).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_progress")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub action_plan_id: Uuid,
    pub activity_key: String,
    /// 1 for the first report on the activity, then 2, 3 ... (its version).
    pub sequence: i32,
    pub status: ActivityStatus,
    pub percent: i32,
    pub note: Option<String>,
    /// The day the report describes.
    pub progress_on: Date,
    pub recorded_at: DateTimeUtc,
    /// The actor (the audit log's id) who reported.
    pub recorded_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
