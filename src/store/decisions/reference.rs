//! A decision's stable reference, e.g. "SG 2021-11-05 §6".

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{
    domain::decision::DecisionKind,
    entities::{
        agenda_item,
        decision::{ActiveModel, Column, Entity},
        meeting, organisation,
    },
    error::{ApiError, ApiResult},
    store::{Action, Actor, Precondition, write_next},
};

/// A stable reference: the group's short name, the meeting date and the item number, with a
/// letter for each further decision under the same item ("SG 2021-11-05 §6", "SG 2021-11-05
/// §6b"). A second meeting of a group with the same short name on the same day adds its start
/// time ("SG 2021-11-05 13:00 §6"); a reference is never reused.
pub(super) async fn reference(
    txn: &DatabaseTransaction,
    group: &organisation::Model,
    meeting: &meeting::Model,
    item: &agenda_item::Model,
) -> ApiResult<String> {
    let local = meeting
        .starts_at
        .with_timezone(&chrono_tz::Europe::Stockholm);
    let short = group
        .short_name
        .clone()
        .unwrap_or_else(|| group.name.clone());
    let mut base = format!("{short} {} §{}", local.date_naive(), item.number);
    let taken_elsewhere = Entity::find()
        .filter(Column::Reference.eq(base.as_str()))
        .filter(Column::AgendaItemId.ne(item.id))
        .count(txn)
        .await?;
    if taken_elsewhere > 0 {
        base = format!(
            "{short} {} {} §{}",
            local.date_naive(),
            local.format("%H:%M"),
            item.number
        );
    }
    let mut n = Entity::find()
        .filter(Column::AgendaItemId.eq(item.id))
        .count(txn)
        .await?;
    loop {
        let candidate = match n {
            0 => base.clone(),
            1..=24 => format!("{base}{}", char::from(b'a' + n as u8)),
            _ => format!("{base}-{}", n + 1),
        };
        if Entity::find()
            .filter(Column::Reference.eq(candidate.as_str()))
            .count(txn)
            .await?
            == 0
        {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// A meeting moved to another day before its minutes are approved: its decisions take the new
/// day into their reference and `decided_on` ("SG 2021-11-05 §6" becomes "SG 2021-11-12 §6"),
/// each change audited. An election or an approval has already acted on other records as of
/// its day (seats, a plan's revision), so a meeting holding one keeps its day (409), as does
/// one whose new references another meeting of the group already holds.
pub async fn follow_meeting_day(
    txn: &DatabaseTransaction,
    actor: &Actor,
    meeting_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<()> {
    if from == to {
        return Ok(());
    }
    let decisions = Entity::find()
        .filter(Column::MeetingId.eq(meeting_id))
        .all(txn)
        .await?;
    if let Some(d) = decisions
        .iter()
        .find(|d| matches!(d.kind, DecisionKind::Election | DecisionKind::Approval))
    {
        return Err(ApiError::Conflict(format!(
            "decision {} acted on other records as of {from}, so the meeting keeps its day",
            d.reference
        )));
    }
    for d in &decisions {
        let reference = match d.reference.split_once('§') {
            Some((head, tail)) => format!(
                "{}§{tail}",
                head.replacen(&from.to_string(), &to.to_string(), 1)
            ),
            None => d.reference.clone(),
        };
        let taken = Entity::find()
            .filter(Column::Reference.eq(reference.as_str()))
            .filter(Column::Id.ne(d.id))
            .count(txn)
            .await?;
        if taken > 0 {
            return Err(ApiError::Conflict(format!(
                "the reference {reference} is held by another meeting's decision"
            )));
        }
        let next = ActiveModel {
            id: Set(d.id),
            reference: Set(reference),
            decided_on: Set(to),
            ..Default::default()
        };
        write_next(txn, actor, d, next, Action::Update, &Precondition::None).await?;
    }
    Ok(())
}
