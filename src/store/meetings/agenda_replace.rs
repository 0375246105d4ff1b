//! A whole agenda in one write, as a secretary enters it: the items in order, each keeping its
//! id when it keeps its number (the item's key), new otherwise; items left out are removed;
//! with `renumber`, the numbers sent are the keys and the items are then numbered 1..n in
//! order. Before the minutes are approved only: after, the agenda and its numbers never
//! change.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    agenda::{ITEM_ENTITY_TYPE, agenda_of, fields, index},
    record::{self, existing_members, locked},
};
use crate::{
    domain::meeting::{AgendaItem, MAX_AGENDA_ITEMS},
    entities::{agenda_item, decision, meeting},
    error::{ApiError, ApiResult, FieldError},
    store::{
        Action, Actor, Precondition, begin_write, lock_row, now, record_creation, search,
        visibility, write::changes, write_next,
    },
};

/// Replaces a meeting's agenda with `entries`, in their order, guarded by the meeting's
/// version (`If-Match`); returns the meeting (its version moved on) and the items in order.
pub async fn replace_agenda(
    db: &DatabaseConnection,
    actor: &Actor,
    meeting_id: Uuid,
    if_match: &Precondition,
    entries: Vec<AgendaItem>,
    renumber: bool,
) -> ApiResult<(meeting::Model, Vec<agenda_item::Model>)> {
    let txn = begin_write(db).await?;
    lock_row(&txn, "meetings", meeting_id).await?;
    let current = record::get(&txn, meeting_id, true).await?;
    if_match.check(current.version)?;
    locked(&current)?;
    let existing = agenda_of(&txn, meeting_id, true).await?;
    let numbers: Vec<String> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if renumber {
                (i + 1).to_string()
            } else {
                e.number.clone()
            }
        })
        .collect();
    let kept = match_entries(&txn, &existing, &entries).await?;
    let removed: Vec<&agenda_item::Model> = existing
        .iter()
        .filter(|item| !kept.contains(&Some(item.id)))
        .collect();
    refuse_removing_decided(&txn, &removed).await?;

    for item in &removed {
        let next = agenda_item::ActiveModel {
            id: Set(item.id),
            archived: Set(true),
            ..Default::default()
        };
        write_next(
            &txn,
            actor,
            *item,
            next,
            Action::Archive,
            &Precondition::None,
        )
        .await?;
        search::remove(&txn, ITEM_ENTITY_TYPE, item.id).await?;
    }
    let by_id: HashMap<Uuid, &agenda_item::Model> = existing.iter().map(|i| (i.id, i)).collect();
    let mut renumbered = Vec::new();
    let mut visibility_changed = false;
    let mut rows = Vec::with_capacity(entries.len());
    for (i, ((entry, number), kept)) in entries.iter().zip(&numbers).zip(&kept).enumerate() {
        let position = i as i32 + 1;
        let mut next = agenda_item::ActiveModel {
            number: Set(number.clone()),
            position: Set(position),
            ..fields(entry)
        };
        let row = match kept.and_then(|id| by_id.get(&id).copied()) {
            Some(current) => {
                next.id = Set(current.id);
                if current.number != *number {
                    renumbered.push((current.id, current.number.clone(), number.clone()));
                }
                visibility_changed |= current.public != entry.public;
                if changes::<agenda_item::Entity, _>(&next, current) {
                    write_next(
                        &txn,
                        actor,
                        current,
                        next,
                        Action::Update,
                        &Precondition::None,
                    )
                    .await?
                } else {
                    current.clone()
                }
            }
            None => {
                let at = now();
                let model = agenda_item::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    meeting_id: Set(meeting_id),
                    archived: Set(false),
                    created_at: Set(at),
                    updated_at: Set(at),
                    version: Set(1),
                    ..next
                }
                .insert(&txn)
                .await?;
                record_creation::<agenda_item::Entity, _>(&txn, actor, &model).await?;
                model
            }
        };
        index(&txn, meeting_id, current.public, row.id, entry).await?;
        rows.push(row);
    }
    follow_new_numbers(&txn, actor, &renumbered).await?;
    if visibility_changed {
        // The rows are written: the search entries of items and their decisions follow them.
        visibility::follow_in_search(&txn, meeting_id, current.public, None).await?;
    }
    super::order::follow_agenda(&txn, meeting_id, super::order::Pending::default()).await?;
    let meeting = record::bump_version(&txn, &current, if_match).await?;
    txn.commit().await?;
    Ok((meeting, rows))
}

