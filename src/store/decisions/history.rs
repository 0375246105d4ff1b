//! The history of an assignment's follow-up: every change of its status is kept (from what, to
//! what, who, when, the decision in which it was reported), written in the same transaction as
//! the change itself.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::{
    domain::decision::FollowUpStatus,
    entities::{decision, follow_up_change as change},
    error::ApiResult,
    store::{Actor, now},
};

/// Keeps the change of decision `id`'s follow-up status from `from` to `to` (nothing when it
/// did not move); `reported_in` is the decision in which it was reported, after the change.
pub(super) async fn note<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    (from, to): (Option<FollowUpStatus>, Option<FollowUpStatus>),
    reported_in: Option<Uuid>,
) -> ApiResult<()> {
    if from == to {
        return Ok(());
    }
    change::ActiveModel {
        id: Set(Uuid::now_v7()),
        decision_id: Set(id),
        from_status: Set(from),
        to_status: Set(to),
        reported_in_decision_id: Set(reported_in),
        changed_at: Set(now()),
        changed_by: Set(Some(actor.id(db).await?)),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The follow-up histories of these decisions (one query), each oldest first.
pub async fn histories<C: ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
) -> ApiResult<HashMap<Uuid, Vec<change::Model>>> {
    let mut by: HashMap<Uuid, Vec<change::Model>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by);
    }
    for row in change::Entity::find()
        .filter(change::Column::DecisionId.is_in(ids))
        .order_by_asc(change::Column::ChangedAt)
        .order_by_asc(change::Column::Id)
        .all(db)
        .await?
    {
        by.entry(row.decision_id).or_default().push(row);
    }
    Ok(by)
}

/// The meeting of each of these decisions that the caller may see (the meetings where
/// assignments were reported), in one query.
pub async fn meetings_of<C: ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
    sees_all: bool,
) -> ApiResult<HashMap<Uuid, Uuid>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut select = decision::Entity::find().filter(decision::Column::Id.is_in(ids));
    if !sees_all {
        select = select.filter(super::list::publicly_visible());
    }
    Ok(select
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.meeting_id))
        .collect())
}
