//! Moving a file's bytes: the upload (streamed into storage, counted, hashed and checked
//! against its declared type as it arrives) and the download (`ETag`, `If-None-Match`,
//! `Range` and `If-Range`).

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::header::{
        self, Charset, ContentDisposition, DispositionParam, DispositionType, EntityTag,
        ExtendedValue, Header, Range,
    },
    post, web,
};
use futures_util::StreamExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::{
    IntoParams, PartialSchema, ToSchema,
    openapi::{
        Content, OpenApi, RefOr,
        schema::{ObjectBuilder, Type},
    },
};
use uuid::Uuid;

use super::AttachmentView;
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::{
        attachment::{self, OwnerType, accepted_type, accepted_types, content_matches},
        text::one_line,
    },
    error::{ApiError, ApiResult},
    extract::{BodyDigest, Query},
    routes::{
        AppState,
        kit::{self, Created, IdempotencyKeyHeader, Write},
        responses::ReadErrors,
    },
    storage::{UploadError, Uploads},
    store::attachments::{self as store, NewAttachment},
};

/// The bytes of a file, as sent and as given back.
pub struct FileBody;

impl PartialSchema for FileBody {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .into()
    }
}

impl ToSchema for FileBody {}

/// What the file is and what it is attached to.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The kind of record the file belongs to.
    pub owner_type: OwnerType,
    /// The record the file belongs to.
    pub owner_id: Uuid,
    /// The file name, e.g. `Protokoll styrgrupp 2021-11-05.pdf`: one line of 1 to 255
    /// characters, without `/` or `\`.
    #[param(
        min_length = 1,
        max_length = 255,
        pattern = "^[^/\\\\\\u0000-\\u001F\\u007F-\\u009F]+$"
    )]
    pub filename: String,
    /// What the file is (one line, at most 500 characters).
    #[param(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"
    )]
    pub description: Option<String>,
}

/// Attach a file (admin, secretary). The body is the file itself, sent with its own
/// `Content-Type` (PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument, plain text, CSV or
/// Markdown; 415 otherwise) and streamed into storage: at most `SAMVERKAN_ATTACHMENT_MAX_BYTES`
/// (25 MiB by default; 413 beyond), not empty, and its first bytes must agree with the
/// declared type (422, `content_type`). Its SHA-256 is kept and is its `ETag`.
///
/// 404 when the record does not exist, 409 `locked` when its files are fixed (approved minutes
/// for a meeting, its items and its decisions; an approved revision).
#[utoipa::path(
    tag = "attachments",
    operation_id = "upload_attachment",
    params(UploadQuery, IdempotencyKeyHeader),
    request_body(content = FileBody, content_type = "application/pdf",
        description = "The file (every accepted media type is listed)"),
    responses(
        Created<AttachmentView>,
        (status = 404, description = "No record of this kind has this id",
         body = crate::error::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/attachments")]
pub async fn upload_attachment(
    write: Write<AdminOrSecretary>,
    req: HttpRequest,
    uploads: web::Data<Uploads>,
    Query(q): Query<UploadQuery>,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let content_type = accepted_type(declared).ok_or_else(|| {
        ApiError::UnsupportedMediaType(format!(
            "attachments are taken as one of: {}",
            accepted_types().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let filename = attachment::filename(&q.filename).map_err(|m| ApiError::field("filename", m))?;
    let description = q
        .description
        .map(|d| one_line(&d, 1, 500))
        .transpose()
        .map_err(|m| ApiError::field("description", m))?;
    let declared_length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|len| len > uploads.max_bytes) {
        return Err(too_large(uploads.max_bytes));
    }
    store::writable_owner(&write.db, q.owner_type, q.owner_id).await?;
    let id = Uuid::now_v7();
    let key = uploads.storage.key(id);
    let received = uploads
        .storage
        .receive(&key, body, uploads.max_bytes, |head| {
            content_matches(content_type, head)
        })
        .await
        .map_err(|e| upload_error(e, content_type))?;
    let digest = BodyDigest(
        Sha256::new()
            .chain_update(req.query_string())
            .chain_update(content_type)
            .chain_update(&received.sha256)
            .finalize()
            .into(),
    );
    let new = NewAttachment {
        id,
        owner_type: q.owner_type,
        owner_id: q.owner_id,
        filename,
        content_type: content_type.to_owned(),
        size: received.size,
        sha256: received.sha256,
        storage_key: key.clone(),
        description,
    };
    let created = write
        .create_at(
            &digest,
            async |txn, actor| store::insert(txn, actor, new).await,
            |row| {
                let location = format!("/api/v1/attachments/{}", row.id);
                (location, row.version, AttachmentView::from(row.clone()))
            },
        )
        .await;
    // A failed write or a replayed one keeps no file of this request.
    let replayed = created
        .as_ref()
        .map(|r| r.headers().contains_key("idempotent-replayed"))
        .unwrap_or(true);
    if replayed {
        remove(&uploads, &key).await?;
    }
    created
}

fn too_large(max: u64) -> ApiError {
    ApiError::PayloadTooLarge(usize::try_from(max).unwrap_or(usize::MAX))
}

fn upload_error(error: UploadError, content_type: &str) -> ApiError {
    match error {
        UploadError::TooLarge(max) => too_large(max),
        UploadError::Empty => ApiError::field("body", "the file is empty"),
        UploadError::Mismatch => ApiError::field(
            "content_type",
            format!("the file's content is not {content_type}"),
        ),
        UploadError::Body(e) => ApiError::BadRequest(format!("the request body: {e}")),
        UploadError::Storage(e) => ApiError::Internal(e.into()),
    }
}

/// Removes a file's bytes from storage.
pub(super) async fn remove(uploads: &Uploads, key: &str) -> ApiResult<()> {
    uploads
        .storage
        .remove(key)
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))
}

/// The file's bytes (all, or the one range asked for).
///
/// `ETag` is the file's SHA-256; `If-None-Match` gives 304. `Range: bytes=...` with one range
/// gives 206 with `Content-Range` (416 when it lies outside the file); several ranges, or an
/// `If-Range` that names another version, give the whole file. Deleted files are 404.
#[utoipa::path(
    tag = "attachments",
    operation_id = "download_attachment",
    params(
        ("id" = Uuid, Path, description = "Attachment id"),
        ("Range" = Option<String>, Header,
         description = "One byte range, e.g. `bytes=0-1023` (anything else gives the whole file)"),
        ("If-Range" = Option<String>, Header, description = "Honour `Range` only for this ETag"),
        ("If-None-Match" = Option<String>, Header, description = "304 when it names the ETag")
    ),
    responses(
        (status = 200, description = "The file", body = FileBody, content_type = "application/pdf",
         headers(("ETag" = String, description = "The SHA-256 of the file, quoted"),
                 ("Content-Disposition" = String, description = "`attachment` with the file name"),
                 ("Accept-Ranges" = String, description = "`bytes`"))),
        (status = 206, description = "The range asked for", body = FileBody,
         content_type = "application/pdf",
         headers(("Content-Range" = String, description = "`bytes first-last/size`"),
                 ("ETag" = String, description = "The SHA-256 of the file, quoted"))),
        (status = 304, description = "Not modified since the `If-None-Match` ETag"),
        (status = 416, description = "The range lies outside the file",
         body = crate::error::Problem, content_type = "application/problem+json"),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/attachments/{id}/content")]
pub async fn download_attachment(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    uploads: web::Data<Uploads>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner(), caller.sees_unpublished()).await?;
    if row.archived {
        return Err(ApiError::NotFound);
    }
    let tag = EntityTag::new_strong(row.sha256.clone());
    if kit::none_match(&req, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header(header::ETag(tag))
            .finish());
    }
    let size = u64::try_from(row.size_bytes).unwrap_or_default();
    let range = requested_range(&req, &tag, size)?;
    let bytes = uploads
        .storage
        .read(&row.storage_key, range.map(|(first, last)| first..last + 1))
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))?
        .map(|chunk| chunk.map_err(actix_web::error::ErrorInternalServerError));
    let mut response = match range {
        Some((first, last)) => {
            let mut partial = HttpResponse::PartialContent();
            partial.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {first}-{last}/{size}"),
            ));
            partial.no_chunking(last - first + 1);
            partial
        }
        None => {
            let mut whole = HttpResponse::Ok();
            whole.no_chunking(size);
            whole
        }
    };
    response
        .content_type(row.content_type.as_str())
        .insert_header(header::ETag(tag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header(disposition(&row.filename))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    Ok(response.streaming(bytes))
}

/// `Content-Disposition: attachment` with the name as plain ASCII and, exactly, as UTF-8.
fn disposition(filename: &str) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(attachment::ascii_filename(filename)),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: filename.as_bytes().to_vec(),
            }),
        ],
    }
}

