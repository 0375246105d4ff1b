//! The change feed: every committed change as a CloudEvent, in commit order, by cursor
//! (`GET /events`, with long-polling), as Server-Sent Events (`GET /events/stream`), and the
//! head cursor a first-time client starts from (`GET /events/head`).

use std::{collections::VecDeque, convert::Infallible, sync::Arc, time::Duration};

use actix_web::{HttpRequest, HttpResponse, Responder, get, web};
use actix_web_lab::sse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema, openapi::RefOr, openapi::schema::Schema};
use uuid::Uuid;

use super::{AppState, responses::ListErrors};
use crate::{
    auth::Caller,
    domain::events::{CloudEvent, SOURCE, is_type_filter},
    error::{ApiResult, bad_parameter},
    extract::Query,
    signal::{FeedSignal, until},
    store::events::{self as store, FeedFilter},
};

/// Events per page when `limit` is not given.
const DEFAULT_LIMIT: u64 = 100;
/// Largest accepted `limit`.
const MAX_LIMIT: u64 = 1000;
/// Longest accepted long-poll, in seconds.
const MAX_WAIT: u64 = 30;
/// How often a waiting reader looks for events other processes committed.
const POLL: Duration = Duration::from_millis(500);

/// A feed position: the `seq` of an event, or `0` for the beginning.
#[derive(Debug, Clone, Copy)]
struct Cursor(i64);

impl Cursor {
    fn parse(name: &str, text: Option<&str>) -> ApiResult<Self> {
        match text.map(str::trim) {
            None | Some("") => Ok(Self(0)),
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .map(Self)
                .ok_or_else(|| bad_parameter(name, "must be a cursor (a whole number, 0 or more)")),
        }
    }
}

/// Which events to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Read the events after this cursor (an event's `seq`, a page's `next`, or the `cursor`
    /// of `GET /events/head`); empty or absent: from the first event.
    #[param(pattern = r"^[0-9]{0,18}$", example = "1041")]
    pub after: Option<String>,
    /// Only these event types, comma-separated: a type (`decision.created`) or a family
    /// (`decision`, `decision.*`). Default: every type.
    #[param(
        pattern = r"^ *(organisation|member|membership|meeting|agenda_item|attendance|decision|indicator|indicator_values|indicator_targets|action_plan|action_plan_revision|consultation_response|webhook|minutes_signature|attachment|activity_progress)(\.(created|updated|archived|withdrawn|erased|superseded|minutes_approved|revision_approved|values_changed|deactivated|ping|\*))? *(, *(organisation|member|membership|meeting|agenda_item|attendance|decision|indicator|indicator_values|indicator_targets|action_plan|action_plan_revision|consultation_response|webhook|minutes_signature|attachment|activity_progress)(\.(created|updated|archived|withdrawn|erased|superseded|minutes_approved|revision_approved|values_changed|deactivated|ping|\*))? *)*$",
        example = "decision,meeting.minutes_approved"
    )]
    pub types: Option<String>,
    /// Only events about records that concern this organisation (a decision's `concerns`, a
    /// value batch's organisations), or that concern every party (no `concerns`).
    pub concerns: Option<Uuid>,
    /// Only events of records of this group (meetings, their items and decisions, plans).
    pub group_id: Option<Uuid>,
    /// Events per page, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// When nothing is new, wait up to this many seconds (0–30, default 0) for an event
    /// before answering an empty page.
    #[param(minimum = 0, maximum = 30)]
    pub wait: Option<i64>,
}

/// The checked query.
struct Feed {
    after: Cursor,
    filter: FeedFilter,
    limit: u64,
    wait: Duration,
}

impl FeedQuery {
    fn check(self, caller: &Caller) -> ApiResult<Feed> {
        let after = Cursor::parse("after", self.after.as_deref())?;
        let types = match self.types {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|t| {
                    let t = t.trim();
                    if is_type_filter(t) {
                        Ok(t.to_owned())
                    } else {
                        Err(bad_parameter("types", &format!("unknown event type `{t}`")))
                    }
                })
                .collect::<ApiResult<_>>()?,
        };
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as u64,
            Some(_) => return Err(bad_parameter("limit", "must be between 1 and 1000")),
        };
        let wait = match self.wait {
            None => 0,
            Some(n) if (0..=MAX_WAIT as i64).contains(&n) => n as u64,
            Some(_) => return Err(bad_parameter("wait", "must be between 0 and 30")),
        };
        Ok(Feed {
            after,
            filter: FeedFilter {
                types,
                concerns: self.concerns,
                group_id: self.group_id,
                public_only: !caller.sees_unpublished(),
            },
            limit,
            wait: Duration::from_secs(wait),
        })
    }
}

