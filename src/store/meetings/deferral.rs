//! Deferring an agenda item (bordläggning): to a later meeting of the same group, where it
//! becomes a linked item, or to a meeting not yet scheduled (and later, once it is, to that
//! one). Both items and both minutes show the link.

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{
    agenda::{ITEM_ENTITY_TYPE, agenda_of, get_item},
    record::{self, locked},
};
use crate::{
    domain::meeting::{MAX_AGENDA_ITEMS, MeetingStatus},
    entities::agenda_item::{ActiveModel, Column, Entity, Model},
    error::{ApiError, ApiResult},
    store::{
        Action, Actor, Precondition, begin_write, lock_row, now, record_creation, search,
        write_next,
    },
};

/// Defers item `item_id` of meeting `meeting_id` to meeting `to` (a later, not yet held
/// meeting of the same group), or to no meeting yet when `to` is `None`. The new item takes
/// `number`, else the next whole number on the target agenda. Returns the deferred item and
/// the item it became.
pub async fn defer_item(
    db: &DatabaseConnection,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    precondition: &Precondition,
    to: Option<Uuid>,
    number: Option<String>,
) -> ApiResult<(Model, Option<Model>)> {
    let txn = begin_write(db).await?;
    lock_row(&txn, "meetings", meeting_id).await?;
    let source = record::get(&txn, meeting_id, true).await?;
    let item = get_item(&txn, meeting_id, item_id, true).await?;
    precondition.check(item.version)?;
    locked(&source)?;
    if item.deferred_to_item_id.is_some() {
        return Err(ApiError::Conflict(
            "this item is already deferred to a meeting".into(),
        ));
    }
    let mut created = None;
    if let Some(to) = to {
        lock_row(&txn, "meetings", to).await?;
        let target = record::get(&txn, to, true).await.map_err(|e| match e {
            ApiError::NotFound => ApiError::field("to_meeting_id", "no meeting has this id"),
            // A database fault stays one (a 503 or 500), not the client's 422.
            other => other,
        })?;
        if target.group_id != source.group_id || target.starts_at <= source.starts_at {
            return Err(ApiError::field(
                "to_meeting_id",
                "must be a later meeting of the same group",
            ));
        }
        if target.status != MeetingStatus::Planned {
            return Err(ApiError::Conflict(format!(
                "the meeting deferred to is {}; an item is deferred to a planned meeting",
                target.status.as_str()
            )));
        }
        let agenda = agenda_of(&txn, to, true).await?;
        if agenda.len() >= MAX_AGENDA_ITEMS {
            return Err(ApiError::Conflict(format!(
                "the meeting deferred to has {MAX_AGENDA_ITEMS} agenda items already"
            )));
        }
        let number = match number {
            Some(number) => {
                if agenda.iter().any(|i| i.number == number) {
                    return Err(ApiError::Conflict(format!(
                        "item number {number} is already used on that agenda"
                    )));
                }
                number
            }
            None => {
                let highest = agenda
                    .iter()
                    .filter_map(|i| i.number.split('.').next()?.parse::<u32>().ok())
                    .max()
                    .unwrap_or(0);
                (highest + 1).to_string()
            }
        };
        let at = now();
        let model = ActiveModel {
            id: Set(Uuid::now_v7()),
            meeting_id: Set(to),
            number: Set(number),
            position: Set(agenda.len() as i32 + 1),
            title: Set(item.title.clone()),
            presenter_ids: Set(item.presenter_ids.clone()),
            guest_ids: Set(Vec::new().into()),
            conflicts: Set(Vec::new().into()),
            deferred: Set(false),
            deferred_to_meeting_id: Set(None),
            deferred_to_item_id: Set(None),
            deferred_from_meeting_id: Set(Some(meeting_id)),
            deferred_from_item_id: Set(Some(item.id)),
            minutes: Set(None),
            public: Set(item.public),
            archived: Set(false),
            created_at: Set(at),
            updated_at: Set(at),
            version: Set(1),
        }
        .insert(&txn)
        .await?;
        record_creation::<Entity, _>(&txn, actor, &model).await?;
        let parent = search::Parent {
            id: to,
            public: target.public,
        };
        search::index(
            &txn,
            ITEM_ENTITY_TYPE,
            model.id,
            Some(parent),
            model.public,
            &model.title,
            "",
        )
        .await?;
        created = Some(model);
    }
    let next = ActiveModel {
        id: Set(item.id),
        deferred: Set(true),
        deferred_to_meeting_id: Set(to),
        deferred_to_item_id: Set(created.as_ref().map(|m| m.id)),
        ..Default::default()
    };
    let deferred = write_next(&txn, actor, &item, next, Action::Update, precondition).await?;
    txn.commit().await?;
    Ok((deferred, created))
}

/// The agenda items with these ids (for the minutes: where a deferred item went or came from).
pub async fn items_by_id<C: sea_orm::ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
) -> ApiResult<Vec<Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find().filter(Column::Id.is_in(ids)).all(db).await?)
}
