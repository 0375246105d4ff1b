//! A Kolada v3-compatible read API of our indicators, under `/kolada/v3/`.

use utoipa_actix_web::service_config::ServiceConfig;

/// Mounts the Kolada routes (at the root, outside `/api/v1`).
pub fn configure(_cfg: &mut ServiceConfig<'_>) {}