/// One page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    /// The events after the cursor, in commit order.
    pub items: Vec<CloudEvent>,
    /// Pass as `after` to read on. It can be ahead of the last item when the filter skipped
    /// events; it never passes an event the filter would show.
    #[schema(example = "1041")]
    pub next: String,
    /// The newest cursor when the page was read: `head - next` events (of every type) remain.
    #[schema(example = "1200")]
    pub head: String,
}

/// Where the feed stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedHead {
    /// The newest cursor. Read every list you mirror after taking it, then read the feed
    /// `after` it: nothing is missed (a change made meanwhile may arrive twice).
    #[schema(example = "1200")]
    pub cursor: String,
}

/// Read the change feed.
///
/// Every committed change as a CloudEvents 1.0 JSON object, in commit order: `seq` (and the
/// CloudEvent `id`) is the cursor. A write that changes nothing has no event; an archive has
/// a tombstone event (`<type>.archived`, the record with `archived: true`); an erasure a
/// `member.erased` event whose `data.redact` names the fields every copy must scrub (earlier
/// events' copies are scrubbed here). A child's change also moves its parent's `updated_at`
/// (not its version), so the parent appears in `updated_since` lists.
///
/// Callers see the events of the records they may read: admin, secretary and member all;
/// everyone else (`integration`, anonymous) those of public records only. When a record they
/// saw stops being public, they get a `<type>.withdrawn` event (its id, no state) instead of
/// the change, so that their copies drop it.
#[utoipa::path(
    tag = "events",
    operation_id = "list_events",
    params(FeedQuery),
    responses(
        (status = 200, description = "The events after the cursor, oldest first", body = EventPage),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/events")]
pub async fn list_events(
    caller: Caller,
    state: web::Data<AppState>,
    signal: web::Data<FeedSignal>,
    Query(query): Query<FeedQuery>,
) -> ApiResult<HttpResponse> {
    let feed = query.check(&caller)?;
    let deadline = tokio::time::Instant::now() + feed.wait;
    loop {
        let waiter = signal.waiter();
        let page = store::read(&state.db, feed.after.0, &feed.filter, feed.limit).await?;
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        if !page.events.is_empty() || remaining.is_zero() {
            let body = EventPage {
                items: page
                    .events
                    .iter()
                    .map(|e| store::cloud_event(SOURCE, e))
                    .collect(),
                next: page.next.to_string(),
                head: page.head.to_string(),
            };
            return Ok(HttpResponse::Ok().json(body));
        }
        until(waiter, remaining.min(POLL)).await;
    }
}

/// Where the feed stands now.
///
/// The starting point of a first synchronisation: take the cursor, read the lists you mirror,
/// then read the feed (or the stream) after the cursor.
#[utoipa::path(
    tag = "events",
    operation_id = "get_events_head",
    responses(
        (status = 200, description = "The newest cursor", body = FeedHead),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/events/head")]
pub async fn get_events_head(
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let cursor = store::head(&state.db).await?;
    Ok(HttpResponse::Ok().json(FeedHead {
        cursor: cursor.to_string(),
    }))
}

/// The stream's query: the feed's filters, and where to start.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Start after this cursor; a `Last-Event-ID` header (sent by a reconnecting browser)
    /// takes precedence. Absent: from the first event.
    #[param(pattern = r"^[0-9]{0,18}$", example = "1041")]
    pub after: Option<String>,
    /// As for `GET /events`.
    #[param(
        pattern = r"^ *(organisation|member|membership|meeting|agenda_item|attendance|decision|indicator|indicator_values|indicator_targets|action_plan|action_plan_revision|consultation_response|webhook|minutes_signature|attachment|activity_progress)(\.(created|updated|archived|withdrawn|erased|superseded|minutes_approved|revision_approved|values_changed|deactivated|ping|\*))? *(, *(organisation|member|membership|meeting|agenda_item|attendance|decision|indicator|indicator_values|indicator_targets|action_plan|action_plan_revision|consultation_response|webhook|minutes_signature|attachment|activity_progress)(\.(created|updated|archived|withdrawn|erased|superseded|minutes_approved|revision_approved|values_changed|deactivated|ping|\*))? *)*$",
        example = "decision"
    )]
    pub types: Option<String>,
    /// As for `GET /events`.
    pub concerns: Option<Uuid>,
    /// As for `GET /events`.
    pub group_id: Option<Uuid>,
}

