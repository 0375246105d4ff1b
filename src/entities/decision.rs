//! The `decisions` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use super::JsonColumn;
use crate::domain::{
    decision::{Assignee, DecisionKind, DecisionStatus, FollowUpStatus},
    proceedings::{DecisionOutcome, MemberVote, Reservation, VoteCounts},
};

/// One decision taken under an agenda item.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub agenda_item_id: Uuid,
    #[sea_orm(unique)]
    pub reference: String,
    pub title: String,
    pub text: String,
    pub kind: DecisionKind,
    pub decided_on: Date,
    pub status: DecisionStatus,
    pub supersedes_id: Option<Uuid>,
    pub revokes_id: Option<Uuid>,
    /// Organisation ids; empty means every party, so a row that does not decode fails the
    /// query instead of reading as "every party".
    pub concerns: JsonColumn<Vec<Uuid>>,
    pub public: bool,
    /// `[{kind: organisation|member, id}]`.
    pub assignees: JsonColumn<Vec<Assignee>>,
    pub due_date: Option<Date>,
    pub report_to_meeting_id: Option<Uuid>,
    pub report_to_member_id: Option<Uuid>,
    pub report_to_group_id: Option<Uuid>,
    pub follow_up_status: Option<FollowUpStatus>,
    pub reported_in_decision_id: Option<Uuid>,
    pub amount_sek: Option<i64>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    /// Organisation ids.
    pub funders: JsonColumn<Vec<Uuid>>,
    pub outcome: DecisionOutcome,
    pub reservations: JsonColumn<Vec<Reservation>>,
    pub votes: JsonColumn<Vec<MemberVote>>,
    pub vote_counts: Option<JsonColumn<VoteCounts>>,
    /// Where it is listed: see `migration::order::minutes_order`.
    pub minutes_order: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
