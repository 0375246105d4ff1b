//! A subscription's deliveries (every message with its attempts), redelivery and ping.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::NoFilter;
use crate::{
    auth::{AdminOnly, Authorized},
    delivery::Deliverer,
    entities::{webhook_attempt, webhook_delivery},
    error::ApiResult,
    routes::{
        AppState,
        kit::{self, ListQuery, Listed, PagingParams, Write},
        responses::ReadErrors,
    },
    store::webhooks::{self as store, deliveries},
};

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    /// When it was made.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status code (none when no answer came).
    pub status_code: Option<i32>,
    /// How long it took.
    pub duration_ms: i32,
    /// What went wrong.
    pub error: Option<String>,
    /// The server process that made it.
    pub replica: String,
}

impl From<webhook_attempt::Model> for AttemptView {
    fn from(row: webhook_attempt::Model) -> Self {
        Self {
            attempted_at: row.attempted_at,
            status_code: row.status_code,
            duration_ms: row.duration_ms,
            error: row.error,
            replica: row.replica,
        }
    }
}

/// One message to a subscription, with its attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Id; also the message's `webhook-id` header, the same on every attempt.
    pub id: Uuid,
    /// The subscription.
    pub webhook_id: Uuid,
    /// The event's cursor (none for a ping).
    pub event_seq: Option<String>,
    /// The event type.
    #[schema(example = "decision.created")]
    pub event_type: String,
    /// `pending`, `succeeded` or `failed`.
    #[schema(example = "succeeded")]
    pub status: String,
    /// The status code of the last attempt.
    pub last_status_code: Option<i32>,
    /// What went wrong in the last attempt.
    pub last_error: Option<String>,
    /// When the next automatic attempt falls due.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptView>,
    /// When it was first queued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<deliveries::DeliveryRow> for DeliveryView {
    fn from((row, attempts): deliveries::DeliveryRow) -> Self {
        let webhook_delivery::Model {
            id,
            webhook_id,
            event_seq,
            event_type,
            status,
            last_status_code,
            last_error,
            next_attempt_at,
            created_at,
            updated_at,
            ..
        } = row;
        Self {
            id,
            webhook_id,
            event_seq: event_seq.map(|s| s.to_string()),
            event_type,
            status,
            last_status_code,
            last_error,
            next_attempt_at,
            attempts: attempts.into_iter().map(AttemptView::from).collect(),
            created_at,
            updated_at,
        }
    }
}

/// List a subscription's deliveries (admin), oldest first, each with its attempts (status
/// codes, timings, errors) and the time of the next try.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    params(("id" = Uuid, Path, description = "Subscription id"), PagingParams),
    responses(
        Listed<DeliveryView>,
        (status = 404, description = "No subscription has this id",
         body = crate::error::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = ["admin"]))
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    req: HttpRequest,
    _admin: Authorized<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<NoFilter>,
) -> ApiResult<HttpResponse> {
    let hook = store::get(&state.db, id.into_inner()).await?;
    let rows = deliveries::list(&state.db, hook.id, &query.page).await?;
    Ok(kit::page_of(&req, rows, DeliveryView::from))
}

/// Send a delivery again now (admin), whatever its state; the answer has the new attempt.
/// The subscription's own order and retries go on as before.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "redeliver_webhook_delivery",
    params(
        ("id" = Uuid, Path, description = "Subscription id"),
        ("delivery_id" = Uuid, Path, description = "Delivery id")
    ),
    responses(
        (status = 200, description = "The delivery with the new attempt", body = DeliveryView),
        ReadErrors
    ),
    security(("bearer" = ["admin"]))
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    write: Write<AdminOnly>,
    deliverer: web::Data<Deliverer>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, delivery_id) = path.into_inner();
    let hook = store::get(&write.db, id).await?;
    let (delivery, _) = deliveries::get(&write.db, hook.id, delivery_id).await?;
    let row = deliverer.redeliver(&hook, &delivery).await?;
    Ok(HttpResponse::Ok().json(DeliveryView::from(row)))
}

/// Send a `webhook.ping` message now (admin), signed like every message; the answer is the
/// delivery with its attempt. Works on inactive subscriptions too.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "ping_webhook",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "The ping's delivery with its attempt", body = DeliveryView),
        ReadErrors
    ),
    security(("bearer" = ["admin"]))
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    write: Write<AdminOnly>,
    deliverer: web::Data<Deliverer>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let hook = store::get(&write.db, id.into_inner()).await?;
    let row = deliverer.ping(&hook).await?;
    Ok(HttpResponse::Ok().json(DeliveryView::from(row)))
}

/// Mounts the delivery routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list_webhook_deliveries)
        .service(redeliver_webhook_delivery)
        .service(ping_webhook);
}

/// The record schemas the delivery routes reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    crate::routes::kit::doc::register::<DeliveryView>(schemas);
    crate::routes::kit::doc::register::<AttemptView>(schemas);
}
