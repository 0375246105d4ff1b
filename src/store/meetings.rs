//! Meetings, their agenda items and their attendance: reads, writes with their audit rows, the
//! status lifecycle, and the lock once minutes are approved.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set, sea_query::Condition,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    Action, Actor, Change, Versioned, begin_write, lock_row, now, record, record_creation,
    write_if_version, write_next,
};
use crate::{
    domain::{
        meeting::{
            AttendanceEntry, MAX_AGENDA_ITEMS, MAX_ATTENDANCE, Meeting, MeetingKind, MeetingStatus,
            UncheckedAgendaItem,
        },
        organisation::OrganisationKind,
        text::{FieldErrors, multi_line},
    },
    entities::{agenda_item, attendance, meeting, member, membership, organisation},
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::Precondition,
};

/// The entity type of meetings in the audit log and the change events.
pub const ENTITY_TYPE: crate::domain::EntityType = crate::domain::EntityType::Meeting;
/// The entity type of agenda items.
pub const ITEM_ENTITY_TYPE: crate::domain::EntityType = crate::domain::EntityType::AgendaItem;
/// The entity type of a meeting's attendance list (its id is the meeting's).
pub const ATTENDANCE_ENTITY_TYPE: crate::domain::EntityType = crate::domain::EntityType::Attendance;

impl Versioned for meeting::Entity {
    const ENTITY: crate::domain::EntityType = ENTITY_TYPE;
    const VERSION: meeting::Column = meeting::Column::Version;
    const UPDATED_AT: meeting::Column = meeting::Column::UpdatedAt;

    fn id(model: &meeting::Model) -> Uuid {
        model.id
    }

    fn version(model: &meeting::Model) -> i32 {
        model.version
    }

    fn audit_json(model: &meeting::Model) -> Option<Value> {
        serde_json::to_value(model).ok()
    }
}

impl Versioned for agenda_item::Entity {
    const ENTITY: crate::domain::EntityType = ITEM_ENTITY_TYPE;
    const VERSION: agenda_item::Column = agenda_item::Column::Version;
    const UPDATED_AT: agenda_item::Column = agenda_item::Column::UpdatedAt;

    fn id(model: &agenda_item::Model) -> Uuid {
        model.id
    }

    fn version(model: &agenda_item::Model) -> i32 {
        model.version
    }

    /// The minutes text may name people: the audit log holds its SHA-256 only.
    fn audit_json(model: &agenda_item::Model) -> Option<Value> {
        Some(json!({
            "id": model.id,
            "meeting_id": model.meeting_id,
            "number": model.number,
            "position": model.position,
            "title": model.title,
            "presenter_ids": model.presenter_ids,
            "guest_ids": model.guest_ids,
            "minutes_sha256": model.minutes.as_deref().map(|m| format!("{:x}", Sha256::digest(m))),
            "public": model.public,
            "archived": model.archived,
            "version": model.version,
            "updated_at": model.updated_at,
        }))
    }
}

/// Filters of the meeting list.
#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    /// Only this group's.
    pub group_id: Option<Uuid>,
    /// Only in this status.
    pub status: Option<MeetingStatus>,
    /// Only of this kind.
    pub kind: Option<MeetingKind>,
    /// Starting at or after.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Starting before.
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// Only public meetings (for callers who may not see the rest).
    pub public_only: bool,
    /// Include archived (deleted) meetings.
    pub include_archived: bool,
}

/// The meeting with `id`; a non-public one only when `sees_all` (404 otherwise, the same as a
/// meeting that does not exist).
pub async fn get<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    sees_all: bool,
) -> ApiResult<meeting::Model> {
    match meeting::Entity::find_by_id(id).one(db).await? {
        Some(m) if sees_all || m.public => Ok(m),
        _ => Err(ApiError::NotFound),
    }
}

