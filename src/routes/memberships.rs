//! Memberships: who sits in which group, in which role, for whom, and when. A group's roster
//! on a date, a read model over the memberships, is in [`roster`].

mod roster;

use crate::domain::time::Day;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub use roster::{Named, Roster, RosterEntry, RosterQuery, get_roster};

use super::{
    AppState,
    kit::{
        self, Archived, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, ListQuery,
        Listed, PagingParams, Patch, Read, Updated, Write,
    },
    members::fields,
};
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::membership::{Membership, MembershipRole, UncheckedMembership},
    entities::membership::{Entity, Model},
    error::{ApiError, ApiResult},
    extract::JsonBody,
    store::memberships::{self as store, MembershipFilter},
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
    /// The member (an existing one).
    pub member_id: Uuid,
    /// The group: an existing organisation of kind `group`.
    pub group_id: Uuid,
    /// The role.
    pub role: MembershipRole,
    /// The organisation the member speaks for (an existing one).
    #[serde(default)]
    pub represents_id: Option<Uuid>,
    /// First day.
    #[schema(example = "2021-06-04")]
    pub start_date: Day,
    /// Last day (not before `start_date`).
    #[serde(default)]
    pub end_date: Option<Day>,
    /// The member this one stands in for during the period (an existing member, not the
    /// member themself).
    #[serde(default)]
    pub substitute_for_member_id: Option<Uuid>,
    /// Whether the member votes (default true).
    #[serde(default = "default_voting_right")]
    pub voting_right: bool,
    /// A note, at most 2000 characters.
    #[serde(default)]
    #[schema(schema_with = fields::optional_note)]
    pub note: Option<String>,
    /// The decision that elected the member (an existing one).
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
            start_date: new.start_date.into(),
            end_date: new.end_date.map(NaiveDate::from),
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
    #[serde(default)]
    #[schema(value_type = Uuid)]
    pub member_id: Patch<Uuid>,
    /// The group.
    #[serde(default)]
    #[schema(value_type = Uuid)]
    pub group_id: Patch<Uuid>,
    /// The role.
    #[serde(default)]
    #[schema(value_type = MembershipRole)]
    pub role: Patch<MembershipRole>,
    /// The organisation represented.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub represents_id: Patch<Uuid>,
    /// First day.
    #[serde(default)]
    #[schema(value_type = Day)]
    pub start_date: Patch<Day>,
    /// Last day (not before `start_date`).
    #[serde(default)]
    #[schema(value_type = Option<Day>)]
    pub end_date: Patch<Day>,
    /// Stands in for this member (not the member themself).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub substitute_for_member_id: Patch<Uuid>,
    /// Votes.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub voting_right: Patch<bool>,
    /// Note, at most 2000 characters.
    #[serde(default)]
    #[schema(schema_with = fields::optional_note)]
    pub note: Patch<String>,
    /// Electing decision.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub elected_by_decision_id: Patch<Uuid>,
}

impl MembershipPatch {
    /// The current record with this patch applied, not yet checked.
    fn apply(self, current: &Model) -> ApiResult<UncheckedMembership> {
        let current = current.clone();
        let mut errors = Vec::new();
        let unchecked = UncheckedMembership {
            member_id: self
                .member_id
                .keep("member_id", current.member_id, &mut errors),
            group_id: self
                .group_id
                .keep("group_id", current.group_id, &mut errors),
            role: self.role.keep("role", current.role, &mut errors),
            represents_id: self.represents_id.or(current.represents_id),
            start_date: self.start_date.map(NaiveDate::from).keep(
                "start_date",
                current.start_date,
                &mut errors,
            ),
            end_date: self.end_date.map(NaiveDate::from).or(current.end_date),
            substitute_for_member_id: self
                .substitute_for_member_id
                .or(current.substitute_for_member_id),
            voting_right: self
                .voting_right
                .keep("voting_right", current.voting_right, &mut errors),
            note: self.note.or(current.note),
            elected_by_decision_id: self
                .elected_by_decision_id
                .or(current.elected_by_decision_id),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// Filters of the membership list.
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
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    pub active_on: Option<Day>,
    /// Include archived memberships (always included with `updated_since`).
    #[serde(default)]
    pub include_archived: bool,
}

/// List memberships.
///
/// Ordered by creation, or by change time when `updated_since` is given.
#[utoipa::path(
    tag = "memberships",
    operation_id = "list_memberships",
    params(MembershipQuery, PagingParams),
    responses(Listed<MembershipView>),
    security((), ("bearer" = []))
)]
#[get("/memberships")]
pub async fn list_memberships(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<MembershipQuery>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter: q, page } = query;
    let filter = MembershipFilter {
        member_id: q.member_id,
        group_id: q.group_id,
        represents_id: q.represents_id,
        role: q.role,
        active_on: q.active_on.map(NaiveDate::from),
        include_archived: q.include_archived,
    };
    let rows = store::list(&state.db, &filter, &page).await?;
    Ok(kit::page_of(&req, rows, MembershipView::from))
}

