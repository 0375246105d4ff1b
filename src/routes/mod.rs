//! The HTTP surface: one module per resource, mounted under `/api/v1`, plus operations routes.

pub mod audit;
pub mod health;
pub mod organisations;
pub mod responses;

use sea_orm::DatabaseConnection;
use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// What every handler can reach: the worker's own database pool.
#[derive(Clone)]
pub struct AppState {
    /// This worker's pool.
    pub db: DatabaseConnection,
}

/// Base path of the API.
pub const API_BASE: &str = "/api/v1";

/// Mounts every documented route.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(health::live)
        .service(health::ready)
        .service(health::metrics)
        .service(
            scope::scope(API_BASE)
                .service(organisations::list)
                .service(organisations::create)
                .service(organisations::get)
                .service(organisations::update)
                .service(organisations::archive)
                .service(audit::list),
        );
}
