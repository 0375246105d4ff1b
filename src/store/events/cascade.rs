//! What public callers are told when a record's visibility changes (see
//! [`crate::store::visibility`]). A record that they saw and no longer may gives them a
//! `<type>.withdrawn` event (its id and path, no state) so that their copies drop it. When a
//! meeting or an agenda item stops being public, so does everything under it, and each of those
//! records that public callers saw is withdrawn too; when it becomes public again, each record
//! under it that is now public is shown to them again: a `<type>.updated` event with its current
//! state (the copy of its last event), and its `updated_at` moved so that `updated_since` pulls
//! bring it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

use super::{describe, insert};
use crate::{
    domain::EntityType,
    entities::{
        agenda_item,
        change_event::{self, Column, Entity, Model},
        decision,
    },
};

/// The last event of a record.
pub(super) async fn last_event<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    entity_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::EntityType.eq(entity_type))
        .filter(Column::EntityId.eq(entity_id))
        .order_by_desc(Column::Seq)
        .one(db)
        .await
}

/// Whether a change of a record of this kind can change the visibility of others.
pub(super) fn has_children(entity_type: EntityType) -> bool {
    matches!(entity_type, EntityType::Meeting | EntityType::AgendaItem)
}

/// Whether public callers hold a copy of the record whose last event this is.
pub(super) fn seen_in_public(last: &Model) -> bool {
    last.public && !is_withdrawal(last)
}

fn is_withdrawal(event: &Model) -> bool {
    event.event_type.ends_with(".withdrawn")
}

/// Takes a record's earlier events from public readers (it is being withdrawn from them; the
/// database lets an event be hidden, never shown).
pub(super) async fn hide_earlier<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    entity_id: Uuid,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Public, sea_orm::sea_query::Expr::value(false))
        .filter(Column::EntityType.eq(entity_type))
        .filter(Column::EntityId.eq(entity_id))
        .filter(Column::Public.eq(true))
        .filter(Column::EventType.not_like("%.withdrawn"))
        .exec(db)
        .await?;
    Ok(())
}

/// The withdrawal that follows `event` (a change that made its record non-public).
pub(super) fn withdrawal(
    event: &change_event::ActiveModel,
    href: Option<&str>,
) -> change_event::ActiveModel {
    let (entity_type, entity_id) = match (&event.entity_type, &event.entity_id) {
        (Set(t), Set(id)) => (*t, *id),
        _ => return event.clone(),
    };
    change_event::ActiveModel {
        event_type: Set(format!("{entity_type}.withdrawn")),
        public: Set(true),
        data: Set(Some(serde_json::json!({
            "record": {"id": entity_id},
            "href": href,
        }))),
        ..event.clone()
    }
}

/// Tells public callers about the records under a meeting or an agenda item that has just
/// stopped (`shown` false) or started (`shown` true) being public.
pub(super) async fn follow_children<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    entity_type: EntityType,
    entity_id: Uuid,
    shown: bool,
) -> Result<(), DbErr> {
    let mut children: Vec<(EntityType, Uuid)> = Vec::new();
    match entity_type {
        EntityType::Meeting => {
            children.push((EntityType::Attendance, entity_id));
            let items: Vec<Uuid> = agenda_item::Entity::find()
                .select_only()
                .column(agenda_item::Column::Id)
                .filter(agenda_item::Column::MeetingId.eq(entity_id))
                .into_tuple()
                .all(db)
                .await?;
            children.extend(items.into_iter().map(|id| (EntityType::AgendaItem, id)));
            children.extend(decisions(db, decision::Column::MeetingId, entity_id).await?);
        }
        EntityType::AgendaItem => {
            children.extend(decisions(db, decision::Column::AgendaItemId, entity_id).await?);
        }
        _ => return Ok(()),
    }
    for (child_type, child_id) in children {
        let Some(last) = last_event(db, child_type, child_id).await? else {
            continue;
        };
        if seen_in_public(&last) == shown {
            continue;
        }
        let scope = describe(db, child_type, child_id, None).await?;
        if scope.public != shown {
            continue;
        }
        let event = change_event::ActiveModel {
            occurred_at: Set(at),
            entity_type: Set(child_type),
            entity_id: Set(child_id),
            action: Set("update".to_owned()),
            version: Set(last.version),
            event_type: Set(format!("{child_type}.updated")),
            parent_type: Set(scope.parent.as_ref().map(|p| p.entity_type)),
            parent_id: Set(scope.parent.as_ref().map(|p| p.id)),
            concerns: Set(scope.concerns.map(|c| serde_json::json!(c))),
            group_id: Set(scope.group_id),
            public: Set(true),
            data: Set(last_state(db, &last).await?),
            position: Set(None),
            ..Default::default()
        };
        if shown {
            touch_child(db, child_type, child_id, at).await?;
            insert(db, event).await?;
        } else {
            hide_earlier(db, child_type, child_id).await?;
            insert(db, withdrawal(&event, scope.href.as_deref())).await?;
        }
    }
    Ok(())
}

/// The state a record's last change event (other than a withdrawal) carries.
async fn last_state<C: ConnectionTrait>(db: &C, last: &Model) -> Result<Option<Value>, DbErr> {
    if !is_withdrawal(last) {
        return Ok(last.data.clone());
    }
    Ok(Entity::find()
        .filter(Column::EntityType.eq(last.entity_type))
        .filter(Column::EntityId.eq(last.entity_id))
        .filter(Column::EventType.not_like("%.withdrawn"))
        .order_by_desc(Column::Seq)
        .one(db)
        .await?
        .and_then(|event| event.data))
}

/// Moves a record's `updated_at` (not its version).
async fn touch_child<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let record = crate::domain::events::RecordRef { entity_type, id };
    super::scope::touch(db, std::slice::from_ref(&record), at).await
}

async fn decisions<C: ConnectionTrait>(
    db: &C,
    column: decision::Column,
    id: Uuid,
) -> Result<Vec<(EntityType, Uuid)>, DbErr> {
    let ids: Vec<Uuid> = decision::Entity::find()
        .select_only()
        .column(decision::Column::Id)
        .filter(column.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids
        .into_iter()
        .map(|id| (EntityType::Decision, id))
        .collect())
}
