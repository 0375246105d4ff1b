//! Members: reads, writes with their audit rows, erasure and export.
//!
//! The audit log never holds a member's name, title or contact data: a member's audit entry
//! has its id and non-personal fields only, so that erasure leaves no trace behind.

use regex::{Regex, RegexBuilder};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, sea_query::Condition,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Action, Actor, Versioned, actors, begin_write, contains_pattern, now, record_creation,
    write_next,
};
use crate::{
    domain::member::{Member, erased_name},
    entities::{
        agenda_item, attendance, idempotency_key, meeting,
        member::{ActiveModel, Column, Entity, Model},
        membership, organisation,
    },
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::Precondition,
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

/// The member with `id`.
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

impl Versioned for Entity {
    const ENTITY: crate::domain::EntityType = ENTITY_TYPE;
    const VERSION: Column = Column::Version;
    const UPDATED_AT: Column = Column::UpdatedAt;

    fn id(model: &Model) -> Uuid {
        model.id
    }

    fn version(model: &Model) -> i32 {
        model.version
    }

    /// No name, title, contact data or login: only ids and non-personal facts.
    fn audit_json(model: &Model) -> Option<Value> {
        Some(json!({
            "id": model.id,
            "organisation_id": model.organisation_id,
            "has_email": model.email.is_some(),
            "has_phone": model.phone.is_some(),
            "has_subject": model.subject.is_some(),
            "erased": model.erased_at.is_some(),
            "archived": model.archived,
            "version": model.version,
            "created_at": model.created_at,
            "updated_at": model.updated_at,
        }))
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

fn same_fields(member: &Member, current: &Model) -> bool {
    member.name.as_str() == current.name
        && member.title == current.title
        && member.organisation_id == current.organisation_id
        && member.email.as_ref().map(|e| e.as_str()) == current.email.as_deref()
        && member.phone.as_ref().map(|p| p.as_str()) == current.phone.as_deref()
        && member.subject == current.subject
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
    if_match: &Precondition,
    change: impl FnOnce(&Model) -> ApiResult<Member>,
) -> ApiResult<Model> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id).await?;
    if_match.check(current.version)?;
    if current.erased_at.is_some() {
        return Err(ApiError::Conflict(
            "an erased member cannot be changed".into(),
        ));
    }
    let member = change(&current)?;
    check_relations(&txn, id, &member).await?;
    if same_fields(&member, &current) {
        txn.rollback().await?;
        return Ok(current);
    }
    let next = ActiveModel {
        id: Set(id),
        ..fields(&member)
    };
    commit_change(txn, actor, &current, next, Action::Update, if_match).await
}

/// Archives a member who is referenced by no record; 409 otherwise (erase them instead).
pub async fn archive(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    if_match: &Precondition,
) -> ApiResult<()> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id).await?;
    if_match.check(current.version)?;
    let references = references_to(&txn, id).await?;
    if !references.is_empty() {
        return Err(ApiError::Conflict(format!(
            "the member is referenced by {}; erase the member instead",
            references.join(", ")
        )));
    }
    if current.archived {
        txn.rollback().await?;
        return Ok(());
    }
    let next = ActiveModel {
        id: Set(id),
        archived: Set(true),
        ..Default::default()
    };
    commit_change(txn, actor, &current, next, Action::Archive, if_match).await?;
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

/// Pseudonymises a member: the name becomes [`erased_name`], title, contact data and login are
/// cleared. Everything else that could still hold their data is scrubbed in the same
/// transaction: their name, e-mail and phone in membership notes (any letter case) become the
/// pseudonym, their login is unlinked from the actor id the audit log holds, and stored
/// replays that mention them are dropped. Every reference to the member stays as it was.
/// Erasing an erased member changes nothing.
pub async fn erase(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> ApiResult<Model> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id).await?;
    if current.erased_at.is_some() {
        txn.rollback().await?;
        return Ok(current);
    }
    let pseudonym = erased_name(id);
    let personal: Vec<&str> = [
        Some(current.name.as_str()),
        current.email.as_deref(),
        current.phone.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    scrub_notes(&txn, actor, &personal, &pseudonym).await?;
    scrub_meetings(&txn, actor, &personal, &pseudonym).await?;
    if let Some(subject) = &current.subject
        && let Some(actor_id) = actors::erase(&txn, subject).await?
    {
        idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::Actor.eq(actor_id.to_string()))
            .exec(&txn)
            .await?;
    }
    let mut mentions = personal.clone();
    let id_text = id.to_string();
    mentions.push(&id_text);
    mentions.extend(current.subject.as_deref());
    drop_replays_mentioning(&txn, &mentions).await?;
    let next = ActiveModel {
        id: Set(id),
        name_folded: Set(pseudonym.to_lowercase()),
        name: Set(pseudonym),
        title: Set(None),
        email: Set(None),
        phone: Set(None),
        subject: Set(None),
        erased_at: Set(Some(now())),
        ..Default::default()
    };
    commit_change(
        txn,
        actor,
        &current,
        next,
        Action::Erase,
        &Precondition::None,
    )
    .await
}

