//! A meeting's agenda items, each with its presenters, guests and minutes text.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{AdminOrSecretary, Authorized, Caller},
    domain::meeting::UncheckedAgendaItem,
    entities::agenda_item::Model,
    error::{ApiError, ApiResult, FieldError},
    extract::{JsonBody, Query},
    pagination::{Page, query_timestamp},
    routes::kit::updated as updated_response,
    routes::{
        API_BASE, AppState, keep, present,
        responses::{CreateErrors, DeleteErrors, ReadErrors, UpdateErrors},
    },
    store::Precondition,
    store::{Actor, meetings as store},
};

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
            presenter_ids: serde_json::from_value(row.presenter_ids).unwrap_or_default(),
            guest_ids: serde_json::from_value(row.guest_ids).unwrap_or_default(),
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
    /// The item number, e.g. "3" or "3.1"; unique in the meeting.
    #[schema(example = "8")]
    pub number: String,
    /// Place in the agenda (1-based); the others move to make room. Default: last.
    #[serde(default)]
    pub position: Option<i32>,
    /// Title, 1–200 characters.
    pub title: String,
    /// Presenters (members).
    #[serde(default)]
    pub presenter_ids: Vec<Uuid>,
    /// Guests invited for this item (members).
    #[serde(default)]
    pub guest_ids: Vec<Uuid>,
    /// The minutes text (Markdown, at most 100,000 characters).
    #[serde(default)]
    pub minutes: Option<String>,
    /// Visible to everyone (default true).
    #[serde(default = "yes")]
    pub public: bool,
}

impl From<NewAgendaItem> for UncheckedAgendaItem {
    fn from(new: NewAgendaItem) -> Self {
        Self {
            number: new.number,
            position: new.position,
            title: new.title,
            presenter_ids: new.presenter_ids,
            guest_ids: new.guest_ids,
            minutes: new.minutes,
            public: new.public,
        }
    }
}

/// Changes to an agenda item; a new `position` reorders the agenda.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemPatch {
    /// Number.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub number: Option<Option<String>>,
    /// Place in the agenda.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i32)]
    pub position: Option<Option<i32>>,
    /// Title.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub title: Option<Option<String>>,
    /// Presenters (replaces the list).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Uuid>)]
    pub presenter_ids: Option<Option<Vec<Uuid>>>,
    /// Guests (replaces the list).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Uuid>)]
    pub guest_ids: Option<Option<Vec<Uuid>>>,
    /// Minutes text.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub minutes: Option<Option<String>>,
    /// Public.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub public: Option<Option<bool>>,
}

impl AgendaItemPatch {
    fn apply(self, current: &Model) -> ApiResult<UncheckedAgendaItem> {
        let view = AgendaItemView::from(current.clone());
        let mut errors = Vec::new();
        let position = match self.position {
            None => None,
            Some(Some(p)) => Some(p),
            Some(None) => {
                errors.push(FieldError::new("position", "must not be null"));
                None
            }
        };
        let unchecked = UncheckedAgendaItem {
            number: keep("number", self.number, view.number, &mut errors),
            position,
            title: keep("title", self.title, view.title, &mut errors),
            presenter_ids: keep(
                "presenter_ids",
                self.presenter_ids,
                view.presenter_ids,
                &mut errors,
            ),
            guest_ids: keep("guest_ids", self.guest_ids, view.guest_ids, &mut errors),
            minutes: self.minutes.unwrap_or(view.minutes),
            public: keep("public", self.public, view.public, &mut errors),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// The change filter of the agenda.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AgendaQuery {
    /// Only items changed at or after this time (RFC 3339), removed ones included.
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<DateTime<Utc>>,
}

/// The agenda of a meeting, in order (at most 200 items, so always one page). Callers other
/// than admin, secretary and member see public items of public meetings only.
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Meeting id"), AgendaQuery),
    responses((status = 200, body = Page<AgendaItemView>), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}/agenda-items")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<AgendaQuery>,
) -> ApiResult<HttpResponse> {
    let all = caller.sees_unpublished();
    let meeting = store::get(&state.db, id.into_inner(), all).await?;
    let rows = store::agenda(&state.db, meeting.id, all, query.updated_since).await?;
    let items: Vec<AgendaItemView> = rows.into_iter().map(AgendaItemView::from).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// Add an agenda item (admin, secretary); 409 when the number is taken or the meeting locked.
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Meeting id")),
    request_body = NewAgendaItem,
    responses(
        (status = 201, body = AgendaItemView, headers(("ETag" = String), ("Location" = String))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/meetings/{id}/agenda-items")]
pub async fn create(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    JsonBody(body, _): JsonBody<NewAgendaItem>,
) -> ApiResult<HttpResponse> {
    let item = UncheckedAgendaItem::from(body).check()?;
    let meeting_id = id.into_inner();
    let row = store::insert_item(&state.db, &Actor::from(&user.0), meeting_id, item).await?;
    let location = format!("{API_BASE}/meetings/{meeting_id}/agenda-items/{}", row.id);
    let stored = crate::routes::kit::created(location, row.version, &AgendaItemView::from(row))?;
    Ok(crate::routes::kit::stored_response(stored, false))
}

/// Read an agenda item.
#[utoipa::path(
    tag = "meetings",
    params(("id" = Uuid, Path, description = "Meeting id"), ("item_id" = Uuid, Path, description = "Agenda item id")),
    responses((status = 200, body = AgendaItemView, headers(("ETag" = String))), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}/agenda-items/{item_id}")]
pub async fn get(
    req: actix_web::HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    let all = caller.sees_unpublished();
    store::get(&state.db, meeting_id, all).await?;
    let row = store::get_item(&state.db, meeting_id, item_id, all).await?;
    Ok(crate::routes::kit::read(
        &req,
        row.version,
        &AgendaItemView::from(row),
    ))
}

/// Change an agenda item (admin, secretary).
#[utoipa::path(
    tag = "meetings",
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("item_id" = Uuid, Path, description = "Agenda item id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")
    ),
    request_body = AgendaItemPatch,
    responses((status = 200, body = AgendaItemView, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/meetings/{id}/agenda-items/{item_id}")]
pub async fn update(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: Precondition,
    JsonBody(patch, _): JsonBody<AgendaItemPatch>,
) -> ApiResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    let actor = Actor::from(&user.0);
    let row = store::update_item(
        &state.db,
        &actor,
        meeting_id,
        item_id,
        &if_match,
        |current| patch.apply(current)?.check(),
    )
    .await?;
    Ok(updated_response(row.version, &AgendaItemView::from(row)))
}

/// Remove an agenda item (admin, secretary); the others close the gap.
#[utoipa::path(
    tag = "meetings",
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("item_id" = Uuid, Path, description = "Agenda item id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on")
    ),
    responses((status = 204, description = "Removed"), DeleteErrors),
    security(("bearer" = []))
)]
#[delete("/meetings/{id}/agenda-items/{item_id}")]
pub async fn archive(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    if_match: Precondition,
) -> ApiResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    store::archive_item(
        &state.db,
        &Actor::from(&user.0),
        meeting_id,
        item_id,
        &if_match,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
