//! The meeting record: create, read, change (the status lifecycle), delete.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, FixedOffset, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{AdminOrSecretary, Authorized, Caller},
    domain::meeting::{Document, Location, Meeting, MeetingKind, MeetingStatus, UncheckedMeeting},
    entities::meeting::Model,
    error::{ApiError, ApiResult},
    extract::{IdempotencyKey, JsonBody, Query},
    pagination::{Page, PageRequest, query_timestamp},
    routes::kit::page as page_response,
    routes::kit::{created, read as record_response, stored_response, updated as updated_response},
    routes::{
        API_BASE, AppState, keep, present,
        responses::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors},
    },
    store::Precondition,
    store::{
        Actor, idempotency,
        meetings::{self as store, MeetingFilter, Summary},
    },
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
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// Start and end on the clock in Sweden.
    pub local: LocalTimes,
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
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            local: LocalTimes {
                starts_at: stockholm(row.starts_at),
                ends_at: stockholm(row.ends_at),
                time_zone: "Europe/Stockholm",
            },
            location: serde_json::from_value(row.location).unwrap_or_default(),
            status: row.status,
            locked: row.status == MeetingStatus::MinutesApproved,
            chair_id: row.chair_id,
            minutes_taker_id: row.minutes_taker_id,
            minutes_checkers: serde_json::from_value(row.minutes_checkers).unwrap_or_default(),
            documents: serde_json::from_value(row.documents).unwrap_or_default(),
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
    /// Title, 1–200 characters.
    #[schema(example = "Styrgruppsmöte")]
    pub title: String,
    /// Kind (default `ordinary`).
    #[serde(default = "ordinary")]
    pub kind: MeetingKind,
    /// Start, RFC 3339 with offset.
    #[schema(value_type = String, format = DateTime, example = "2021-11-05T08:30:00+01:00")]
    pub starts_at: DateTime<FixedOffset>,
    /// End, after the start, at most 72 hours later.
    #[schema(value_type = String, format = DateTime, example = "2021-11-05T11:30:00+01:00")]
    pub ends_at: DateTime<FixedOffset>,
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
    /// Minutes checkers.
    #[serde(default)]
    pub minutes_checkers: Vec<Uuid>,
    /// Linked documents.
    #[serde(default)]
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
            starts_at: utc(new.starts_at),
            ends_at: utc(new.ends_at),
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
    /// Title.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub title: Option<Option<String>>,
    /// Kind.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = MeetingKind)]
    pub kind: Option<Option<MeetingKind>>,
    /// Start.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: Option<Option<DateTime<FixedOffset>>>,
    /// End.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: Option<Option<DateTime<FixedOffset>>>,
    /// Where (replaces the whole location).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Location)]
    pub location: Option<Option<Location>>,
    /// The next status.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = MeetingStatus)]
    pub status: Option<Option<MeetingStatus>>,
    /// Chair.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub chair_id: Option<Option<Uuid>>,
    /// Minute-taker.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub minutes_taker_id: Option<Option<Uuid>>,
    /// Minutes checkers (replaces the list).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Uuid>)]
    pub minutes_checkers: Option<Option<Vec<Uuid>>>,
    /// Documents (replaces the list).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Document>)]
    pub documents: Option<Option<Vec<Document>>>,
    /// Public.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub public: Option<Option<bool>>,
    /// When the minutes were approved (with `status: minutes_approved`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub minutes_approved_on: Option<Option<NaiveDate>>,
    /// The meeting that approved them (with `status: minutes_approved`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub minutes_approved_in_meeting_id: Option<Option<Uuid>>,
}

