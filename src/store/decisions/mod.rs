//! Decisions: references, superseding and revoking in one transaction, elections that change
//! the memberships they name, the lock once the meeting's minutes are approved, and the
//! follow-up loop of assignments.
//!
//! Split along its seams: [`list`] (the reads and who may see them), [`record`] (taking and
//! changing a decision), [`election`] (what a decision does to other records when it is
//! taken), [`reference`] (the stable reference), [`follow_up`] (assignments) and [`history`]
//! (the follow-up status changes of each assignment).

mod election;
mod follow_up;
mod history;
mod list;
mod record;
mod reference;

use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use follow_up::{assigned_to, assignee_names, follow_ups};
pub use history::{histories, meetings_of};
pub use list::{DecisionFilter, get_many, list, of_meeting};
pub use record::{insert, scrub, update};
pub use reference::follow_meeting_day;

use crate::{
    entities::decision::{Column, Entity, Model},
    error::{ApiError, ApiResult},
    store::visibility,
};

/// The entity type in the audit log and the change events.
pub const ENTITY_TYPE: crate::domain::EntityType = crate::domain::EntityType::Decision;

crate::store::write::versioned!(ENTITY_TYPE, audit = audit_copy, event = event_copy);

/// Title and text may name people (e.g. an election): the audit log holds their digests.
fn audit_copy(model: &Model) -> Option<Value> {
    let mut value = serde_json::to_value(model).ok()?;
    if let Some(object) = value.as_object_mut() {
        for field in ["title", "text"] {
            if let Some(Value::String(text)) = object.remove(field) {
                object.insert(
                    format!("{field}_sha256"),
                    json!(format!("{:x}", Sha256::digest(text))),
                );
            }
        }
    }
    Some(value)
}

/// Clients that mirror decisions need their title and text.
fn event_copy(model: &Model) -> Option<Value> {
    serde_json::to_value(model).ok()
}

/// The decision with `id`. Callers who may not see everything see it only when it is public
/// by [`visibility::decision`] (404 otherwise, like a decision that does not exist).
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid, sees_all: bool) -> ApiResult<Model> {
    let Some(decision) = Entity::find_by_id(id).one(db).await? else {
        return Err(ApiError::NotFound);
    };
    if sees_all || visibility::decision_is_public(db, &decision).await? {
        Ok(decision)
    } else {
        Err(ApiError::NotFound)
    }
}
