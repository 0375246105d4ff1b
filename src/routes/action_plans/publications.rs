//! Publications: where an approved revision was published, the one change such a revision
//! takes. They are part of the revision (its `publications`), so creating one answers with the
//! revision.

use actix_web::{HttpResponse, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{ParentNotFound, revision_path, revisions::RevisionView};
use crate::{
    auth::AdminOrSecretary,
    domain::action_plan::Publication,
    error::ApiResult,
    extract::JsonBody,
    routes::kit::{Created, IdempotencyKeyHeader, Write},
    store::action_plans as store,
};

/// Mounts the publication routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create_publication);
}

/// Record where an approved (or superseded) revision was published (admin, secretary): the
/// only change such a revision takes; drafts and consultations are a 409, a plan or revision
/// that does not exist a 404. Answers with the revision, at its own path.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "create_publication",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("number" = i32, Path, description = "Revision number"),
        IdempotencyKeyHeader
    ),
    request_body = Publication,
    responses(Created<RevisionView>, ParentNotFound),
    security(("bearer" = ["admin", "secretary"]))
)]
#[post("/action-plans/{id}/revisions/{number}/publications")]
pub async fn create_publication(
    write: Write<AdminOrSecretary>,
    path: web::Path<(Uuid, i32)>,
    JsonBody(body, digest): JsonBody<Publication>,
) -> ApiResult<HttpResponse> {
    let (plan_id, number) = path.into_inner();
    let publication = body.check()?;
    write
        .create_at(
            &digest,
            async |txn, actor| {
                store::add_publication(txn, actor, plan_id, number, publication).await
            },
            |row| {
                (
                    revision_path(row.action_plan_id, row.number),
                    row.version,
                    RevisionView::from(row.clone()),
                )
            },
        )
        .await
}
