//! Webhook subscriptions (admin): Standard Webhooks 1.0 pushes of the change feed, their
//! secrets, deliveries, redelivery and ping.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    AppState,
    kit::{
        self, Archived, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, ListQuery,
        Listed, PagingParams, Patch, Read, Updated, Write,
    },
    responses::{ReadErrors, UpdateErrors},
};
use crate::{
    auth::{AdminOnly, Authorized},
    delivery::Deliverer,
    domain::webhook::{UncheckedWebhook, Webhook},
    entities::{
        webhook::{Entity, Model},
        webhook_attempt, webhook_delivery,
    },
    error::{ApiError, ApiResult},
    extract::JsonBody,
    store::{
        events,
        webhooks::{self as store, deliveries},
    },
};

/// A webhook subscription (its secret is shown only when it is created or rotated).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Where messages are posted.
    #[schema(example = "https://diarie.vaxjo.se/hooks/samverkan")]
    pub url: String,
    /// What it is for.
    pub description: Option<String>,
    /// Event types or families it receives; empty: every type.
    pub types: Vec<String>,
    /// Only events that concern this organisation (or every party).
    pub concerns: Option<Uuid>,
    /// Only events of this group.
    pub group_id: Option<Uuid>,
    /// Whether it receives the events of non-public records too.
    pub include_non_public: bool,
    /// Whether it receives messages.
    pub active: bool,
    /// Why it was deactivated (410 Gone, or 50 consecutive failures).
    pub deactivated_reason: Option<String>,
    /// Consecutive failed attempts.
    pub failures: i32,
    /// The feed cursor it has received every event up to.
    #[schema(example = "1041")]
    pub delivered_up_to: String,
    /// When the next attempt falls due after a failure.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Until when the previous secret still signs (after a rotation).
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// Archived (deleted) subscriptions deliver nothing and stay readable.
    pub archived: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
}

impl From<Model> for WebhookView {
    fn from(row: Model) -> Self {
        Self {
            id: row.id,
            url: row.url,
            description: row.description,
            types: row.types.0,
            concerns: row.concerns,
            group_id: row.group_id,
            include_non_public: row.include_non_public,
            active: row.active,
            deactivated_reason: row.deactivated_reason,
            failures: row.failures,
            delivered_up_to: row.cursor.to_string(),
            next_attempt_at: row.next_attempt_at,
            previous_secret_expires_at: row.previous_secret_expires_at,
            archived: row.archived,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// A subscription with its signing secret: the only answers that show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    /// The subscription.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The signing secret in Standard Webhooks form (`whsec_` and base64); keep it, it is not
    /// shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

impl From<Model> for WebhookWithSecret {
    fn from(row: Model) -> Self {
        let secret = row.secret.clone();
        Self {
            webhook: row.into(),
            secret,
        }
    }
}

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// An absolute http(s) URL whose host resolves only to public addresses (unless the server
    /// allows private ones).
    #[schema(
        example = "https://diarie.vaxjo.se/hooks/samverkan",
        min_length = 1,
        max_length = 2000
    )]
    pub url: String,
    /// What it is for, 1–500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Event types (`decision.created`) or families (`decision`, `decision.*`), at most 50;
    /// empty or absent: every type.
    #[serde(default)]
    #[schema(max_items = 50, example = json!(["decision", "meeting.minutes_approved"]))]
    pub types: Vec<String>,
    /// Only events that concern this organisation (or every party).
    #[serde(default)]
    pub concerns: Option<Uuid>,
    /// Only events of this group.
    #[serde(default)]
    pub group_id: Option<Uuid>,
    /// Also the events of non-public records (default false: what `integration` sees).
    #[serde(default)]
    pub include_non_public: bool,
    /// Deliver (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl From<NewWebhook> for UncheckedWebhook {
    fn from(new: NewWebhook) -> Self {
        Self {
            url: new.url,
            description: new.description,
            types: new.types,
            concerns: new.concerns,
            group_id: new.group_id,
            include_non_public: new.include_non_public,
            active: new.active,
        }
    }
}

/// Changes to a subscription: absent fields stay, `null` clears an optional one. Setting
/// `active` to true again clears the failures.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    /// The URL.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 2000)]
    pub url: Patch<String>,
    /// What it is for.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Patch<String>,
    /// Event types or families (replaces the list).
    #[serde(default)]
    #[schema(value_type = Vec<String>, max_items = 50)]
    pub types: Patch<Vec<String>>,
    /// Only events that concern this organisation.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub concerns: Patch<Uuid>,
    /// Only events of this group.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub group_id: Patch<Uuid>,
    /// Also the events of non-public records.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub include_non_public: Patch<bool>,
    /// Deliver.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub active: Patch<bool>,
}

