//! The meeting record: reads, creation, changes (the status lifecycle) and deletion, each with
//! its audit row; the lock once the minutes are approved.

use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::{
    domain::{
        EntityType,
        meeting::{Meeting, MeetingKind, MeetingStatus, date_in_sweden},
        organisation::OrganisationKind,
        text::FieldErrors,
    },
    entities::{
        meeting::{ActiveModel, Column, Entity, Model},
        member, organisation,
    },
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::{
        Actor, Archivable, Precondition, now, record_creation, search, visibility, write_if_version,
    },
};

/// The entity type of meetings in the audit log and the change events.
pub const ENTITY_TYPE: EntityType = EntityType::Meeting;

crate::store::write::versioned!(ENTITY_TYPE);

impl Archivable for Entity {
    const ARCHIVED: Column = Column::Archived;

    fn is_archived(model: &Model) -> bool {
        model.archived
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
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid, sees_all: bool) -> ApiResult<Model> {
    match Entity::find_by_id(id).one(db).await? {
        Some(m) if sees_all || m.public => Ok(m),
        _ => Err(ApiError::NotFound),
    }
}

/// One page of meetings, ordered by start (by change with `updated_since`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &MeetingFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<Model>, Option<String>)> {
    let mut select = Entity::find();
    if let Some(id) = filter.group_id {
        select = select.filter(Column::GroupId.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(Column::Status.eq(status));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(Column::Kind.eq(kind));
    }
    if let Some(from) = filter.from {
        select = select.filter(Column::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(Column::StartsAt.lt(to));
    }
    if filter.public_only {
        select = select.filter(Column::Public.eq(true));
    }
    if !filter.include_archived && !page.is_change_pull() {
        select = select.filter(Column::Archived.eq(false));
    }
    let rows = page
        .apply_sorted(
            select,
            Column::Id,
            Column::StartsAt,
            Column::UpdatedAt,
            false,
        )?
        .all(db)
        .await?;
    Ok(page.finish_sorted(rows, |m| (m.starts_at.into(), m.updated_at, m.id)))
}

/// Every meeting matching `filter`, ordered by start, up to `limit` (for calendar feeds).
pub async fn all<C: ConnectionTrait>(
    db: &C,
    filter: &MeetingFilter,
    limit: u64,
) -> ApiResult<Vec<Model>> {
    let mut select = Entity::find().filter(Column::Archived.eq(false));
    if let Some(id) = filter.group_id {
        select = select.filter(Column::GroupId.eq(id));
    }
    if let Some(from) = filter.from {
        select = select.filter(Column::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(Column::StartsAt.lt(to));
    }
    if filter.public_only {
        select = select.filter(Column::Public.eq(true));
    }
    Ok(select
        .order_by_asc(Column::StartsAt)
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The meeting date in Sweden, for "who is in the group on that date".
pub fn meeting_date(meeting: &Model) -> NaiveDate {
    date_in_sweden(meeting.starts_at)
}

/// Moves the meeting's version on (guarded by `If-Match`) for a write of a part it holds as a
/// whole (attendance, the whole agenda): the meeting's `ETag` changes with them.
pub(super) async fn bump_version(
    txn: &DatabaseTransaction,
    current: &Model,
    if_match: &Precondition,
) -> ApiResult<Model> {
    let next = ActiveModel {
        id: Set(current.id),
        updated_at: Set(now()),
        version: Set(current.version + 1),
        ..Default::default()
    };
    write_if_version(txn, next, Column::Version, current.version, if_match).await
}

/// 409 (problem type `locked`) once the minutes are approved.
pub(super) fn locked(meeting: &Model) -> ApiResult<()> {
    meeting.status.check_unlocked()
}

/// The referenced records exist and the group is a group (422 naming the field).
async fn check_refs<C: ConnectionTrait>(db: &C, id: Uuid, m: &Meeting) -> ApiResult<()> {
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
        match Entity::find_by_id(other).one(db).await? {
            None => errors.add("minutes_approved_in_meeting_id", "no meeting has this id"),
            Some(o) if o.id == id => errors.add(
                "minutes_approved_in_meeting_id",
                "a meeting cannot approve its own minutes",
            ),
            Some(o)
                if !matches!(
                    o.status,
                    MeetingStatus::Held | MeetingStatus::MinutesApproved
                ) =>
            {
                errors.add(
                    "minutes_approved_in_meeting_id",
                    format!(
                        "only a held meeting approves minutes; that one is {}",
                        o.status.as_str()
                    ),
                )
            }
            Some(_) => {}
        }
    }
    errors.finish()
}

/// The ids among `ids` that name a member.
pub(super) async fn existing_members<C: ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
) -> ApiResult<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let rows = member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| m.id).collect())
}