/// Follow the change feed as Server-Sent Events.
///
/// The same events as `GET /events`, each as one SSE message: `id` the cursor, `event` the
/// type, `data` the CloudEvent JSON. A comment every 15 seconds keeps the connection open.
/// A client that reconnects with `Last-Event-ID` resumes after that event.
#[utoipa::path(
    tag = "events",
    operation_id = "stream_events",
    params(
        StreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this cursor",
         pattern = r"^[0-9]{0,18}$")
    ),
    responses(
        (status = 200, description = "An endless stream of events", content_type = "text/event-stream",
         body = String),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/events/stream")]
pub async fn stream_events(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    signal: web::Data<FeedSignal>,
    Query(query): Query<StreamQuery>,
) -> ApiResult<impl Responder> {
    let resume = req
        .headers()
        .get("last-event-id")
        .map(|v| v.to_str().unwrap_or("invalid"));
    let after = match resume {
        Some(id) => Cursor::parse("Last-Event-ID", Some(id))?,
        None => Cursor::parse("after", query.after.as_deref())?,
    };
    let feed = FeedQuery {
        after: None,
        types: query.types,
        concerns: query.concerns,
        group_id: query.group_id,
        limit: None,
        wait: None,
    }
    .check(&caller)?;
    let reader = Reader {
        db: state.db.clone(),
        signal: signal.into_inner(),
        filter: feed.filter,
        after: after.0,
        queued: VecDeque::new(),
    };
    let events = futures_util::stream::unfold(reader, |mut reader| async move {
        let event = reader.next().await;
        Some((Ok::<_, Infallible>(event), reader))
    });
    Ok(sse::Sse::from_stream(events).with_keep_alive(Duration::from_secs(15)))
}

/// The state of one event stream.
struct Reader {
    db: sea_orm::DatabaseConnection,
    signal: Arc<FeedSignal>,
    filter: FeedFilter,
    after: i64,
    queued: VecDeque<CloudEvent>,
}

impl Reader {
    /// The next event, waiting as long as it takes (a database error is retried after the
    /// poll interval: the stream outlives a short outage).
    async fn next(&mut self) -> sse::Event {
        loop {
            if let Some(event) = self.queued.pop_front() {
                let data = serde_json::to_string(&event).unwrap_or_default();
                return sse::Data::new(data)
                    .id(event.id.clone())
                    .event(event.event_type.clone())
                    .into();
            }
            let waiter = self.signal.waiter();
            match store::read(&self.db, self.after, &self.filter, DEFAULT_LIMIT).await {
                Ok(page) => {
                    self.after = page.next;
                    self.queued
                        .extend(page.events.iter().map(|e| store::cloud_event(SOURCE, e)));
                    if self.queued.is_empty() {
                        until(waiter, POLL).await;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "event stream: reading the feed failed; retrying");
                    until(waiter, POLL).await;
                }
            }
        }
    }
}

/// The record schemas this resource's responses reference.
pub fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    super::kit::doc::register::<CloudEvent>(schemas);
    super::kit::doc::register::<crate::domain::events::EventData>(schemas);
    super::kit::doc::register::<crate::domain::events::RecordRef>(schemas);
    super::kit::doc::register::<crate::domain::events::Redaction>(schemas);
}

/// Mounts this resource's routes (under the API scope); the literal paths come before
/// any template.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(get_events_head)
        .service(stream_events)
        .service(list_events);
}

#[cfg(test)]
mod tests {
    use utoipa::IntoParams;

    use super::{FeedQuery, StreamQuery};
    use crate::domain::events::TYPES_PATTERN;

    /// The attribute needs a literal; it must be the domain's pattern.
    #[test]
    fn the_types_parameter_states_the_domain_pattern() {
        for params in [
            FeedQuery::into_params(|| None),
            StreamQuery::into_params(|| None),
        ] {
            let types = params
                .iter()
                .find(|p| p.name == "types")
                .map(|p| serde_json::to_value(&p.schema).unwrap_or_default()["pattern"].clone());
            assert_eq!(types, Some(serde_json::json!(TYPES_PATTERN)));
        }
    }
}
