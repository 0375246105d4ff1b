//! The search index: one row per searchable record with the Swedish stems of its text, written
//! in the same transaction as the record, and the ranked query over it.
//!
//! Matching is `terms LIKE '% stem %'` for every stem of the query, and ranking happens here in
//! Rust, so SQLite and PostgreSQL return the same hits in the same order.
//!
//! The index knows records only by [`EntityType`] and id: the stores of the indexed records call
//! it, never the other way round.

use std::cmp::Reverse;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, LikeExpr},
};
use uuid::Uuid;

use super::now;
use crate::{domain::EntityType, entities::search_document, error::ApiResult, search};

/// At most this many matching records are ranked per query.
pub const MAX_CANDIDATES: u64 = 5000;

/// A record's parent in the index (the meeting of an agenda item or a decision) and whether
/// everything above the record is public (for a decision: its item and its meeting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parent {
    /// The parent's id.
    pub id: Uuid,
    /// Whether everything above the record is public.
    pub public: bool,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// `agenda_item`, `decision`, `action_plan_revision`.
    pub entity_type: EntityType,
    /// The record's id.
    pub entity_id: Uuid,
    /// The record's parent (e.g. the meeting).
    pub parent_id: Option<Uuid>,
    /// The record's title.
    pub title: String,
    /// HTML-escaped text around the first match, matches in `<mark>`.
    pub snippet: String,
    /// Per query stem: 3 per occurrence in the title, 1 per occurrence in the text.
    pub score: u32,
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
    let row = search_document::ActiveModel {
        entity_type: Set(entity_type),
        entity_id: Set(entity_id),
        parent_id: Set(parent.map(|p| p.id)),
        own_public: Set(public),
        public: Set(public && parent.is_none_or(|p| p.public)),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        terms: Set(document_terms(title, body)),
        updated_at: Set(now()),
    };
    search_document::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The terms of a record: the title's stems, then the body's.
fn document_terms(title: &str, body: &str) -> String {
    search::terms(&format!("{title}\n{body}"))
}

/// Takes a record out of the index (nothing if it is not there).
pub async fn remove<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    entity_id: Uuid,
) -> Result<(), DbErr> {
    use search_document::Column as C;
    search_document::Entity::delete_many()
        .filter(C::EntityType.eq(entity_type))
        .filter(C::EntityId.eq(entity_id))
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
    if ids.is_empty() {
        return Ok(());
    }
    let value = if parent_visible {
        Expr::col(C::OwnPublic)
    } else {
        Expr::value(false)
    };
    search_document::Entity::update_many()
        .col_expr(C::Public, value)
        .filter(C::EntityType.eq(entity_type))
        .filter(C::EntityId.is_in(ids))
        .exec(db)
        .await?;
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
    search_document::Entity::update_many()
        .col_expr(C::Title, Expr::value(title))
        .col_expr(C::Body, Expr::value(body))
        .col_expr(C::Terms, Expr::value(document_terms(title, body)))
        .col_expr(C::UpdatedAt, Expr::value(now()))
        .filter(C::EntityType.eq(entity_type))
        .filter(C::EntityId.eq(entity_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The best `limit` records containing every word of `q` (in any inflection), of the given
/// types (all when empty), public ones only unless `sees_all`; best first, ties by type and id.
pub async fn query<C: ConnectionTrait>(
    db: &C,
    q: &str,
    types: &[EntityType],
    sees_all: bool,
    limit: u64,
) -> ApiResult<Vec<Hit>> {
    use search_document::Column as C;
    let stems = search::query_stems(q);
    if stems.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = search_document::Entity::find();
    for stem in &stems {
        // Stems are letters and digits only: nothing in them is a LIKE wildcard.
        select = select.filter(C::Terms.like(LikeExpr::new(format!("% {stem} %"))));
    }
    if !types.is_empty() {
        select = select.filter(C::EntityType.is_in(types.iter().copied()));
    }
    if !sees_all {
        select = select.filter(C::Public.eq(true));
    }
    let rows = select
        .order_by_asc(C::EntityType)
        .order_by_asc(C::EntityId)
        .limit(MAX_CANDIDATES)
        .all(db)
        .await?;
    let mut ranked: Vec<(u32, search_document::Model)> = rows
        .into_iter()
        .map(|row| (score(&row, &stems), row))
        .collect();
    ranked.sort_by(|(a, x), (b, y)| {
        (Reverse(a), x.entity_type.as_str(), x.entity_id).cmp(&(
            Reverse(b),
            y.entity_type.as_str(),
            y.entity_id,
        ))
    });
    ranked.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(ranked
        .into_iter()
        .map(|(score, row)| {
            let text = if row.body.trim().is_empty() {
                &row.title
            } else {
                &row.body
            };
            Hit {
                snippet: search::snippet(text, &stems),
                entity_type: row.entity_type,
                entity_id: row.entity_id,
                parent_id: row.parent_id,
                title: row.title,
                score,
            }
        })
        .collect())
}

/// Per stem: 3 for each occurrence in the title, 1 for each in the body.
fn score(row: &search_document::Model, stems: &[String]) -> u32 {
    let title = search::terms(&row.title);
    stems
        .iter()
        .map(|stem| {
            let in_title = search::occurrences(&title, stem);
            let in_all = search::occurrences(&row.terms, stem);
            in_title * 3 + in_all.saturating_sub(in_title)
        })
        .sum()
}
