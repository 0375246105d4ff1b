//! How a meeting reads: the record with its times in Sweden, its lock and, on a single
//! meeting, its attendance counts.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::time::swedish_date;

use crate::{
    domain::meeting::{Document, Location, MeetingKind, MeetingStatus, RecordKind},
    entities::meeting::Model,
    store::meetings::Summary,
};

/// A meeting's times on the clock in Sweden.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalTimes {
    /// Start, Europe/Stockholm.
    #[schema(value_type = String, format = DateTime, example = "2021-11-05T08:30:00+01:00")]
    pub starts_at: DateTime<FixedOffset>,
    /// End, Europe/Stockholm.
    #[schema(value_type = String, format = DateTime, example = "2021-11-05T11:30:00+01:00")]
    pub ends_at: DateTime<FixedOffset>,
    /// Always `Europe/Stockholm`.
    pub time_zone: &'static str,
}

/// An organisation named in a summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedOrganisation {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

/// Counts of a meeting's attendance.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceSummary {
    /// Members present in the room.
    pub present: usize,
    /// Members present remotely.
    pub remote: usize,
    /// Members absent.
    pub absent: usize,
    /// Members absent with notice.
    pub excused: usize,
    /// Standing in for a member.
    pub substitutes: usize,
    /// Guests.
    pub guests: usize,
    /// Organisations represented in the group on the meeting date with nobody taking part.
    pub unrepresented: Vec<NamedOrganisation>,
}

impl From<Summary> for AttendanceSummary {
    fn from(s: Summary) -> Self {
        Self {
            present: s.present,
            remote: s.remote,
            absent: s.absent,
            excused: s.excused,
            substitutes: s.substitutes,
            guests: s.guests,
            unrepresented: s
                .unrepresented
                .into_iter()
                .map(|(id, name)| NamedOrganisation { id, name })
                .collect(),
        }
    }
}

/// A meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The group meeting.
    pub group_id: Uuid,
    /// Title.
    #[schema(example = "Styrgruppsmöte")]
    pub title: String,
    /// Kind.
    pub kind: MeetingKind,
    /// What its record is called: `notes` (mötesanteckningar) or `minutes` (protokoll).
    pub record_kind: RecordKind,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// Start and end on the clock in Sweden.
    pub local: LocalTimes,
    /// Held over whole days: from the midnight of `start_date` to the midnight after
    /// `end_date`, in Sweden.
    pub all_day: bool,
    /// The first day (all-day meetings only).
    pub start_date: Option<NaiveDate>,
    /// The last day, inclusive (all-day meetings only).
    pub end_date: Option<NaiveDate>,
    /// Where.
    pub location: Location,
    /// Where the meeting is in its life.
    pub status: MeetingStatus,
    /// True once the minutes are approved: the meeting, its agenda and attendance are locked.
    pub locked: bool,
    /// Chair of the meeting.
    pub chair_id: Option<Uuid>,
    /// Minute-taker.
    pub minutes_taker_id: Option<Uuid>,
    /// Minutes checkers (justerare).
    pub minutes_checkers: Vec<Uuid>,
    /// Linked documents.
    pub documents: Vec<Document>,
    /// Visible to everyone (otherwise to admin, secretary and member only).
    pub public: bool,
    /// When the minutes were approved.
    pub minutes_approved_on: Option<NaiveDate>,
    /// The meeting at which they were approved.
    pub minutes_approved_in_meeting_id: Option<Uuid>,
    /// Attendance counts (on a single meeting's view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendance: Option<AttendanceSummary>,
    /// Deleted (a planned meeting that will not take place and was never announced).
    pub archived: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change (attendance included); the `ETag` is this number.
    pub version: i32,
}

/// The time in Sweden.
pub fn stockholm(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&chrono_tz::Europe::Stockholm)
        .fixed_offset()
}

impl MeetingView {
    /// The view of a stored meeting, with its attendance summary if given.
    pub fn new(row: Model, attendance: Option<Summary>) -> Self {
        Self {
            id: row.id,
            group_id: row.group_id,
            title: row.title,
            kind: row.kind,
            record_kind: row.record_kind,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            local: LocalTimes {
                starts_at: stockholm(row.starts_at),
                ends_at: stockholm(row.ends_at),
                time_zone: "Europe/Stockholm",
            },
            all_day: row.all_day,
            start_date: row.all_day.then(|| swedish_date(row.starts_at)),
            end_date: row
                .all_day
                .then(|| swedish_date(row.ends_at - chrono::Duration::seconds(1))),
            location: row.location.0,
            status: row.status,
            locked: row.status.is_locked(),
            chair_id: row.chair_id,
            minutes_taker_id: row.minutes_taker_id,
            minutes_checkers: row.minutes_checkers.0,
            documents: row.documents.0,
            public: row.public,
            minutes_approved_on: row.minutes_approved_on,
            minutes_approved_in_meeting_id: row.minutes_approved_in_meeting_id,
            attendance: attendance.map(AttendanceSummary::from),
            archived: row.archived,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}
