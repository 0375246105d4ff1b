//! Action plans (handlingsplaner) and their revisions.

pub mod plans;
pub mod progress;
pub mod responses;
pub mod revisions;

use utoipa_actix_web::service_config::ServiceConfig;

/// Mounts the action plan routes (under the API scope).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    plans::configure(cfg);
    revisions::configure(cfg);
    responses::configure(cfg);
    cfg.service(progress::progress);
}

/// The path of a plan.
fn plan_path(id: uuid::Uuid) -> String {
    format!("{}/action-plans/{id}", super::API_BASE)
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    let _ = schemas;
}
