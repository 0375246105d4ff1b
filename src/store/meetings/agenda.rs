//! A meeting's agenda items: reads, and writes that keep positions dense (1..n), numbers unique
//! and the search index in step, in the write's transaction.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    order::{Pending, follow_agenda},
    record::{self, existing_members, locked},
};
use crate::{
    domain::{
        EntityType,
        meeting::{AgendaItem, MAX_AGENDA_ITEMS},
        text::FieldErrors,
    },
    entities::agenda_item::{ActiveModel, Column, Entity, Model},
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::{
        Action, Actor, Archivable, Precondition, lock_row, now, record_creation, search,
        visibility, write_next,
    },
};

/// The entity type of agenda items.
pub const ITEM_ENTITY_TYPE: EntityType = EntityType::AgendaItem;

crate::store::write::versioned!(ITEM_ENTITY_TYPE, audit = audit_copy);

/// The minutes text may name people: the audit log holds its SHA-256 only.
fn audit_copy(model: &Model) -> Option<Value> {
    Some(json!({
        "id": model.id,
        "meeting_id": model.meeting_id,
        "number": model.number,
        "position": model.position,
        "title": model.title,
        "presenter_ids": model.presenter_ids,
        "guest_ids": model.guest_ids,
        "conflicts": model.conflicts,
        "deferred": model.deferred,
        "deferred_to_meeting_id": model.deferred_to_meeting_id,
        "deferred_to_item_id": model.deferred_to_item_id,
        "deferred_from_meeting_id": model.deferred_from_meeting_id,
        "deferred_from_item_id": model.deferred_from_item_id,
        "minutes_sha256": model.minutes.as_deref().map(|m| format!("{:x}", Sha256::digest(m))),
        "public": model.public,
        "archived": model.archived,
        "version": model.version,
        "updated_at": model.updated_at,
    }))
}

impl Archivable for Entity {
    const ARCHIVED: Column = Column::Archived;

    fn is_archived(model: &Model) -> bool {
        model.archived
    }
}

/// The agenda of a meeting in order (public items only unless `sees_all`), archived items
/// left out: for documents and checks, which need it whole (at most 200 items).
pub async fn agenda_of<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    sees_all: bool,
) -> ApiResult<Vec<Model>> {
    let mut select = Entity::find()
        .filter(Column::MeetingId.eq(meeting_id))
        .filter(Column::Archived.eq(false));
    if !sees_all {
        select = select.filter(visibility::agenda_items_condition());
    }
    Ok(select
        .order_by_asc(Column::Position)
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}

/// One page of a meeting's agenda (public items only unless `sees_all`): in agenda order, or
/// by change with `updated_since`, removed items then included as tombstones.
pub async fn list_items<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    sees_all: bool,
    page: &PageRequest,
) -> ApiResult<(Vec<Model>, Option<String>)> {
    let mut select = Entity::find().filter(Column::MeetingId.eq(meeting_id));
    if !sees_all {
        select = select.filter(visibility::agenda_items_condition());
    }
    if page.is_change_pull() {
        let rows = page
            .apply(select, Column::Id, Column::UpdatedAt)
            .all(db)
            .await?;
        return Ok(page.finish(rows, |item| (item.updated_at, item.id)));
    }
    // Live items have distinct positions 1..n, so the position is the page key.
    let select = select.filter(Column::Archived.eq(false));
    let rows = page
        .apply_seq(select, Column::Position, Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish_seq(rows, |item| i64::from(item.position)))
}

/// One agenda item of a meeting (404 when it belongs to another meeting, or is not public and
/// the caller may not see it).
pub async fn get_item<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    item_id: Uuid,
    sees_all: bool,
) -> ApiResult<Model> {
    match Entity::find_by_id(item_id).one(db).await? {
        Some(item) if item.meeting_id == meeting_id && (sees_all || item.public) => Ok(item),
        _ => Err(ApiError::NotFound),
    }
}

