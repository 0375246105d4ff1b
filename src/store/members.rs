//! Members: reads, writes with their audit rows, and what an export gathers. Erasure, which
//! reaches into every table that may hold a person's data, is in [`erasure`].
//!
//! The audit log never holds a member's name, title or contact data: a member's audit entry
//! has its id and non-personal fields only, so that erasure leaves no trace behind.

mod erasure;
mod scrub;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, sea_query::Condition,
};
use serde_json::{Value, json};
use uuid::Uuid;

pub use erasure::erase;

use super::{Actor, Archivable, Precondition, contains_pattern, now, record_creation};
use crate::{
    domain::member::Member,
    entities::{
        meeting,
        member::{ActiveModel, Column, Entity, Model},
        membership, organisation,
    },
    error::{ApiError, ApiResult},
    pagination::PageRequest,
};

/// The entity type in the audit log and the change events.
pub const ENTITY_TYPE: crate::domain::EntityType = crate::domain::EntityType::Member;

/// Filters of the member list.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// Only employees of this organisation.
    pub organisation_id: Option<Uuid>,
    /// Name contains this text, case-insensitively.
    pub q: Option<String>,
    /// Include archived members.
    pub include_archived: bool,
}

/// The member with `id`, archived or erased ones too.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> ApiResult<Model> {
    Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The member whose login subject is `sub`.
pub async fn find_by_subject<C: ConnectionTrait>(db: &C, sub: &str) -> ApiResult<Option<Model>> {
    Ok(Entity::find()
        .filter(Column::Subject.eq(sub))
        .one(db)
        .await?)
}

/// One page of members.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &MemberFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<Model>, Option<String>)> {
    let mut select = Entity::find();
    if let Some(organisation_id) = filter.organisation_id {
        select = select.filter(Column::OrganisationId.eq(organisation_id));
    }
    if let Some(q) = &filter.q {
        select = select.filter(Column::NameFolded.like(contains_pattern(q)));
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

/// The members with these ids, in no particular order.
pub async fn get_many<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> ApiResult<Vec<Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find().filter(Column::Id.is_in(ids)).all(db).await?)
}

crate::store::write::versioned!(ENTITY_TYPE, audit = audit_copy);

/// No name, title, contact data or login: only ids and non-personal facts.
fn audit_copy(model: &Model) -> Option<Value> {
    Some(json!({
        "id": model.id,
        "organisation_id": model.organisation_id,
        "has_email": model.email.is_some(),
        "has_phone": model.phone.is_some(),
        "has_subject": model.subject.is_some(),
        // Which login the member is linked to, as a digest: a change is visible in the log.
        "subject_sha256": model.subject.as_ref().map(|s| format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(s))),
        "erased": model.erased_at.is_some(),
        "archived": model.archived,
        "version": model.version,
        "created_at": model.created_at,
        "updated_at": model.updated_at,
    }))
}

impl Archivable for Entity {
    const ARCHIVED: Column = Column::Archived;

    fn is_archived(model: &Model) -> bool {
        model.archived
    }
}

/// The stored columns of the checked fields.
fn fields(member: &Member) -> ActiveModel {
    ActiveModel {
        name: Set(member.name.as_str().to_owned()),
        name_folded: Set(member.name.folded()),
        title: Set(member.title.clone()),
        organisation_id: Set(member.organisation_id),
        email: Set(member.email.as_ref().map(|e| e.as_str().to_owned())),
        phone: Set(member.phone.as_ref().map(|p| p.as_str().to_owned())),
        subject: Set(member.subject.clone()),
        ..Default::default()
    }
}

/// The employer exists; the login subject is nobody else's.
async fn check_relations<C: ConnectionTrait>(db: &C, id: Uuid, member: &Member) -> ApiResult<()> {
    if let Some(organisation_id) = member.organisation_id
        && organisation::Entity::find_by_id(organisation_id)
            .one(db)
            .await?
            .is_none()
    {
        return Err(ApiError::field(
            "organisation_id",
            "no organisation has this id",
        ));
    }
    if let Some(subject) = &member.subject {
        let taken = Entity::find()
            .filter(Column::Subject.eq(subject.as_str()))
            .filter(Column::Id.ne(id))
            .one(db)
            .await?;
        if let Some(other) = taken {
            return Err(ApiError::Conflict(format!(
                "the login subject is already member {}'s",
                other.id
            )));
        }
    }
    Ok(())
}

