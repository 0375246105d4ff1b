//! Members: people, their contact data (shown only to those who may see it) and erasure. The
//! export of everything stored about a person and the caller's own record are in [`export`].
//!
//! A member's view carries `email`, `phone` and `subject` only for callers who may see contact
//! data: for everyone else the fields are absent (not null), and every response that carries
//! them is `Cache-Control: no-store`.

mod export;
pub mod fields;
mod view;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub use export::{ExportedAgendaItem, ExportedAttendance, Me, MemberExport};
pub use view::{MemberView, sees_contact};
use view::{no_store, no_store_if};

use super::{
    AppState,
    kit::{
        self, Archived, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, ListQuery,
        Listed, PagingParams, Patch, Read, Updated, Write,
    },
};
use crate::{
    auth::{AdminOnly, AdminOrSecretary, Caller},
    domain::member::{Member, UncheckedMember},
    entities::member::{Entity, Model},
    error::{ApiError, ApiResult, bad_parameter},
    extract::JsonBody,
    store::members::{self as store, MemberFilter},
};

/// A new member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// Name, 1–200 characters.
    #[schema(schema_with = fields::name, example = "Karin Lind")]
    pub name: String,
    /// Job title, 1–200 characters.
    #[serde(default)]
    #[schema(schema_with = fields::optional_line, example = "Socialchef")]
    pub title: Option<String>,
    /// Employer (an existing organisation).
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
    /// E-mail.
    #[serde(default)]
    #[schema(schema_with = fields::optional_email, example = "karin.lind@example.se")]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    #[schema(schema_with = fields::optional_phone, example = "+46 470-123 45")]
    pub phone: Option<String>,
    /// The JWT `sub` of the person's own login, 1–200 characters; unique. Only an admin may
    /// set it (403 otherwise).
    #[serde(default)]
    #[schema(schema_with = fields::optional_line)]
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
    /// Name (not null).
    #[serde(default)]
    #[schema(schema_with = fields::name)]
    pub name: Patch<String>,
    /// Job title.
    #[serde(default)]
    #[schema(schema_with = fields::optional_line)]
    pub title: Patch<String>,
    /// Employer (an existing organisation).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub organisation_id: Patch<Uuid>,
    /// E-mail.
    #[serde(default)]
    #[schema(schema_with = fields::optional_email)]
    pub email: Patch<String>,
    /// Phone.
    #[serde(default)]
    #[schema(schema_with = fields::optional_phone)]
    pub phone: Patch<String>,
    /// Login subject; unique. Only an admin may set or change it (403 otherwise).
    #[serde(default)]
    #[schema(schema_with = fields::optional_line)]
    pub subject: Patch<String>,
}

impl MemberPatch {
    /// The current record with this patch applied, not yet checked.
    fn apply(self, current: &Model) -> ApiResult<UncheckedMember> {
        let current = current.clone();
        let mut errors = Vec::new();
        let unchecked = UncheckedMember {
            name: self.name.keep("name", current.name, &mut errors),
            title: self.title.or(current.title),
            organisation_id: self.organisation_id.or(current.organisation_id),
            email: self.email.or(current.email),
            phone: self.phone.or(current.phone),
            subject: self.subject.or(current.subject),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// Filters of the member list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Only employees of this organisation.
    pub organisation_id: Option<Uuid>,
    /// Name contains this text (case-insensitive; å, ä, ö included); at most 200 characters,
    /// no control characters.
    #[param(max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub q: Option<String>,
    /// Include archived members (always included with `updated_since`).
    #[serde(default)]
    pub include_archived: bool,
}

/// List members.
///
/// Ordered by creation, or by change time when `updated_since` is given. Contact data as in
/// `MemberView`; a page that carries any is `Cache-Control: no-store`.
#[utoipa::path(
    tag = "members",
    operation_id = "list_members",
    params(MemberQuery, PagingParams),
    responses(Listed<MemberView>),
    security((), ("bearer" = []))
)]
#[get("/members")]
pub async fn list_members(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<MemberQuery>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter: q, page } = query;
    if q.q.as_ref().is_some_and(|text| text.chars().count() > 200) {
        return Err(bad_parameter("q", "must be at most 200 characters"));
    }
    let filter = MemberFilter {
        organisation_id: q.organisation_id,
        q: q.q,
        include_archived: q.include_archived,
    };
    let (rows, next) = store::list(&state.db, &filter, &page).await?;
    let items: Vec<_> = rows
        .into_iter()
        .map(|row| MemberView::for_caller(row, &caller))
        .collect();
    let personal = items.iter().any(MemberView::carries_contact);
    let response = kit::page_of(&req, (items, next), |view| view);
    Ok(no_store_if(personal, response))
}

