//! Sign-off (justering) of a meeting's minutes. The chair and every minutes checker sign with
//! their own login (the token's `sub` is their member's `subject`), each over the SHA-256 of
//! the minutes' content as they read it; the minutes are "justerade" only when all of them
//! have signed the version the record holds now. A later change to the record changes the
//! hash, and earlier signatures no longer count (they stay, as history).
//!
//! The signed content is the Swedish Markdown of the minutes as an admin reads them, without
//! the status line and the signatures (`GET /meetings/{id}/minutes/signatures` gives its hash;
//! `GET /meetings/{id}/minutes?lang=sv` without those two parts is the same text).

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::content::{assemble, pdf_of};
use crate::{
    auth::{Caller, Policy, Role},
    domain::{
        meeting::MeetingStatus,
        signoff::{SignatoryRole, is_sha256, signatories, signed_off_at},
    },
    entities::{meeting, minutes_signature},
    error::{ApiError, ApiResult},
    extract::{JsonBody, Query},
    minutes::{self, Lang, Minutes},
    routes::{
        AppState,
        kit::{Created, IdempotencyKeyHeader, Write},
        responses::ReadErrors,
    },
    store::{meetings as store, members},
};

/// Any authenticated caller: whether they may sign is decided by the member their login is.
pub struct Signatory;

impl Policy for Signatory {
    const ROLES: &'static [Role] = &[
        Role::Admin,
        Role::Secretary,
        Role::Member,
        Role::Reporter,
        Role::Integration,
    ];
}

/// The largest document `POST /meetings/{id}/minutes/verify` takes.
const MAX_DOCUMENT: usize = 5 * 1024 * 1024;

/// One signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The member who signed.
    pub member_id: Uuid,
    /// As chair or as minutes checker.
    pub role: SignatoryRole,
    /// The SHA-256 (hex) of the minutes' content they signed.
    pub sha256: String,
    /// When.
    pub signed_at: DateTime<Utc>,
    /// Whether it is over the minutes as they are now.
    pub valid: bool,
}

/// Someone who is to sign.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatoryView {
    /// The member.
    pub member_id: Uuid,
    /// As chair or as minutes checker.
    pub role: SignatoryRole,
    /// When they signed the current version; `null` while they have not.
    pub signed_at: Option<DateTime<Utc>>,
}

/// Where the sign-off of a meeting's minutes stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignOffView {
    /// The meeting.
    pub meeting_id: Uuid,
    /// The SHA-256 (hex) of the minutes' content as they are now: what a signature is over.
    pub content_sha256: String,
    /// True when the chair and every checker signed the current version ("justerade").
    pub signed_off: bool,
    /// When the last of those signatures was made.
    pub signed_off_at: Option<DateTime<Utc>>,
    /// The chair and the checkers, in that order.
    pub signatories: Vec<SignatoryView>,
    /// Every signature, the void ones included, oldest first.
    pub signatures: Vec<SignatureView>,
}

/// A signature as its signatory sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSignature {
    /// The SHA-256 (hex) of the minutes' content the signatory read: `content_sha256` of
    /// `GET /meetings/{id}/minutes/signatures`.
    #[schema(pattern = "^[0-9A-Fa-f]{64}$")]
    pub sha256: String,
}

/// The document to check, by its hash.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The SHA-256 (hex) of a minutes document or of the signed content.
    #[param(pattern = "^[0-9A-Fa-f]{64}$")]
    pub sha256: String,
}

/// Whether a document is the minutes as they stand, and signed off.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyView {
    /// The SHA-256 (hex) checked.
    pub sha256: String,
    /// True when it is the signed content or a rendering the service gives now (Markdown,
    /// HTML or PDF, Swedish or English, as this caller may read it).
    pub current: bool,
    /// True when it is current and the minutes are signed off in this version.
    pub signed: bool,
    /// Whether the minutes are signed off at all.
    pub signed_off: bool,
    /// The SHA-256 of the content as it is now.
    pub content_sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The sign-off of a meeting as the record holds it now.
pub(super) struct SignOff {
    content_sha256: String,
    required: Vec<(Uuid, SignatoryRole)>,
    signatures: Vec<minutes_signature::Model>,
    signed_off_at: Option<DateTime<Utc>>,
}

impl SignOff {
    fn valid(&self, signature: &minutes_signature::Model) -> bool {
        signature.sha256 == self.content_sha256
    }
}

pub(super) async fn sign_off(db: &DatabaseConnection, m: &meeting::Model) -> ApiResult<SignOff> {
    let content = assemble(db, m, true, Lang::Sv).await?;
    let content_sha256 = hex(minutes::markdown(&content, Lang::Sv).as_bytes());
    let signatures = store::signatures_of(db, m.id).await?;
    let required = signatories(m.chair_id, &m.minutes_checkers);
    let signed: Vec<(Uuid, &str, DateTime<Utc>)> = signatures
        .iter()
        .map(|s| (s.member_id, s.sha256.as_str(), s.signed_at))
        .collect();
    let signed_off_at = signed_off_at(&required, &signed, &content_sha256);
    Ok(SignOff {
        content_sha256,
        required,
        signatures,
        signed_off_at,
    })
}

