//! A meeting's attendance list: read, and replaced as a whole after every rule is checked; the
//! meeting's version grows with it, so `If-Match` on the meeting guards the list.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    agenda::agenda_of,
    record::{self, existing_members, locked, meeting_date},
};
use crate::{
    domain::{
        EntityType,
        meeting::{AttendanceEntry, MAX_ATTENDANCE},
        text::{FieldErrors, multi_line},
    },
    entities::{attendance, meeting, membership, organisation},
    error::{ApiError, ApiResult},
    store::{Action, Actor, Change, Precondition, begin_write},
};

/// The entity type of a meeting's attendance list (its id is the meeting's).
pub const ATTENDANCE_ENTITY_TYPE: EntityType = EntityType::Attendance;

/// The attendance list of a meeting, in the order it was given.
pub async fn attendance_of<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
) -> ApiResult<Vec<attendance::Model>> {
    Ok(attendance::Entity::find()
        .filter(attendance::Column::MeetingId.eq(meeting_id))
        .order_by_asc(attendance::Column::Position)
        .all(db)
        .await?)
}

/// The memberships of the meeting's group on its date, by member.
pub(super) async fn seated<C: ConnectionTrait>(
    db: &C,
    meeting: &meeting::Model,
) -> ApiResult<HashMap<Uuid, membership::Model>> {
    let seats =
        crate::store::memberships::running_on(db, meeting.group_id, meeting_date(meeting)).await?;
    Ok(seats.into_iter().map(|s| (s.member_id, s)).collect())
}

/// The attendance list as the audit log keeps it: ids and statuses, never notes.
fn attendance_json(rows: &[attendance::Model]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "member_id": r.member_id,
                    "status": r.status,
                    "substitute_for_member_id": r.substitute_for_member_id,
                    "represents_id": r.represents_id,
                    "guest": r.guest,
                    "agenda_item_ids": r.agenda_item_ids,
                    "has_note": r.note.is_some(),
                })
            })
            .collect(),
    )
}

/// Replaces a meeting's whole attendance list atomically, after checking every rule (422 naming
/// the entry). The meeting's version grows, so `If-Match` guards against lost updates.
pub async fn replace_attendance(
    db: &DatabaseConnection,
    actor: &Actor,
    meeting_id: Uuid,
    if_match: &Precondition,
    entries: Vec<AttendanceEntry>,
) -> ApiResult<(meeting::Model, Vec<attendance::Model>)> {
    let txn = begin_write(db).await?;
    let current = record::get(&txn, meeting_id, true).await?;
    if_match.check(current.version)?;
    locked(&current)?;
    let entries = check_attendance(&txn, &current, entries).await?;
    let before = attendance_of(&txn, meeting_id).await?;
    attendance::Entity::delete_many()
        .filter(attendance::Column::MeetingId.eq(meeting_id))
        .exec(&txn)
        .await?;
    let mut rows = Vec::with_capacity(entries.len());
    for (position, entry) in entries.into_iter().enumerate() {
        let row = attendance::ActiveModel {
            id: Set(Uuid::now_v7()),
            meeting_id: Set(meeting_id),
            member_id: Set(entry.member_id),
            position: Set(position as i32 + 1),
            status: Set(entry.status),
            substitute_for_member_id: Set(entry.substitute_for_member_id),
            represents_id: Set(entry.represents_id),
            guest: Set(entry.guest),
            agenda_item_ids: Set(entry.agenda_item_ids.into()),
            note: Set(entry.note),
        }
        .insert(&txn)
        .await?;
        rows.push(row);
    }
    let model = record::bump_version(&txn, &current, if_match).await?;
    let change = Change {
        entity_type: ATTENDANCE_ENTITY_TYPE,
        entity_id: meeting_id,
        action: Action::Update,
        version: model.version,
        before: Some(attendance_json(&before)),
        after: Some(attendance_json(&rows)),
        event: None,
    };
    crate::store::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok((model, rows))
}