/// Which existing item each entry keeps: the one with the number it was sent with; every rule
/// broken is a 422 naming the entry.
async fn match_entries(
    txn: &DatabaseTransaction,
    existing: &[agenda_item::Model],
    entries: &[AgendaItem],
) -> ApiResult<Vec<Option<Uuid>>> {
    let mut errors: Vec<FieldError> = Vec::new();
    if entries.len() > MAX_AGENDA_ITEMS {
        errors.push(FieldError::new(
            "items",
            format!("a meeting has at most {MAX_AGENDA_ITEMS} agenda items"),
        ));
    }
    // The numbers sent are the items' keys, distinct whether or not they are then replaced.
    let mut seen_numbers = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        if !seen_numbers.insert(entry.number.as_str()) {
            errors.push(FieldError::new(
                format!("items[{i}].number"),
                format!("number {} is used twice in the agenda", entry.number),
            ));
        }
        if entry.position.is_some() {
            errors.push(FieldError::new(
                format!("items[{i}].position"),
                "the order of the list is the agenda's order",
            ));
        }
    }
    let kept: Vec<Option<Uuid>> = entries
        .iter()
        .map(|entry| {
            existing
                .iter()
                .find(|item| item.number == entry.number)
                .map(|item| item.id)
        })
        .collect();
    let people: Vec<(String, Uuid)> = entries
        .iter()
        .enumerate()
        .flat_map(|(i, item)| {
            let presenters = item
                .presenter_ids
                .iter()
                .enumerate()
                .map(move |(j, id)| (format!("items[{i}].presenter_ids[{j}]"), *id));
            let guests = item
                .guest_ids
                .iter()
                .enumerate()
                .map(move |(j, id)| (format!("items[{i}].guest_ids[{j}]"), *id));
            let conflicts =
                item.conflicts.iter().enumerate().map(move |(j, c)| {
                    (format!("items[{i}].conflicts[{j}].member_id"), c.member_id)
                });
            presenters
                .chain(guests)
                .chain(conflicts)
                .collect::<Vec<_>>()
        })
        .collect();
    let known = existing_members(txn, people.iter().map(|(_, id)| *id).collect()).await?;
    for (field, id) in people {
        if !known.contains(&id) {
            errors.push(FieldError::new(field, "no member has this id"));
        }
    }
    if errors.is_empty() {
        Ok(kept)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// An item with decisions stays on the agenda (409): its decisions are part of the record.
async fn refuse_removing_decided(
    txn: &DatabaseTransaction,
    removed: &[&agenda_item::Model],
) -> ApiResult<()> {
    if removed.is_empty() {
        return Ok(());
    }
    let decided = decision::Entity::find()
        .filter(decision::Column::AgendaItemId.is_in(removed.iter().map(|i| i.id)))
        .all(txn)
        .await?;
    match removed
        .iter()
        .find(|item| decided.iter().any(|d| d.agenda_item_id == item.id))
    {
        Some(item) => Err(ApiError::Conflict(format!(
            "item {} has decisions and stays on the agenda; keep it in the list",
            item.number
        ))),
        None => Ok(()),
    }
}

/// Decisions under renumbered items take the new number into their reference ("SG 2021-11-05
/// §6b" becomes "§7b"): before the minutes are approved a reference is still provisional.
/// Swapped numbers would meet on the unique reference, so the old ones are set aside first.
async fn follow_new_numbers(
    txn: &DatabaseTransaction,
    actor: &Actor,
    renumbered: &[(Uuid, String, String)],
) -> ApiResult<()> {
    if renumbered.is_empty() {
        return Ok(());
    }
    let decisions = decision::Entity::find()
        .filter(decision::Column::AgendaItemId.is_in(renumbered.iter().map(|(id, _, _)| *id)))
        .all(txn)
        .await?;
    for d in &decisions {
        decision::Entity::update_many()
            .col_expr(
                decision::Column::Reference,
                Expr::value(format!("~{}", d.id)),
            )
            .filter(decision::Column::Id.eq(d.id))
            .exec(txn)
            .await?;
    }
    for d in &decisions {
        let Some((_, old, new)) = renumbered.iter().find(|(id, _, _)| *id == d.agenda_item_id)
        else {
            continue;
        };
        let reference = match d.reference.rsplit_once('§') {
            Some((head, tail)) => match tail.strip_prefix(old.as_str()) {
                Some(suffix) => format!("{head}§{new}{suffix}"),
                None => d.reference.clone(),
            },
            None => d.reference.clone(),
        };
        let next = decision::ActiveModel {
            id: Set(d.id),
            reference: Set(reference),
            ..Default::default()
        };
        write_next(txn, actor, d, next, Action::Update, &Precondition::None).await?;
    }
    Ok(())
}
