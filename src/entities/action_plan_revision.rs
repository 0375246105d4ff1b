//! The `action_plan_revisions` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use super::JsonColumn;
use crate::domain::action_plan::{Content, Publication, RevisionStatus};

/// One numbered revision of an action plan.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "action_plan_revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub action_plan_id: Uuid,
    pub number: i32,
    pub status: RevisionStatus,
    /// `{sections: [{key, title, goals: [{key, title, activities: [...]}]}]}`.
    pub content: JsonColumn<Content>,
    pub change_summary: Option<String>,
    pub valid_from: Option<Date>,
    pub consultation_deadline: Option<Date>,
    pub decision_id: Option<Uuid>,
    pub approved_on: Option<Date>,
    pub based_on: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    /// `[{channel, url, published_at}]`, added once approved.
    pub publications: Option<JsonColumn<Vec<Publication>>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
