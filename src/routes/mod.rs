//! The HTTP surface: one module per resource, mounted under `/api/v1`, plus operations routes.

pub mod action_plans;
pub mod attachments;
pub mod audit;
pub mod decisions;
pub mod events;
pub mod health;
pub mod indicators;
pub mod kit;
pub mod kolada;
pub mod meetings;
pub mod members;
pub mod memberships;
pub mod organisations;
pub mod problem;
pub mod responses;
pub mod search;
pub mod webhooks;

use sea_orm::DatabaseConnection;
use utoipa::openapi::{RefOr, schema::Schema};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// What every handler can reach: the worker's own database pool.
#[derive(Clone)]
pub struct AppState {
    /// This worker's pool.
    pub db: DatabaseConnection,
}

/// Base path of the API.
pub const API_BASE: &str = "/api/v1";

/// Mounts every documented route; each resource mounts its own, in an order where a literal
/// path comes before a template that would also match it.
///
/// The router tries routes in this order, matching a pattern's regex for each dynamic one it
/// passes, so the busy `/api/v1` scope comes before the Kolada mirror's dynamic routes; no
/// path can match both (`/kolada/v3/...` against the `/api/v1` prefix).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(health::live)
        .service(health::ready)
        .service(health::metrics)
        .service(
            scope::scope(API_BASE)
                .configure(organisations::configure)
                .configure(members::configure)
                .configure(memberships::configure)
                .configure(meetings::configure)
                .configure(search::configure)
                .configure(decisions::configure)
                .configure(indicators::configure)
                .configure(action_plans::configure)
                .configure(audit::configure)
                .configure(events::configure)
                .configure(webhooks::configure)
                .configure(attachments::configure),
        );
    kolada::configure(cfg);
}

/// The record schemas the kit's responses reference, registered as components.
pub fn record_schemas() -> Vec<(String, RefOr<Schema>)> {
    let mut schemas = Vec::new();
    organisations::schemas(&mut schemas);
    members::schemas(&mut schemas);
    memberships::schemas(&mut schemas);
    meetings::schemas(&mut schemas);
    search::schemas(&mut schemas);
    decisions::schemas(&mut schemas);
    indicators::schemas(&mut schemas);
    action_plans::schemas(&mut schemas);
    audit::schemas(&mut schemas);
    events::schemas(&mut schemas);
    webhooks::schemas(&mut schemas);
    attachments::schemas(&mut schemas);
    schemas
}
