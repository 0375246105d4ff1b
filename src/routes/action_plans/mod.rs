//! Action plans (handlingsplaner): the plans, their numbered revisions, the revisions'
//! publications and consultation responses, a revision as a document and the diff of two, the
//! progress of a plan and of its activities, and its trace. One module per sub-resource.

pub mod activities;
pub mod documents;
pub mod edits;
pub mod plans;
pub mod progress;
pub mod publications;
pub mod responses;
pub mod revisions;
pub mod trace;

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
    activities::configure(cfg);
    trace::configure(cfg);
    documents::configure(cfg);
    publications::configure(cfg);
    responses::configure(cfg);
    edits::configure(cfg);
    revisions::configure(cfg);
}

/// Where `activity` stands: its latest report in `latest` (by key), or the plan's own status.
fn standing_of(
    activity: &crate::domain::action_plan::Activity,
    latest: &std::collections::HashMap<String, crate::entities::activity_progress::Model>,
) -> crate::domain::action_plan::Standing {
    latest.get(&activity.key).map_or_else(
        || crate::domain::action_plan::Standing::planned(activity),
        crate::store::action_plans::progress::standing,
    )
}

/// The latest summary of each of these indicators, by id (one summary per distinct
/// indicator; an indicator removed since is left out).
async fn summaries(
    db: &sea_orm::DatabaseConnection,
    ids: impl IntoIterator<Item = uuid::Uuid>,
) -> crate::error::ApiResult<BTreeMap<uuid::Uuid, crate::store::indicator_summary::Summary>> {
    use crate::store::indicator_summary::{PeriodChoice, summary};
    let mut out = BTreeMap::new();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        match summary(db, id, PeriodChoice::Latest).await {
            Ok(s) => {
                out.insert(id, s);
            }
            Err(crate::error::ApiError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
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
    super::kit::doc::register::<activities::ActivityProgressView>(schemas);
}
