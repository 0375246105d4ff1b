//! The audit log, for administrators.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{AppState, responses::ListErrors};
use crate::{
    auth::{AdminOnly, Authorized},
    error::ApiResult,
    extract::Query,
    pagination::{Page, PageRequest, query_timestamp},
    routes::kit::page as page_response,
    store::audit::{self, AuditFilter, AuditRow},
};

/// One write, as the audit log recorded it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Position in the log (ascending).
    pub id: i64,
    /// When the write was committed.
    pub occurred_at: DateTime<Utc>,
    /// The writer's token `sub`; null once the writer has been erased.
    pub actor: Option<String>,
    /// The writer's stable surrogate id (kept after erasure).
    pub actor_id: String,
    /// The writer's roles.
    pub actor_roles: Vec<String>,
    /// `create`, `update`, `archive` or `erase`.
    pub action: String,
    /// The kind of record, e.g. `organisation`.
    pub entity_type: crate::domain::EntityType,
    /// The record's id.
    pub entity_id: Uuid,
    /// The request that wrote it.
    pub request_id: Option<String>,
    /// The record before the write.
    pub before: Option<serde_json::Value>,
    /// The record after the write.
    pub after: Option<serde_json::Value>,
}

impl From<AuditRow> for AuditEntry {
    fn from((row, sub): AuditRow) -> Self {
        Self {
            id: row.id,
            occurred_at: row.occurred_at,
            actor: sub,
            actor_id: row.actor,
            actor_roles: serde_json::from_value(row.actor_roles).unwrap_or_default(),
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            request_id: row.request_id,
            before: row.before,
            after: row.after,
        }
    }
}

/// Filters and paging of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries about this kind of record, e.g. `organisation`.
    pub entity_type: Option<String>,
    /// Only entries about this record.
    pub entity_id: Option<Uuid>,
    /// Only entries written by this `sub`.
    pub actor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only entries written at or after this time (RFC 3339).
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<DateTime<Utc>>,
}

/// List the audit log, oldest first (admin only).
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, body = Page<AuditEntry>,
         headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page"))),
        ListErrors
    ),
    security(("bearer" = []))
)]
#[get("/audit")]
pub async fn list(
    req: HttpRequest,
    _admin: Authorized<AdminOnly>,
    state: web::Data<AppState>,
    Query(query): Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref(), query.updated_since)?;
    let filter = AuditFilter {
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        actor: query.actor,
    };
    let (rows, next_cursor) = audit::list(&state.db, &filter, &page).await?;
    let items = rows.into_iter().map(AuditEntry::from).collect();
    Ok(page_response(&req, Page { items, next_cursor }))
}

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list);
}
