//! Action plans and their revisions: drafts, consultation, approval by decision, supersession,
//! publications and consultation responses. One module per part: [`plans`], [`revisions`]
//! (reads, numbering, references and the search index), [`changes`] (edits and the life
//! cycle), [`publications`], [`responses`] and [`progress`] (activity progress reports).
//!
//! Revision numbers are given under a lock on the plan row (PostgreSQL; SQLite's write
//! transactions already run one at a time), so concurrent drafts get 1, 2, 3… with no gaps.
//! Approving a revision and superseding the one before happen in one transaction.

mod changes;
mod plans;
pub mod progress;
mod publications;
mod responses;
mod revisions;

use serde_json::Value;
use uuid::Uuid;

pub use changes::{RevisionChange, update_revision};
pub use plans::{NewPlan, PlanFilter, insert, list, update};
pub use publications::add_publication;
pub use responses::{NewResponse, insert_response, list_responses};
pub use revisions::{
    NewRevision, get_revision, in_force, insert_revision, latest_draft, list_revisions,
    reindex_revisions, settled_up_to,
};

use super::Versioned;
use crate::{
    domain::EntityType,
    entities::{
        action_plan as plan, action_plan_revision as revision, consultation_response as response,
    },
};

/// The three tables are versioned the same way: `id`, `version`, `updated_at`, the whole row
/// in the audit log.
macro_rules! versioned {
    ($module:ident, $entity:ident) => {
        impl Versioned for $module::Entity {
            const ENTITY: EntityType = EntityType::$entity;
            const VERSION: $module::Column = $module::Column::Version;
            const UPDATED_AT: $module::Column = $module::Column::UpdatedAt;

            fn id(model: &$module::Model) -> Uuid {
                model.id
            }

            fn version(model: &$module::Model) -> i32 {
                model.version
            }

            fn audit_json(model: &$module::Model) -> Option<Value> {
                serde_json::to_value(model).ok()
            }
        }
    };
}

versioned!(plan, ActionPlan);
versioned!(revision, ActionPlanRevision);
versioned!(response, ConsultationResponse);

/// The plan with `id`.
pub async fn get<C: sea_orm::ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> crate::error::ApiResult<plan::Model> {
    <plan::Entity as sea_orm::EntityTrait>::find_by_id(id)
        .one(db)
        .await?
        .ok_or(crate::error::ApiError::NotFound)
}
