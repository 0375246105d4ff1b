//! Who attended a meeting: present, remote, absent or excused; substitutes; guests for named
//! agenda items. The list is replaced as a whole.

use std::collections::{HashMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::view::AttendanceSummary;
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::meeting::{AttendanceEntry, AttendanceStatus},
    entities::{attendance, meeting},
    error::ApiResult,
    extract::JsonBody,
    routes::{
        AppState,
        kit::{self, IfMatchHeader, IfNoneMatchHeader, Read, Updated, Write},
    },
    store::{meetings as store, members, organisations},
};

/// One attendance entry, with names.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceEntryView {
    /// The person.
    pub member_id: Uuid,
    /// Their name.
    pub name: String,
    /// How they attended.
    pub status: AttendanceStatus,
    /// The member they stand in for.
    pub substitute_for_member_id: Option<Uuid>,
    /// That member's name.
    pub substitute_for_name: Option<String>,
    /// The organisation they speak for.
    pub represents_id: Option<Uuid>,
    /// Its name.
    pub represents_name: Option<String>,
    /// A guest for named agenda items.
    pub guest: bool,
    /// The agenda items a guest attended.
    pub agenda_item_ids: Vec<Uuid>,
    /// Note.
    pub note: Option<String>,
}

/// A meeting's attendance list.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceView {
    /// The meeting.
    pub meeting_id: Uuid,
    /// The meeting's version (the `ETag`; send it as `If-Match` with a PUT).
    pub version: i32,
    /// The entries, in the order given.
    pub entries: Vec<AttendanceEntryView>,
    /// Counts.
    pub summary: AttendanceSummary,
}

/// The whole attendance list of a meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceList {
    /// The entries (at most 500); each member at most once.
    #[schema(max_items = 500)]
    pub entries: Vec<AttendanceEntry>,
}

async fn view(
    db: &DatabaseConnection,
    meeting: &meeting::Model,
    rows: Vec<attendance::Model>,
    sees_all: bool,
) -> ApiResult<AttendanceView> {
    let summary = store::summary(db, meeting, &rows).await?;
    // Items the caller may not see are left out of guests' item lists.
    let visible: HashSet<Uuid> = store::agenda_of(db, meeting.id, sees_all)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let mut people_ids: Vec<Uuid> = rows.iter().map(|r| r.member_id).collect();
    people_ids.extend(rows.iter().filter_map(|r| r.substitute_for_member_id));
    let people: HashMap<Uuid, String> = members::get_many(db, people_ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let org_ids = rows.iter().filter_map(|r| r.represents_id).collect();
    let orgs: HashMap<Uuid, String> = organisations::get_many(db, org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let entries = rows
        .into_iter()
        .map(|r| AttendanceEntryView {
            member_id: r.member_id,
            name: people.get(&r.member_id).cloned().unwrap_or_default(),
            status: r.status,
            substitute_for_member_id: r.substitute_for_member_id,
            substitute_for_name: r
                .substitute_for_member_id
                .and_then(|id| people.get(&id).cloned()),
            represents_id: r.represents_id,
            represents_name: r.represents_id.and_then(|id| orgs.get(&id).cloned()),
            guest: r.guest,
            agenda_item_ids: r
                .agenda_item_ids
                .0
                .into_iter()
                .filter(|id| visible.contains(id))
                .collect(),
            note: r.note,
        })
        .collect();
    Ok(AttendanceView {
        meeting_id: meeting.id,
        version: meeting.version,
        entries,
        summary: summary.into(),
    })
}

/// Read a meeting's attendance list (names are shown; contact data never).
///
/// The `ETag` is the meeting's version.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_attendance",
    params(("id" = Uuid, Path, description = "Meeting id"), IfNoneMatchHeader),
    responses(Read<AttendanceView>),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}/attendance")]
pub async fn get_attendance(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let all = caller.sees_unpublished();
    let meeting = store::get(&state.db, id.into_inner(), all).await?;
    let rows = store::attendance_of(&state.db, meeting.id).await?;
    let view = view(&state.db, &meeting, rows, all).await?;
    Ok(kit::read(&req, meeting.version, &view))
}

/// Replace the attendance list of a meeting (admin, secretary), atomically.
///
/// Each rule is a 422 naming the entry: a member appears once; a non-guest is in the group on
/// the meeting date or stands in for someone who is and who is not also taking part; a
/// guest's agenda items are this meeting's. 409 once the minutes are approved. `If-Match`
/// takes the meeting's `ETag`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "replace_attendance",
    params(("id" = Uuid, Path, description = "Meeting id"), IfMatchHeader),
    request_body = AttendanceList,
    responses(Updated<AttendanceView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[put("/meetings/{id}/attendance")]
pub async fn replace_attendance(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
    JsonBody(body, _): JsonBody<AttendanceList>,
) -> ApiResult<HttpResponse> {
    let (meeting, rows) = store::replace_attendance(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
        body.entries,
    )
    .await?;
    let view = view(&write.db, &meeting, rows, true).await?;
    Ok(kit::updated(meeting.version, &view))
}
