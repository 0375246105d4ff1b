//! What a webhook subscription looks like to a client: its view, the view with its secret, a
//! new subscription and a change to one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::webhook::UncheckedWebhook,
    entities::webhook::Model,
    error::{ApiError, ApiResult},
    routes::kit::Patch,
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
    pub(super) fn apply(self, current: &Model) -> ApiResult<UncheckedWebhook> {
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
