//! The meeting record: create, read, change (the status lifecycle), delete; the request
//! bodies and filters. The view of a meeting is in [`super::view`].

use crate::domain::time::{Bound, Day};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, FixedOffset, NaiveDate, SubsecRound, Utc};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::view::MeetingView;
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::meeting::{
        Document, Location, Meeting, MeetingKind, MeetingStatus, RecordKind, UncheckedMeeting,
    },
    entities::meeting::{Entity, Model},
    error::{ApiError, ApiResult},
    extract::JsonBody,
    routes::{
        AppState,
        kit::{
            self, Archived, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader,
            ListQuery, Listed, PagingParams, Patch, Read, Updated, Write,
        },
    },
    store::meetings::{self as store, MeetingFilter, Summary},
};

fn ordinary() -> MeetingKind {
    MeetingKind::Ordinary
}

fn planned() -> MeetingStatus {
    MeetingStatus::Planned
}

/// A new meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    /// The group (an organisation of kind `group`).
    pub group_id: Uuid,
    /// Title, 1–200 characters on one line.
    #[schema(
        example = "Styrgruppsmöte",
        min_length = 1,
        max_length = 200,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub title: String,
    /// Kind (default `ordinary`).
    #[serde(default = "ordinary")]
    pub kind: MeetingKind,
    /// What its record is called (default `notes`: the minutes are headed
    /// "Mötesanteckningar"; `minutes`: "Protokoll").
    #[serde(default)]
    pub record_kind: Option<RecordKind>,
    /// Start, RFC 3339 with offset.
    #[schema(value_type = String, format = DateTime, example = "2021-11-05T08:30:00+01:00")]
    pub starts_at: DateTime<FixedOffset>,
    /// End, after the start, at most 72 hours later.
    #[schema(value_type = String, format = DateTime, example = "2021-11-05T11:30:00+01:00")]
    pub ends_at: DateTime<FixedOffset>,
    /// Held over whole days (default false): a forum on one day, a retreat over two. Only the
    /// dates of `starts_at` and `ends_at` in Sweden count, inclusive (the same date for one
    /// day); the meeting is stored from the first midnight to the midnight after the last day,
    /// at most three days, and calendar feeds show it as an all-day event.
    #[serde(default)]
    pub all_day: bool,
    /// Where.
    #[serde(default)]
    pub location: Location,
    /// `planned` (default), `held` or `cancelled`; approve minutes with a later PATCH.
    #[serde(default = "planned")]
    pub status: MeetingStatus,
    /// Chair of the meeting.
    #[serde(default)]
    pub chair_id: Option<Uuid>,
    /// Minute-taker.
    #[serde(default)]
    pub minutes_taker_id: Option<Uuid>,
    /// Minutes checkers (at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub minutes_checkers: Vec<Uuid>,
    /// Linked documents (at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub documents: Vec<Document>,
    /// Visible to everyone (default false).
    #[serde(default)]
    pub public: bool,
}

fn utc(at: DateTime<FixedOffset>) -> DateTime<Utc> {
    at.with_timezone(&Utc).trunc_subsecs(6)
}

impl From<NewMeeting> for UncheckedMeeting {
    fn from(new: NewMeeting) -> Self {
        Self {
            group_id: new.group_id,
            title: new.title,
            kind: new.kind,
            record_kind: new.record_kind.unwrap_or(RecordKind::Notes),
            starts_at: utc(new.starts_at),
            ends_at: utc(new.ends_at),
            all_day: new.all_day,
            location: new.location,
            status: new.status,
            chair_id: new.chair_id,
            minutes_taker_id: new.minutes_taker_id,
            minutes_checkers: new.minutes_checkers,
            documents: new.documents,
            public: new.public,
            minutes_approved_on: None,
            minutes_approved_in_meeting_id: None,
        }
    }
}