/// The stored columns of the checked fields.
fn fields(m: &Meeting) -> ActiveModel {
    ActiveModel {
        group_id: Set(m.group_id),
        title: Set(m.title.clone()),
        kind: Set(m.kind),
        record_kind: Set(m.record_kind),
        starts_at: Set(m.starts_at),
        ends_at: Set(m.ends_at),
        all_day: Set(m.all_day),
        location: Set(m.location.clone().into()),
        status: Set(m.status),
        chair_id: Set(m.chair_id),
        minutes_taker_id: Set(m.minutes_taker_id),
        minutes_checkers: Set(m.minutes_checkers.clone().into()),
        documents: Set(m.documents.clone().into()),
        public: Set(m.public),
        minutes_approved_on: Set(m.minutes_approved_on),
        minutes_approved_in_meeting_id: Set(m.minutes_approved_in_meeting_id),
        ..Default::default()
    }
}

/// Creates a meeting (planned, held or cancelled) inside the caller's write transaction.
pub async fn insert(txn: &DatabaseTransaction, actor: &Actor, m: Meeting) -> ApiResult<Model> {
    if m.status == MeetingStatus::MinutesApproved {
        return Err(ApiError::field(
            "status",
            "create the meeting as planned or held; approve its minutes once it is recorded",
        ));
    }
    let id = Uuid::now_v7();
    check_refs(txn, id, &m).await?;
    let at = now();
    let model = ActiveModel {
        id: Set(id),
        archived: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        ..fields(&m)
    }
    .insert(txn)
    .await?;
    record_creation::<Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// Changes a meeting: its status moves only forward (409 otherwise), and a meeting whose
/// minutes are approved is locked (409, problem type `locked`). A change that changes nothing
/// makes no version, so calendars are not told of a change.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
    change: impl FnOnce(&Model) -> ApiResult<Meeting>,
) -> ApiResult<Model> {
    crate::store::update::<Entity, _>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id, true).await,
        async |txn, current| {
            locked(current)?;
            let m = change(current)?;
            current.status.check_move(m.status)?;
            let held_on = date_in_sweden(m.starts_at);
            if m.minutes_approved_on.is_some_and(|on| on < held_on) {
                return Err(ApiError::field(
                    "minutes_approved_on",
                    "must not be before the meeting",
                ));
            }
            check_refs(txn, id, &m).await?;
            if m.public != current.public {
                // In the write's transaction: undone with it when nothing is written.
                visibility::follow_in_search(txn, id, m.public, None).await?;
            }
            if m.starts_at != current.starts_at {
                let pending = super::order::Pending {
                    starts_at: Some(m.starts_at),
                    ..Default::default()
                };
                super::order::follow_agenda(txn, id, pending).await?;
                let day = date_in_sweden(current.starts_at);
                crate::store::decisions::follow_meeting_day(txn, actor, id, day, held_on).await?;
            }
            Ok(ActiveModel {
                id: Set(id),
                ..fields(&m)
            })
        },
    )
    .await
}

/// Deletes (archives) a planned meeting and takes its agenda out of the search index; any
/// other status is a 409.
pub async fn archive(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
) -> ApiResult<()> {
    crate::store::archive::<Entity, ActiveModel>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id, true).await,
        async |txn, current| {
            locked(current)?;
            if current.status != MeetingStatus::Planned {
                return Err(ApiError::Conflict(format!(
                    "only a planned meeting can be deleted; this one is {}",
                    current.status
                )));
            }
            search::remove_children(txn, EntityType::AgendaItem, id).await?;
            Ok(())
        },
    )
    .await?;
    Ok(())
}