/// Checks the attendance rules and fills in whom each entry represents.
async fn check_attendance(
    txn: &DatabaseTransaction,
    meeting: &meeting::Model,
    mut entries: Vec<AttendanceEntry>,
) -> ApiResult<Vec<AttendanceEntry>> {
    let mut errors = FieldErrors::default();
    if entries.len() > MAX_ATTENDANCE {
        return Err(ApiError::field(
            "entries",
            format!("at most {MAX_ATTENDANCE} entries"),
        ));
    }
    let date = meeting_date(meeting);
    let seats = seated(txn, meeting).await?;
    let mut ids: Vec<Uuid> = entries.iter().map(|e| e.member_id).collect();
    ids.extend(entries.iter().filter_map(|e| e.substitute_for_member_id));
    let known = existing_members(txn, ids).await?;
    let items: HashSet<Uuid> = agenda_of(txn, meeting.id, true)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let orgs: Vec<Uuid> = entries.iter().filter_map(|e| e.represents_id).collect();
    let known_orgs: HashSet<Uuid> = if orgs.is_empty() {
        HashSet::new()
    } else {
        organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(orgs))
            .all(txn)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect()
    };
    let taking_part: HashSet<Uuid> = entries
        .iter()
        .filter(|e| e.status.took_part())
        .map(|e| e.member_id)
        .collect();
    let mut seen = HashSet::new();
    let mut stood_in_for = HashSet::new();
    for (i, entry) in entries.iter_mut().enumerate() {
        let field = |name: &str| format!("entries[{i}].{name}");
        if !known.contains(&entry.member_id) {
            errors.add(&field("member_id"), "no member has this id");
            continue;
        }
        if !seen.insert(entry.member_id) {
            errors.add(&field("member_id"), "appears more than once in the list");
        }
        for item in &entry.agenda_item_ids {
            if !items.contains(item) {
                errors.add(
                    &field("agenda_item_ids"),
                    format!("agenda item {item} is not on this meeting's agenda"),
                );
            }
        }
        if entry.guest {
            if entry.substitute_for_member_id.is_some() {
                errors.add(
                    &field("substitute_for_member_id"),
                    "a guest stands in for nobody",
                );
            }
            if entry.agenda_item_ids.is_empty() {
                errors.add(
                    &field("agenda_item_ids"),
                    "a guest attends named agenda items: list them",
                );
            }
        } else if let Some(absent) = entry.substitute_for_member_id {
            if !known.contains(&absent) {
                errors.add(&field("substitute_for_member_id"), "no member has this id");
            } else if absent == entry.member_id {
                errors.add(
                    &field("substitute_for_member_id"),
                    "a member cannot stand in for themself",
                );
            } else if !seats.contains_key(&absent) {
                errors.add(
                    &field("substitute_for_member_id"),
                    format!("is not in the group on {date}"),
                );
            } else if taking_part.contains(&absent) {
                errors.add(
                    &field("substitute_for_member_id"),
                    "takes part in the meeting themself",
                );
            } else if !stood_in_for.insert(absent) {
                errors.add(
                    &field("substitute_for_member_id"),
                    "someone else already stands in for this member",
                );
            }
        } else if !seats.contains_key(&entry.member_id) {
            errors.add(
                &field("member_id"),
                format!("is not in the group on {date}: record them as a guest or as a substitute"),
            );
        }
        match entry.represents_id {
            Some(org) if !known_orgs.contains(&org) => {
                errors.add(&field("represents_id"), "no organisation has this id")
            }
            Some(_) => {}
            None => {
                let seat = seats
                    .get(&entry.member_id)
                    .or_else(|| entry.substitute_for_member_id.and_then(|a| seats.get(&a)));
                entry.represents_id = seat.and_then(|s| s.represents_id);
            }
        }
        if let Some(note) = entry.note.as_deref() {
            entry.note = errors
                .check(&field("note"), multi_line(note, 2000))
                .flatten();
        }
    }
    errors.finish()?;
    Ok(entries)
}