/// Changes to a meeting: absent fields stay, `null` clears an optional one. The status moves
/// only forward; approving the minutes (`status: minutes_approved` with `minutes_approved_on`)
/// locks the record.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingPatch {
    /// Title, 1–200 characters.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$")]
    pub title: Patch<String>,
    /// Kind.
    #[serde(default)]
    #[schema(value_type = MeetingKind)]
    pub kind: Patch<MeetingKind>,
    /// What its record is called.
    #[serde(default)]
    #[schema(value_type = RecordKind)]
    pub record_kind: Patch<RecordKind>,
    /// Start.
    #[serde(default)]
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: Patch<DateTime<FixedOffset>>,
    /// End.
    #[serde(default)]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: Patch<DateTime<FixedOffset>>,
    /// Held over whole days (see `NewMeeting.all_day`).
    #[serde(default)]
    #[schema(value_type = bool)]
    pub all_day: Patch<bool>,
    /// Where (replaces the whole location).
    #[serde(default)]
    #[schema(value_type = Location)]
    pub location: Patch<Location>,
    /// The next status.
    #[serde(default)]
    #[schema(value_type = MeetingStatus)]
    pub status: Patch<MeetingStatus>,
    /// Chair.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub chair_id: Patch<Uuid>,
    /// Minute-taker.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub minutes_taker_id: Patch<Uuid>,
    /// Minutes checkers (replaces the list; at most 50).
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>, max_items = 50)]
    pub minutes_checkers: Patch<Vec<Uuid>>,
    /// Documents (replaces the list; at most 50).
    #[serde(default)]
    #[schema(value_type = Vec<Document>, max_items = 50)]
    pub documents: Patch<Vec<Document>>,
    /// Public.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub public: Patch<bool>,
    /// When the minutes were approved (with `status: minutes_approved`).
    #[serde(default)]
    #[schema(value_type = Option<Day>)]
    pub minutes_approved_on: Patch<Day>,
    /// The meeting that approved them (with `status: minutes_approved`).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub minutes_approved_in_meeting_id: Patch<Uuid>,
}

impl MeetingPatch {
    /// The current record with this patch applied, not yet checked.
    fn apply(self, current: &Model) -> ApiResult<UncheckedMeeting> {
        let view = MeetingView::new(current.clone(), None);
        let mut errors = Vec::new();
        let unchecked = UncheckedMeeting {
            group_id: current.group_id,
            title: self.title.keep("title", view.title, &mut errors),
            kind: self.kind.keep("kind", view.kind, &mut errors),
            record_kind: self
                .record_kind
                .keep("record_kind", view.record_kind, &mut errors),
            starts_at: self
                .starts_at
                .given("starts_at", &mut errors)
                .map_or(view.starts_at, utc),
            // An all-day meeting is stored up to the midnight after its last day, which is
            // the day before as an input.
            ends_at: self.ends_at.given("ends_at", &mut errors).map_or(
                if current.all_day {
                    current.ends_at - chrono::Duration::seconds(1)
                } else {
                    view.ends_at
                },
                utc,
            ),
            all_day: self.all_day.keep("all_day", current.all_day, &mut errors),
            location: self.location.keep("location", view.location, &mut errors),
            status: self.status.keep("status", view.status, &mut errors),
            chair_id: self.chair_id.or(view.chair_id),
            minutes_taker_id: self.minutes_taker_id.or(view.minutes_taker_id),
            minutes_checkers: self.minutes_checkers.keep(
                "minutes_checkers",
                view.minutes_checkers,
                &mut errors,
            ),
            documents: self
                .documents
                .keep("documents", view.documents, &mut errors),
            public: self.public.keep("public", view.public, &mut errors),
            minutes_approved_on: self
                .minutes_approved_on
                .map(NaiveDate::from)
                .or(view.minutes_approved_on),
            minutes_approved_in_meeting_id: self
                .minutes_approved_in_meeting_id
                .or(view.minutes_approved_in_meeting_id),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// Filters of the meeting list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeetingQuery {
    /// Only this group's meetings.
    pub group_id: Option<Uuid>,
    /// Only in this status.
    #[param(inline)]
    pub status: Option<MeetingStatus>,
    /// Only of this kind.
    #[param(inline)]
    pub kind: Option<MeetingKind>,
    /// Starting at or after this time, or on or after this date (a date or an RFC 3339
    /// timestamp, in the years 1900 to 2200).
    #[serde(default)]
    #[param(inline)]
    pub from: Option<Bound>,
    /// Starting before this time, or on or before this date (a date or an RFC 3339
    /// timestamp, in the years 1900 to 2200).
    #[serde(default)]
    #[param(inline)]
    pub to: Option<Bound>,
    /// Include deleted meetings (always included with `updated_since`).
    #[serde(default)]
    pub include_archived: bool,
}

/// List meetings.
///
/// Ordered by start time (by change with `updated_since`). Callers other than admin,
/// secretary and member see public meetings only.
#[utoipa::path(
    tag = "meetings",
    operation_id = "list_meetings",
    params(MeetingQuery, PagingParams),
    responses(Listed<MeetingView>),
    security((), ("bearer" = []))
)]
#[get("/meetings")]
pub async fn list_meetings(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<MeetingQuery>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter: q, page } = query;
    let filter = MeetingFilter {
        group_id: q.group_id,
        status: q.status,
        kind: q.kind,
        from: q.from.map(Bound::start),
        to: q.to.map(Bound::end),
        public_only: !caller.sees_unpublished(),
        include_archived: q.include_archived,
    };
    let rows = store::list(&state.db, &filter, &page).await?;
    Ok(kit::page_of(&req, rows, |row| MeetingView::new(row, None)))
}

