//! The delivery state of subscriptions: leases that let replicas share the work, the cursor each
//! subscription is delivered up to, the backoff after failures, and every delivery with its
//! attempts.
//!
//! A replica claims a subscription with a compare-and-set on its lease (the row is taken only
//! when no live lease holds it, so two replicas never deliver for one subscription at once);
//! every state change it makes afterwards is conditional on still holding the lease. A lease
//! that is not renewed expires, and another replica takes over from the stored cursor.

use chrono::{DateTime, Duration as TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    entities::{
        webhook::{self, Column, Entity, Model},
        webhook_attempt, webhook_delivery,
    },
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::now,
};

/// What one attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The receiver's status code (none when no answer came).
    pub status_code: Option<u16>,
    /// How long the attempt took.
    pub duration_ms: i32,
    /// Why it failed, when it did not reach a status code or was refused.
    pub error: Option<String>,
}

impl Outcome {
    /// A 2xx answer.
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }

    /// `410 Gone`: the receiver asks to be unsubscribed.
    pub fn gone(&self) -> bool {
        self.status_code == Some(410)
    }
}

fn lease_until(lease: std::time::Duration) -> ApiResult<DateTime<Utc>> {
    Ok(now() + TimeDelta::from_std(lease).map_err(|e| ApiError::Internal(e.to_string().into()))?)
}

/// Claims one active subscription that is behind `head`, due, and not leased by a live
/// replica (trying up to `limit` candidates, since other replicas claim too).
pub async fn claim(
    db: &DatabaseConnection,
    replica: &str,
    head: i64,
    lease: std::time::Duration,
    limit: u64,
) -> ApiResult<Option<Model>> {
    let at = now();
    let due = Condition::any()
        .add(Column::NextAttemptAt.is_null())
        .add(Column::NextAttemptAt.lte(at));
    let free = Condition::any()
        .add(Column::LeaseExpiresAt.is_null())
        .add(Column::LeaseExpiresAt.lt(at));
    let candidates = Entity::find()
        .filter(Column::Active.eq(true))
        .filter(Column::Archived.eq(false))
        .filter(Column::Cursor.lt(head))
        .filter(due)
        .filter(free.clone())
        .order_by_asc(Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?;
    let until = lease_until(lease)?;
    for hook in candidates {
        let taken = Entity::update_many()
            .col_expr(Column::LeaseOwner, Expr::value(replica))
            .col_expr(Column::LeaseExpiresAt, Expr::value(until))
            .filter(Column::Id.eq(hook.id))
            .filter(free.clone())
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            return Ok(Some(Model {
                lease_owner: Some(replica.to_owned()),
                lease_expires_at: Some(until),
                ..hook
            }));
        }
    }
    Ok(None)
}

/// The earliest time a backed-off subscription falls due again.
pub async fn next_due(db: &DatabaseConnection) -> ApiResult<Option<DateTime<Utc>>> {
    Ok(Entity::find()
        .select_only()
        .column_as(Column::NextAttemptAt.min(), "due")
        .filter(Column::Active.eq(true))
        .filter(Column::Archived.eq(false))
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await?
        .flatten())
}

/// Renews this replica's lease; false when it has lost it.
pub async fn renew(
    db: &DatabaseConnection,
    id: Uuid,
    replica: &str,
    lease: std::time::Duration,
) -> ApiResult<bool> {
    let done = Entity::update_many()
        .col_expr(Column::LeaseExpiresAt, Expr::value(lease_until(lease)?))
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(replica))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Gives the lease up.
pub async fn release(db: &DatabaseConnection, id: Uuid, replica: &str) -> ApiResult<()> {
    Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(
            Column::LeaseExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(replica))
        .exec(db)
        .await?;
    Ok(())
}

/// Records that everything up to `cursor` is delivered (and the failures are over); false when
/// the lease was lost meanwhile.
pub async fn advance(
    db: &DatabaseConnection,
    id: Uuid,
    replica: &str,
    cursor: i64,
) -> ApiResult<bool> {
    let done = Entity::update_many()
        .col_expr(Column::Cursor, Expr::value(cursor))
        .col_expr(Column::Failures, Expr::value(0))
        .col_expr(
            Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(replica))
        .filter(Column::Cursor.lte(cursor))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records a failed attempt: `failures` in a row, no attempt before `next`.
pub async fn back_off(
    db: &DatabaseConnection,
    id: Uuid,
    replica: &str,
    failures: i32,
    next: DateTime<Utc>,
) -> ApiResult<()> {
    Entity::update_many()
        .col_expr(Column::Failures, Expr::value(failures))
        .col_expr(Column::NextAttemptAt, Expr::value(Some(next)))
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(replica))
        .exec(db)
        .await?;
    Ok(())
}

