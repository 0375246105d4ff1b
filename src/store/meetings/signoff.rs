//! The signatures of a meeting's minutes: appended, never changed (see
//! [`crate::domain::signoff`]).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::{
    domain::{EntityType, signoff::SignatoryRole},
    entities::minutes_signature::{ActiveModel, Column, Entity, Model},
    error::ApiResult,
    store::{
        Action, Actor,
        audit::{Change, record},
        now,
    },
};

/// The signatures of a meeting, oldest first.
pub async fn signatures_of<C: ConnectionTrait>(db: &C, meeting_id: Uuid) -> ApiResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::MeetingId.eq(meeting_id))
        .order_by_asc(Column::SignedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}

/// Appends `member`'s signature over the minutes whose SHA-256 is `sha256`, with its audit row
/// and change event (`minutes_signature.created`); the caller checked who may sign what.
pub async fn sign(
    txn: &DatabaseTransaction,
    actor: &Actor,
    meeting_id: Uuid,
    member_id: Uuid,
    role: SignatoryRole,
    sha256: &str,
) -> ApiResult<Model> {
    let model = ActiveModel {
        id: Set(Uuid::now_v7()),
        meeting_id: Set(meeting_id),
        member_id: Set(member_id),
        role: Set(role),
        sha256: Set(sha256.to_ascii_lowercase()),
        signed_at: Set(now()),
    }
    .insert(txn)
    .await?;
    let json = serde_json::to_value(&model).ok();
    record(
        txn,
        actor,
        Change {
            entity_type: EntityType::MinutesSignature,
            entity_id: model.id,
            action: Action::Create,
            version: 1,
            before: None,
            after: json.clone(),
            event: json,
        },
    )
    .await?;
    Ok(model)
}