/// One page of meetings, ordered by start (by change with `updated_since`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &MeetingFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<meeting::Model>, Option<String>)> {
    use meeting::Column as C;
    let mut select = meeting::Entity::find();
    if let Some(id) = filter.group_id {
        select = select.filter(C::GroupId.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(C::Status.eq(status));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(C::Kind.eq(kind));
    }
    if let Some(from) = filter.from {
        select = select.filter(C::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(C::StartsAt.lt(to));
    }
    if filter.public_only {
        select = select.filter(C::Public.eq(true));
    }
    if !filter.include_archived && !page.is_change_pull() {
        select = select.filter(C::Archived.eq(false));
    }
    let rows = page
        .apply_sorted(select, C::Id, C::StartsAt, C::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish_sorted(rows, |m| (m.starts_at, m.updated_at, m.id)))
}

/// Every meeting matching `filter`, ordered by start, up to `limit` (for calendar feeds).
pub async fn all<C: ConnectionTrait>(
    db: &C,
    filter: &MeetingFilter,
    limit: u64,
) -> ApiResult<Vec<meeting::Model>> {
    use meeting::Column as C;
    use sea_orm::QuerySelect;
    let mut select = meeting::Entity::find().filter(C::Archived.eq(false));
    if let Some(id) = filter.group_id {
        select = select.filter(C::GroupId.eq(id));
    }
    if let Some(from) = filter.from {
        select = select.filter(C::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(C::StartsAt.lt(to));
    }
    if filter.public_only {
        select = select.filter(C::Public.eq(true));
    }
    Ok(select
        .order_by_asc(C::StartsAt)
        .order_by_asc(C::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The meeting date in Sweden, for "who is in the group on that date".
pub fn meeting_date(meeting: &meeting::Model) -> NaiveDate {
    meeting
        .starts_at
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive()
}

fn locked(meeting: &meeting::Model) -> ApiResult<()> {
    if meeting.status == MeetingStatus::MinutesApproved {
        Err(ApiError::Locked(
            "the minutes of this meeting are approved: its record is locked; corrections are \
             made by a new decision"
                .into(),
        ))
    } else {
        Ok(())
    }
}

/// The referenced records exist and the group is a group (422 naming the field).
async fn check_meeting_refs<C: ConnectionTrait>(db: &C, id: Uuid, m: &Meeting) -> ApiResult<()> {
    let mut errors = FieldErrors::default();
    match organisation::Entity::find_by_id(m.group_id).one(db).await? {
        None => errors.add("group_id", "no organisation has this id"),
        Some(group) if group.kind != OrganisationKind::Group => {
            errors.add("group_id", "is not an organisation of kind group")
        }
        Some(_) => {}
    }
    let mut people: Vec<(String, Uuid)> = Vec::new();
    people.extend(m.chair_id.map(|id| ("chair_id".to_owned(), id)));
    people.extend(
        m.minutes_taker_id
            .map(|id| ("minutes_taker_id".to_owned(), id)),
    );
    for (i, id) in m.minutes_checkers.iter().enumerate() {
        people.push((format!("minutes_checkers[{i}]"), *id));
    }
    let known = existing_members(db, people.iter().map(|(_, id)| *id).collect()).await?;
    for (field, id) in &people {
        if !known.contains(id) {
            errors.add(field, "no member has this id");
        }
    }
    if let Some(other) = m.minutes_approved_in_meeting_id {
        match meeting::Entity::find_by_id(other).one(db).await? {
            None => errors.add("minutes_approved_in_meeting_id", "no meeting has this id"),
            Some(o) if o.id == id => errors.add(
                "minutes_approved_in_meeting_id",
                "a meeting cannot approve its own minutes",
            ),
            Some(_) => {}
        }
    }
    errors.finish()
}

async fn existing_members<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> ApiResult<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let rows = member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| m.id).collect())
}

fn meeting_fields(m: &Meeting) -> meeting::ActiveModel {
    meeting::ActiveModel {
        group_id: Set(m.group_id),
        title: Set(m.title.clone()),
        kind: Set(m.kind),
        starts_at: Set(m.starts_at),
        ends_at: Set(m.ends_at),
        location: Set(serde_json::to_value(&m.location).unwrap_or(Value::Null)),
        status: Set(m.status),
        chair_id: Set(m.chair_id),
        minutes_taker_id: Set(m.minutes_taker_id),
        minutes_checkers: Set(json!(m.minutes_checkers)),
        documents: Set(serde_json::to_value(&m.documents).unwrap_or(Value::Array(vec![]))),
        public: Set(m.public),
        minutes_approved_on: Set(m.minutes_approved_on),
        minutes_approved_in_meeting_id: Set(m.minutes_approved_in_meeting_id),
        ..Default::default()
    }
}

/// The stored meeting's fields, for comparing with a change.
fn as_meeting(row: &meeting::Model) -> Meeting {
    Meeting {
        group_id: row.group_id,
        title: row.title.clone(),
        kind: row.kind,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        location: serde_json::from_value(row.location.clone()).unwrap_or_default(),
        status: row.status,
        chair_id: row.chair_id,
        minutes_taker_id: row.minutes_taker_id,
        minutes_checkers: serde_json::from_value(row.minutes_checkers.clone()).unwrap_or_default(),
        documents: serde_json::from_value(row.documents.clone()).unwrap_or_default(),
        public: row.public,
        minutes_approved_on: row.minutes_approved_on,
        minutes_approved_in_meeting_id: row.minutes_approved_in_meeting_id,
    }
}

/// Creates a meeting (planned, held or cancelled) inside the caller's write transaction.
pub async fn insert(
    txn: &DatabaseTransaction,
    actor: &Actor,
    m: Meeting,
) -> ApiResult<meeting::Model> {
    if m.status == MeetingStatus::MinutesApproved {
        return Err(ApiError::field(
            "status",
            "create the meeting as planned or held; approve its minutes once it is recorded",
        ));
    }
    let id = Uuid::now_v7();
    check_meeting_refs(txn, id, &m).await?;
    let at = now();
    let model = meeting::ActiveModel {
        id: Set(id),
        archived: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        ..meeting_fields(&m)
    }
    .insert(txn)
    .await?;
    record_creation::<meeting::Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// Changes a meeting: its status moves only forward (409 otherwise), and a meeting whose
/// minutes are approved is locked (409, problem type `locked`).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    if_match: &Precondition,
    change: impl FnOnce(&meeting::Model) -> ApiResult<Meeting>,
) -> ApiResult<meeting::Model> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id, true).await?;
    if_match.check(current.version)?;
    locked(&current)?;
    let m = change(&current)?;
    current.status.check_move(m.status)?;
    let held_on = m
        .starts_at
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive();
    if m.minutes_approved_on.is_some_and(|on| on < held_on) {
        return Err(ApiError::field(
            "minutes_approved_on",
            "must not be before the meeting",
        ));
    }
    check_meeting_refs(&txn, id, &m).await?;
    if as_meeting(&current) == m {
        // Nothing changed: no new version, so calendars are not told of a change.
        txn.rollback().await?;
        return Ok(current);
    }
    let next = meeting::ActiveModel {
        id: Set(id),
        ..meeting_fields(&m)
    };
    let model = write_next(&txn, actor, &current, next, Action::Update, if_match).await?;
    if model.public != current.public {
        super::search::set_public_for_parent(&txn, id, model.public).await?;
    }
    txn.commit().await?;
    Ok(model)
}

