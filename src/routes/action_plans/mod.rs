//! Action plans (handlingsplaner): the plans, their numbered revisions, the revisions'
//! publications and consultation responses, a revision as a document and the diff of two, and
//! the progress of a plan. One module per sub-resource.

pub mod documents;
pub mod plans;
pub mod progress;
pub mod publications;
pub mod responses;
pub mod revisions;

use std::collections::BTreeMap;

use utoipa::{
    IntoResponses,
    openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder},
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::PROBLEM_JSON;

/// Mounts the action plan routes (under the API scope); the literal sub-paths of a revision
/// come before the revision itself.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    plans::configure(cfg);
    cfg.service(progress::get_plan_progress);
    documents::configure(cfg);
    publications::configure(cfg);
    responses::configure(cfg);
    revisions::configure(cfg);
}

/// The path of a plan.
fn plan_path(id: uuid::Uuid) -> String {
    format!("{}/action-plans/{id}", super::API_BASE)
}

/// The path of a revision.
fn revision_path(plan_id: uuid::Uuid, number: i32) -> String {
    format!("{}/revisions/{number}", plan_path(plan_id))
}

/// The 404 of a creation under a plan or revision that does not exist (or, for a caller who
/// does not see drafts, is not visible).
pub struct ParentNotFound;

impl IntoResponses for ParentNotFound {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let missing = ResponseBuilder::new()
            .description("No such action plan or revision")
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        BTreeMap::from([("404".to_owned(), missing.into())])
    }
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    super::kit::doc::register::<plans::ActionPlanView>(schemas);
    super::kit::doc::register::<revisions::RevisionView>(schemas);
    super::kit::doc::register::<responses::ConsultationResponseView>(schemas);
}
