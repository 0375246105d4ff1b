//! The `webhooks` table: subscriptions, with their secrets and delivery state.

use sea_orm::entity::prelude::*;

use super::json::JsonColumn;

/// One subscription.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    /// Event types or families; empty: every type.
    pub types: JsonColumn<Vec<String>>,
    pub concerns: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub include_non_public: bool,
    pub active: bool,
    /// `whsec_` + base64 of the signing key.
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    /// The feed position delivered up to.
    pub cursor: i64,
    /// Consecutive failed attempts.
    pub failures: i32,
    /// No attempt before this time (the backoff after a failure).
    pub next_attempt_at: Option<DateTimeUtc>,
    /// The replica delivering for this subscription, until its lease expires.
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTimeUtc>,
    pub deactivated_reason: Option<String>,
    pub archived: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
