//! Keeps decisions in the order of the minutes as the record moves: a meeting's start, and
//! its agenda's positions, decide where its decisions are listed (see
//! [`migration::order::minutes_order`]). The order is derived, not part of a decision's
//! record: it changes without a new version or an audit row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    entities::{agenda_item, decision, meeting},
    error::ApiResult,
};

/// A change a write is about to make that the rows do not show yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pending {
    /// The meeting's new start.
    pub starts_at: Option<DateTime<Utc>>,
    /// An item's new position.
    pub moved: Option<(Uuid, i32)>,
}

/// Brings the `minutes_order` of meeting `meeting_id`'s decisions up to date, with `pending`
/// applied over the rows.
pub async fn follow_agenda<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    pending: Pending,
) -> ApiResult<()> {
    let Some(m) = meeting::Entity::find_by_id(meeting_id).one(db).await? else {
        return Ok(());
    };
    let starts_at = pending.starts_at.unwrap_or(m.starts_at);
    let decisions = decision::Entity::find()
        .filter(decision::Column::MeetingId.eq(meeting_id))
        .all(db)
        .await?;
    if decisions.is_empty() {
        return Ok(());
    }
    let positions: HashMap<Uuid, i32> = agenda_item::Entity::find()
        .filter(agenda_item::Column::MeetingId.eq(meeting_id))
        .all(db)
        .await?
        .into_iter()
        .map(|i| match pending.moved {
            Some((id, position)) if id == i.id => (i.id, position),
            _ => (i.id, i.position),
        })
        .collect();
    for d in decisions {
        let position = positions.get(&d.agenda_item_id).copied().unwrap_or(0);
        let order = migration::order::minutes_order(starts_at, position);
        if order != d.minutes_order {
            decision::Entity::update_many()
                .col_expr(decision::Column::MinutesOrder, Expr::value(order))
                .filter(decision::Column::Id.eq(d.id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}