/// The presenters and guests are members (422) and the number is free in the meeting (409).
async fn check_item(
    txn: &DatabaseTransaction,
    meeting_id: Uuid,
    item_id: Option<Uuid>,
    item: &AgendaItem,
) -> ApiResult<()> {
    let mut errors = FieldErrors::default();
    let known = existing_members(
        txn,
        item.presenter_ids
            .iter()
            .chain(&item.guest_ids)
            .chain(item.conflicts.iter().map(|c| &c.member_id))
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
    for (i, c) in item.conflicts.iter().enumerate() {
        if !known.contains(&c.member_id) {
            errors.add(
                &format!("conflicts[{i}].member_id"),
                "no member has this id",
            );
        }
    }
    errors.finish()?;
    let same_number = Entity::find()
        .filter(Column::MeetingId.eq(meeting_id))
        .filter(Column::Archived.eq(false))
        .filter(Column::Number.eq(item.number.as_str()))
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

/// The stored columns of the checked fields (the position is placed by [`make_room`]).
pub(super) fn fields(item: &AgendaItem) -> ActiveModel {
    ActiveModel {
        number: Set(item.number.clone()),
        title: Set(item.title.clone()),
        presenter_ids: Set(item.presenter_ids.clone().into()),
        guest_ids: Set(item.guest_ids.clone().into()),
        conflicts: Set(item.conflicts.clone().into()),
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
    let others: Vec<Model> = Entity::find()
        .filter(Column::MeetingId.eq(meeting_id))
        .filter(Column::Archived.eq(false))
        .order_by_asc(Column::Position)
        .order_by_asc(Column::Id)
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
            let next = ActiveModel {
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

/// Indexes an item's checked fields for search under its meeting.
pub(super) async fn index(
    txn: &DatabaseTransaction,
    meeting_id: Uuid,
    meeting_public: bool,
    item_id: Uuid,
    item: &AgendaItem,
) -> ApiResult<()> {
    let meeting = search::Parent {
        id: meeting_id,
        public: meeting_public,
    };
    search::index(
        txn,
        ITEM_ENTITY_TYPE,
        item_id,
        Some(meeting),
        item.public,
        &item.title,
        item.minutes.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(())
}

/// Adds an agenda item inside the caller's write transaction; 404 without the meeting, 409
/// when the meeting is locked or the number is taken.
pub async fn insert_item(
    txn: &DatabaseTransaction,
    actor: &Actor,
    meeting_id: Uuid,
    item: AgendaItem,
) -> ApiResult<Model> {
    lock_row(txn, "meetings", meeting_id).await?;
    let meeting = record::get(txn, meeting_id, true).await?;
    locked(&meeting)?;
    check_item(txn, meeting_id, None, &item).await?;
    let count = agenda_of(txn, meeting_id, true).await?.len();
    if count >= MAX_AGENDA_ITEMS {
        return Err(ApiError::field(
            "number",
            format!("a meeting has at most {MAX_AGENDA_ITEMS} agenda items"),
        ));
    }
    let position = make_room(
        txn,
        actor,
        meeting_id,
        None,
        item.position.unwrap_or(i32::MAX),
    )
    .await?;
    let at = now();
    let id = Uuid::now_v7();
    let model = ActiveModel {
        id: Set(id),
        meeting_id: Set(meeting_id),
        position: Set(position),
        archived: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        ..fields(&item)
    }
    .insert(txn)
    .await?;
    record_creation::<Entity, _>(txn, actor, &model).await?;
    index(txn, meeting_id, meeting.public, id, &item).await?;
    follow_agenda(txn, meeting_id, Pending::default()).await?;
    Ok(model)
}

/// Changes an agenda item (a new `position` reorders the agenda, keeping it dense).
pub async fn update_item(
    db: &DatabaseConnection,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    precondition: &Precondition,
    change: impl FnOnce(&Model) -> ApiResult<AgendaItem>,
) -> ApiResult<Model> {
    crate::store::update::<Entity, _>(
        db,
        actor,
        precondition,
        async |txn| {
            lock_row(txn, "meetings", meeting_id).await?;
            record::get(txn, meeting_id, true).await?;
            get_item(txn, meeting_id, item_id, true).await
        },
        async |txn, current| {
            let meeting = record::get(txn, meeting_id, true).await?;
            locked(&meeting)?;
            let item = change(current)?;
            check_item(txn, meeting_id, Some(item_id), &item).await?;
            let mut next = ActiveModel {
                id: Set(item_id),
                ..fields(&item)
            };
            if let Some(target) = item.position.filter(|p| *p != current.position) {
                let position = make_room(txn, actor, meeting_id, Some(item_id), target).await?;
                next.position = Set(position);
                let moved = Some((item_id, position));
                follow_agenda(
                    txn,
                    meeting_id,
                    Pending {
                        moved,
                        ..Pending::default()
                    },
                )
                .await?;
            }
            // In the write's transaction: undone with it when nothing is written.
            index(txn, meeting_id, meeting.public, item_id, &item).await?;
            if item.public != current.public {
                visibility::follow_in_search(
                    txn,
                    meeting_id,
                    meeting.public,
                    Some((item_id, item.public)),
                )
                .await?;
            }
            Ok(next)
        },
    )
    .await
}

/// Removes (archives) an agenda item, takes it out of the search index and closes the gap in
/// the positions.
pub async fn archive_item(
    db: &DatabaseConnection,
    actor: &Actor,
    meeting_id: Uuid,
    item_id: Uuid,
    precondition: &Precondition,
) -> ApiResult<()> {
    crate::store::archive::<Entity, ActiveModel>(
        db,
        actor,
        precondition,
        async |txn| {
            lock_row(txn, "meetings", meeting_id).await?;
            record::get(txn, meeting_id, true).await?;
            get_item(txn, meeting_id, item_id, true).await
        },
        async |txn, _| {
            locked(&record::get(txn, meeting_id, true).await?)?;
            search::remove(txn, ITEM_ENTITY_TYPE, item_id).await?;
            make_room(txn, actor, meeting_id, Some(item_id), i32::MAX).await?;
            follow_agenda(txn, meeting_id, Pending::default()).await?;
            Ok(())
        },
    )
    .await?;
    Ok(())
}