/// The minutes as a document: the content, the status line (signed off, approved) and who
/// signed the current version.
pub(super) async fn document(
    db: &DatabaseConnection,
    m: &meeting::Model,
    sees_all: bool,
    lang: Lang,
) -> ApiResult<Minutes> {
    let mut doc = assemble(db, m, sees_all, lang).await?;
    let state = sign_off(db, m).await?;
    let sv = lang == Lang::Sv;
    let mut status = Vec::new();
    if let Some(at) = state.signed_off_at {
        let day = crate::domain::time::swedish_date(at);
        status.push(if sv {
            format!("Justerade {day}")
        } else {
            format!("Signed off {day}")
        });
    }
    if let (MeetingStatus::MinutesApproved, Some(day)) = (m.status, m.minutes_approved_on) {
        status.push(if sv {
            format!("Godkända {day}")
        } else {
            format!("Approved {day}")
        });
    }
    if doc.status_note.is_none() && !status.is_empty() {
        doc.status_note = Some(status.join(" · "));
    }
    let valid: Vec<&minutes_signature::Model> =
        state.signatures.iter().filter(|s| state.valid(s)).collect();
    let names: HashMap<Uuid, String> =
        members::get_many(db, valid.iter().map(|s| s.member_id).collect())
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
    doc.signatures = valid
        .iter()
        .map(|s| {
            let role = match (s.role, sv) {
                (SignatoryRole::Chair, true) => "ordförande",
                (SignatoryRole::Chair, false) => "chair",
                (SignatoryRole::Checker, true) => "justerare",
                (SignatoryRole::Checker, false) => "checker",
            };
            let name = names.get(&s.member_id).cloned().unwrap_or_default();
            let day = crate::domain::time::swedish_date(s.signed_at);
            format!("{name} ({role}) {day}")
        })
        .collect();
    Ok(doc)
}

fn view(meeting_id: Uuid, state: &SignOff) -> SignOffView {
    let signatories = state
        .required
        .iter()
        .map(|(member_id, role)| SignatoryView {
            member_id: *member_id,
            role: *role,
            signed_at: state
                .signatures
                .iter()
                .rev()
                .find(|s| s.member_id == *member_id && state.valid(s))
                .map(|s| s.signed_at),
        })
        .collect();
    SignOffView {
        meeting_id,
        content_sha256: state.content_sha256.clone(),
        signed_off: state.signed_off_at.is_some(),
        signed_off_at: state.signed_off_at,
        signatories,
        signatures: state
            .signatures
            .iter()
            .map(|s| signature_view(s, state.valid(s)))
            .collect(),
    }
}

fn signature_view(s: &minutes_signature::Model, valid: bool) -> SignatureView {
    SignatureView {
        id: s.id,
        member_id: s.member_id,
        role: s.role,
        sha256: s.sha256.clone(),
        signed_at: s.signed_at,
        valid,
    }
}

/// The sign-off of a meeting's minutes (justering): who is to sign, who signed which version,
/// and whether the current version is signed off.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_minutes_signatures",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses(
        (status = 200, description = "Where the sign-off stands", body = SignOffView),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}/minutes/signatures")]
pub async fn get_minutes_signatures(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let m = store::get(&state.db, id.into_inner(), caller.sees_unpublished()).await?;
    let signoff = sign_off(&state.db, &m).await?;
    Ok(HttpResponse::Ok().json(view(m.id, &signoff)))
}