/// Deletes (archives) a planned meeting; any other is a 409.
pub async fn archive(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    if_match: &Precondition,
) -> ApiResult<()> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id, true).await?;
    if_match.check(current.version)?;
    locked(&current)?;
    if current.archived {
        txn.rollback().await?;
        return Ok(());
    }
    if current.status != MeetingStatus::Planned {
        return Err(ApiError::Conflict(format!(
            "only a planned meeting can be deleted; this one is {}",
            current.status.as_str()
        )));
    }
    let next = meeting::ActiveModel {
        id: Set(id),
        archived: Set(true),
        ..Default::default()
    };
    write_next(&txn, actor, &current, next, Action::Archive, if_match).await?;
    super::search::remove_children(&txn, ITEM_ENTITY_TYPE, id).await?;
    txn.commit().await?;
    Ok(())
}

// --- Agenda items -----------------------------------------------------------------------------

/// The agenda of a meeting in order (public items only unless `sees_all`; archived items only in
/// a change pull).
pub async fn agenda<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    sees_all: bool,
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
) -> ApiResult<Vec<agenda_item::Model>> {
    use agenda_item::Column as C;
    let mut select = agenda_item::Entity::find().filter(C::MeetingId.eq(meeting_id));
    match updated_since {
        Some(since) => select = select.filter(C::UpdatedAt.gte(since)),
        None => select = select.filter(C::Archived.eq(false)),
    }
    if !sees_all {
        select = select.filter(C::Public.eq(true));
    }
    Ok(select
        .order_by_asc(C::Position)
        .order_by_asc(C::Id)
        .all(db)
        .await?)
}

