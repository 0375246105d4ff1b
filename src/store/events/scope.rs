//! Where a changed record sits: its parent and ancestors, the organisations it concerns, its
//! group, its path, and whether the public may see its events. Decided here once for every
//! kind of record, from the rows as the write left them.
//!
//! Whether its events are public follows the one rule of [`crate::store::visibility`]: a record
//! is never more visible than the records it sits under.

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Alias, Expr, ExprTrait},
};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{EntityType, events::RecordRef},
    entities::{
        action_plan, action_plan_revision, activity_progress, agenda_item, consultation_response,
        decision, indicator, meeting, membership, minutes_signature,
    },
    store::{Versioned, visibility},
};

/// Where a changed record sits.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The record it belongs to.
    pub parent: Option<RecordRef>,
    /// Every record above it whose `updated_at` a change moves (the parent first).
    pub ancestors: Vec<RecordRef>,
    /// The organisations it concerns (none: every party, or not applicable).
    pub concerns: Option<Vec<Uuid>>,
    /// Its group.
    pub group_id: Option<Uuid>,
    /// Whether callers who see public records only may see its events.
    pub public: bool,
    /// Its path in the API.
    pub href: Option<String>,
}

fn reference(entity_type: EntityType, id: Uuid) -> RecordRef {
    RecordRef { entity_type, id }
}

fn missing(what: &str, id: Uuid) -> DbErr {
    DbErr::RecordNotFound(format!("{what} {id} (an event's record)"))
}

/// The scope of record `id` of kind `entity`; `record` is its state after the change (value
/// batches name their organisations there).
pub async fn describe<C: ConnectionTrait>(
    db: &C,
    entity: EntityType,
    id: Uuid,
    record: Option<&Value>,
) -> Result<Scope, DbErr> {
    let public = Scope {
        public: true,
        ..Scope::default()
    };
    let scope = match entity {
        EntityType::Organisation => Scope {
            href: Some(format!("/api/v1/organisations/{id}")),
            ..public
        },
        EntityType::Member => Scope {
            href: Some(format!("/api/v1/members/{id}")),
            ..public
        },
        // Only admins manage webhooks; their events say which subscription changed, not where
        // it delivers (see the webhook store's `event_json`).
        EntityType::Webhook => Scope {
            href: Some(format!("/api/v1/webhooks/{id}")),
            ..Scope::default()
        },
        EntityType::Indicator => Scope {
            href: Some(format!("/api/v1/indicators/{id}")),
            ..public
        },
        EntityType::Membership => {
            let row = membership::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| missing("membership", id))?;
            // A membership belongs to a member and a group alike: the member is its parent
            // in the event, but its record does not change with it.
            Scope {
                parent: Some(reference(EntityType::Member, row.member_id)),
                group_id: Some(row.group_id),
                href: Some(format!("/api/v1/memberships/{id}")),
                ..public
            }
        }
        EntityType::Meeting => {
            let row = meeting(db, id).await?;
            Scope {
                group_id: Some(row.group_id),
                public: visibility::meeting(&row),
                href: Some(format!("/api/v1/meetings/{id}")),
                ..Scope::default()
            }
        }
        EntityType::Attendance => {
            let row = meeting(db, id).await?;
            let parent = reference(EntityType::Meeting, id);
            Scope {
                parent: Some(parent),
                group_id: Some(row.group_id),
                public: visibility::meeting(&row),
                href: Some(format!("/api/v1/meetings/{id}/attendance")),
                ..Scope::default()
            }
        }
        EntityType::MinutesSignature => {
            let signature = minutes_signature::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| missing("minutes signature", id))?;
            let row = meeting(db, signature.meeting_id).await?;
            let parent = reference(EntityType::Meeting, row.id);
            Scope {
                parent: Some(parent.clone()),
                ancestors: vec![parent],
                group_id: Some(row.group_id),
                public: visibility::meeting(&row),
                href: Some(format!("/api/v1/meetings/{}/minutes/signatures", row.id)),
                ..Scope::default()
            }
        }
        EntityType::Attachment => {
            let row = crate::entities::attachment::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| missing("attachment", id))?;
            let owner = crate::store::attachments::owner(db, row.owner_type, row.owner_id)
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .ok_or_else(|| missing("attached-to record", row.owner_id))?;
            Scope {
                parent: owner.path.first().cloned(),
                ancestors: owner.path,
                group_id: Some(owner.group_id),
                public: visibility::attachment(owner.public),
                href: Some(format!("/api/v1/attachments/{id}")),
                ..Scope::default()
            }
        }
        EntityType::AgendaItem => {
            let item = agenda_item::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| missing("agenda item", id))?;
            let row = meeting(db, item.meeting_id).await?;
            let parent = reference(EntityType::Meeting, row.id);
            Scope {
                parent: Some(parent.clone()),
                ancestors: vec![parent],
                group_id: Some(row.group_id),
                public: visibility::agenda_item(&item, &row),
                href: Some(format!("/api/v1/meetings/{}/agenda-items/{id}", row.id)),
                ..Scope::default()
            }
        }
        EntityType::Decision => {
            let row = decision::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| missing("decision", id))?;
            let item = agenda_item::Entity::find_by_id(row.agenda_item_id)
                .one(db)
                .await?
                .ok_or_else(|| missing("agenda item", row.agenda_item_id))?;
            let held = meeting(db, row.meeting_id).await?;
            let parent = reference(EntityType::Meeting, held.id);
            Scope {
                parent: Some(parent.clone()),
                ancestors: vec![parent, reference(EntityType::AgendaItem, item.id)],
                concerns: Some(row.concerns.0.clone()).filter(|c| !c.is_empty()),
                group_id: Some(held.group_id),
                public: visibility::decision(&row, &item, &held),
                href: Some(format!("/api/v1/decisions/{id}")),
            }
        }
        EntityType::IndicatorValues | EntityType::IndicatorTargets => {
            let parent = reference(EntityType::Indicator, id);
            let (concerns, path) = if entity == EntityType::IndicatorValues {
                (batch_organisations(record), "values")
            } else {
                (None, "targets")
            };
            Scope {
                parent: Some(parent.clone()),
                ancestors: vec![parent],
                concerns,
                href: Some(format!("/api/v1/indicators/{id}/{path}")),
                ..public
            }
        }
        EntityType::ActionPlan => {
            let row = plan(db, id).await?;
            Scope {
                group_id: Some(row.group_id),
                href: Some(format!("/api/v1/action-plans/{id}")),
                ..public
            }
        }
        EntityType::ActionPlanRevision => {
            let rev = revision(db, id).await?;
            let row = plan(db, rev.action_plan_id).await?;
            let parent = reference(EntityType::ActionPlan, row.id);
            Scope {
                parent: Some(parent.clone()),
                ancestors: vec![parent],
                group_id: Some(row.group_id),
                public: visibility::revision(rev.status),
                href: Some(format!(
                    "/api/v1/action-plans/{}/revisions/{}",
                    row.id, rev.number
                )),
                ..Scope::default()
            }
        }
        EntityType::ActivityProgress => {
            let report = activity_progress::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| missing("progress report", id))?;
            let row = plan(db, report.action_plan_id).await?;
            let parent = reference(EntityType::ActionPlan, row.id);
            Scope {
                parent: Some(parent.clone()),
                ancestors: vec![parent],
                group_id: Some(row.group_id),
                href: Some(crate::store::action_plans::progress::path(
                    row.id,
                    &report.activity_key,
                )),
                ..public
            }
        }
        EntityType::ConsultationResponse => {
            let response = consultation_response::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| missing("consultation response", id))?;
            let rev = revision(db, response.revision_id).await?;
            let row = plan(db, rev.action_plan_id).await?;
            let parent = reference(EntityType::ActionPlanRevision, rev.id);
            Scope {
                parent: Some(parent.clone()),
                ancestors: vec![parent, reference(EntityType::ActionPlan, row.id)],
                concerns: Some(vec![response.organisation_id]),
                group_id: Some(row.group_id),
                public: visibility::revision(rev.status),
                href: Some(format!(
                    "/api/v1/action-plans/{}/revisions/{}/responses",
                    row.id, rev.number
                )),
            }
        }
    };
    Ok(scope)
}

