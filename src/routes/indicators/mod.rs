//! Indicators: definitions, values, formats (CSV, JSON-stat), and dashboard queries.

pub mod definitions;
pub mod deletion;
pub mod formats;
pub mod reporting;
pub mod series;
pub mod summary;
pub mod values;

use utoipa_actix_web::service_config::ServiceConfig;

/// Mounts every indicator route (under the API scope).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    formats::configure(cfg);
    summary::configure(cfg);
    definitions::configure(cfg);
    values::configure(cfg);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    use super::kit::doc::register;
    register::<definitions::IndicatorView>(schemas);
    register::<summary::TargetList>(schemas);
    register::<values::ValueFormat>(schemas);
    register::<crate::domain::indicator::Period>(schemas);
}
