//! Attachments: the rows that say what a file is and what it is attached to. A file inherits
//! who may see it from its record ([`visibility`]) and is fixed with it: once a meeting's
//! minutes are approved (for the meeting, its items and its decisions) or a plan revision is
//! settled, its files are neither added nor removed. Archiving the record keeps its files.

use std::collections::HashMap;

use regex::Regex;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::{
    domain::{EntityType, action_plan::RevisionStatus, attachment::OwnerType, events::RecordRef},
    entities::{
        action_plan, action_plan_revision, agenda_item,
        attachment::{ActiveModel, Column, Entity, Model},
        decision, meeting,
    },
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::{
        Action, Actor, Archivable, Precondition, now, record_creation, visibility, write_next,
    },
};

crate::store::write::versioned!(EntityType::Attachment);

impl Archivable for Entity {
    const ARCHIVED: Column = Column::Archived;

    fn is_archived(model: &Model) -> bool {
        model.archived
    }
}

/// The record a file is attached to, as far as its files are concerned.
#[derive(Debug, Clone)]
pub struct Owner {
    /// Whether callers who see public records only may see it (and so its files).
    pub public: bool,
    /// Why its files are fixed, when they are.
    pub locked: Option<&'static str>,
    /// The group whose record it is.
    pub group_id: Uuid,
    /// The record, and every record above it (the record first).
    pub path: Vec<RecordRef>,
}

fn reference(entity_type: EntityType, id: Uuid) -> RecordRef {
    RecordRef { entity_type, id }
}

const MINUTES_APPROVED: &str =
    "the minutes of the meeting are approved: its files are fixed with its record";

/// The record `owner_id` of kind `owner_type`; `None` when there is none.
pub async fn owner<C: ConnectionTrait>(
    db: &C,
    owner_type: OwnerType,
    owner_id: Uuid,
) -> ApiResult<Option<Owner>> {
    let meeting_of = async |id: Uuid| meeting::Entity::find_by_id(id).one(db).await;
    let locked = |m: &meeting::Model| m.status.is_locked().then_some(MINUTES_APPROVED);
    Ok(match owner_type {
        OwnerType::Meeting => meeting_of(owner_id).await?.map(|m| Owner {
            public: visibility::meeting(&m),
            locked: locked(&m),
            group_id: m.group_id,
            path: vec![reference(EntityType::Meeting, m.id)],
        }),
        OwnerType::AgendaItem => {
            let Some(item) = agenda_item::Entity::find_by_id(owner_id).one(db).await? else {
                return Ok(None);
            };
            meeting_of(item.meeting_id).await?.map(|m| Owner {
                public: visibility::agenda_item(&item, &m),
                locked: locked(&m),
                group_id: m.group_id,
                path: vec![
                    reference(EntityType::AgendaItem, item.id),
                    reference(EntityType::Meeting, m.id),
                ],
            })
        }
        OwnerType::Decision => {
            let Some(d) = decision::Entity::find_by_id(owner_id).one(db).await? else {
                return Ok(None);
            };
            let item = agenda_item::Entity::find_by_id(d.agenda_item_id)
                .one(db)
                .await?;
            match (item, meeting_of(d.meeting_id).await?) {
                (Some(item), Some(m)) => Some(Owner {
                    public: visibility::decision(&d, &item, &m),
                    locked: locked(&m),
                    group_id: m.group_id,
                    path: vec![
                        reference(EntityType::Decision, d.id),
                        reference(EntityType::AgendaItem, item.id),
                        reference(EntityType::Meeting, m.id),
                    ],
                }),
                _ => None,
            }
        }
        OwnerType::ActionPlanRevision => {
            let Some(rev) = action_plan_revision::Entity::find_by_id(owner_id)
                .one(db)
                .await?
            else {
                return Ok(None);
            };
            action_plan::Entity::find_by_id(rev.action_plan_id)
                .one(db)
                .await?
                .map(|plan| Owner {
                    public: visibility::revision(rev.status),
                    locked: settled(rev.status),
                    group_id: plan.group_id,
                    path: vec![
                        reference(EntityType::ActionPlanRevision, rev.id),
                        reference(EntityType::ActionPlan, plan.id),
                    ],
                })
        }
    })
}

fn settled(status: RevisionStatus) -> Option<&'static str> {
    status
        .is_settled()
        .then_some("the revision is approved: its files are fixed with it")
}

/// The record attachment `model` belongs to, if the caller may see it (`sees_all`, or it is
/// public); 404 otherwise, as for a file that does not exist.
pub async fn visible_owner<C: ConnectionTrait>(
    db: &C,
    model: &Model,
    sees_all: bool,
) -> ApiResult<Owner> {
    match owner(db, model.owner_type, model.owner_id).await? {
        Some(owner) if sees_all || visibility::attachment(owner.public) => Ok(owner),
        _ => Err(ApiError::NotFound),
    }
}

/// The attachment with `id`, when the caller may see it.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid, sees_all: bool) -> ApiResult<Model> {
    let model = Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    visible_owner(db, &model, sees_all).await?;
    Ok(model)
}

