//! Members: people, their contact data (shown only to those who may see it), erasure and
//! export.

use actix_web::{HttpRequest, HttpResponse, delete, get, http::header, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    API_BASE, AppState,
    memberships::MembershipView,
    present,
    responses::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors},
};
use crate::{
    auth::{AdminOnly, AdminOrSecretary, AuthUser, Authorized, Caller, Identity, Role},
    domain::member::{Member, UncheckedMember},
    entities::member::Model,
    error::{ApiError, ApiResult, FieldError},
    extract::{IdempotencyKey, JsonBody, Query, bad_parameter},
    pagination::{Page, PageRequest, query_timestamp},
    routes::kit::page as page_response,
    routes::kit::{created, read as record_response, stored_response, updated as updated_response},
    store::Precondition,
    store::{
        Actor, idempotency,
        members::{self as store, MemberFilter},
    },
};

/// A member. `email`, `phone` and `subject` are present only for `admin`, `secretary` and
/// `member` callers and for the person themself; for everyone else they are absent.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Name ("Erased member …" after erasure).
    #[schema(example = "Karin Lind")]
    pub name: String,
    /// Job title.
    #[schema(example = "Socialchef")]
    pub title: Option<String>,
    /// Employer.
    pub organisation_id: Option<Uuid>,
    /// E-mail (personal data: see above).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    pub email: Option<Option<String>>,
    /// Phone (personal data: see above).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    pub phone: Option<Option<String>>,
    /// The JWT `sub` of the person's own login (personal data: see above).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    pub subject: Option<Option<String>>,
    /// Whether the person's data has been erased.
    pub erased: bool,
    /// Archived (deleted) members stay readable.
    pub archived: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
}

/// Whether `caller` may see `member`'s contact data.
pub fn sees_contact(caller: Option<&Identity>, member: &Model) -> bool {
    caller.is_some_and(|who| {
        who.roles
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Secretary | Role::Member))
            || member.subject.as_deref() == Some(who.sub.as_str())
    })
}

impl MemberView {
    /// The member as `caller` may see them.
    pub fn for_caller(row: Model, caller: Option<&Identity>) -> Self {
        let contact = sees_contact(caller, &row);
        Self::new(row, contact)
    }

    fn new(row: Model, contact: bool) -> Self {
        let personal = |value: Option<String>| contact.then_some(value);
        Self {
            id: row.id,
            name: row.name,
            title: row.title,
            organisation_id: row.organisation_id,
            email: personal(row.email),
            phone: personal(row.phone),
            subject: personal(row.subject),
            erased: row.erased_at.is_some(),
            archived: row.archived,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }

    fn carries_contact(&self) -> bool {
        self.email.is_some()
    }
}

/// Responses with contact data must not be stored by caches.
fn no_store(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// A new member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// Name, 1–200 characters.
    #[schema(example = "Karin Lind", min_length = 1, max_length = 200)]
    pub name: String,
    /// Job title.
    #[serde(default)]
    #[schema(example = "Socialchef", max_length = 200)]
    pub title: Option<String>,
    /// Employer (an existing organisation).
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
    /// E-mail.
    #[serde(default)]
    #[schema(example = "karin.lind@example.se")]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    #[schema(example = "+46 470-123 45")]
    pub phone: Option<String>,
    /// The JWT `sub` of the person's own login; unique.
    #[serde(default)]
    pub subject: Option<String>,
}

impl From<NewMember> for UncheckedMember {
    fn from(new: NewMember) -> Self {
        Self {
            name: new.name,
            title: new.title,
            organisation_id: new.organisation_id,
            email: new.email,
            phone: new.phone,
            subject: new.subject,
        }
    }
}

/// Changes to a member: absent fields stay, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// Name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    /// Job title.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    /// Employer.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub organisation_id: Option<Option<Uuid>>,
    /// E-mail.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Phone.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// Login subject.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub subject: Option<Option<String>>,
}

impl MemberPatch {
    fn apply(self, current: &Model) -> ApiResult<UncheckedMember> {
        let name = match self.name {
            None => current.name.clone(),
            Some(Some(name)) => name,
            Some(None) => {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "name",
                    "must not be null",
                )]));
            }
        };
        Ok(UncheckedMember {
            name,
            title: self.title.unwrap_or_else(|| current.title.clone()),
            organisation_id: self.organisation_id.unwrap_or(current.organisation_id),
            email: self.email.unwrap_or_else(|| current.email.clone()),
            phone: self.phone.unwrap_or_else(|| current.phone.clone()),
            subject: self.subject.unwrap_or_else(|| current.subject.clone()),
        })
    }
}

/// Filters and paging of the member list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Only employees of this organisation.
    pub organisation_id: Option<Uuid>,
    /// Name contains this text (case-insensitive; å, ä, ö included).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Include archived members (always included with `updated_since`).
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only members changed at or after this time (RFC 3339), archived ones included.
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<DateTime<Utc>>,
}

/// List members.
#[utoipa::path(
    tag = "members",
    params(MemberQuery),
    responses(
        (status = 200, body = Page<MemberView>,
         headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page"))),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/members")]
pub async fn list(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<MemberQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref(), query.updated_since)?;
    if query.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(bad_parameter("q", "must be at most 200 characters"));
    }
    let filter = MemberFilter {
        organisation_id: query.organisation_id,
        q: query.q,
        include_archived: query.include_archived,
    };
    let (rows, next_cursor) = store::list(&state.db, &filter, &page).await?;
    let items: Vec<_> = rows
        .into_iter()
        .map(|row| MemberView::for_caller(row, caller.identity()))
        .collect();
    let personal = items.iter().any(MemberView::carries_contact);
    let response = page_response(&req, Page { items, next_cursor });
    Ok(if personal {
        no_store(response)
    } else {
        response
    })
}

