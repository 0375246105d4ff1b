//! iCalendar (RFC 5545) feeds of meetings, for the intranet's calendars.

use crate::domain::time::Bound;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::{
    auth::Caller,
    domain::meeting::{Location, MeetingStatus},
    entities::meeting,
    error::{ApiError, ApiResult},
    extract::Query,
    ical::{EventStatus, MeetingEvent, calendar},
    routes::{
        API_BASE, AppState,
        responses::{ListErrors, ReadErrors},
    },
    store::{
        meetings::{self as store, MeetingFilter},
        organisations,
    },
};

/// Most meetings one feed holds.
const FEED_LIMIT: u64 = 2000;

/// The media type of calendar documents.
const TEXT_CALENDAR: &str = "text/calendar; charset=utf-8";

fn event(req: &HttpRequest, row: meeting::Model) -> MeetingEvent {
    let base = crate::public_url::base_url(req);
    let location: Location = row.location.0;
    let mut place = location.describe();
    if let Some(url) = &location.online_url {
        place = if place.is_empty() {
            url.clone()
        } else {
            format!("{place} ({url})")
        };
    }
    MeetingEvent {
        id: row.id,
        title: row.title,
        description: None,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        all_day: row.all_day,
        location: (!place.is_empty()).then_some(place),
        url: Some(format!("{base}{API_BASE}/meetings/{}", row.id)),
        status: match row.status {
            _ if row.archived => EventStatus::Cancelled,
            MeetingStatus::Cancelled => EventStatus::Cancelled,
            MeetingStatus::Planned => EventStatus::Tentative,
            MeetingStatus::Held | MeetingStatus::MinutesApproved => EventStatus::Confirmed,
        },
        sequence: u32::try_from(row.version - 1).unwrap_or(0),
        updated_at: row.updated_at,
        created_at: row.created_at,
    }
}

fn ics(body: String) -> HttpResponse {
    HttpResponse::Ok().content_type(TEXT_CALENDAR).body(body)
}

/// Filters of the calendar feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// Only this group's meetings.
    pub group_id: Option<Uuid>,
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
}

/// The meetings as an iCalendar feed.
///
/// Public meetings unless the caller is admin, secretary or member; at most 2000, by start. A
/// stable UID per meeting, times in Europe/Stockholm with its VTIMEZONE, and a SEQUENCE that
/// grows with every change.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_meetings_calendar",
    params(CalendarQuery),
    responses(
        (status = 200, description = "An RFC 5545 calendar (`text/calendar; charset=utf-8`) with \
          one VEVENT per meeting", content_type = "text/calendar", body = String),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/meetings.ics")]
pub async fn get_meetings_calendar(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<CalendarQuery>,
) -> ApiResult<HttpResponse> {
    let name = match query.group_id {
        Some(id) => match organisations::get(&state.db, id).await {
            Ok(group) => group.name,
            // A group that does not exist has no meetings: an empty feed under the default name.
            Err(ApiError::NotFound) => "samverkan".into(),
            Err(other) => return Err(other),
        },
        None => "samverkan".into(),
    };
    let filter = MeetingFilter {
        group_id: query.group_id,
        from: query.from.map(Bound::start),
        to: query.to.map(Bound::end),
        public_only: !caller.sees_unpublished(),
        ..Default::default()
    };
    let rows = store::all(&state.db, &filter, FEED_LIMIT).await?;
    let events: Vec<MeetingEvent> = rows.into_iter().map(|row| event(&req, row)).collect();
    Ok(ics(calendar(&name, &events)))
}

/// One meeting as an iCalendar document.
///
/// Only GET is served here: any other method is a 405 naming the allowed ones.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_meeting_calendar",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "An RFC 5545 calendar (`text/calendar; charset=utf-8`) \
          with the meeting's VEVENT", content_type = "text/calendar", body = String),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}.ics")]
pub async fn get_meeting_calendar(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner(), caller.sees_unpublished()).await?;
    let name = row.title.clone();
    Ok(ics(calendar(&name, &[event(&req, row)])))
}