/// The delivery of event `seq` to `hook`, created (pending, with `payload`) on first use.
pub async fn for_event(
    db: &DatabaseConnection,
    hook: Uuid,
    seq: i64,
    event_type: &str,
    payload: &str,
) -> ApiResult<webhook_delivery::Model> {
    let existing = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(hook))
        .filter(webhook_delivery::Column::EventSeq.eq(seq))
        .one(db)
        .await?;
    match existing {
        Some(delivery) => Ok(delivery),
        None => new_delivery(db, hook, Some(seq), event_type, payload).await,
    }
}

/// A new pending delivery (an event's, or a ping's without `seq`).
pub async fn new_delivery(
    db: &DatabaseConnection,
    hook: Uuid,
    seq: Option<i64>,
    event_type: &str,
    payload: &str,
) -> ApiResult<webhook_delivery::Model> {
    let at = now();
    Ok(webhook_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        webhook_id: Set(hook),
        event_seq: Set(seq),
        event_type: Set(event_type.to_owned()),
        payload: Set(payload.to_owned()),
        status: Set("pending".into()),
        attempts: Set(0),
        last_status_code: Set(None),
        last_error: Set(None),
        next_attempt_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?)
}

/// Appends an attempt and updates its delivery: `succeeded`, or `failed` with the time of the
/// next try (none: no further automatic try).
pub async fn record_attempt(
    db: &DatabaseConnection,
    delivery: &webhook_delivery::Model,
    outcome: &Outcome,
    replica: &str,
    next_try: Option<DateTime<Utc>>,
) -> ApiResult<webhook_delivery::Model> {
    let at = now();
    webhook_attempt::ActiveModel {
        delivery_id: Set(delivery.id),
        attempted_at: Set(at),
        status_code: Set(outcome.status_code.map(i32::from)),
        duration_ms: Set(outcome.duration_ms),
        error: Set(outcome.error.clone()),
        replica: Set(replica.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let status = if outcome.succeeded() {
        "succeeded"
    } else {
        "failed"
    };
    Ok(webhook_delivery::ActiveModel {
        id: Set(delivery.id),
        status: Set(status.into()),
        attempts: Set(delivery.attempts + 1),
        last_status_code: Set(outcome.status_code.map(i32::from)),
        last_error: Set(outcome.error.clone()),
        next_attempt_at: Set(if outcome.succeeded() { None } else { next_try }),
        updated_at: Set(at),
        ..Default::default()
    }
    .update(db)
    .await?)
}

/// A delivery with its attempts, oldest first.
pub type DeliveryRow = (webhook_delivery::Model, Vec<webhook_attempt::Model>);

/// One page of a subscription's deliveries, oldest first, each with its attempts.
pub async fn list(
    db: &DatabaseConnection,
    hook: Uuid,
    page: &PageRequest,
) -> ApiResult<(Vec<DeliveryRow>, Option<String>)> {
    let select =
        webhook_delivery::Entity::find().filter(webhook_delivery::Column::WebhookId.eq(hook));
    let rows = page
        .apply(
            select,
            webhook_delivery::Column::Id,
            webhook_delivery::Column::UpdatedAt,
        )
        .all(db)
        .await?;
    let (rows, next) = page.finish(rows, |row| (row.updated_at, row.id));
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut attempts = webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(ids))
        .order_by_asc(webhook_attempt::Column::Id)
        .all(db)
        .await?;
    let rows = rows
        .into_iter()
        .map(|delivery| {
            let (mine, rest) = attempts
                .drain(..)
                .partition(|a: &webhook_attempt::Model| a.delivery_id == delivery.id);
            attempts = rest;
            (delivery, mine)
        })
        .collect();
    Ok((rows, next))
}

/// Delivery `id` of subscription `hook`, with its attempts.
pub async fn get(db: &DatabaseConnection, hook: Uuid, id: Uuid) -> ApiResult<DeliveryRow> {
    let delivery = webhook_delivery::Entity::find_by_id(id)
        .filter(webhook_delivery::Column::WebhookId.eq(hook))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let attempts = webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.eq(id))
        .order_by_asc(webhook_attempt::Column::Id)
        .all(db)
        .await?;
    Ok((delivery, attempts))
}

/// The subscription as the deliverer reads it (with the current lease).
pub async fn reload(db: &DatabaseConnection, id: Uuid) -> ApiResult<Option<webhook::Model>> {
    Ok(Entity::find_by_id(id).one(db).await?)
}