/// Create a meeting (admin, secretary).
///
/// The group must be an organisation of kind `group`, and the chair, minute-taker and
/// checkers members (422 naming the field otherwise).
#[utoipa::path(
    tag = "meetings",
    operation_id = "create_meeting",
    params(IdempotencyKeyHeader),
    request_body = NewMeeting,
    responses(Created<MeetingView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/meetings")]
pub async fn create_meeting(
    write: Write<AdminOrSecretary>,
    JsonBody(body, digest): JsonBody<NewMeeting>,
) -> ApiResult<HttpResponse> {
    let meeting = Meeting::parse(body.into())?;
    write
        .create::<Entity, _>(
            &digest,
            async |txn, actor| store::insert(txn, actor, meeting).await,
            |row| MeetingView::new(row, Some(Summary::default())),
        )
        .await
}

/// Read a meeting, with its attendance counts.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_meeting",
    params(("id" = Uuid, Path, description = "Meeting id"), IfNoneMatchHeader),
    responses(Read<MeetingView>),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}")]
pub async fn get_meeting(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner(), caller.sees_unpublished()).await?;
    let view = with_summary(&state.db, row).await?;
    Ok(kit::read(&req, view.version, &view))
}

/// The view of a meeting with its attendance counts.
async fn with_summary(db: &DatabaseConnection, row: Model) -> ApiResult<MeetingView> {
    let attendance = store::attendance_of(db, row.id).await?;
    let summary = store::summary(db, &row, &attendance).await?;
    Ok(MeetingView::new(row, Some(summary)))
}

/// Change a meeting (admin, secretary).
///
/// The status moves only forward (`planned` → `held` or `cancelled`; `held` →
/// `minutes_approved` with `minutes_approved_on`); any other move is a 409. Once the minutes
/// are approved the record is locked (409, problem type `locked`). Moved to another day, the
/// meeting takes its decisions along (reference and `decided_on`); a meeting holding an
/// election or an approval keeps its day (409), as does one whose new references another
/// meeting already holds.
#[utoipa::path(
    tag = "meetings",
    operation_id = "update_meeting",
    params(("id" = Uuid, Path, description = "Meeting id"), IfMatchHeader),
    request_body = MeetingPatch,
    responses(Updated<MeetingView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[patch("/meetings/{id}")]
pub async fn update_meeting(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
    JsonBody(patch, _): JsonBody<MeetingPatch>,
) -> ApiResult<HttpResponse> {
    let row = store::update(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
        |current| Meeting::parse(patch.apply(current)?),
    )
    .await?;
    let view = with_summary(&write.db, row).await?;
    Ok(kit::updated(view.version, &view))
}

/// Delete a planned meeting (admin, secretary).
///
/// Any other status is a 409 (cancel it instead). The meeting is archived: it stays readable
/// and shows as a tombstone to `updated_since`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "archive_meeting",
    params(("id" = Uuid, Path, description = "Meeting id"), IfMatchHeader),
    responses(Archived),
    security(("bearer" = ["admin", "secretary"]))
)]
#[delete("/meetings/{id}")]
pub async fn archive_meeting(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    store::archive(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
    )
    .await?;
    Ok(kit::archived())
}
