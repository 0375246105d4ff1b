//! Indicators: formats.

use utoipa_actix_web::service_config::ServiceConfig;

/// Mounts this module's routes.
pub fn configure(_cfg: &mut ServiceConfig<'_>) {}
