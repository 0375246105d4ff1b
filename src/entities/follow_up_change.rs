//! The `follow_up_changes` table: every change of an assignment's follow-up status.

use sea_orm::entity::prelude::*;

use crate::domain::decision::FollowUpStatus;

/// One change of one assignment's follow-up status.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_up_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The assignment (a decision).
    pub decision_id: Uuid,
    /// The status before (none when it became an assignment, or before history was kept).
    pub from_status: Option<FollowUpStatus>,
    /// The status after (none when it stopped being an assignment).
    pub to_status: Option<FollowUpStatus>,
    /// The decision in which it was reported, as it stood after the change.
    pub reported_in_decision_id: Option<Uuid>,
    pub changed_at: DateTimeUtc,
    /// The actor (the audit log's id) who changed it; none before history was kept.
    pub changed_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