/// A case-insensitive pattern matching any of `values` literally.
fn any_of(values: &[&str]) -> Option<Regex> {
    let alternatives: Vec<String> = values
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| regex::escape(v))
        .collect();
    if alternatives.is_empty() {
        return None;
    }
    RegexBuilder::new(&alternatives.join("|"))
        .case_insensitive(true)
        .build()
        .ok()
}

/// Replaces each of `values` by `pseudonym` in every membership note that holds one.
async fn scrub_notes(
    txn: &DatabaseTransaction,
    actor: &Actor,
    values: &[&str],
    pseudonym: &str,
) -> ApiResult<()> {
    let Some(pattern) = any_of(values) else {
        return Ok(());
    };
    let with_notes = membership::Entity::find()
        .filter(membership::Column::Note.is_not_null())
        .all(txn)
        .await?;
    for row in with_notes {
        let Some(note) = row.note.as_deref().filter(|n| pattern.is_match(n)) else {
            continue;
        };
        let note = Some(pattern.replace_all(note, pseudonym).into_owned());
        super::memberships::rewrite_note(txn, actor, row, note).await?;
    }
    Ok(())
}

/// Replaces each of `values` by `pseudonym` in attendance notes and agenda minutes texts.
/// Approved (locked) minutes are scrubbed too: erasure is the one change the lock yields to.
async fn scrub_meetings(
    txn: &DatabaseTransaction,
    actor: &Actor,
    values: &[&str],
    pseudonym: &str,
) -> ApiResult<()> {
    let Some(pattern) = any_of(values) else {
        return Ok(());
    };
    let notes = attendance::Entity::find()
        .filter(attendance::Column::Note.is_not_null())
        .all(txn)
        .await?;
    for row in notes {
        let Some(note) = row.note.as_deref().filter(|n| pattern.is_match(n)) else {
            continue;
        };
        let note = pattern.replace_all(note, pseudonym).into_owned();
        attendance::ActiveModel {
            id: Set(row.id),
            note: Set(Some(note)),
            ..Default::default()
        }
        .update(txn)
        .await?;
    }
    let items = agenda_item::Entity::find()
        .filter(agenda_item::Column::Minutes.is_not_null())
        .all(txn)
        .await?;
    for item in items {
        let Some(text) = item.minutes.as_deref().filter(|t| pattern.is_match(t)) else {
            continue;
        };
        let text = pattern.replace_all(text, pseudonym).into_owned();
        let next = agenda_item::ActiveModel {
            id: Set(item.id),
            minutes: Set(Some(text)),
            ..Default::default()
        };
        let item = write_next(txn, actor, &item, next, Action::Update, &Precondition::None).await?;
        super::search::update_text(
            txn,
            super::meetings::ITEM_ENTITY_TYPE,
            item.id,
            &item.title,
            item.minutes.as_deref().unwrap_or_default(),
        )
        .await?;
    }
    super::decisions::scrub(txn, actor, &pattern, pseudonym).await?;
    Ok(())
}

/// Drops stored `Idempotency-Key` replays whose response mentions any of `values`.
async fn drop_replays_mentioning(txn: &DatabaseTransaction, values: &[&str]) -> ApiResult<()> {
    let Some(pattern) = any_of(values) else {
        return Ok(());
    };
    let stored = idempotency_key::Entity::find().all(txn).await?;
    for row in stored.into_iter().filter(|row| pattern.is_match(&row.body)) {
        idempotency_key::Entity::delete_many()
            .filter(idempotency_key::Column::Actor.eq(row.actor))
            .filter(idempotency_key::Column::Key.eq(row.key))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Writes `next` as the version after `current` with its audit row, and commits.
async fn commit_change(
    txn: DatabaseTransaction,
    actor: &Actor,
    current: &Model,
    next: ActiveModel,
    action: Action,
    if_match: &Precondition,
) -> ApiResult<Model> {
    let model = write_next(&txn, actor, current, next, action, if_match).await?;
    txn.commit().await?;
    Ok(model)
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
