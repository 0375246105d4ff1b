//! The search index: one row per searchable record with its text and the Swedish stems of it,
//! and an inverted index (`search_postings`: per stem and record, the stem's score there),
//! both written in the same transaction as the record; and the ranked query over them.
//!
//! A query reads the postings of its rarest stem in score order and keeps the records that
//! hold every other stem too (one primary-key lookup each); ranking ties are broken here in
//! Rust, so SQLite and PostgreSQL return the same hits in the same order.
//!
//! The query is in [`query`]. The index knows records only by [`EntityType`] and id: the stores of the indexed records call
//! it, never the other way round.

use std::collections::BTreeSet;

use migration::postings::{postings, words};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, sea_query::Expr,
};
use uuid::Uuid;

mod query;

pub use query::{Hit, MAX_CANDIDATES, query};

use super::now;
use crate::{
    domain::EntityType,
    entities::{search_document, search_posting},
    search,
};

/// Postings written per INSERT (a long minutes text has many distinct stems).
const POSTINGS_PER_INSERT: usize = 1000;

/// A record's parent in the index (the meeting of an agenda item or a decision) and whether
/// everything above the record is public (for a decision: its item and its meeting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parent {
    /// The parent's id.
    pub id: Uuid,
    /// Whether everything above the record is public.
    pub public: bool,
}

/// Puts a record into the index, or replaces its entry: `public` is the record's own flag (it
/// is found by everyone only if its `parent` is public too).
pub async fn index<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    entity_id: Uuid,
    parent: Option<Parent>,
    public: bool,
    title: &str,
    body: &str,
) -> Result<(), DbErr> {
    remove(db, entity_type, entity_id).await?;
    let visible = public && parent.is_none_or(|p| p.public);
    let terms = document_terms(title, body);
    let row = search_document::ActiveModel {
        entity_type: Set(entity_type),
        entity_id: Set(entity_id),
        parent_id: Set(parent.map(|p| p.id)),
        own_public: Set(public),
        public: Set(visible),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        terms: Set(terms.clone()),
        updated_at: Set(now()),
    };
    search_document::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    insert_postings(db, entity_type, entity_id, visible, &terms, title).await
}

/// The postings of a record (see [`migration::postings`]), rows of `search_postings`.
pub fn posting_rows(
    entity_type: EntityType,
    entity_id: Uuid,
    public: bool,
    terms: &str,
    title: &str,
) -> Vec<search_posting::Model> {
    postings(terms, words(title).count())
        .into_iter()
        .map(|(stem, score)| search_posting::Model {
            stem,
            entity_type,
            entity_id,
            score,
            public,
        })
        .collect()
}

