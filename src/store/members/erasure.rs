//! Erasure: a member's personal data pseudonymised everywhere it may have been written, in
//! one transaction, while every reference to the member stays.

use regex::{Regex, RegexBuilder};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

use super::{Model, get};
use crate::{
    domain::{EntityType, member::erased_name},
    entities::{attendance, idempotency_key, member::ActiveModel, membership},
    error::ApiResult,
    store::{Action, Actor, Precondition, actors, begin_write, now, write_next},
};

/// Pseudonymises a member: the name becomes [`erased_name`], title, contact data and login are
/// cleared. Everything else that could still hold their data is scrubbed in the same
/// transaction: their name, e-mail and phone in membership notes, minutes, decisions and the
/// change feed's copies of them (any letter case) become the pseudonym, their login is unlinked from the actor id the audit log holds, and stored
/// replays that mention them are dropped. Every reference to the member stays as it was.
/// Erasing an erased member changes nothing.
pub async fn erase(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
) -> ApiResult<Model> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id).await?;
    precondition.check(current.version)?;
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
    scrub_meetings(&txn, actor, id, &personal, &pseudonym).await?;
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
    let model = write_next(&txn, actor, &current, next, Action::Erase, precondition).await?;
    txn.commit().await?;
    Ok(model)
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
        crate::store::memberships::rewrite_note(txn, actor, row, note).await?;
    }
    Ok(())
}

/// Replaces each of `values` by `pseudonym` in attendance notes, decisions, every record
/// [`super::scrub::scrub_records`] covers, attachment file names, activity progress notes, the
/// change feed and the audit log's texts.
/// Approved (locked) minutes are scrubbed too: erasure is the one change the lock yields to.
async fn scrub_meetings(
    txn: &DatabaseTransaction,
    actor: &Actor,
    member_id: Uuid,
    values: &[&str],
    pseudonym: &str,
) -> ApiResult<()> {
    let Some(pattern) = any_of(values) else {
        return crate::store::audit::chain::erase_texts(
            txn,
            EntityType::Member,
            member_id,
            None,
            pseudonym,
        )
        .await
        .map_err(Into::into);
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
    super::scrub::scrub_records(txn, actor, &pattern, pseudonym).await?;
    crate::store::decisions::scrub(txn, actor, &pattern, pseudonym).await?;
    crate::store::attachments::scrub(txn, actor, &pattern, pseudonym).await?;
    crate::store::action_plans::progress::scrub(txn, &pattern, pseudonym).await?;
    // Last: the events and audit rows of the scrubs above hold the pseudonym already.
    crate::store::events::scrub_mentions(txn, &pattern, pseudonym).await?;
    crate::store::audit::chain::erase_texts(
        txn,
        EntityType::Member,
        member_id,
        Some(&pattern),
        pseudonym,
    )
    .await?;
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
