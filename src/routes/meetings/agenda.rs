//! A meeting's agenda items, each with its presenters, guests and minutes text.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::{
        meeting::{AgendaItem, UncheckedAgendaItem},
        proceedings::Conflict,
    },
    entities::agenda_item::{Entity, Model},
    error::{ApiError, ApiResult},
    extract::JsonBody,
    routes::{
        AppState,
        kit::{
            self, Archived, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader,
            ListQuery, Listed, PagingParams, Patch, Read, Updated, Write,
        },
    },
    store::meetings as store,
};

/// A place in the agenda, 1-based. JSON Schema counts `3.0` as the integer 3, so an integral
/// float is read as that integer; anything else is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position(pub i32);

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(de)?;
        if value.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&value) {
            Ok(Self(value as i32))
        } else {
            Err(serde::de::Error::custom(format!(
                "invalid value: {value}, expected an integer"
            )))
        }
    }
}

/// An agenda item.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaItemView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The meeting.
    pub meeting_id: Uuid,
    /// The item number, e.g. "3" or "3.1" (unique in the meeting).
    #[schema(example = "8")]
    pub number: String,
    /// Place in the agenda, 1..n without gaps.
    pub position: i32,
    /// Title.
    #[schema(example = "Handlingsplan")]
    pub title: String,
    /// Presenters (föredragande).
    pub presenter_ids: Vec<Uuid>,
    /// Guests invited for this item.
    pub guest_ids: Vec<Uuid>,
    /// Members who declared a conflict of interest (jäv) and took no part.
    pub conflicts: Vec<Conflict>,
    /// Deferred (bordlagd): moved to a later meeting (`deferred_to_*`), or to one not yet
    /// scheduled (both `null`).
    pub deferred: bool,
    /// The meeting it was deferred to.
    pub deferred_to_meeting_id: Option<Uuid>,
    /// The item it became there.
    pub deferred_to_item_id: Option<Uuid>,
    /// The meeting it was deferred from.
    pub deferred_from_meeting_id: Option<Uuid>,
    /// The item it continues.
    pub deferred_from_item_id: Option<Uuid>,
    /// The minutes text (Markdown).
    pub minutes: Option<String>,
    /// Visible to everyone (otherwise to admin, secretary and member only).
    pub public: bool,
    /// Removed from the agenda.
    pub archived: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
}

impl From<Model> for AgendaItemView {
    fn from(row: Model) -> Self {
        Self {
            id: row.id,
            meeting_id: row.meeting_id,
            number: row.number,
            position: row.position,
            title: row.title,
            presenter_ids: row.presenter_ids.0,
            guest_ids: row.guest_ids.0,
            conflicts: row.conflicts.0,
            deferred: row.deferred,
            deferred_to_meeting_id: row.deferred_to_meeting_id,
            deferred_to_item_id: row.deferred_to_item_id,
            deferred_from_meeting_id: row.deferred_from_meeting_id,
            deferred_from_item_id: row.deferred_from_item_id,
            minutes: row.minutes,
            public: row.public,
            archived: row.archived,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

fn yes() -> bool {
    true
}

/// A new agenda item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgendaItem {
    /// The item number, e.g. "3" or "3.1": letters, digits and dots, 1–20 characters; unique
    /// in the meeting.
    #[schema(example = "8", pattern = r"^ *[A-Za-z0-9.]{1,20} *$")]
    pub number: String,
    /// Place in the agenda (1-based); the others move to make room. Default: last.
    #[serde(default)]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 2147483647)]
    pub position: Option<Position>,
    /// Title, 1–200 characters on one line.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub title: String,
    /// Presenters (members; at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub presenter_ids: Vec<Uuid>,
    /// Guests invited for this item (members; at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub guest_ids: Vec<Uuid>,
    /// Members who declared a conflict of interest (jäv) and took no part in the item (each
    /// once, at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub conflicts: Vec<Conflict>,
    /// The minutes text (Markdown, at most 100,000 characters; no control characters but line
    /// breaks and tabs).
    #[serde(default)]
    #[schema(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")]
    pub minutes: Option<String>,
    /// Visible to everyone (default true).
    #[serde(default = "yes")]
    pub public: bool,
}

impl From<NewAgendaItem> for UncheckedAgendaItem {
    fn from(new: NewAgendaItem) -> Self {
        Self {
            number: new.number,
            position: new.position.map(|p| p.0),
            title: new.title,
            presenter_ids: new.presenter_ids,
            guest_ids: new.guest_ids,
            conflicts: new.conflicts,
            minutes: new.minutes,
            public: new.public,
        }
    }
}

/// Changes to an agenda item; a new `position` reorders the agenda.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemPatch {
    /// Number: letters, digits and dots, 1–20 characters.
    #[serde(default)]
    #[schema(value_type = String, pattern = r"^ *[A-Za-z0-9.]{1,20} *$")]
    pub number: Patch<String>,
    /// Place in the agenda (1-based).
    #[serde(default)]
    #[schema(value_type = i32, minimum = 1, maximum = 2147483647)]
    pub position: Patch<Position>,
    /// Title, 1–200 characters on one line.
    #[serde(default)]
    #[schema(
        value_type = String,
        min_length = 1,
        max_length = 200,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub title: Patch<String>,
    /// Presenters (replaces the list; at most 50).
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>, max_items = 50)]
    pub presenter_ids: Patch<Vec<Uuid>>,
    /// Guests (replaces the list; at most 50).
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>, max_items = 50)]
    pub guest_ids: Patch<Vec<Uuid>>,
    /// Conflicts of interest (replaces the list; at most 50).
    #[serde(default)]
    #[schema(value_type = Vec<Conflict>, max_items = 50)]
    pub conflicts: Patch<Vec<Conflict>>,
    /// Minutes text (Markdown, at most 100,000 characters).
    #[serde(default)]
    #[schema(
        value_type = Option<String>,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub minutes: Patch<String>,
    /// Public.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub public: Patch<bool>,
}

