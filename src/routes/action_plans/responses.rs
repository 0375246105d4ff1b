//! Consultation responses (remissvar) to a revision sent out for consultation.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::plan_path;
use crate::{
    auth::{AdminOrSecretary, Authorized, Caller},
    domain::text::{FieldErrors, multi_line},
    entities::consultation_response::Model,
    error::ApiResult,
    extract::{IdempotencyKey, JsonBody},
    pagination::Page,
    routes::kit::{created, stored_response},
    routes::{
        AppState,
        responses::{CreateErrors, ReadErrors},
    },
    store::{
        Actor,
        action_plans::{self as store, NewResponse},
        idempotency,
    },
};

/// Mounts the consultation response routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list).service(create);
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
    pub received_on: NaiveDate,
    /// In short, 1–2000 characters.
    pub summary: String,
    /// The full text.
    #[serde(default)]
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
            received_on: self.received_on,
            summary: summary.unwrap_or_default(),
            text,
        })
    }
}

/// The consultation responses to a revision, by date received.
#[utoipa::path(
    tag = "action_plans",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number")
    ),
    responses((status = 200, body = Page<ConsultationResponseView>), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/revisions/{number}/responses")]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let rev = store::get_revision(&state.db, plan_id, number, caller.sees_unpublished()).await?;
    let items: Vec<ConsultationResponseView> = store::responses(&state.db, rev.id)
        .await?
        .into_iter()
        .map(ConsultationResponseView::from)
        .collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// Record a consultation response (admin, secretary) to a revision sent out for consultation.
#[utoipa::path(
    tag = "action_plans",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        ("Idempotency-Key" = Option<String>, Header,
         description = "Makes a retried POST answer from the first attempt (keys live 24 h)")
    ),
    request_body = NewConsultationResponse,
    responses(
        (status = 201, body = ConsultationResponseView, headers(("ETag" = String), ("Location" = String))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/action-plans/{id}/revisions/{number}/responses")]
pub async fn create(
    req: HttpRequest,
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
    key: IdempotencyKey,
    JsonBody(body, digest): JsonBody<NewConsultationResponse>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let response = body.check()?;
    let actor = Actor::from(&user.0);
    let idempotent = key.for_request(&req, &digest);
    let (stored, replayed) = idempotency::create_once(
        &state.db,
        &actor,
        idempotent.as_ref(),
        async |txn| store::insert_response(txn, &actor, plan_id, number, response).await,
        |row| {
            let location = format!("{}/revisions/{number}/responses", plan_path(plan_id));
            created(
                location,
                row.version,
                &ConsultationResponseView::from(row.clone()),
            )
        },
    )
    .await?;
    Ok(stored_response(stored, replayed))
}