/// One agenda item of a meeting (404 when it belongs to another meeting, or is not public and
/// the caller may not see it).
pub async fn get_item<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    item_id: Uuid,
    sees_all: bool,
) -> ApiResult<agenda_item::Model> {
    match agenda_item::Entity::find_by_id(item_id).one(db).await? {
        Some(item) if item.meeting_id == meeting_id && (sees_all || item.public) => Ok(item),
        _ => Err(ApiError::NotFound),
    }
}

async fn check_item(
    txn: &DatabaseTransaction,
    meeting_id: Uuid,
    item_id: Option<Uuid>,
    item: &UncheckedAgendaItem,
) -> ApiResult<()> {
    let mut errors = FieldErrors::default();
    let known = existing_members(
        txn,
        item.presenter_ids
            .iter()
            .chain(&item.guest_ids)
            .copied()
            .collect(),
    )
    .await?;
    for (field, ids) in [
        ("presenter_ids", &item.presenter_ids),
        ("guest_ids", &item.guest_ids),
    ] {
        for (i, id) in ids.iter().enumerate() {
            if !known.contains(id) {
                errors.add(&format!("{field}[{i}]"), "no member has this id");
            }
        }
    }
    errors.finish()?;
    let same_number = agenda_item::Entity::find()
        .filter(agenda_item::Column::MeetingId.eq(meeting_id))
        .filter(agenda_item::Column::Archived.eq(false))
        .filter(agenda_item::Column::Number.eq(item.number.as_str()))
        .all(txn)
        .await?;
    if let Some(other) = same_number.iter().find(|o| Some(o.id) != item_id) {
        return Err(ApiError::Conflict(format!(
            "item number {} is already used by agenda item {}",
            item.number, other.id
        )));
    }
    Ok(())
}

fn item_fields(item: &UncheckedAgendaItem) -> agenda_item::ActiveModel {
    agenda_item::ActiveModel {
        number: Set(item.number.clone()),
        title: Set(item.title.clone()),
        presenter_ids: Set(json!(item.presenter_ids)),
        guest_ids: Set(json!(item.guest_ids)),
        minutes: Set(item.minutes.clone()),
        public: Set(item.public),
        ..Default::default()
    }
}

/// Moves the meeting's other items so that `moving` lands at `target` (1-based) and positions
/// stay 1..n; `moving` is `None` for a new item.
async fn make_room(
    txn: &DatabaseTransaction,
    actor: &Actor,
    meeting_id: Uuid,
    moving: Option<Uuid>,
    target: i32,
) -> ApiResult<i32> {
    let others: Vec<agenda_item::Model> = agenda_item::Entity::find()
        .filter(agenda_item::Column::MeetingId.eq(meeting_id))
        .filter(agenda_item::Column::Archived.eq(false))
        .order_by_asc(agenda_item::Column::Position)
        .order_by_asc(agenda_item::Column::Id)
        .all(txn)
        .await?
        .into_iter()
        .filter(|o| Some(o.id) != moving)
        .collect();
    let target = target.clamp(1, others.len() as i32 + 1);
    let mut position = 1;
    for other in others {
        if position == target {
            position += 1;
        }
        if other.position != position {
            let next = agenda_item::ActiveModel {
                id: Set(other.id),
                position: Set(position),
                ..Default::default()
            };
            write_next(
                txn,
                actor,
                &other,
                next,
                Action::Update,
                &Precondition::None,
            )
            .await?;
        }
        position += 1;
    }
    Ok(target)
}