async fn insert_postings<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    entity_id: Uuid,
    public: bool,
    terms: &str,
    title: &str,
) -> Result<(), DbErr> {
    let rows = posting_rows(entity_type, entity_id, public, terms, title);
    for chunk in rows.chunks(POSTINGS_PER_INSERT) {
        search_posting::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(sea_orm::IntoActiveModel::into_active_model),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The terms of a record: the title's stems, then the body's.
pub fn document_terms(title: &str, body: &str) -> String {
    search::terms(&format!("{title}\n{body}"))
}

/// Takes a record out of the index (nothing if it is not there).
pub async fn remove<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    entity_id: Uuid,
) -> Result<(), DbErr> {
    if take_postings(db, entity_type, entity_id).await?.is_none() {
        return Ok(());
    }
    search_document::Entity::delete_by_id((entity_type, entity_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The indexed document of a record with its postings removed (`None` when it is not indexed).
async fn take_postings<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    entity_id: Uuid,
) -> Result<Option<search_document::Model>, DbErr> {
    let document = search_document::Entity::find_by_id((entity_type, entity_id))
        .one(db)
        .await?;
    if let Some(document) = &document {
        remove_postings(db, entity_type, &[document]).await?;
    }
    Ok(document)
}

/// The postings of `documents` (all of `entity_type`) as a condition: their stems (the primary
/// key's ranges), their type and ids.
fn postings_of(
    entity_type: EntityType,
    documents: &[&search_document::Model],
) -> sea_orm::Condition {
    use search_posting::Column as P;
    let stems: BTreeSet<&str> = documents
        .iter()
        .flat_map(|d| d.terms.split(' '))
        .filter(|s| !s.is_empty())
        .collect();
    sea_orm::Condition::all()
        .add(P::Stem.is_in(stems))
        .add(P::EntityType.eq(entity_type))
        .add(P::EntityId.is_in(documents.iter().map(|d| d.entity_id)))
}

/// Removes the postings of `documents` (all of `entity_type`) in one statement.
async fn remove_postings<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    documents: &[&search_document::Model],
) -> Result<(), DbErr> {
    if documents.is_empty() {
        return Ok(());
    }
    search_posting::Entity::delete_many()
        .filter(postings_of(entity_type, documents))
        .exec(db)
        .await?;
    Ok(())
}

/// Takes every record of `entity_type` under `parent_id` out of the index (when the parent is
/// deleted).
pub async fn remove_children<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    parent_id: Uuid,
) -> Result<(), DbErr> {
    use search_document::Column as C;
    let children = search_document::Entity::find()
        .filter(C::EntityType.eq(entity_type))
        .filter(C::ParentId.eq(parent_id))
        .all(db)
        .await?;
    let children: Vec<&search_document::Model> = children.iter().collect();
    remove_postings(db, entity_type, &children).await?;
    search_document::Entity::delete_many()
        .filter(C::EntityType.eq(entity_type))
        .filter(C::ParentId.eq(parent_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets whether the given records of one type are found by everyone: where `parent_visible`,
/// as their own flag says; otherwise not (see [`crate::store::visibility`]).
pub async fn set_visible<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    ids: Vec<Uuid>,
    parent_visible: bool,
) -> Result<(), DbErr> {
    use search_document::Column as C;
    use search_posting::Column as P;
    if ids.is_empty() {
        return Ok(());
    }
    let documents = search_document::Entity::find()
        .filter(C::EntityType.eq(entity_type))
        .filter(C::EntityId.is_in(ids))
        .all(db)
        .await?;
    // The records whose visibility changes, by their new value: two statements each.
    for public in [true, false] {
        let changed: Vec<&search_document::Model> = documents
            .iter()
            .filter(|d| (parent_visible && d.own_public) == public && d.public != public)
            .collect();
        if changed.is_empty() {
            continue;
        }
        search_document::Entity::update_many()
            .col_expr(C::Public, Expr::value(public))
            .filter(C::EntityType.eq(entity_type))
            .filter(C::EntityId.is_in(changed.iter().map(|d| d.entity_id)))
            .exec(db)
            .await?;
        search_posting::Entity::update_many()
            .col_expr(P::Public, Expr::value(public))
            .filter(postings_of(entity_type, &changed))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Replaces the text of a record that is in the index, keeping its visibility (for erasure,
/// which rewrites text without changing anything else); nothing if it is not indexed.
pub async fn update_text<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    entity_id: Uuid,
    title: &str,
    body: &str,
) -> Result<(), DbErr> {
    use search_document::Column as C;
    let Some(document) = take_postings(db, entity_type, entity_id).await? else {
        return Ok(());
    };
    let terms = document_terms(title, body);
    search_document::Entity::update_many()
        .col_expr(C::Title, Expr::value(title))
        .col_expr(C::Body, Expr::value(body))
        .col_expr(C::Terms, Expr::value(terms.clone()))
        .col_expr(C::UpdatedAt, Expr::value(now()))
        .filter(C::EntityType.eq(entity_type))
        .filter(C::EntityId.eq(entity_id))
        .exec(db)
        .await?;
    insert_postings(db, entity_type, entity_id, document.public, &terms, title).await
}