impl MeetingPatch {
    fn apply(self, current: &Model) -> ApiResult<UncheckedMeeting> {
        let view = MeetingView::new(current.clone(), None);
        let mut errors = Vec::new();
        let unchecked = UncheckedMeeting {
            group_id: current.group_id,
            title: keep("title", self.title, view.title, &mut errors),
            kind: keep("kind", self.kind, view.kind, &mut errors),
            starts_at: keep(
                "starts_at",
                self.starts_at.map(|o| o.map(utc)),
                view.starts_at,
                &mut errors,
            ),
            ends_at: keep(
                "ends_at",
                self.ends_at.map(|o| o.map(utc)),
                view.ends_at,
                &mut errors,
            ),
            location: keep("location", self.location, view.location, &mut errors),
            status: keep("status", self.status, view.status, &mut errors),
            chair_id: self.chair_id.unwrap_or(view.chair_id),
            minutes_taker_id: self.minutes_taker_id.unwrap_or(view.minutes_taker_id),
            minutes_checkers: keep(
                "minutes_checkers",
                self.minutes_checkers,
                view.minutes_checkers,
                &mut errors,
            ),
            documents: keep("documents", self.documents, view.documents, &mut errors),
            public: keep("public", self.public, view.public, &mut errors),
            minutes_approved_on: self.minutes_approved_on.unwrap_or(view.minutes_approved_on),
            minutes_approved_in_meeting_id: self
                .minutes_approved_in_meeting_id
                .unwrap_or(view.minutes_approved_in_meeting_id),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// Filters and paging of the meeting list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeetingQuery {
    /// Only this group's meetings.
    pub group_id: Option<Uuid>,
    /// Only in this status.
    pub status: Option<MeetingStatus>,
    /// Only of this kind.
    pub kind: Option<MeetingKind>,
    /// Starting at or after this time (RFC 3339).
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<DateTime<Utc>>,
    /// Starting before this time (RFC 3339).
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<DateTime<Utc>>,
    /// Include deleted meetings (always included with `updated_since`).
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only meetings changed at or after this time (RFC 3339), deleted ones included.
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<DateTime<Utc>>,
}

/// List meetings, ordered by start time. Callers other than admin, secretary and member see
/// public meetings only.
#[utoipa::path(
    tag = "meetings",
    params(MeetingQuery),
    responses(
        (status = 200, body = Page<MeetingView>,
         headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page"))),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/meetings")]
pub async fn list(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<MeetingQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref(), query.updated_since)?;
    let filter = MeetingFilter {
        group_id: query.group_id,
        status: query.status,
        kind: query.kind,
        from: query.from,
        to: query.to,
        public_only: !caller.sees_unpublished(),
        include_archived: query.include_archived,
    };
    let (rows, next_cursor) = store::list(&state.db, &filter, &page).await?;
    let items = rows
        .into_iter()
        .map(|row| MeetingView::new(row, None))
        .collect();
    Ok(page_response(&req, Page { items, next_cursor }))
}

/// Create a meeting (admin, secretary).
#[utoipa::path(
    tag = "meetings",
    params(("Idempotency-Key" = Option<String>, Header,
            description = "Makes a retried POST answer from the first attempt (keys live 24 h)")),
    request_body = NewMeeting,
    responses(
        (status = 201, body = MeetingView, headers(("ETag" = String), ("Location" = String))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/meetings")]
pub async fn create(
    req: HttpRequest,
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    JsonBody(body, digest): JsonBody<NewMeeting>,
) -> ApiResult<HttpResponse> {
    let meeting: Meeting = UncheckedMeeting::from(body).check()?;
    let actor = Actor::from(&user.0);
    let idempotent = key.for_request(&req, &digest);
    let (response, replayed) = idempotency::create_once(
        &state.db,
        &actor,
        idempotent.as_ref(),
        async |txn| store::insert(txn, &actor, meeting).await,
        |row| {
            let location = format!("{API_BASE}/meetings/{}", row.id);
            created(
                location,
                row.version,
                &MeetingView::new(row.clone(), Some(Summary::default())),
            )
        },
    )
    .await?;
    Ok(stored_response(response, replayed))
}

/// Read a meeting, with its attendance counts.
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses(
        (status = 200, body = MeetingView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the `If-None-Match` version"),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}")]
pub async fn get(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner(), caller.sees_unpublished()).await?;
    let attendance = store::attendance_of(&state.db, row.id).await?;
    let summary = store::summary(&state.db, &row, &attendance).await?;
    let version = row.version;
    Ok(record_response(
        &req,
        version,
        &MeetingView::new(row, Some(summary)),
    ))
}

/// Change a meeting (admin, secretary). The status moves only forward (`planned` → `held` or
/// `cancelled`; `held` → `minutes_approved` with `minutes_approved_on`); any other move is a
/// 409. Once the minutes are approved the record is locked (409, problem type `locked`).
#[utoipa::path(
    tag = "meetings",
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")
    ),
    request_body = MeetingPatch,
    responses((status = 200, body = MeetingView, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/meetings/{id}")]
pub async fn update(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: Precondition,
    JsonBody(patch, _): JsonBody<MeetingPatch>,
) -> ApiResult<HttpResponse> {
    let actor = Actor::from(&user.0);
    let row = store::update(&state.db, &actor, id.into_inner(), &if_match, |current| {
        patch.apply(current)?.check()
    })
    .await?;
    let attendance = store::attendance_of(&state.db, row.id).await?;
    let summary = store::summary(&state.db, &row, &attendance).await?;
    Ok(updated_response(
        row.version,
        &MeetingView::new(row, Some(summary)),
    ))
}

/// Delete a planned meeting (admin, secretary); any other status is a 409 (cancel it instead).
#[utoipa::path(
    tag = "meetings",
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on")
    ),
    responses((status = 204, description = "Deleted (archived)"), DeleteErrors),
    security(("bearer" = []))
)]
#[delete("/meetings/{id}")]
pub async fn archive(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    store::archive(&state.db, &Actor::from(&user.0), id.into_inner(), &if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}
