//! Memberships: who sits in which group, in which role, for whom, and when; and a group's
//! roster on a date.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    API_BASE, AppState, keep, present,
    responses::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors},
};
use crate::{
    auth::{AdminOrSecretary, Authorized, Caller},
    domain::{
        membership::{Membership, MembershipRole, UncheckedMembership},
        organisation::OrganisationKind,
        text::swedish_sort_key,
    },
    entities::membership::Model,
    error::{ApiError, ApiResult},
    extract::{IdempotencyKey, JsonBody, Query},
    pagination::{Page, PageRequest, query_timestamp},
    routes::kit::page as page_response,
    routes::kit::{created, read as record_response, stored_response, updated as updated_response},
    store::Precondition,
    store::{
        Actor, idempotency, members,
        memberships::{self as memberships_store, MembershipFilter},
        organisations,
    },
};

/// A membership.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The member.
    pub member_id: Uuid,
    /// The group (an organisation of kind `group`).
    pub group_id: Uuid,
    /// The role.
    pub role: MembershipRole,
    /// The organisation the member speaks for.
    pub represents_id: Option<Uuid>,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day; null while it runs.
    pub end_date: Option<NaiveDate>,
    /// The member this one stands in for during the period.
    pub substitute_for_member_id: Option<Uuid>,
    /// Whether the member votes.
    pub voting_right: bool,
    /// A note, e.g. "until a new head of social services is appointed".
    pub note: Option<String>,
    /// The decision that elected the member.
    pub elected_by_decision_id: Option<Uuid>,
    /// Archived (deleted) memberships stay readable.
    pub archived: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
}