/// The one byte range to send (first and last byte, inclusive), if one applies.
fn requested_range(req: &HttpRequest, tag: &EntityTag, size: u64) -> ApiResult<Option<(u64, u64)>> {
    if !req.headers().contains_key(header::RANGE) {
        return Ok(None);
    }
    if let Some(if_range) = req.headers().get(header::IF_RANGE) {
        let same = if_range
            .to_str()
            .ok()
            .and_then(|v| v.parse::<EntityTag>().ok())
            .is_some_and(|t| t.strong_eq(tag));
        if !same {
            return Ok(None);
        }
    }
    match Range::parse(req) {
        Ok(Range::Bytes(specs)) if specs.len() == 1 => specs[0]
            .to_satisfiable_range(size)
            .map(Some)
            .ok_or(ApiError::RangeNotSatisfiable(size)),
        // Several ranges, another unit or a malformed header: the whole file (RFC 9110 14.2).
        _ => Ok(None),
    }
}

/// Lists every accepted media type on the upload's body and the download's responses (the
/// path macros name one).
pub(super) fn document_media_types(openapi: &mut OpenApi) {
    let binary = || Content::new(Some(FileBody::schema()));
    if let Some(op) = openapi
        .paths
        .paths
        .get_mut("/api/v1/attachments")
        .and_then(|item| item.post.as_mut())
        && let Some(RefOr::T(body)) = op.request_body.as_mut()
    {
        body.content = accepted_types()
            .map(|t| (t.to_owned(), RefOr::T(binary())))
            .collect();
    }
    if let Some(op) = openapi
        .paths
        .paths
        .get_mut("/api/v1/attachments/{id}/content")
        .and_then(|item| item.get.as_mut())
    {
        for status in ["200", "206"] {
            if let Some(RefOr::T(response)) = op.responses.responses.get_mut(status) {
                response.content = accepted_types()
                    .map(|t| (t.to_owned(), RefOr::T(binary())))
                    .collect();
            }
        }
    }
}
