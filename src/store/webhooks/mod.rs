//! Webhook subscriptions: reads, and writes with their audit rows. Their delivery state (the
//! cursor, failures, the lease) is in [`deliveries`].

pub mod deliveries;

use chrono::Duration as TimeDelta;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Actor, Archivable, Precondition, now, record_creation};
use crate::{
    domain::{
        EntityType,
        webhook::{ROTATION_OVERLAP, Webhook, new_secret},
    },
    entities::webhook::{ActiveModel, Column, Entity, Model},
    error::{ApiError, ApiResult},
    pagination::PageRequest,
};

crate::store::write::versioned!(EntityType::Webhook, audit = audit_copy, event = event_copy);

/// The subscription without its secrets.
fn audit_copy(model: &Model) -> Option<Value> {
    Some(json!({
        "id": model.id,
        "url": model.url,
        "description": model.description,
        "types": model.types.0,
        "concerns": model.concerns,
        "group_id": model.group_id,
        "include_non_public": model.include_non_public,
        "active": model.active,
        "deactivated_reason": model.deactivated_reason,
        "archived": model.archived,
        "version": model.version,
    }))
}

/// Which subscription changed and whether it delivers; not where it delivers.
fn event_copy(model: &Model) -> Option<Value> {
    Some(json!({
        "id": model.id,
        "active": model.active,
        "deactivated_reason": model.deactivated_reason,
        "archived": model.archived,
        "version": model.version,
    }))
}

impl Archivable for Entity {
    const ARCHIVED: Column = Column::Archived;

    fn is_archived(model: &Model) -> bool {
        model.archived
    }
}

/// The subscription with `id`, archived or not.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> ApiResult<Model> {
    Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// One page of subscriptions (archived ones only with `updated_since`).
pub async fn list(
    db: &DatabaseConnection,
    page: &PageRequest,
) -> ApiResult<(Vec<Model>, Option<String>)> {
    let mut select = Entity::find();
    if !page.is_change_pull() {
        select = select.filter(Column::Archived.eq(false));
    }
    let rows = page
        .apply(select, Column::Id, Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish(rows, |row| (row.updated_at, row.id)))
}

fn secret() -> ApiResult<String> {
    new_secret().map_err(|e| ApiError::Internal(format!("no randomness for a secret: {e}").into()))
}

/// Creates a subscription with a new secret; it receives the events committed after this
/// moment (`cursor` is the feed's head).
pub async fn insert(
    txn: &DatabaseTransaction,
    actor: &Actor,
    hook: Webhook,
    cursor: i64,
) -> ApiResult<Model> {
    let at = now();
    let model = ActiveModel {
        id: Set(Uuid::now_v7()),
        secret: Set(secret()?),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        cursor: Set(cursor),
        failures: Set(0),
        next_attempt_at: Set(None),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
        deactivated_reason: Set(None),
        archived: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        ..fields(&hook)
    }
    .insert(txn)
    .await?;
    record_creation::<Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// Changes a subscription. Reactivating one clears its failures and backoff.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
    change: impl FnOnce(&Model) -> ApiResult<Webhook>,
) -> ApiResult<Model> {
    super::update::<Entity, _>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id).await,
        async |_, current| {
            let hook = change(current)?;
            let mut next = ActiveModel {
                id: Set(id),
                ..fields(&hook)
            };
            if hook.active && !current.active {
                next.failures = Set(0);
                next.next_attempt_at = Set(None);
                next.deactivated_reason = Set(None);
            }
            Ok(next)
        },
    )
    .await
}

/// Replaces the secret; the previous one keeps signing (beside the new) for 24 hours.
pub async fn rotate_secret(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
) -> ApiResult<Model> {
    let overlap = TimeDelta::from_std(ROTATION_OVERLAP)
        .map_err(|e| ApiError::Internal(e.to_string().into()))?;
    let fresh = secret()?;
    super::update::<Entity, _>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id).await,
        async |_, current| {
            Ok(ActiveModel {
                id: Set(id),
                previous_secret: Set(Some(current.secret.clone())),
                previous_secret_expires_at: Set(Some(now() + overlap)),
                secret: Set(fresh),
                ..Default::default()
            })
        },
    )
    .await
}

/// Archives (deletes) a subscription: it stops delivering and stays readable.
pub async fn archive(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
) -> ApiResult<()> {
    super::archive::<Entity, ActiveModel>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id).await,
        async |_, _| Ok(()),
    )
    .await?;
    Ok(())
}

/// The secrets that sign a message now: the current one, and the previous one during the
/// rotation overlap.
pub fn signing_secrets(hook: &Model) -> Vec<&str> {
    let mut secrets = vec![hook.secret.as_str()];
    if let (Some(previous), Some(until)) = (&hook.previous_secret, hook.previous_secret_expires_at)
        && until > now()
    {
        secrets.push(previous.as_str());
    }
    secrets
}

/// The stored columns of the checked fields.
fn fields(hook: &Webhook) -> ActiveModel {
    ActiveModel {
        url: Set(hook.url.as_str().to_owned()),
        description: Set(hook.description.clone()),
        types: Set(hook.types.clone().into()),
        concerns: Set(hook.concerns),
        group_id: Set(hook.group_id),
        include_non_public: Set(hook.include_non_public),
        active: Set(hook.active),
        ..Default::default()
    }
}

/// Deactivates a subscription (the deliverer's decision, with its reason): an audited change
/// whose event is `webhook.deactivated`.
pub async fn deactivate(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> ApiResult<Model> {
    super::update::<Entity, _>(
        db,
        actor,
        &Precondition::None,
        async |txn| get(txn, id).await,
        async |_, _| {
            Ok(ActiveModel {
                id: Set(id),
                active: Set(false),
                deactivated_reason: Set(Some(reason.to_owned())),
                ..Default::default()
            })
        },
    )
    .await
}