/// Adds an agenda item; 409 when the meeting is locked or the number is taken.
pub async fn insert_item(
    db: &DatabaseConnection,
    actor: &Actor,
    meeting_id: Uuid,
    item: UncheckedAgendaItem,
) -> ApiResult<agenda_item::Model> {
    let txn = begin_write(db).await?;
    lock_row(&txn, "meetings", meeting_id).await?;
    let meeting = get(&txn, meeting_id, true).await?;
    locked(&meeting)?;
    check_item(&txn, meeting_id, None, &item).await?;
    let count = agenda(&txn, meeting_id, true, None).await?.len();
    if count >= MAX_AGENDA_ITEMS {
        return Err(ApiError::field(
            "number",
            format!("a meeting has at most {MAX_AGENDA_ITEMS} agenda items"),
        ));
    }
    let position = make_room(
        &txn,
        actor,
        meeting_id,
        None,
        item.position.unwrap_or(i32::MAX),
    )
    .await?;
    let at = now();
    let model = agenda_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        meeting_id: Set(meeting_id),
        position: Set(position),
        archived: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        ..item_fields(&item)
    }
    .insert(&txn)
    .await?;
    record_creation::<agenda_item::Entity, _>(&txn, actor, &model).await?;
    super::search::index_agenda_item(&txn, &model, meeting.public).await?;
    txn.commit().await?;
    Ok(model)
}

/// Changes an agenda item (a new `position` reorders the agenda, keeping it dense).
pub async fn update_item(
    db: &DatabaseConnection,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    if_match: &Precondition,
    change: impl FnOnce(&agenda_item::Model) -> ApiResult<UncheckedAgendaItem>,
) -> ApiResult<agenda_item::Model> {
    let txn = begin_write(db).await?;
    lock_row(&txn, "meetings", meeting_id).await?;
    let meeting = get(&txn, meeting_id, true).await?;
    let current = get_item(&txn, meeting_id, item_id, true).await?;
    if_match.check(current.version)?;
    locked(&meeting)?;
    let item = change(&current)?;
    check_item(&txn, meeting_id, Some(item_id), &item).await?;
    let mut next = agenda_item::ActiveModel {
        id: Set(item_id),
        ..item_fields(&item)
    };
    if let Some(target) = item.position.filter(|p| *p != current.position) {
        let position = make_room(&txn, actor, meeting_id, Some(item_id), target).await?;
        next.position = Set(position);
    }
    let model = write_next(&txn, actor, &current, next, Action::Update, if_match).await?;
    super::search::index_agenda_item(&txn, &model, meeting.public).await?;
    txn.commit().await?;
    Ok(model)
}

/// Removes (archives) an agenda item and closes the gap in the positions.
pub async fn archive_item(
    db: &DatabaseConnection,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    if_match: &Precondition,
) -> ApiResult<()> {
    let txn = begin_write(db).await?;
    lock_row(&txn, "meetings", meeting_id).await?;
    let meeting = get(&txn, meeting_id, true).await?;
    let current = get_item(&txn, meeting_id, item_id, true).await?;
    if_match.check(current.version)?;
    locked(&meeting)?;
    if current.archived {
        txn.rollback().await?;
        return Ok(());
    }
    let next = agenda_item::ActiveModel {
        id: Set(item_id),
        archived: Set(true),
        ..Default::default()
    };
    write_next(&txn, actor, &current, next, Action::Archive, if_match).await?;
    super::search::remove(&txn, ITEM_ENTITY_TYPE, item_id).await?;
    make_room(&txn, actor, meeting_id, Some(item_id), i32::MAX).await?;
    txn.commit().await?;
    Ok(())
}