/// Create a member (admin, secretary).
#[utoipa::path(
    tag = "members",
    params(("Idempotency-Key" = Option<String>, Header,
            description = "Makes a retried POST answer from the first attempt (keys live 24 h)")),
    request_body = NewMember,
    responses(
        (status = 201, body = MemberView, headers(("ETag" = String), ("Location" = String))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/members")]
pub async fn create(
    req: HttpRequest,
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    JsonBody(body, digest): JsonBody<NewMember>,
) -> ApiResult<HttpResponse> {
    let member = Member::parse(body.into())?;
    let actor = Actor::from(&user.0);
    let idempotent = key.for_request(&req, &digest);
    let (response, replayed) = idempotency::create_once(
        &state.db,
        &actor,
        idempotent.as_ref(),
        async |txn| store::insert(txn, &actor, member).await,
        |row| {
            let location = format!("{API_BASE}/members/{}", row.id);
            created(location, row.version, &MemberView::new(row.clone(), true))
        },
    )
    .await?;
    Ok(no_store(stored_response(response, replayed)))
}

/// Read a member.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Member id")),
    responses(
        (status = 200, body = MemberView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the `If-None-Match` version"),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/members/{id}")]
pub async fn get(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    let view = MemberView::for_caller(row, caller.identity());
    let response = record_response(&req, view.version, &view);
    Ok(if view.carries_contact() {
        no_store(response)
    } else {
        response
    })
}

/// Change a member (admin, secretary); send `If-Match` to refuse a stale write. An erased
/// member cannot be changed (409).
#[utoipa::path(
    tag = "members",
    params(
        ("id" = Uuid, Path, description = "Member id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")
    ),
    request_body = MemberPatch,
    responses((status = 200, body = MemberView, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/members/{id}")]
pub async fn update(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: Precondition,
    JsonBody(patch, _): JsonBody<MemberPatch>,
) -> ApiResult<HttpResponse> {
    let actor = Actor::from(&user.0);
    let row = store::update(&state.db, &actor, id.into_inner(), &if_match, |current| {
        Member::parse(patch.apply(current)?)
    })
    .await?;
    Ok(no_store(updated_response(
        row.version,
        &MemberView::new(row, true),
    )))
}

/// Delete (archive) a member (admin, secretary). Refused with 409 while any record refers to
/// the member: erase them instead.
#[utoipa::path(
    tag = "members",
    params(
        ("id" = Uuid, Path, description = "Member id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on")
    ),
    responses((status = 204, description = "Archived"), DeleteErrors),
    security(("bearer" = []))
)]
#[delete("/members/{id}")]
pub async fn archive(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    store::archive(&state.db, &Actor::from(&user.0), id.into_inner(), &if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Erase a member's personal data (admin): the name becomes "Erased member" and a short
/// stable token; title, e-mail, phone and login are cleared. Every record that refers to the
/// member stays intact. Erasing twice changes nothing.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Member id")),
    responses((status = 200, body = MemberView, headers(("ETag" = String))), ReadErrors),
    security(("bearer" = []))
)]
#[post("/members/{id}/erase")]
pub async fn erase(
    user: Authorized<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::erase(&state.db, &Actor::from(&user.0), id.into_inner()).await?;
    Ok(no_store(updated_response(
        row.version,
        &MemberView::new(row, true),
    )))
}

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
    pub assignments: Vec<crate::routes::decisions::DecisionView>,
}

/// An attendance entry in an export.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedAttendance {
    /// The meeting.
    pub meeting_id: Uuid,
    /// Whose entry it is.
    pub member_id: Uuid,
    /// How they attended.
    pub status: crate::domain::meeting::AttendanceStatus,
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
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Member id")),
    responses((status = 200, body = MemberExport), ReadErrors),
    security(("bearer" = []))
)]
#[get("/members/{id}/export")]
pub async fn export(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    let is_self = row.subject.as_deref() == Some(user.sub.as_str());
    if !user.has(Role::Admin) && !is_self {
        return Err(ApiError::Forbidden(
            "only an admin or the person themself may export".into(),
        ));
    }
    let (held, stood_in_for) = store::memberships_of(&state.db, row.id).await?;
    let (attended, items) = crate::store::meetings::involvement_of(&state.db, row.id).await?;
    let assignments = crate::store::decisions::assigned_to(&state.db, row.id).await?;
    let person = row.id;
    let listed = |ids: &[Uuid]| ids.contains(&person);
    let export = MemberExport {
        exported_at: crate::store::now(),
        member: MemberView::new(row, true),
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
                if listed(&item.presenter_ids) {
                    roles.push("presenter".to_owned());
                }
                if listed(&item.guest_ids) {
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
        assignments: assignments
            .into_iter()
            .map(crate::routes::decisions::DecisionView::from)
            .collect(),
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
/// member has it).
#[utoipa::path(
    tag = "members",
    responses((status = 200, body = Me), ReadErrors),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(user: AuthUser, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let row = store::find_by_subject(&state.db, &user.sub)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (held, _) = store::memberships_of(&state.db, row.id).await?;
    let me = Me {
        member: MemberView::new(row, true),
        memberships: held.into_iter().map(MembershipView::from).collect(),
    };
    Ok(no_store(HttpResponse::Ok().json(me)))
}

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(super::memberships::roster)
        .service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(archive)
        .service(erase)
        .service(export)
        .service(me);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    let _ = schemas;
}
