//! Webhook subscriptions (admin): Standard Webhooks 1.0 pushes of the change feed and their
//! secrets. Deliveries, redelivery and ping are in [`deliveries`]; the messages a subscriber
//! receives, as the document describes them, in [`payloads`].

mod deliveries;
mod payloads;
mod views;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

pub use payloads::payloads;
pub use views::{NewWebhook, WebhookPatch, WebhookView, WebhookWithSecret};

use super::{
    AppState,
    kit::{
        self, Archived, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, ListQuery,
        Listed, PagingParams, Read, Updated, Write,
    },
    responses::UpdateErrors,
};
use crate::{
    auth::{AdminOnly, Authorized},
    delivery::Deliverer,
    domain::webhook::Webhook,
    entities::webhook::Entity,
    error::{ApiError, ApiResult},
    extract::JsonBody,
    store::{events, webhooks as store},
};

/// The list has no filters besides paging.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoFilter {}

/// Refuses a URL a delivery could not reach, or may not (422 on `url`).
async fn check_reachable(deliverer: &Deliverer, url: &str) -> ApiResult<()> {
    deliverer
        .check_url(url)
        .await
        .map_err(|message| ApiError::field("url", message))
}

/// List webhook subscriptions (admin).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    params(PagingParams),
    responses(Listed<WebhookView>),
    security(("bearer" = ["admin"]))
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    req: HttpRequest,
    _admin: Authorized<AdminOnly>,
    state: web::Data<AppState>,
    query: ListQuery<NoFilter>,
) -> ApiResult<HttpResponse> {
    let rows = store::list(&state.db, &query.page).await?;
    Ok(kit::page_of(&req, rows, WebhookView::from))
}

/// Subscribe to the change feed (admin).
///
/// The answer shows the signing `secret` once. Messages follow Standard Webhooks 1.0: headers
/// `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256 of
/// "id.timestamp.body">` with the secret's key; during a rotation one signature per secret,
/// space-separated), the body the event's CloudEvent JSON. The subscription receives the
/// events committed after its creation, in feed order, at least once. A 2xx within 10 s is
/// success; `410 Gone` deactivates it; anything else is retried with exponential backoff and
/// jitter for more than 24 hours, and 50 consecutive failures deactivate it.
///
/// The URL must be http(s); a host that resolves to a loopback, private, link-local or
/// metadata address is refused (422) unless the server runs with
/// `SAMVERKAN_WEBHOOK_ALLOW_PRIVATE=true`, and checked again at every delivery.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    params(IdempotencyKeyHeader),
    request_body = NewWebhook,
    responses(Created<WebhookWithSecret>),
    security(("bearer" = ["admin"]))
)]
#[post("/webhooks")]
pub async fn create_webhook(
    write: Write<AdminOnly>,
    deliverer: web::Data<Deliverer>,
    JsonBody(body, digest): JsonBody<NewWebhook>,
) -> ApiResult<HttpResponse> {
    let hook = Webhook::parse(body.into())?;
    check_reachable(&deliverer, hook.url.as_str()).await?;
    let cursor = events::head(&write.db).await?;
    write
        .create::<Entity, _>(
            &digest,
            async |txn, actor| store::insert(txn, actor, hook, cursor).await,
            WebhookWithSecret::from,
        )
        .await
}

/// Read a webhook subscription (admin; never its secret).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    params(("id" = Uuid, Path, description = "Subscription id"), IfNoneMatchHeader),
    responses(Read<WebhookView>),
    security(("bearer" = ["admin"]))
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    req: HttpRequest,
    _admin: Authorized<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    Ok(kit::read(&req, row.version, &WebhookView::from(row)))
}

/// Change a webhook subscription (admin); send `If-Match` to refuse a stale write.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook",
    params(("id" = Uuid, Path, description = "Subscription id"), IfMatchHeader),
    request_body = WebhookPatch,
    responses(Updated<WebhookView>),
    security(("bearer" = ["admin"]))
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    write: Write<AdminOnly>,
    deliverer: web::Data<Deliverer>,
    id: web::Path<Uuid>,
    JsonBody(patch, _): JsonBody<WebhookPatch>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let current = store::get(&write.db, id).await?;
    let hook = Webhook::parse(patch.apply(&current)?)?;
    if hook.url.as_str() != current.url {
        check_reachable(&deliverer, hook.url.as_str()).await?;
    }
    let row = store::update(&write.db, &write.actor, id, &write.precondition, |_| {
        Ok(hook)
    })
    .await?;
    Ok(kit::updated(row.version, &WebhookView::from(row)))
}

/// Delete (archive) a webhook subscription (admin): it delivers nothing more and stays
/// readable.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "archive_webhook",
    params(("id" = Uuid, Path, description = "Subscription id"), IfMatchHeader),
    responses(Archived),
    security(("bearer" = ["admin"]))
)]
#[delete("/webhooks/{id}")]
pub async fn archive_webhook(
    write: Write<AdminOnly>,
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

/// Rotate a subscription's secret (admin).
///
/// The answer shows the new secret once. For 24 hours messages carry two signatures, one
/// with the new secret and one with the previous, so that the receiver can switch at leisure.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotate_webhook_secret",
    params(("id" = Uuid, Path, description = "Subscription id"), IfMatchHeader),
    responses(
        (status = 200, description = "The subscription with its new secret", body = WebhookWithSecret),
        UpdateErrors
    ),
    security(("bearer" = ["admin"]))
)]
#[post("/webhooks/{id}/secret-rotation")]
pub async fn rotate_webhook_secret(
    write: Write<AdminOnly>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::rotate_secret(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
    )
    .await?;
    Ok(kit::updated(row.version, &WebhookWithSecret::from(row)))
}

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(archive_webhook)
        .service(rotate_webhook_secret)
        .configure(deliveries::configure);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    super::kit::doc::register::<WebhookView>(schemas);
    super::kit::doc::register::<WebhookWithSecret>(schemas);
    deliveries::schemas(schemas);
}
