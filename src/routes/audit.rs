//! The audit log, for administrators: every write, in the order it was committed.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    AppState,
    kit::{self, ListQuery, Listed, PagingParams},
    responses::ListErrors,
};
use crate::{
    auth::{AdminOnly, Authorized, Role},
    domain::{EntityType, audit::Action},
    error::ApiResult,
    store::audit::{
        self, AuditFilter, AuditRow,
        chain::{self, Verification},
    },
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
    pub actor_roles: Vec<Role>,
    /// What the write did.
    pub action: Action,
    /// The kind of record, e.g. `organisation`.
    pub entity_type: EntityType,
    /// The record's id.
    pub entity_id: Uuid,
    /// The request that wrote it.
    pub request_id: Option<String>,
    /// The record before the write (personal data left out).
    pub before: Option<serde_json::Value>,
    /// The record after the write (personal data left out).
    pub after: Option<serde_json::Value>,
    /// The seal of the entry before it (64 zeros for the first).
    pub previous_sha256: Option<String>,
    /// This entry's seal: the SHA-256 of its content and `previous_sha256`.
    pub sha256: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from((row, sub): AuditRow) -> Self {
        Self {
            id: row.id,
            occurred_at: row.occurred_at,
            actor: sub,
            actor_id: row.actor,
            actor_roles: row.actor_roles.0,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            request_id: row.request_id,
            before: row.before,
            after: row.after,
            previous_sha256: row.previous_sha256,
            sha256: row.sha256,
        }
    }
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries about this kind of record, e.g. `organisation`.
    pub entity_type: Option<EntityType>,
    /// Only entries about this record.
    pub entity_id: Option<Uuid>,
    /// Only entries written by this `sub` (no control characters).
    #[param(pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub actor: Option<String>,
}

/// List the audit log, oldest first (admin only).
///
/// `updated_since` keeps the entries written at or after that time.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_entries",
    params(AuditQuery, PagingParams),
    responses(Listed<AuditEntry>),
    security(("bearer" = ["admin"]))
)]
#[get("/audit")]
pub async fn list_audit_entries(
    req: HttpRequest,
    _admin: Authorized<AdminOnly>,
    state: web::Data<AppState>,
    query: ListQuery<AuditQuery>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter: q, page } = query;
    let filter = AuditFilter {
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        actor: q.actor,
    };
    let rows = audit::list(&state.db, &filter, &page).await?;
    Ok(kit::page_of(&req, rows, AuditEntry::from))
}

/// Check the audit log's chain of seals (admin only).
///
/// Walks every row, oldest first: each row's seal must be the SHA-256 of its content and of the
/// seal before it. Names the first row that does not verify (`link`: a row was removed,
/// inserted or reordered before it; `content`: it was changed) and reports the head, which an
/// operator can record elsewhere to notice rows cut off the end later. Takes time in
/// proportion to the log.
#[utoipa::path(
    tag = "audit",
    operation_id = "verify_audit_log",
    responses(
        (status = 200, description = "The outcome (`ok: false` names the first broken row).",
         body = Verification),
        ListErrors
    ),
    security(("bearer" = ["admin"]))
)]
#[get("/audit/verify")]
pub async fn verify_audit_log(
    _admin: Authorized<AdminOnly>,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let report = chain::verify(&state.db).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(verify_audit_log).service(list_audit_entries);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    super::kit::doc::register::<AuditEntry>(schemas);
    super::kit::doc::register::<Verification>(schemas);
    super::kit::doc::register::<chain::ChainHead>(schemas);
    super::kit::doc::register::<chain::BrokenRow>(schemas);
}
