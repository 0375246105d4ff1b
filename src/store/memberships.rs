//! Memberships: reads, writes with their audit rows, and a group's roster on a date.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Set, sea_query::Condition,
};
use serde_json::Value;
use uuid::Uuid;

use super::{Action, Actor, Archivable, Precondition, lock_row, now, record_creation, write_next};
use crate::{
    domain::{
        membership::{Membership, MembershipRole},
        organisation::OrganisationKind,
    },
    entities::{
        member,
        membership::{ActiveModel, Column, Entity, Model},
        organisation,
    },
    error::{ApiError, ApiResult},
    pagination::PageRequest,
};

/// The entity type in the audit log and the change events.
pub const ENTITY_TYPE: crate::domain::EntityType = crate::domain::EntityType::Membership;

/// Filters of the membership list.
#[derive(Debug, Clone, Default)]
pub struct MembershipFilter {
    /// Only this member's.
    pub member_id: Option<Uuid>,
    /// Only in this group.
    pub group_id: Option<Uuid>,
    /// Only for this represented organisation.
    pub represents_id: Option<Uuid>,
    /// Only in this role.
    pub role: Option<MembershipRole>,
    /// Only those running on this date.
    pub active_on: Option<NaiveDate>,
    /// Include archived memberships.
    pub include_archived: bool,
}

/// The membership with `id`.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> ApiResult<Model> {
    Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The condition "the period includes `on`".
fn active_on(on: NaiveDate) -> Condition {
    Condition::all().add(Column::StartDate.lte(on)).add(
        Condition::any()
            .add(Column::EndDate.is_null())
            .add(Column::EndDate.gte(on)),
    )
}