impl WebhookPatch {
    fn apply(self, current: &Model) -> ApiResult<UncheckedWebhook> {
        let mut errors = Vec::new();
        let unchecked = UncheckedWebhook {
            url: self.url.keep("url", current.url.clone(), &mut errors),
            description: self.description.or(current.description.clone()),
            types: self
                .types
                .keep("types", current.types.0.clone(), &mut errors),
            concerns: self.concerns.or(current.concerns),
            group_id: self.group_id.or(current.group_id),
            include_non_public: self.include_non_public.keep(
                "include_non_public",
                current.include_non_public,
                &mut errors,
            ),
            active: self.active.keep("active", current.active, &mut errors),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

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
    security(("bearer" = []))
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
    security(("bearer" = []))
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
    security(("bearer" = []))
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
    security(("bearer" = []))
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
    security(("bearer" = []))
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
    security(("bearer" = []))
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
    security(("bearer" = []))
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
    security(("bearer" = []))
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
    security(("bearer" = []))
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

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(archive_webhook)
        .service(rotate_webhook_secret)
        .service(list_webhook_deliveries)
        .service(redeliver_webhook_delivery)
        .service(ping_webhook);
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
    super::kit::doc::register::<DeliveryView>(schemas);
    super::kit::doc::register::<AttemptView>(schemas);
}

/// The messages a subscriber receives, for the document's `webhooks` section.
pub fn payloads() -> utoipa::openapi::Paths {
    use utoipa::openapi::{
        ContentBuilder, HttpMethod, PathItem, PathsBuilder, Ref, Required,
        path::{OperationBuilder, ParameterBuilder, ParameterIn},
        request_body::RequestBodyBuilder,
        schema::{ObjectBuilder, Type},
    };
    let header = |name: &str, description: &str, example: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .description(Some(description))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .example(Some(example.into()))
            .build()
    };
    let message =
        |id: &str, summary: &str, description: &str, schema: utoipa::openapi::RefOr<_>| {
            OperationBuilder::new()
                .operation_id(Some(id))
                .tag("webhooks")
                // The receiver authenticates the sender by the signature, not by a scheme.
                .securities(Some([
                    utoipa::openapi::security::SecurityRequirement::default(),
                ]))
                .summary(Some(summary))
                .description(Some(description))
                .parameter(header(
                    "webhook-id",
                    "The message id: the same on every attempt of one message",
                    "01a24b7a-253e-7637-8539-d7de2a09aee2",
                ))
                .parameter(header(
                    "webhook-timestamp",
                    "Unix seconds when the attempt was signed",
                    "1765029600",
                ))
                .parameter(header(
                    "webhook-signature",
                    "`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` with the secret's \
                 key; during a rotation one per secret, space-separated",
                    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                ))
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content(
                            "application/cloudevents+json",
                            ContentBuilder::new().schema(Some(schema)).build(),
                        )
                        .build(),
                ))
                .response(
                    "2XX",
                    utoipa::openapi::Response::new("Received: the message is not sent again"),
                )
                .response(
                    "410",
                    utoipa::openapi::Response::new("Gone: the subscription is deactivated"),
                )
                .response(
                    "default",
                    utoipa::openapi::Response::new(
                        "Anything else (or no answer within 10 s): sent again after a backoff",
                    ),
                )
                .build()
        };
    let ping = ObjectBuilder::new()
        .description(Some(
            "A CloudEvent of type `webhook.ping` whose `data` names the subscription",
        ))
        .property(
            "specversion",
            ObjectBuilder::new().schema_type(Type::String),
        )
        .property("id", ObjectBuilder::new().schema_type(Type::String))
        .property("source", ObjectBuilder::new().schema_type(Type::String))
        .property(
            "type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["webhook.ping"])),
        )
        .property("subject", ObjectBuilder::new().schema_type(Type::String))
        .property(
            "time",
            ObjectBuilder::new().schema_type(Type::String).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime),
            )),
        )
        .property(
            "datacontenttype",
            ObjectBuilder::new().schema_type(Type::String),
        )
        .property(
            "data",
            ObjectBuilder::new().property(
                "webhook_id",
                ObjectBuilder::new().schema_type(Type::String).format(Some(
                    utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid),
                )),
            ),
        )
        .required("specversion")
        .required("id")
        .required("type")
        .required("data");
    PathsBuilder::new()
        .path(
            "changeEvent",
            PathItem::new(
                HttpMethod::Post,
                message(
                    "receive_change_event",
                    "A change event",
                    "One committed change, as the feed has it, posted to each active \
                     subscription whose filters it passes, in feed order, at least once.",
                    Ref::from_schema_name("CloudEvent").into(),
                ),
            ),
        )
        .path(
            "ping",
            PathItem::new(
                HttpMethod::Post,
                message(
                    "receive_ping",
                    "A ping",
                    "Sent by `POST /api/v1/webhooks/{id}/ping`, signed like every message.",
                    ping.into(),
                ),
            ),
        )
        .build()
}
