//! The whole agenda of a meeting, read and replaced in one request (as attendance is): how a
//! secretary enters the agenda of a meeting at once, and renumbers it.

use actix_web::{HttpRequest, HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::agenda::{AgendaItemView, NewAgendaItem};
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::meeting::AgendaItem,
    error::{ApiError, ApiResult, FieldError},
    extract::{BodyLimit, JsonBody},
    routes::{
        AppState,
        kit::{self, IfMatchHeader, IfNoneMatchHeader, Read, Updated, Write},
    },
    store::meetings as store,
};

/// The body limit of a whole agenda (items with their minutes text).
pub const AGENDA_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Mounts the whole-agenda routes, with their larger body limit.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(
        utoipa_actix_web::scope::scope("/meetings/{id}/agenda")
            .app_data(BodyLimit(AGENDA_BODY_LIMIT))
            .service(get_agenda)
            .service(replace_agenda),
    );
}

/// The whole agenda as a client sends it (at most 4 MiB).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WholeAgenda {
    /// The items in agenda order (at most 200), without `position`: an item keeps its id (and
    /// its decisions) when it keeps its `number`, which is its key; other entries are new
    /// items; items left out are removed (409 for an item with decisions). Numbers are
    /// distinct.
    #[schema(max_items = 200)]
    pub items: Vec<NewAgendaItem>,
    /// Number the items 1..n in this order (default false): the numbers sent are then only
    /// the keys, so an item can be inserted before "2" ("2a") and everything renumbered. The
    /// references of decisions under renumbered items follow ("§6b" becomes "§7b").
    #[serde(default)]
    pub renumber: bool,
}

/// A meeting's agenda.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaView {
    /// The meeting.
    pub meeting_id: Uuid,
    /// The meeting's version: the `ETag` a replacement is guarded by.
    pub version: i32,
    /// The items in order (those the caller may see).
    pub items: Vec<AgendaItemView>,
}

/// The whole agenda of a meeting, with the meeting's version as its `ETag`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_agenda",
    params(("id" = Uuid, Path, description = "Meeting id"), IfNoneMatchHeader),
    responses(Read<AgendaView>),
    security((), ("bearer" = []))
)]
#[get("")]
pub async fn get_agenda(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let all = caller.sees_unpublished();
    let meeting = store::get(&state.db, id.into_inner(), all).await?;
    let items = store::agenda_of(&state.db, meeting.id, all).await?;
    let view = AgendaView {
        meeting_id: meeting.id,
        version: meeting.version,
        items: items.into_iter().map(AgendaItemView::from).collect(),
    };
    Ok(kit::read(&req, meeting.version, &view))
}

/// Replace the whole agenda of a meeting (admin, secretary), atomically.
///
/// Items keep their ids when they keep their numbers; `renumber` numbers them 1..n. Every rule
/// is a 422 naming the entry (`items[2].number`); 409 for removing an item with decisions, and
/// (`locked`) once the minutes are approved. `If-Match` takes the meeting's `ETag`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "replace_agenda",
    params(("id" = Uuid, Path, description = "Meeting id"), IfMatchHeader),
    request_body = WholeAgenda,
    responses(Updated<AgendaView>),
    security(("bearer" = ["admin", "secretary"]))
)]
#[put("")]
pub async fn replace_agenda(
    write: Write<AdminOrSecretary>,
    id: web::Path<Uuid>,
    JsonBody(body, _): JsonBody<WholeAgenda>,
) -> ApiResult<HttpResponse> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut items = Vec::with_capacity(body.items.len());
    for (i, entry) in body.items.into_iter().enumerate() {
        match AgendaItem::parse(entry.into()) {
            Ok(item) => items.push(item),
            Err(ApiError::Validation(fields)) => errors.extend(
                fields
                    .into_iter()
                    .map(|f| FieldError::new(format!("items[{i}].{}", f.field), f.message)),
            ),
            Err(other) => return Err(other),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (meeting, rows) = store::replace_agenda(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
        items,
        body.renumber,
    )
    .await?;
    let view = AgendaView {
        meeting_id: meeting.id,
        version: meeting.version,
        items: rows.into_iter().map(AgendaItemView::from).collect(),
    };
    Ok(kit::updated(meeting.version, &view))
}
