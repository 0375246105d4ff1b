//! Deferring an agenda item to a later meeting (bordläggning, "flyttas till nästa tillfälle").

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::agenda::AgendaItemView;
use crate::{
    auth::AdminOrSecretary,
    domain::text::one_line,
    error::{ApiError, ApiResult},
    extract::JsonBody,
    routes::kit::{self, IfMatchHeader, Updated, Write},
    store::meetings as store,
};

/// Where an item is deferred to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deferral {
    /// A later, planned meeting of the same group; `null` (default) for a meeting not yet
    /// scheduled (defer again to name it once it is).
    #[serde(default)]
    pub to_meeting_id: Option<Uuid>,
    /// The new item's number there (letters, digits and dots, 1–20 characters); default: the
    /// next whole number on that agenda.
    #[serde(default)]
    #[schema(pattern = r"^ *[A-Za-z0-9.]{1,20} *$")]
    pub number: Option<String>,
}

/// A deferred item and the item it became.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeferredView {
    /// The item, now `deferred`.
    pub item: AgendaItemView,
    /// The item on the later meeting's agenda (`null` when deferred to no meeting yet).
    pub continued_as: Option<AgendaItemView>,
}

/// Defer an agenda item (admin, secretary).
///
/// The item is marked `deferred`; with `to_meeting_id` a linked item (same title and
/// presenters, `deferred_from_*`) is added to that meeting's agenda, and both minutes show the
/// link. 422 for a meeting that is not a later one of the same group; 409 when the target is
/// not planned, the number is taken there, the item is already deferred to a meeting, or
/// (`locked`) the minutes are approved. `If-Match` takes the item's `ETag`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "defer_agenda_item",
    params(
        ("id" = Uuid, Path, description = "Meeting id"),
        ("item_id" = Uuid, Path, description = "Agenda item id"),
        IfMatchHeader
    ),
    request_body = Deferral,
    responses(Updated<DeferredView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/meetings/{id}/agenda-items/{item_id}/defer")]
pub async fn defer_agenda_item(
    write: Write<AdminOrSecretary>,
    path: web::Path<(Uuid, Uuid)>,
    JsonBody(body, _): JsonBody<Deferral>,
) -> ApiResult<HttpResponse> {
    let (meeting_id, item_id) = path.into_inner();
    let number = match body.number.as_deref() {
        None => None,
        Some(text) => match one_line(text, 1, 20) {
            Ok(n) if n.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') => Some(n),
            _ => {
                return Err(ApiError::field(
                    "number",
                    "letters, digits and dots only, 1–20 characters, e.g. 3 or 3.1",
                ));
            }
        },
    };
    let (item, created) = store::defer_item(
        &write.db,
        &write.actor,
        meeting_id,
        item_id,
        &write.precondition,
        body.to_meeting_id,
        number,
    )
    .await?;
    let version = item.version;
    let view = DeferredView {
        item: AgendaItemView::from(item),
        continued_as: created.map(AgendaItemView::from),
    };
    Ok(kit::updated(version, &view))
}