/// One page of memberships.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &MembershipFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<Model>, Option<String>)> {
    let mut select = Entity::find();
    if let Some(id) = filter.member_id {
        select = select.filter(Column::MemberId.eq(id));
    }
    if let Some(id) = filter.group_id {
        select = select.filter(Column::GroupId.eq(id));
    }
    if let Some(id) = filter.represents_id {
        select = select.filter(Column::RepresentsId.eq(id));
    }
    if let Some(role) = filter.role {
        select = select.filter(Column::Role.eq(role));
    }
    if let Some(on) = filter.active_on {
        select = select.filter(active_on(on));
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

/// The memberships of `group_id` running on `on`, unordered.
pub async fn running_on<C: ConnectionTrait>(
    db: &C,
    group_id: Uuid,
    on: NaiveDate,
) -> ApiResult<Vec<Model>> {
    Ok(Entity::find()
        .filter(Column::GroupId.eq(group_id))
        .filter(Column::Archived.eq(false))
        .filter(active_on(on))
        .all(db)
        .await?)
}

impl Archivable for Entity {
    const ARCHIVED: Column = Column::Archived;

    fn is_archived(model: &Model) -> bool {
        model.archived
    }
}

crate::store::write::versioned!(ENTITY_TYPE, audit = audit_copy);

/// The note is left out, since free text may name people.
fn audit_copy(model: &Model) -> Option<Value> {
    let mut value = serde_json::to_value(model).ok()?;
    if let Some(object) = value.as_object_mut() {
        object.insert("has_note".into(), Value::Bool(model.note.is_some()));
    }
    Some(value)
}

fn fields(m: &Membership) -> ActiveModel {
    ActiveModel {
        member_id: Set(m.member_id),
        group_id: Set(m.group_id),
        role: Set(m.role),
        represents_id: Set(m.represents_id),
        start_date: Set(m.start_date),
        end_date: Set(m.end_date),
        substitute_for_member_id: Set(m.substitute_for_member_id),
        voting_right: Set(m.voting_right),
        note: Set(m.note.clone()),
        elected_by_decision_id: Set(m.elected_by_decision_id),
        ..Default::default()
    }
}

/// The referenced records exist (422 naming the field); the group is a group; a chair or
/// vice-chair does not overlap another holder of the role (409 naming that membership).
async fn check_relations(
    txn: &DatabaseTransaction,
    id: Uuid,
    m: &Membership,
    electing: Option<Uuid>,
) -> ApiResult<()> {
    let mut errors = crate::domain::text::FieldErrors::default();
    if member::Entity::find_by_id(m.member_id)
        .one(txn)
        .await?
        .is_none()
    {
        errors.add("member_id", "no member has this id");
    }
    match organisation::Entity::find_by_id(m.group_id)
        .one(txn)
        .await?
    {
        None => errors.add("group_id", "no organisation has this id"),
        Some(group) if group.kind != OrganisationKind::Group => {
            errors.add("group_id", "is not an organisation of kind group")
        }
        Some(_) => {}
    }
    if let Some(represents) = m.represents_id
        && organisation::Entity::find_by_id(represents)
            .one(txn)
            .await?
            .is_none()
    {
        errors.add("represents_id", "no organisation has this id");
    }
    if let Some(absent) = m.substitute_for_member_id
        && member::Entity::find_by_id(absent).one(txn).await?.is_none()
    {
        errors.add("substitute_for_member_id", "no member has this id");
    }
    // An election decision inserts its memberships before itself, in the same transaction.
    if let Some(decision) = m.elected_by_decision_id
        && electing.is_none_or(|e| e != decision)
        && crate::entities::decision::Entity::find_by_id(decision)
            .one(txn)
            .await?
            .is_none()
    {
        errors.add("elected_by_decision_id", "no decision has this id");
    }
    errors.finish()?;

    if m.role.is_unique_per_group() {
        lock_row(txn, "organisations", m.group_id).await?;
        let holders = Entity::find()
            .filter(Column::GroupId.eq(m.group_id))
            .filter(Column::Role.eq(m.role))
            .filter(Column::Archived.eq(false))
            .filter(Column::Id.ne(id))
            .all(txn)
            .await?;
        if let Some(other) = holders
            .iter()
            .find(|h| m.overlaps(h.start_date, h.end_date))
        {
            return Err(ApiError::Conflict(format!(
                "membership {} already holds the role {} in this group from {}{}",
                other.id,
                m.role,
                other.start_date,
                other
                    .end_date
                    .map(|d| format!(" to {d}"))
                    .unwrap_or_default(),
            )));
        }
    }
    Ok(())
}

/// Creates a membership inside the caller's write transaction.
pub async fn insert(txn: &DatabaseTransaction, actor: &Actor, m: Membership) -> ApiResult<Model> {
    insert_checked(txn, actor, m, None).await
}

/// Creates a seat that the election decision `electing`, being inserted in the same
/// transaction, fills.
pub async fn insert_elected(
    txn: &DatabaseTransaction,
    actor: &Actor,
    m: Membership,
    electing: Uuid,
) -> ApiResult<Model> {
    insert_checked(txn, actor, m, Some(electing)).await
}

async fn insert_checked(
    txn: &DatabaseTransaction,
    actor: &Actor,
    m: Membership,
    electing: Option<Uuid>,
) -> ApiResult<Model> {
    let id = Uuid::now_v7();
    check_relations(txn, id, &m, electing).await?;
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

/// Changes a membership: `change` turns the current record into the new checked fields.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
    change: impl FnOnce(&Model) -> ApiResult<Membership>,
) -> ApiResult<Model> {
    super::update::<Entity, _>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id).await,
        async |txn, current| {
            let m = change(current)?;
            check_relations(txn, id, &m, None).await?;
            Ok(ActiveModel {
                id: Set(id),
                ..fields(&m)
            })
        },
    )
    .await
}

/// Archives a membership entered by mistake (an ended one is ended with `end_date` instead).
/// It stays readable and shows as a tombstone to `updated_since`.
pub async fn archive(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
) -> ApiResult<()> {
    super::archive::<Entity, ActiveModel>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id).await,
        async |_, _| Ok(()),
    )
    .await?;
    Ok(())
}

/// Replaces a membership's note inside the caller's transaction (used by erasure).
pub async fn rewrite_note(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: Model,
    note: Option<String>,
) -> ApiResult<Model> {
    let next = ActiveModel {
        id: Set(current.id),
        note: Set(note),
        ..Default::default()
    };
    write_next(
        txn,
        actor,
        &current,
        next,
        Action::Update,
        &Precondition::None,
    )
    .await
}