/// Sign the minutes (the chair or a minutes checker, with their own login).
///
/// The caller's token `sub` must be the `subject` of the meeting's chair or of one of its
/// minutes checkers (403 otherwise), the meeting held (409 while planned or cancelled), and
/// `sha256` the current `content_sha256` (409 when the minutes changed since it was read, or
/// when the caller already signed this version).
#[utoipa::path(
    tag = "meetings",
    operation_id = "sign_minutes",
    params(("id" = Uuid, Path, description = "Meeting id"), IdempotencyKeyHeader),
    request_body = NewSignature,
    responses(
        Created<SignatureView>,
        (status = 404, description = "No meeting has this id (or the caller may not see it)",
         body = crate::error::Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/meetings/{id}/minutes/signatures")]
pub async fn sign_minutes(
    write: Write<Signatory>,
    id: web::Path<Uuid>,
    JsonBody(body, digest): JsonBody<NewSignature>,
) -> ApiResult<HttpResponse> {
    let sees_all = write
        .identity
        .roles
        .iter()
        .any(|r| matches!(r, Role::Admin | Role::Secretary | Role::Member));
    let m = store::get(&write.db, id.into_inner(), sees_all).await?;
    if !is_sha256(&body.sha256) {
        return Err(ApiError::field(
            "sha256",
            "must be a SHA-256 in hex (64 characters)",
        ));
    }
    let member = members::find_by_subject(&write.db, &write.identity.sub)
        .await?
        .ok_or_else(|| {
            ApiError::Forbidden("your login is not linked to a member of the record".into())
        })?;
    let state = sign_off(&write.db, &m).await?;
    let Some(&(_, role)) = state.required.iter().find(|(who, _)| *who == member.id) else {
        return Err(ApiError::Forbidden(
            "only the meeting's chair and its minutes checkers sign the minutes".into(),
        ));
    };
    if !matches!(
        m.status,
        MeetingStatus::Held | MeetingStatus::MinutesApproved
    ) {
        return Err(ApiError::Conflict(format!(
            "the meeting is {}: only the minutes of a held meeting are signed",
            m.status.as_str()
        )));
    }
    let sha256 = body.sha256.to_ascii_lowercase();
    if sha256 != state.content_sha256 {
        return Err(ApiError::Conflict(format!(
            "the minutes have changed since that version was read; the current content has \
             SHA-256 {}",
            state.content_sha256
        )));
    }
    if state
        .signatures
        .iter()
        .any(|s| s.member_id == member.id && s.sha256 == sha256)
    {
        return Err(ApiError::Conflict(
            "you have already signed this version of the minutes".into(),
        ));
    }
    let meeting_id = m.id;
    let location = format!("/api/v1/meetings/{meeting_id}/minutes/signatures");
    write
        .create_at(
            &digest,
            async |txn, actor| store::sign(txn, actor, meeting_id, member.id, role, &sha256).await,
            |row| (location, 1, signature_view(row, true)),
        )
        .await
}

async fn verified(
    db: &DatabaseConnection,
    m: &meeting::Model,
    sees_all: bool,
    sha256: String,
) -> ApiResult<VerifyView> {
    let state = sign_off(db, m).await?;
    let mut current = sha256 == state.content_sha256;
    for lang in [Lang::Sv, Lang::En] {
        if current {
            break;
        }
        let doc = document(db, m, sees_all, lang).await?;
        current = [minutes::markdown(&doc, lang), minutes::html(&doc, lang)]
            .iter()
            .any(|text| hex(text.as_bytes()) == sha256)
            || hex(&pdf_of(&doc, lang, m.updated_at).await?) == sha256;
    }
    let signed_off = state.signed_off_at.is_some();
    Ok(VerifyView {
        signed: current && signed_off,
        current,
        signed_off,
        content_sha256: state.content_sha256,
        sha256,
    })
}

/// Check a minutes document by its SHA-256: is it the minutes as they stand, and are they
/// signed off in this version?
#[utoipa::path(
    tag = "meetings",
    operation_id = "verify_minutes",
    params(("id" = Uuid, Path, description = "Meeting id"), VerifyQuery),
    responses(
        (status = 200, description = "What the hash is", body = VerifyView),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}/minutes/verify")]
pub async fn verify_minutes(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<VerifyQuery>,
) -> ApiResult<HttpResponse> {
    let sees_all = caller.sees_unpublished();
    let m = store::get(&state.db, id.into_inner(), sees_all).await?;
    if !is_sha256(&query.sha256) {
        return Err(ApiError::BadRequest(
            "sha256: must be a SHA-256 in hex (64 characters)".into(),
        ));
    }
    let result = verified(&state.db, &m, sees_all, query.sha256.to_ascii_lowercase()).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Check a minutes document (the file itself, at most 5 MiB, any media type): is it the
/// minutes as they stand, and are they signed off in this version?
#[utoipa::path(
    tag = "meetings",
    operation_id = "verify_minutes_document",
    params(("id" = Uuid, Path, description = "Meeting id")),
    request_body(content = String, content_type = "text/markdown",
        description = "The document as downloaded (Markdown or HTML)"),
    responses(
        (status = 200, description = "What the document is", body = VerifyView),
        (status = 413, description = "The document is larger than 5 MiB",
         body = crate::error::Problem, content_type = "application/problem+json"),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[post("/meetings/{id}/minutes/verify")]
pub async fn verify_minutes_document(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    mut body: web::Payload,
) -> ApiResult<HttpResponse> {
    use futures_util::StreamExt;
    let sees_all = caller.sees_unpublished();
    let m = store::get(&state.db, id.into_inner(), sees_all).await?;
    let mut digest = Sha256::new();
    let mut read = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("the body: {e}")))?;
        read += chunk.len();
        if read > MAX_DOCUMENT {
            return Err(ApiError::PayloadTooLarge(MAX_DOCUMENT));
        }
        digest.update(&chunk);
    }
    let sha256: String = digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let result = verified(&state.db, &m, sees_all, sha256).await?;
    Ok(HttpResponse::Ok().json(result))
}