/// Creates a member inside the caller's write transaction.
pub async fn insert(txn: &DatabaseTransaction, actor: &Actor, member: Member) -> ApiResult<Model> {
    let id = Uuid::now_v7();
    check_relations(txn, id, &member).await?;
    let at = now();
    let model = ActiveModel {
        id: Set(id),
        erased_at: Set(None),
        archived: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        ..fields(&member)
    }
    .insert(txn)
    .await?;
    record_creation::<Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// Changes a member: `change` turns the current record into the new checked fields.
/// An erased member cannot be changed (409).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
    change: impl FnOnce(&Model) -> ApiResult<Member>,
) -> ApiResult<Model> {
    super::update::<Entity, _>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id).await,
        async |txn, current| {
            if current.erased_at.is_some() {
                return Err(ApiError::Conflict(
                    "an erased member cannot be changed".into(),
                ));
            }
            let member = change(current)?;
            check_relations(txn, id, &member).await?;
            Ok(ActiveModel {
                id: Set(id),
                ..fields(&member)
            })
        },
    )
    .await
}

/// Archives a member who is referenced by no record; 409 otherwise (erase them instead). The
/// member stays readable and shows as a tombstone to `updated_since`.
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
        async |txn, _| {
            let references = references_to(txn, id).await?;
            if references.is_empty() {
                Ok(())
            } else {
                Err(ApiError::Conflict(format!(
                    "the member is referenced by {}; erase the member instead",
                    references.join(", ")
                )))
            }
        },
    )
    .await?;
    Ok(())
}

/// What refers to the member: "3 membership(s)", "1 attendance entry(ies)", …
async fn references_to(txn: &DatabaseTransaction, id: Uuid) -> ApiResult<Vec<String>> {
    let memberships = membership::Entity::find()
        .filter(
            Condition::any()
                .add(membership::Column::MemberId.eq(id))
                .add(membership::Column::SubstituteForMemberId.eq(id)),
        )
        .count(txn)
        .await?;
    let meetings = meeting::Entity::find()
        .filter(
            Condition::any()
                .add(meeting::Column::ChairId.eq(id))
                .add(meeting::Column::MinutesTakerId.eq(id)),
        )
        .count(txn)
        .await?;
    let (attended, items) = super::meetings::involvement_of(txn, id).await?;
    let checking = meeting::Entity::find()
        .filter(super::json_holds(meeting::Column::MinutesCheckers, id))
        .all(txn)
        .await?
        .into_iter()
        .filter(|m| m.minutes_checkers.contains(&id))
        .count() as u64;
    let assigned = super::decisions::assigned_to(txn, id).await?.len() as u64;
    let mut found = Vec::new();
    for (count, what) in [
        (memberships, "membership(s)"),
        (meetings + checking, "meeting(s)"),
        (attended.len() as u64, "attendance entry(ies)"),
        (items.len() as u64, "agenda item(s)"),
        (assigned, "decision(s)"),
    ] {
        if count > 0 {
            found.push(format!("{count} {what}"));
        }
    }
    Ok(found)
}

/// Memberships held by the member, and memberships in which someone stands in for them.
pub async fn memberships_of<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> ApiResult<(Vec<membership::Model>, Vec<membership::Model>)> {
    let held = membership::Entity::find()
        .filter(membership::Column::MemberId.eq(id))
        .order_by_asc(membership::Column::StartDate)
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    let stood_in_for = membership::Entity::find()
        .filter(membership::Column::SubstituteForMemberId.eq(id))
        .order_by_asc(membership::Column::StartDate)
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    Ok((held, stood_in_for))
}