/// Moves the `updated_at` (not the version) of every ancestor, so that a child's change
/// brings its parent into `updated_since` lists.
pub async fn touch<C: ConnectionTrait>(
    db: &C,
    ancestors: &[RecordRef],
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    for ancestor in ancestors {
        let id = ancestor.id;
        match ancestor.entity_type {
            EntityType::Meeting => touch_one::<meeting::Entity, _>(db, id, at).await?,
            EntityType::AgendaItem => touch_one::<agenda_item::Entity, _>(db, id, at).await?,
            EntityType::Decision => touch_one::<decision::Entity, _>(db, id, at).await?,
            EntityType::Indicator => touch_one::<indicator::Entity, _>(db, id, at).await?,
            EntityType::ActionPlan => touch_one::<action_plan::Entity, _>(db, id, at).await?,
            EntityType::ActionPlanRevision => {
                touch_one::<action_plan_revision::Entity, _>(db, id, at).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

async fn touch_one<E: Versioned, C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    E::update_many()
        .col_expr(E::UPDATED_AT, Expr::value(at))
        .filter(Expr::col(Alias::new("id")).eq(id))
        .exec(db)
        .await?;
    Ok(())
}

async fn meeting<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<meeting::Model, DbErr> {
    meeting::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| missing("meeting", id))
}

async fn plan<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<action_plan::Model, DbErr> {
    action_plan::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| missing("action plan", id))
}

async fn revision<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<action_plan_revision::Model, DbErr> {
    action_plan_revision::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| missing("action plan revision", id))
}

/// The organisations a value batch's summary names.
fn batch_organisations(record: Option<&Value>) -> Option<Vec<Uuid>> {
    let ids = record?["organisation_ids"].as_array()?;
    let ids: Vec<Uuid> = ids
        .iter()
        .filter_map(|id| id.as_str()?.parse().ok())
        .collect();
    Some(ids).filter(|ids| !ids.is_empty())
}