impl From<Model> for MembershipView {
    fn from(row: Model) -> Self {
        Self {
            id: row.id,
            member_id: row.member_id,
            group_id: row.group_id,
            role: row.role,
            represents_id: row.represents_id,
            start_date: row.start_date,
            end_date: row.end_date,
            substitute_for_member_id: row.substitute_for_member_id,
            voting_right: row.voting_right,
            note: row.note,
            elected_by_decision_id: row.elected_by_decision_id,
            archived: row.archived,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

fn default_voting_right() -> bool {
    true
}

/// A new membership.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMembership {
    /// The member.
    pub member_id: Uuid,
    /// The group: an organisation of kind `group`.
    pub group_id: Uuid,
    /// The role.
    pub role: MembershipRole,
    /// The organisation the member speaks for.
    #[serde(default)]
    pub represents_id: Option<Uuid>,
    /// First day.
    #[schema(example = "2021-06-04")]
    pub start_date: NaiveDate,
    /// Last day (not before `start_date`).
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// The member this one stands in for during the period.
    #[serde(default)]
    pub substitute_for_member_id: Option<Uuid>,
    /// Whether the member votes (default true).
    #[serde(default = "default_voting_right")]
    pub voting_right: bool,
    /// A note, at most 2000 characters.
    #[serde(default)]
    pub note: Option<String>,
    /// The decision that elected the member (linked once decisions exist).
    #[serde(default)]
    pub elected_by_decision_id: Option<Uuid>,
}

impl From<NewMembership> for UncheckedMembership {
    fn from(new: NewMembership) -> Self {
        Self {
            member_id: new.member_id,
            group_id: new.group_id,
            role: new.role,
            represents_id: new.represents_id,
            start_date: new.start_date,
            end_date: new.end_date,
            substitute_for_member_id: new.substitute_for_member_id,
            voting_right: new.voting_right,
            note: new.note,
            elected_by_decision_id: new.elected_by_decision_id,
        }
    }
}

/// Changes to a membership: absent fields stay, `null` clears an optional one. Ending a
/// membership is setting its `end_date`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipPatch {
    /// The member.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Uuid)]
    pub member_id: Option<Option<Uuid>>,
    /// The group.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Uuid)]
    pub group_id: Option<Option<Uuid>>,
    /// The role.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = MembershipRole)]
    pub role: Option<Option<MembershipRole>>,
    /// The organisation represented.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub represents_id: Option<Option<Uuid>>,
    /// First day.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = NaiveDate)]
    pub start_date: Option<Option<NaiveDate>>,
    /// Last day.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Option<NaiveDate>>,
    /// Stands in for this member.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub substitute_for_member_id: Option<Option<Uuid>>,
    /// Votes.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub voting_right: Option<Option<bool>>,
    /// Note.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
    /// Electing decision.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub elected_by_decision_id: Option<Option<Uuid>>,
}

impl MembershipPatch {
    fn apply(self, current: &Model) -> ApiResult<UncheckedMembership> {
        let mut errors = Vec::new();
        let unchecked = UncheckedMembership {
            member_id: keep("member_id", self.member_id, current.member_id, &mut errors),
            group_id: keep("group_id", self.group_id, current.group_id, &mut errors),
            role: keep("role", self.role, current.role, &mut errors),
            represents_id: self.represents_id.unwrap_or(current.represents_id),
            start_date: keep(
                "start_date",
                self.start_date,
                current.start_date,
                &mut errors,
            ),
            end_date: self.end_date.unwrap_or(current.end_date),
            substitute_for_member_id: self
                .substitute_for_member_id
                .unwrap_or(current.substitute_for_member_id),
            voting_right: keep(
                "voting_right",
                self.voting_right,
                current.voting_right,
                &mut errors,
            ),
            note: self.note.unwrap_or_else(|| current.note.clone()),
            elected_by_decision_id: self
                .elected_by_decision_id
                .unwrap_or(current.elected_by_decision_id),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// Filters and paging of the membership list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembershipQuery {
    /// Only this member's.
    pub member_id: Option<Uuid>,
    /// Only in this group.
    pub group_id: Option<Uuid>,
    /// Only for this represented organisation.
    pub represents_id: Option<Uuid>,
    /// Only in this role.
    pub role: Option<MembershipRole>,
    /// Only those running on this date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    pub active_on: Option<NaiveDate>,
    /// Include archived memberships (always included with `updated_since`).
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only memberships changed at or after this time (RFC 3339), archived ones included.
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<DateTime<Utc>>,
}

/// List memberships.
#[utoipa::path(
    tag = "memberships",
    params(MembershipQuery),
    responses(
        (status = 200, body = Page<MembershipView>,
         headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page"))),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/memberships")]
pub async fn list(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<MembershipQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref(), query.updated_since)?;
    let filter = MembershipFilter {
        member_id: query.member_id,
        group_id: query.group_id,
        represents_id: query.represents_id,
        role: query.role,
        active_on: query.active_on,
        include_archived: query.include_archived,
    };
    let (rows, next_cursor) = memberships_store::list(&state.db, &filter, &page).await?;
    let items = rows.into_iter().map(MembershipView::from).collect();
    Ok(page_response(&req, Page { items, next_cursor }))
}

/// Create a membership (admin, secretary). A group has at most one chair and one vice-chair
/// on any date: an overlapping period is a 409 naming the membership it collides with.
#[utoipa::path(
    tag = "memberships",
    params(("Idempotency-Key" = Option<String>, Header,
            description = "Makes a retried POST answer from the first attempt (keys live 24 h)")),
    request_body = NewMembership,
    responses(
        (status = 201, body = MembershipView, headers(("ETag" = String), ("Location" = String))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/memberships")]
pub async fn create(
    req: HttpRequest,
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    JsonBody(body, digest): JsonBody<NewMembership>,
) -> ApiResult<HttpResponse> {
    let membership = Membership::parse(body.into())?;
    let actor = Actor::from(&user.0);
    let idempotent = key.for_request(&req, &digest);
    let (response, replayed) = idempotency::create_once(
        &state.db,
        &actor,
        idempotent.as_ref(),
        async |txn| memberships_store::insert(txn, &actor, membership).await,
        |row| {
            let location = format!("{API_BASE}/memberships/{}", row.id);
            created(location, row.version, &MembershipView::from(row.clone()))
        },
    )
    .await?;
    Ok(stored_response(response, replayed))
}

/// Read a membership.
#[utoipa::path(
    tag = "memberships",
    params(("id" = Uuid, Path, description = "Membership id")),
    responses(
        (status = 200, body = MembershipView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the `If-None-Match` version"),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/memberships/{id}")]
pub async fn get(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = memberships_store::get(&state.db, id.into_inner()).await?;
    Ok(record_response(
        &req,
        row.version,
        &MembershipView::from(row),
    ))
}

/// Change a membership (admin, secretary), e.g. end it with `end_date`.
#[utoipa::path(
    tag = "memberships",
    params(
        ("id" = Uuid, Path, description = "Membership id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")
    ),
    request_body = MembershipPatch,
    responses((status = 200, body = MembershipView, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/memberships/{id}")]
pub async fn update(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: Precondition,
    JsonBody(patch, _): JsonBody<MembershipPatch>,
) -> ApiResult<HttpResponse> {
    let actor = Actor::from(&user.0);
    let row = memberships_store::update(&state.db, &actor, id.into_inner(), &if_match, |current| {
        Membership::parse(patch.apply(current)?)
    })
    .await?;
    Ok(updated_response(row.version, &MembershipView::from(row)))
}

/// Delete (archive) a membership entered by mistake (admin, secretary). To record that a
/// membership ended, set its `end_date` instead.
#[utoipa::path(
    tag = "memberships",
    params(
        ("id" = Uuid, Path, description = "Membership id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on")
    ),
    responses((status = 204, description = "Archived"), DeleteErrors),
    security(("bearer" = []))
)]
#[delete("/memberships/{id}")]
pub async fn archive(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    memberships_store::archive(&state.db, &Actor::from(&user.0), id.into_inner(), &if_match)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A person or organisation named in a roster.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

/// One seat in a roster.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEntry {
    /// The membership.
    pub membership_id: Uuid,
    /// The role.
    pub role: MembershipRole,
    /// The member.
    pub member: Named,
    /// The member's job title.
    pub title: Option<String>,
    /// The organisation the member speaks for.
    pub represents: Option<Named>,
    /// The member this one stands in for.
    pub substitute_for: Option<Named>,
    /// Whether the member votes.
    pub voting_right: bool,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: Option<NaiveDate>,
}

/// A group's members on a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct Roster {
    /// The group.
    pub group: Named,
    /// The date.
    pub on: NaiveDate,
    /// Chair, vice-chair, then by represented organisation (Swedish alphabetical order; those
    /// representing none last) and name.
    pub entries: Vec<RosterEntry>,
}

/// The date of a roster.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RosterQuery {
    /// The date (YYYY-MM-DD); today (Europe/Stockholm) when absent.
    #[param(value_type = Option<String>, format = Date)]
    pub on: Option<NaiveDate>,
}

/// The roster of a group on a date: everyone sitting in it, with role, whom they represent and
/// whom they stand in for; ordered chair, vice-chair, then by represented organisation and name.
#[utoipa::path(
    tag = "memberships",
    params(("id" = Uuid, Path, description = "Group (organisation of kind group) id"), RosterQuery),
    responses((status = 200, body = Roster), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/organisations/{id}/roster")]
pub async fn roster(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<RosterQuery>,
) -> ApiResult<HttpResponse> {
    let group = organisations::get(&state.db, id.into_inner()).await?;
    if group.kind != OrganisationKind::Group {
        return Err(ApiError::NotFound);
    }
    let on = query.on.unwrap_or_else(crate::store::today);
    let seats = memberships_store::running_on(&state.db, group.id, on).await?;

    let mut member_ids: Vec<Uuid> = seats.iter().map(|s| s.member_id).collect();
    member_ids.extend(seats.iter().filter_map(|s| s.substitute_for_member_id));
    let people: HashMap<Uuid, _> = members::get_many(&state.db, member_ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let org_ids: Vec<Uuid> = seats.iter().filter_map(|s| s.represents_id).collect();
    let orgs: HashMap<Uuid, String> = organisations::get_many(&state.db, org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();

    let named_member = |id: Uuid| Named {
        id,
        name: people.get(&id).map(|m| m.name.clone()).unwrap_or_default(),
    };
    let mut entries: Vec<RosterEntry> = seats
        .into_iter()
        .map(|seat| RosterEntry {
            membership_id: seat.id,
            role: seat.role,
            member: named_member(seat.member_id),
            title: people.get(&seat.member_id).and_then(|m| m.title.clone()),
            represents: seat.represents_id.map(|id| Named {
                id,
                name: orgs.get(&id).cloned().unwrap_or_default(),
            }),
            substitute_for: seat.substitute_for_member_id.map(named_member),
            voting_right: seat.voting_right,
            start_date: seat.start_date,
            end_date: seat.end_date,
        })
        .collect();
    entries.sort_by_cached_key(|e| {
        (
            e.role.roster_rank(),
            e.represents.is_none(),
            e.represents.as_ref().map(|r| swedish_sort_key(&r.name)),
            swedish_sort_key(&e.member.name),
            e.membership_id,
        )
    });
    let roster = Roster {
        group: Named {
            id: group.id,
            name: group.name,
        },
        on,
        entries,
    };
    Ok(HttpResponse::Ok().json(roster))
}

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(archive);
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