/// Filters of the attachment list.
#[derive(Debug, Clone, Default)]
pub struct AttachmentFilter {
    /// Only those attached to records of this kind.
    pub owner_type: Option<OwnerType>,
    /// Only those attached to this record.
    pub owner_id: Option<Uuid>,
    /// Only those of public records (for callers who may not see the rest).
    pub public_only: bool,
    /// Include deleted ones.
    pub include_archived: bool,
}

/// One page of attachments, oldest first (by change with `updated_since`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &AttachmentFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<Model>, Option<String>)> {
    let mut select = Entity::find();
    if let Some(kind) = filter.owner_type {
        select = select.filter(Column::OwnerType.eq(kind));
    }
    if let Some(id) = filter.owner_id {
        select = select.filter(Column::OwnerId.eq(id));
    }
    if filter.public_only {
        select = select.filter(visibility::attachments_condition());
    }
    if !filter.include_archived && !page.is_change_pull() {
        select = select.filter(Column::Archived.eq(false));
    }
    let rows = page
        .apply(select, Column::Id, Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish(rows, |row| (row.updated_at, row.id)))
}

/// The file names attached to each of `owners` (deleted files left out), oldest first: what
/// the minutes list as bilagor.
pub async fn names_by_owner<C: ConnectionTrait>(
    db: &C,
    owners: Vec<Uuid>,
) -> ApiResult<HashMap<Uuid, Vec<String>>> {
    let mut names: HashMap<Uuid, Vec<String>> = HashMap::new();
    if owners.is_empty() {
        return Ok(names);
    }
    let rows: Vec<(Uuid, String)> = Entity::find()
        .select_only()
        .column(Column::OwnerId)
        .column(Column::Filename)
        .filter(Column::OwnerId.is_in(owners))
        .filter(Column::Archived.eq(false))
        .order_by_asc(Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (owner, name) in rows {
        names.entry(owner).or_default().push(name);
    }
    Ok(names)
}

/// What an upload says about its file.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// The id the file was stored under.
    pub id: Uuid,
    /// Attached to.
    pub owner_type: OwnerType,
    /// Attached to.
    pub owner_id: Uuid,
    /// The file name.
    pub filename: String,
    /// The accepted content type.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Where the bytes are.
    pub storage_key: String,
    /// What the file is.
    pub description: Option<String>,
}

/// 404 when the record does not exist (or the caller may not see it); 409 `locked` when its
/// files are fixed.
pub async fn writable_owner<C: ConnectionTrait>(
    db: &C,
    owner_type: OwnerType,
    owner_id: Uuid,
) -> ApiResult<Owner> {
    let owner = owner(db, owner_type, owner_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    match owner.locked {
        Some(why) => Err(ApiError::Locked(why.into())),
        None => Ok(owner),
    }
}

/// Inserts the row of a received file, with its audit row and change event, after checking
/// again (in the write's transaction) that its record still takes files.
pub async fn insert(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewAttachment,
) -> ApiResult<Model> {
    writable_owner(txn, new.owner_type, new.owner_id).await?;
    let at = now();
    let model = ActiveModel {
        id: Set(new.id),
        owner_type: Set(new.owner_type),
        owner_id: Set(new.owner_id),
        filename: Set(new.filename),
        content_type: Set(new.content_type),
        size_bytes: Set(i64::try_from(new.size).unwrap_or(i64::MAX)),
        sha256: Set(new.sha256),
        storage_key: Set(new.storage_key),
        description: Set(new.description),
        version: Set(1),
        archived: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(txn)
    .await?;
    record_creation::<Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// Deletes attachment `id` (its row stays, archived, as a tombstone; the caller removes the
/// bytes); 409 `locked` when its record's files are fixed.
pub async fn archive(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
) -> ApiResult<Model> {
    crate::store::archive::<Entity, ActiveModel>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id, true).await,
        async |txn, current| {
            writable_owner(txn, current.owner_type, current.owner_id)
                .await
                .map(|_| ())
        },
    )
    .await
}

/// Erasure: replaces a person's name, e-mail or phone in file names and descriptions (the
/// stored bytes keep their key, which names no one).
pub async fn scrub(
    txn: &DatabaseTransaction,
    actor: &Actor,
    pattern: &Regex,
    pseudonym: &str,
) -> ApiResult<()> {
    for row in Entity::find().all(txn).await? {
        let filename = pattern
            .is_match(&row.filename)
            .then(|| pattern.replace_all(&row.filename, pseudonym).into_owned());
        let description = row
            .description
            .as_deref()
            .filter(|d| pattern.is_match(d))
            .map(|d| pattern.replace_all(d, pseudonym).into_owned());
        if filename.is_none() && description.is_none() {
            continue;
        }
        let mut next = ActiveModel {
            id: Set(row.id),
            ..Default::default()
        };
        if let Some(filename) = filename {
            next.filename = Set(filename);
        }
        if let Some(description) = description {
            next.description = Set(Some(description));
        }
        write_next(txn, actor, &row, next, Action::Update, &Precondition::None).await?;
    }
    Ok(())
}