/// Create a membership (admin, secretary).
///
/// Checked beyond the schema (422 naming the field): `end_date` is not before `start_date`;
/// nobody stands in for themself; the member, the group (of kind `group`), the represented
/// organisation, the stood-in-for member and the electing decision exist. A group has at most
/// one chair and one vice-chair on any date: an overlapping period is a 409 naming the
/// membership it collides with.
#[utoipa::path(
    tag = "memberships",
    operation_id = "create_membership",
    params(IdempotencyKeyHeader),
    request_body = NewMembership,
    responses(Created<MembershipView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/memberships")]
pub async fn create_membership(
    write: Write<AdminOrSecretary>,
    JsonBody(body, digest): JsonBody<NewMembership>,
) -> ApiResult<HttpResponse> {
    let membership = Membership::parse(body.into())?;
    write
        .create::<Entity, _>(
            &digest,
            async |txn, actor| store::insert(txn, actor, membership).await,
            MembershipView::from,
        )
        .await
}

/// Read a membership, archived ones too.
///
/// Deleting a membership archives it: it stays readable here (with `archived: true`) as a
/// tombstone, by design.
#[utoipa::path(
    tag = "memberships",
    operation_id = "get_membership",
    params(("id" = Uuid, Path, description = "Membership id"), IfNoneMatchHeader),
    responses(Read<MembershipView>),
    security((), ("bearer" = []))
)]
#[get("/memberships/{id}")]
pub async fn get_membership(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    Ok(kit::read(&req, row.version, &MembershipView::from(row)))
}

/// Change a membership (admin, secretary), e.g. end it with `end_date`; send `If-Match` to
/// refuse a stale write.
///
/// The changed membership is checked as a new one is (422 naming the field, 409 for an
/// overlapping chair or vice-chair).
#[utoipa::path(
    tag = "memberships",
    operation_id = "update_membership",
    params(("id" = Uuid, Path, description = "Membership id"), IfMatchHeader),
    request_body = MembershipPatch,
    responses(Updated<MembershipView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[patch("/memberships/{id}")]
pub async fn update_membership(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
    JsonBody(patch, _): JsonBody<MembershipPatch>,
) -> ApiResult<HttpResponse> {
    let row = store::update(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
        |current| Membership::parse(patch.apply(current)?),
    )
    .await?;
    Ok(kit::updated(row.version, &MembershipView::from(row)))
}

/// Delete a membership entered by mistake (admin, secretary): deleting archives, the soft
/// delete. To record that a membership ended, set its `end_date` instead.
///
/// By design the membership stays readable (`GET /memberships/{id}` answers 200 with
/// `archived: true`), leaves default lists and rosters, and shows as a tombstone to
/// `updated_since`.
#[utoipa::path(
    tag = "memberships",
    operation_id = "archive_membership",
    params(("id" = Uuid, Path, description = "Membership id"), IfMatchHeader),
    responses(Archived),
    security(("bearer" = ["admin", "secretary"]))
)]
#[delete("/memberships/{id}")]
pub async fn archive_membership(
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

/// Mounts this resource's routes (under the API scope; the roster is mounted with the
/// members, before `/organisations/{id}` could be taken for it).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(get_roster)
        .service(list_memberships)
        .service(create_membership)
        .service(get_membership)
        .service(update_membership)
        .service(archive_membership);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    super::kit::doc::register::<MembershipView>(schemas);
}
