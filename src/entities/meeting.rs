//! The `meetings` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use super::JsonColumn;
use crate::domain::meeting::{Document, Location, MeetingKind, MeetingStatus};

/// One meeting of a group.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub group_id: Uuid,
    pub title: String,
    pub kind: MeetingKind,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub all_day: bool,
    pub record_kind: crate::domain::meeting::RecordKind,
    /// `{name, address, online, online_url}`.
    pub location: JsonColumn<Location>,
    pub status: MeetingStatus,
    pub chair_id: Option<Uuid>,
    pub minutes_taker_id: Option<Uuid>,
    /// Member ids of the minutes checkers (justerare).
    pub minutes_checkers: JsonColumn<Vec<Uuid>>,
    /// `[{title, url, kind}]`.
    pub documents: JsonColumn<Vec<Document>>,
    pub public: bool,
    pub minutes_approved_on: Option<Date>,
    pub minutes_approved_in_meeting_id: Option<Uuid>,
    pub archived: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
