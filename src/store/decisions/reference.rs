//! A decision's stable reference, e.g. "SG 2021-11-05 §6".

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter};

use crate::{
    entities::{
        agenda_item,
        decision::{Column, Entity},
        meeting, organisation,
    },
    error::ApiResult,
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
