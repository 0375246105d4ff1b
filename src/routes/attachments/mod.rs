//! Attachments (bilagor): files on meetings, agenda items, decisions and plan revisions.
//!
//! `POST /attachments?owner_type=&owner_id=&filename=` takes the file itself as the body, with
//! its `Content-Type` ([`transfer`]); `GET /attachments/{id}/content` gives it back with
//! `ETag` and range requests. The rows are a resource like any other: listed (by the record
//! they belong to), read, and deleted (the row stays as a tombstone; the bytes go). Who may
//! see a file is decided by the record it belongs to.

mod transfer;

use actix_web::{HttpRequest, HttpResponse, delete, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub use transfer::{download_attachment, upload_attachment};

use super::{
    AppState,
    kit::{
        self, Archived, IfMatchHeader, IfNoneMatchHeader, ListQuery, Listed, PagingParams, Read,
    },
};
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::attachment::OwnerType,
    entities::attachment::Model,
    error::ApiResult,
    routes::kit::Write,
    storage::Uploads,
    store::attachments::{self as store, AttachmentFilter},
};

/// An attached file.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The kind of record it is attached to.
    pub owner_type: OwnerType,
    /// The record it is attached to.
    pub owner_id: Uuid,
    /// The file name.
    pub filename: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its SHA-256 (hex); the `ETag` of its content.
    pub sha256: String,
    /// What the file is.
    pub description: Option<String>,
    /// The path of its content.
    pub content_url: String,
    /// Deleted: the file is gone, the row stays as a tombstone.
    pub archived: bool,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` of this record is this number.
    pub version: i32,
}

impl From<Model> for AttachmentView {
    fn from(row: Model) -> Self {
        Self {
            content_url: format!("/api/v1/attachments/{}/content", row.id),
            id: row.id,
            owner_type: row.owner_type,
            owner_id: row.owner_id,
            filename: row.filename,
            content_type: row.content_type,
            size: row.size_bytes,
            sha256: row.sha256,
            description: row.description,
            archived: row.archived,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// Filters of the attachment list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AttachmentQuery {
    /// Only files on records of this kind.
    pub owner_type: Option<OwnerType>,
    /// Only files on this record.
    pub owner_id: Option<Uuid>,
    /// Include deleted files (tombstones).
    #[serde(default)]
    pub include_archived: bool,
}

/// List attached files, e.g. those of one meeting (`owner_type=meeting&owner_id=...`). Callers
/// who see public records only see the files of public records.
#[utoipa::path(
    tag = "attachments",
    operation_id = "list_attachments",
    params(AttachmentQuery, PagingParams),
    responses(Listed<AttachmentView>),
    security((), ("bearer" = []))
)]
#[get("/attachments")]
pub async fn list_attachments(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<AttachmentQuery>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter: q, page } = query;
    let filter = AttachmentFilter {
        owner_type: q.owner_type,
        owner_id: q.owner_id,
        public_only: !caller.sees_unpublished(),
        include_archived: q.include_archived,
    };
    let rows = store::list(&state.db, &filter, &page).await?;
    Ok(kit::page_of(&req, rows, AttachmentView::from))
}

/// One attached file's record (name, type, size, SHA-256); its bytes are at `content_url`.
#[utoipa::path(
    tag = "attachments",
    operation_id = "get_attachment",
    params(("id" = Uuid, Path, description = "Attachment id"), IfNoneMatchHeader),
    responses(Read<AttachmentView>),
    security((), ("bearer" = []))
)]
#[get("/attachments/{id}")]
pub async fn get_attachment(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner(), caller.sees_unpublished()).await?;
    Ok(kit::read(&req, row.version, &AttachmentView::from(row)))
}

/// Delete a file attached by mistake (admin, secretary): the bytes are removed, the record
/// stays (`archived: true`) as a tombstone for `updated_since` and the feed. 409 `locked` once
/// the record it belongs to is fixed (approved minutes, an approved revision).
#[utoipa::path(
    tag = "attachments",
    operation_id = "archive_attachment",
    params(("id" = Uuid, Path, description = "Attachment id"), IfMatchHeader),
    responses(Archived),
    security(("bearer" = ["admin", "secretary"]))
)]
#[delete("/attachments/{id}")]
pub async fn archive_attachment(
    write: Write<AdminOrSecretary>,
    uploads: web::Data<Uploads>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::archive(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
    )
    .await?;
    transfer::remove(&uploads, &row.storage_key).await?;
    Ok(kit::archived())
}

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list_attachments)
        .service(upload_attachment)
        .service(get_attachment)
        .service(download_attachment)
        .service(archive_attachment);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    super::kit::doc::register::<AttachmentView>(schemas);
}

/// Completes the document with what the path macros cannot say from one source: the media
/// types an upload takes and a download gives.
pub fn document_media_types(openapi: &mut utoipa::openapi::OpenApi) {
    transfer::document_media_types(openapi);
}