/// Create a member (admin, secretary).
///
/// The employer must exist (422 naming `organisation_id`); a login subject that is another
/// member's is a 409. The answer carries contact data and is `Cache-Control: no-store`.
#[utoipa::path(
    tag = "members",
    operation_id = "create_member",
    params(IdempotencyKeyHeader),
    request_body = NewMember,
    responses(Created<MemberView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/members")]
pub async fn create_member(
    write: Write<AdminOrSecretary>,
    JsonBody(body, digest): JsonBody<NewMember>,
) -> ApiResult<HttpResponse> {
    if body.subject.is_some() {
        subject_setter(&write.identity)?;
    }
    let member = Member::parse(body.into())?;
    let response = write
        .create::<Entity, _>(
            &digest,
            async |txn, actor| store::insert(txn, actor, member).await,
            MemberView::with_contact,
        )
        .await?;
    Ok(no_store(response))
}

/// Read a member, archived and erased ones too.
///
/// Deleting a member archives it: the record stays readable here (with `archived: true`) as a
/// tombstone, by design. Contact data as in `MemberView`; an answer that carries it is
/// `Cache-Control: no-store`.
#[utoipa::path(
    tag = "members",
    operation_id = "get_member",
    params(("id" = Uuid, Path, description = "Member id"), IfNoneMatchHeader),
    responses(Read<MemberView>),
    security((), ("bearer" = []))
)]
#[get("/members/{id}")]
pub async fn get_member(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    let view = MemberView::for_caller(row, &caller);
    let response = kit::read(&req, view.version, &view);
    Ok(no_store_if(view.carries_contact(), response))
}

/// Change a member (admin, secretary); send `If-Match` to refuse a stale write.
///
/// An erased member cannot be changed (409); a login subject that is another member's is a
/// 409; the employer must exist (422 naming `organisation_id`).
#[utoipa::path(
    tag = "members",
    operation_id = "update_member",
    params(("id" = Uuid, Path, description = "Member id"), IfMatchHeader),
    request_body = MemberPatch,
    responses(Updated<MemberView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[patch("/members/{id}")]
pub async fn update_member(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
    JsonBody(patch, _): JsonBody<MemberPatch>,
) -> ApiResult<HttpResponse> {
    let identity = write.identity.clone();
    let row = store::update(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
        |current| {
            let member = Member::parse(patch.apply(current)?)?;
            if member.subject != current.subject {
                subject_setter(&identity)?;
            }
            Ok(member)
        },
    )
    .await?;
    let view = MemberView::with_contact(row);
    Ok(no_store(kit::updated(view.version, &view)))
}

/// Only an admin links a member to a login (`subject`): whoever holds that login is "the
/// person themself" and may read the member's export.
fn subject_setter(identity: &crate::auth::Identity) -> ApiResult<()> {
    if identity.roles.contains(&crate::domain::Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only an admin may set or change a member's login subject".into(),
        ))
    }
}

/// Delete a member (admin, secretary): deleting archives, the soft delete.
///
/// The member stays readable (`GET /members/{id}` and the export answer 200 with
/// `archived: true`), leaves default lists and shows as a tombstone to `updated_since`; this is
/// by design, not a lingering record. Refused with 409 while any record refers to the member:
/// erase them instead.
#[utoipa::path(
    tag = "members",
    operation_id = "archive_member",
    params(("id" = Uuid, Path, description = "Member id"), IfMatchHeader),
    responses(Archived),
    security(("bearer" = ["admin", "secretary"]))
)]
#[delete("/members/{id}")]
pub async fn archive_member(
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

/// Erase a member's personal data (admin).
///
/// The name becomes "Erased member" and a short stable token; title, e-mail, phone and login
/// are cleared, and the person's name and contact data are scrubbed from notes and minutes.
/// Every record that refers to the member stays intact. Erasing twice changes nothing. Send
/// `If-Match` to erase only the version you looked at.
#[utoipa::path(
    tag = "members",
    operation_id = "erase_member",
    params(("id" = Uuid, Path, description = "Member id"), IfMatchHeader),
    responses(Updated<MemberView>),
    security(("bearer" = ["admin"]))
)]
#[post("/members/{id}/erase")]
pub async fn erase_member(write: Write<AdminOnly>, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let row = store::erase(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
    )
    .await?;
    let view = MemberView::with_contact(row);
    Ok(no_store(kit::updated(view.version, &view)))
}

/// Mounts this resource's routes (under the API scope): the literal `/me` with the member
/// routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(export::get_me)
        .service(list_members)
        .service(create_member)
        .service(get_member)
        .service(update_member)
        .service(archive_member)
        .service(erase_member)
        .service(export::export_member);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    super::kit::doc::register::<MemberView>(schemas);
}