// --- Attendance -------------------------------------------------------------------------------

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
async fn seated<C: ConnectionTrait>(
    db: &C,
    meeting: &meeting::Model,
) -> ApiResult<HashMap<Uuid, membership::Model>> {
    let seats = super::memberships::running_on(db, meeting.group_id, meeting_date(meeting)).await?;
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
    let current = get(&txn, meeting_id, true).await?;
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
            agenda_item_ids: Set(json!(entry.agenda_item_ids)),
            note: Set(entry.note),
        }
        .insert(&txn)
        .await?;
        rows.push(row);
    }
    let next = meeting::ActiveModel {
        id: Set(meeting_id),
        updated_at: Set(now()),
        version: Set(current.version + 1),
        ..Default::default()
    };
    let model = write_if_version(
        &txn,
        next,
        meeting::Column::Version,
        current.version,
        if_match,
    )
    .await?;
    let change = Change {
        entity_type: ATTENDANCE_ENTITY_TYPE,
        entity_id: meeting_id,
        action: Action::Update,
        version: model.version,
        before: Some(attendance_json(&before)),
        after: Some(attendance_json(&rows)),
    };
    record(&txn, actor, change).await?;
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
    let items: HashSet<Uuid> = agenda(txn, meeting.id, true, None)
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

/// Counts of a meeting's attendance, and the represented organisations with nobody there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Members present in the room.
    pub present: usize,
    /// Members present remotely.
    pub remote: usize,
    /// Members absent.
    pub absent: usize,
    /// Members absent with notice.
    pub excused: usize,
    /// Standing in for a member.
    pub substitutes: usize,
    /// Guests.
    pub guests: usize,
    /// Organisations represented in the group on the date with nobody taking part.
    pub unrepresented: Vec<(Uuid, String)>,
}

/// The summary of `rows` for `meeting`.
pub async fn summary<C: ConnectionTrait>(
    db: &C,
    meeting: &meeting::Model,
    rows: &[attendance::Model],
) -> ApiResult<Summary> {
    use crate::domain::meeting::AttendanceStatus as S;
    // Members only: guests are counted on their own.
    let count = |status: S| {
        rows.iter()
            .filter(|r| !r.guest && r.status == status)
            .count()
    };
    let seats = seated(db, meeting).await?;
    let there: HashSet<Uuid> = rows
        .iter()
        .filter(|r| r.status.took_part())
        .filter_map(|r| r.represents_id)
        .collect();
    let missing: Vec<Uuid> = seats
        .values()
        .filter_map(|s| s.represents_id)
        .filter(|org| !there.contains(org))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut unrepresented: Vec<(Uuid, String)> = if missing.is_empty() {
        Vec::new()
    } else {
        organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(missing))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect()
    };
    unrepresented.sort_by_cached_key(|(_, name)| crate::domain::text::swedish_sort_key(name));
    Ok(Summary {
        present: count(S::Present),
        remote: count(S::Remote),
        absent: count(S::Absent),
        excused: count(S::Excused),
        substitutes: rows
            .iter()
            .filter(|r| r.substitute_for_member_id.is_some())
            .count(),
        guests: rows.iter().filter(|r| r.guest).count(),
        unrepresented,
    })
}

/// Attendance rows of a member (or where they were stood in for), and agenda items they
/// presented, for their export.
pub async fn involvement_of<C: ConnectionTrait>(
    db: &C,
    member_id: Uuid,
) -> ApiResult<(Vec<attendance::Model>, Vec<agenda_item::Model>)> {
    let attended = attendance::Entity::find()
        .filter(
            Condition::any()
                .add(attendance::Column::MemberId.eq(member_id))
                .add(attendance::Column::SubstituteForMemberId.eq(member_id)),
        )
        .all(db)
        .await?;
    let needle = json!(member_id);
    let presented = agenda_item::Entity::find()
        .filter(
            Condition::any()
                .add(super::json_holds(
                    agenda_item::Column::PresenterIds,
                    member_id,
                ))
                .add(super::json_holds(agenda_item::Column::GuestIds, member_id)),
        )
        .all(db)
        .await?
        .into_iter()
        .filter(|item| {
            item.presenter_ids
                .as_array()
                .is_some_and(|ids| ids.contains(&needle))
                || item
                    .guest_ids
                    .as_array()
                    .is_some_and(|ids| ids.contains(&needle))
        })
        .collect();
    Ok((attended, presented))
}
