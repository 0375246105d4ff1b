//! The records an erasure rewrites besides the member: every free text that may name them, in
//! every table, each change audited like any other (locked records included: erasure is the one
//! change a lock yields to). The member's name, e-mail and phone, in any letter case, become the
//! pseudonym.

use regex::Regex;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set, sea_query::Expr};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    domain::EntityType,
    entities::{
        JsonColumn, action_plan, action_plan_revision, agenda_item, consultation_response,
        indicator_value, indicator_value_revision, meeting,
    },
    error::ApiResult,
    store::{Action, Actor, Precondition, events::scrub_value, search, write_next},
};

/// `text` with every match replaced, if there is one.
fn scrubbed(pattern: &Regex, text: &str, pseudonym: &str) -> Option<String> {
    pattern
        .is_match(text)
        .then(|| pattern.replace_all(text, pseudonym).into_owned())
}

/// An optional text, scrubbed: `Some(new)` when it changed.
fn scrubbed_opt(pattern: &Regex, text: Option<&str>, pseudonym: &str) -> Option<Option<String>> {
    text.and_then(|t| scrubbed(pattern, t, pseudonym)).map(Some)
}

/// A JSON column with every string in it scrubbed, if any changed.
fn scrubbed_json<T: Serialize + DeserializeOwned>(
    pattern: &Regex,
    column: &JsonColumn<T>,
    pseudonym: &str,
) -> Option<JsonColumn<T>> {
    let value = serde_json::to_value(&column.0).ok()?;
    let after = scrub_value(value.clone(), pattern, pseudonym);
    (after != value)
        .then(|| serde_json::from_value(after).ok().map(JsonColumn))
        .flatten()
}

/// Scrubs meetings (title, place, document titles), agenda items (title, minutes and conflict
/// notes), plans,
/// plan revisions (content and summary), consultation responses and indicator value notes.
pub async fn scrub_records(
    txn: &DatabaseTransaction,
    actor: &Actor,
    pattern: &Regex,
    pseudonym: &str,
) -> ApiResult<()> {
    let p = |text: &str| scrubbed(pattern, text, pseudonym);
    let none = &Precondition::None;
    for m in meeting::Entity::find().all(txn).await? {
        let mut next = meeting::ActiveModel {
            id: Set(m.id),
            ..Default::default()
        };
        let mut changed = false;
        if let Some(title) = p(&m.title) {
            next.title = Set(title);
            changed = true;
        }
        if let Some(location) = scrubbed_json(pattern, &m.location, pseudonym) {
            next.location = Set(location);
            changed = true;
        }
        if let Some(documents) = scrubbed_json(pattern, &m.documents, pseudonym) {
            next.documents = Set(documents);
            changed = true;
        }
        if changed {
            write_next(txn, actor, &m, next, Action::Update, none).await?;
        }
    }
    for item in agenda_item::Entity::find().all(txn).await? {
        let title = p(&item.title);
        let minutes = scrubbed_opt(pattern, item.minutes.as_deref(), pseudonym);
        let conflicts = scrubbed_json(pattern, &item.conflicts, pseudonym);
        if title.is_none() && minutes.is_none() && conflicts.is_none() {
            continue;
        }
        let next = agenda_item::ActiveModel {
            id: Set(item.id),
            title: title.map_or(sea_orm::ActiveValue::NotSet, Set),
            minutes: minutes.map_or(sea_orm::ActiveValue::NotSet, Set),
            conflicts: conflicts.map_or(sea_orm::ActiveValue::NotSet, Set),
            ..Default::default()
        };
        let item = write_next(txn, actor, &item, next, Action::Update, none).await?;
        let minutes = item.minutes.as_deref().unwrap_or_default();
        search::update_text(txn, EntityType::AgendaItem, item.id, &item.title, minutes).await?;
    }
    for plan in action_plan::Entity::find().all(txn).await? {
        let title = p(&plan.title);
        let description = scrubbed_opt(pattern, plan.description.as_deref(), pseudonym);
        if title.is_none() && description.is_none() {
            continue;
        }
        let next = action_plan::ActiveModel {
            id: Set(plan.id),
            title: title.map_or(sea_orm::ActiveValue::NotSet, Set),
            description: description.map_or(sea_orm::ActiveValue::NotSet, Set),
            ..Default::default()
        };
        write_next(txn, actor, &plan, next, Action::Update, none).await?;
    }
    for rev in action_plan_revision::Entity::find().all(txn).await? {
        let content = scrubbed_json(pattern, &rev.content, pseudonym);
        let summary = scrubbed_opt(pattern, rev.change_summary.as_deref(), pseudonym);
        if content.is_none() && summary.is_none() {
            continue;
        }
        let next = action_plan_revision::ActiveModel {
            id: Set(rev.id),
            content: content.map_or(sea_orm::ActiveValue::NotSet, Set),
            change_summary: summary.map_or(sea_orm::ActiveValue::NotSet, Set),
            ..Default::default()
        };
        write_next(txn, actor, &rev, next, Action::Update, none).await?;
    }
    // The search entries are rebuilt from the scrubbed plan titles and revision texts.
    crate::store::action_plans::reindex_revisions(txn).await?;
    for response in consultation_response::Entity::find().all(txn).await? {
        let summary = p(&response.summary);
        let text = scrubbed_opt(pattern, response.text.as_deref(), pseudonym);
        if summary.is_none() && text.is_none() {
            continue;
        }
        let next = consultation_response::ActiveModel {
            id: Set(response.id),
            summary: summary.map_or(sea_orm::ActiveValue::NotSet, Set),
            text: text.map_or(sea_orm::ActiveValue::NotSet, Set),
            ..Default::default()
        };
        write_next(txn, actor, &response, next, Action::Update, none).await?;
    }
    let noted = indicator_value::Entity::find()
        .filter(indicator_value::Column::Note.is_not_null())
        .all(txn)
        .await?;
    for value in noted {
        if let Some(Some(note)) = scrubbed_opt(pattern, value.note.as_deref(), pseudonym) {
            indicator_value::Entity::update_many()
                .col_expr(indicator_value::Column::Note, Expr::value(note))
                .filter(indicator_value::Column::Id.eq(value.id))
                .exec(txn)
                .await?;
        }
    }
    // The values' history keeps their notes and sources too.
    use indicator_value_revision::Column as R;
    let kept = indicator_value_revision::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(R::Note.is_not_null())
                .add(R::SourceRef.is_not_null()),
        )
        .all(txn)
        .await?;
    for revision in kept {
        let note = scrubbed_opt(pattern, revision.note.as_deref(), pseudonym);
        let source = scrubbed_opt(pattern, revision.source_ref.as_deref(), pseudonym);
        if note.is_none() && source.is_none() {
            continue;
        }
        let mut update = indicator_value_revision::Entity::update_many();
        if let Some(note) = note {
            update = update.col_expr(R::Note, Expr::value(note));
        }
        if let Some(source) = source {
            update = update.col_expr(R::SourceRef, Expr::value(source));
        }
        update.filter(R::Id.eq(revision.id)).exec(txn).await?;
    }
    Ok(())
}