impl AgendaItemPatch {
    /// The current item with this patch applied, not yet checked.
    fn apply(self, current: &Model) -> ApiResult<UncheckedAgendaItem> {
        let view = AgendaItemView::from(current.clone());
        let mut errors = Vec::new();
        let unchecked = UncheckedAgendaItem {
            number: self.number.keep("number", view.number, &mut errors),
            position: self.position.given("position", &mut errors).map(|p| p.0),
            title: self.title.keep("title", view.title, &mut errors),
            presenter_ids: self.presenter_ids.keep(
                "presenter_ids",
                view.presenter_ids,
                &mut errors,
            ),
            guest_ids: self
                .guest_ids
                .keep("guest_ids", view.guest_ids, &mut errors),
            conflicts: self
                .conflicts
                .keep("conflicts", view.conflicts, &mut errors),
            minutes: self.minutes.or(view.minutes),
            public: self.public.keep("public", view.public, &mut errors),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// The agenda has no filters of its own: only the paging parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaQuery {}

/// List a meeting's agenda items.
///
/// In agenda order (by change with `updated_since`, removed items then included as
/// tombstones). Callers other than admin, secretary and member see public items of public
/// meetings only.
#[utoipa::path(
    tag = "meetings",
    operation_id = "list_agenda_items",
    params(("id" = Uuid, Path, description = "Meeting id"), PagingParams),
    responses(
        Listed<AgendaItemView>,
        (status = 404, description = "No meeting has this id (or the caller may not see it)",
         body = crate::error::Problem, content_type = "application/problem+json")
    ),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}/agenda-items")]
pub async fn list_agenda_items(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<AgendaQuery>,
) -> ApiResult<HttpResponse> {
    let all = caller.sees_unpublished();
    let meeting = store::get(&state.db, id.into_inner(), all).await?;
    let rows = store::list_items(&state.db, meeting.id, all, &query.page).await?;
    Ok(kit::page_of(&req, rows, AgendaItemView::from))
}

/// Add an agenda item (admin, secretary).
///
/// Presenters and guests must be members (422 naming the entry); 409 when the number is taken
/// or the meeting locked; 404 when there is no such meeting; at most 200 items.
#[utoipa::path(
    tag = "meetings",
    operation_id = "create_agenda_item",
    params(("id" = Uuid, Path, description = "Meeting id"), IdempotencyKeyHeader),
    request_body = NewAgendaItem,
    responses(
        Created<AgendaItemView>,
        (status = 404, description = "No meeting has this id",
         body = crate::error::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/meetings/{id}/agenda-items")]
pub async fn create_agenda_item(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
    JsonBody(body, digest): JsonBody<NewAgendaItem>,
) -> ApiResult<HttpResponse> {
    let item = AgendaItem::parse(body.into())?;
    let meeting_id = id.into_inner();
    write
        .create::<Entity, _>(
            &digest,
            async |txn, actor| store::insert_item(txn, actor, meeting_id, item).await,
            AgendaItemView::from,
        )
        .await
}

/// Read an agenda item.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_agenda_item",
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("item_id" = Uuid, Path, description = "Agenda item id"),
        IfNoneMatchHeader
    ),
    responses(Read<AgendaItemView>),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}/agenda-items/{item_id}")]
pub async fn get_agenda_item(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    let all = caller.sees_unpublished();
    store::get(&state.db, meeting_id, all).await?;
    let row = store::get_item(&state.db, meeting_id, item_id, all).await?;
    Ok(kit::read(&req, row.version, &AgendaItemView::from(row)))
}

/// Change an agenda item (admin, secretary); a new `position` reorders the agenda.
#[utoipa::path(
    tag = "meetings",
    operation_id = "update_agenda_item",
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("item_id" = Uuid, Path, description = "Agenda item id"),
        IfMatchHeader
    ),
    request_body = AgendaItemPatch,
    responses(Updated<AgendaItemView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[patch("/meetings/{id}/agenda-items/{item_id}")]
pub async fn update_agenda_item(
    write: Write<AdminOrSecretary>,
    path: web::Path<(Uuid, Uuid)>,
    JsonBody(patch, _): JsonBody<AgendaItemPatch>,
) -> ApiResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    let row = store::update_item(
        &write.db,
        &write.actor,
        meeting_id,
        item_id,
        &write.precondition,
        |current| AgendaItem::parse(patch.apply(current)?),
    )
    .await?;
    Ok(kit::updated(row.version, &AgendaItemView::from(row)))
}

/// Remove an agenda item (admin, secretary); the others close the gap.
///
/// The item is archived: it stays readable and shows as a tombstone to `updated_since`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "archive_agenda_item",
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("item_id" = Uuid, Path, description = "Agenda item id"),
        IfMatchHeader
    ),
    responses(Archived),
    security(("bearer" = ["admin", "secretary"]))
)]
#[delete("/meetings/{id}/agenda-items/{item_id}")]
pub async fn archive_agenda_item(
    write: Write<AdminOrSecretary>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    store::archive_item(
        &write.db,
        &write.actor,
        meeting_id,
        item_id,
        &write.precondition,
    )
    .await?;
    Ok(kit::archived())
}
