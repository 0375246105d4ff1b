//! What a person may ask for about themself: everything stored about them (the export, for
//! the GDPR right of access) and their own member record with their memberships (`/me`).

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{MemberView, is_self, no_store};
use crate::{
    auth::{AuthUser, Role},
    domain::meeting::AttendanceStatus,
    error::{ApiError, ApiResult},
    routes::{
        AppState, decisions::DecisionView, memberships::MembershipView, responses::ReadErrors,
    },
    store,
};

/// Everything stored about a person.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberExport {
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
    /// The member, contact data included.
    pub member: MemberView,
    /// The memberships the person holds or held.
    pub memberships: Vec<MembershipView>,
    /// Memberships in which someone else stands in for the person.
    pub stood_in_for_by: Vec<MembershipView>,
    /// Attendance entries of the person, and those in which someone stood in for them.
    pub attendance: Vec<ExportedAttendance>,
    /// Agenda items the person presented or was invited to as a guest.
    pub agenda_items: Vec<ExportedAgendaItem>,
    /// Assignments given to the person.
    pub assignments: Vec<DecisionView>,
}

/// An attendance entry in an export.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedAttendance {
    /// The meeting.
    pub meeting_id: Uuid,
    /// Whose entry it is.
    pub member_id: Uuid,
    /// How they attended.
    pub status: AttendanceStatus,
    /// The member stood in for.
    pub substitute_for_member_id: Option<Uuid>,
    /// A guest.
    pub guest: bool,
    /// The note.
    pub note: Option<String>,
}

/// An agenda item in an export, with the person's part in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedAgendaItem {
    /// The meeting.
    pub meeting_id: Uuid,
    /// The item.
    pub agenda_item_id: Uuid,
    /// Its number.
    pub number: String,
    /// Its title.
    pub title: String,
    /// `presenter`, `guest` or both.
    pub roles: Vec<String>,
}

/// Export everything stored about a member as one document (admin, or the person themself).
///
/// Archived (deleted) members are exported too: deleting archives, by design. The answer is
/// `Cache-Control: no-store`.
#[utoipa::path(
    tag = "members",
    operation_id = "export_member",
    params(("id" = Uuid, Path, description = "Member id")),
    responses(
        (status = 200, description = "Everything stored about the person", body = MemberExport,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/members/{id}/export")]
pub async fn export_member(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::members::get(&state.db, id.into_inner()).await?;
    if !user.has(Role::Admin) && !is_self(&user, &row) {
        return Err(ApiError::Forbidden(
            "only an admin or the person themself may export".into(),
        ));
    }
    let (held, stood_in_for) = store::members::memberships_of(&state.db, row.id).await?;
    let (attended, items) = store::meetings::involvement_of(&state.db, row.id).await?;
    let assignments = store::decisions::assigned_to(&state.db, row.id).await?;
    let person = row.id;
    let export = MemberExport {
        exported_at: store::now(),
        member: MemberView::with_contact(row),
        memberships: held.into_iter().map(MembershipView::from).collect(),
        stood_in_for_by: stood_in_for.into_iter().map(MembershipView::from).collect(),
        attendance: attended
            .into_iter()
            .map(|a| ExportedAttendance {
                meeting_id: a.meeting_id,
                member_id: a.member_id,
                status: a.status,
                substitute_for_member_id: a.substitute_for_member_id,
                guest: a.guest,
                note: a.note,
            })
            .collect(),
        agenda_items: items
            .into_iter()
            .map(|item| {
                let mut roles = Vec::new();
                if item.presenter_ids.contains(&person) {
                    roles.push("presenter".to_owned());
                }
                if item.guest_ids.contains(&person) {
                    roles.push("guest".to_owned());
                }
                ExportedAgendaItem {
                    meeting_id: item.meeting_id,
                    agenda_item_id: item.id,
                    number: item.number,
                    title: item.title,
                    roles,
                }
            })
            .collect(),
        assignments: assignments.into_iter().map(DecisionView::from).collect(),
    };
    Ok(no_store(HttpResponse::Ok().json(export)))
}

/// The caller's own member record with their memberships.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The member whose `subject` is the token's `sub`.
    pub member: MemberView,
    /// Their memberships.
    pub memberships: Vec<MembershipView>,
}

/// The member whose login `subject` is the token's `sub`, with their memberships (404 when no
/// member has it). The answer is `Cache-Control: no-store`.
#[utoipa::path(
    tag = "members",
    operation_id = "get_me",
    responses(
        (status = 200, description = "The caller's own member record and memberships", body = Me,
         headers(("Cache-Control" = String, description = "`no-store`"))),
        ReadErrors
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn get_me(user: AuthUser, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let row = store::members::find_by_subject(&state.db, &user.sub)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (held, _) = store::members::memberships_of(&state.db, row.id).await?;
    let me = Me {
        member: MemberView::with_contact(row),
        memberships: held.into_iter().map(MembershipView::from).collect(),
    };
    Ok(no_store(HttpResponse::Ok().json(me)))
}
