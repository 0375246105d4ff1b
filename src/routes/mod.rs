//! The HTTP surface: one module per resource, mounted under `/api/v1`, plus operations routes.

pub mod action_plans;
pub mod audit;
pub mod decisions;
pub mod health;
pub mod indicators;
pub mod kolada;
pub mod meetings;
pub mod members;
pub mod memberships;
pub mod organisations;
pub mod responses;
pub mod search;

use sea_orm::DatabaseConnection;
use serde::{Deserialize, Deserializer};
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
                .service(organisations::list)
                .service(organisations::create)
                .service(organisations::get)
                .service(organisations::update)
                .service(organisations::archive)
                .service(memberships::roster)
                .service(members::list)
                .service(members::create)
                .service(members::get)
                .service(members::update)
                .service(members::archive)
                .service(members::erase)
                .service(members::export)
                .service(members::me)
                .service(memberships::list)
                .service(memberships::create)
                .service(memberships::get)
                .service(memberships::update)
                .service(memberships::archive)
                .service(meetings::calendar::feed)
                .service(meetings::calendar::single)
                .service(meetings::record::list)
                .service(meetings::record::create)
                .service(meetings::record::get)
                .service(meetings::record::update)
                .service(meetings::record::archive)
                .service(meetings::agenda::list)
                .service(meetings::agenda::create)
                .service(meetings::agenda::get)
                .service(meetings::agenda::update)
                .service(meetings::agenda::archive)
                .service(meetings::attendance::get)
                .service(meetings::attendance::replace)
                .service(meetings::minutes::document)
                .service(search::search)
                .service(decisions::follow_ups)
                .service(decisions::assignments)
                .service(decisions::list)
                .service(decisions::create)
                .service(decisions::get)
                .service(decisions::update)
                .configure(indicators::configure)
                .configure(action_plans::configure)
                .service(audit::list),
        );
    kolada::configure(cfg);
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(de).map(Some)
}

/// For a PATCH of a field that cannot be empty: the current value when the field is absent,
/// the new one when given, and a "must not be null" error (keeping the current) for `null`.
pub fn keep<T>(
    field: &str,
    value: Option<Option<T>>,
    current: T,
    errors: &mut Vec<crate::error::FieldError>,
) -> T {
    match value {
        None => current,
        Some(Some(new)) => new,
        Some(None) => {
            errors.push(crate::error::FieldError::new(field, "must not be null"));
            current
        }
    }
}
