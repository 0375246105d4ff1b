//! Action plans (handlingsplaner) and their revisions.

use utoipa_actix_web::service_config::ServiceConfig;

/// Mounts the action plan routes (under the API scope).
pub fn configure(_cfg: &mut ServiceConfig<'_>) {}
