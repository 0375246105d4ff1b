//! Consultation responses (remissvar) to a revision sent out for consultation.

use crate::domain::time::Day;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{ParentNotFound, revision_path, revisions::NoFilter};
use crate::{
    auth::{AdminOrSecretary, Caller},
    domain::text::{FieldErrors, multi_line},
    entities::consultation_response::Model,
    error::ApiResult,
    extract::JsonBody,
    routes::{
        AppState,
        kit::{self, Created, IdempotencyKeyHeader, ListQuery, Listed, PagingParams, Write},
    },
    store::action_plans::{self as store, NewResponse},
};

/// Mounts the consultation response routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_consultation_responses)
        .service(create_consultation_response);
}

/// A consultation response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationResponseView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// The revision responded to.
    pub revision_id: Uuid,
    /// The organisation that responded.
    pub organisation_id: Uuid,
    /// When it arrived.
    pub received_on: NaiveDate,
    /// In short.
    #[schema(example = "Tillstyrker med några kommentarer")]
    pub summary: String,
    /// The full text.
    pub text: Option<String>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change.
    pub version: i32,
}

impl From<Model> for ConsultationResponseView {
    fn from(row: Model) -> Self {
        Self {
            id: row.id,
            revision_id: row.revision_id,
            organisation_id: row.organisation_id,
            received_on: row.received_on,
            summary: row.summary,
            text: row.text,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// A new consultation response.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConsultationResponse {
    /// The organisation that responded.
    pub organisation_id: Uuid,
    /// When it arrived.
    pub received_on: Day,
    /// In short, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub summary: String,
    /// The full text, at most 200 000 characters.
    #[serde(default)]
    #[schema(max_length = 200000)]
    pub text: Option<String>,
}

impl NewConsultationResponse {
    fn check(self) -> ApiResult<NewResponse> {
        let mut errors = FieldErrors::default();
        let summary = match multi_line(&self.summary, 2000) {
            Ok(Some(s)) => Some(s),
            Ok(None) => {
                errors.add("summary", "must not be empty");
                None
            }
            Err(message) => {
                errors.add("summary", message);
                None
            }
        };
        let text = match &self.text {
            None => None,
            Some(t) => errors.check("text", multi_line(t, 200_000)).flatten(),
        };
        errors.finish()?;
        Ok(NewResponse {
            organisation_id: self.organisation_id,
            received_on: self.received_on.into(),
            summary: summary.unwrap_or_default(),
            text,
        })
    }
}

/// The consultation responses to a revision, in the order they were recorded (by change time
/// with `updated_since`); 404 when there is no such revision (or it is a draft the caller does
/// not see).
#[utoipa::path(
    tag = "action_plans",
    operation_id = "list_consultation_responses",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        PagingParams
    ),
    responses(Listed<ConsultationResponseView>, ParentNotFound),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/revisions/{number}/responses")]
pub async fn list_consultation_responses(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
    query: ListQuery<NoFilter>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let rev = store::get_revision(&state.db, plan_id, number, caller.sees_unpublished()).await?;
    let rows = store::list_responses(&state.db, rev.id, &query.page).await?;
    Ok(kit::page_of(&req, rows, ConsultationResponseView::from))
}

/// Record a consultation response (admin, secretary) to a revision sent out for consultation:
/// 404 when there is no such plan or revision, 409 when the revision was never sent out.
/// The `Location` is the revision's list of responses.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "create_consultation_response",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        IdempotencyKeyHeader
    ),
    request_body = NewConsultationResponse,
    responses(Created<ConsultationResponseView>, ParentNotFound),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/action-plans/{id}/revisions/{number}/responses")]
pub async fn create_consultation_response(
    write: Write<AdminOrSecretary>,
    path: web::Path<(Uuid, i32)>,
    JsonBody(body, digest): JsonBody<NewConsultationResponse>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let response = body.check()?;
    write
        .create_at(
            &digest,
            async |txn, actor| store::insert_response(txn, actor, plan_id, number, response).await,
            |row| {
                (
                    format!("{}/responses", revision_path(plan_id, number)),
                    row.version,
                    ConsultationResponseView::from(row.clone()),
                )
            },
        )
        .await
}
