//! The ranked query over the search index: the postings of the query's rarest stem in score
//! order, each record's other stems looked up by primary key; ties broken in Rust, so that
//! SQLite and PostgreSQL return the same hits in the same order.

use std::{
    cmp::Reverse,
    collections::{BTreeSet, HashMap},
};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Order, Query, SelectStatement},
};
use uuid::Uuid;

use crate::{
    domain::EntityType,
    entities::{search_document, search_posting},
    error::ApiResult,
    search,
};

/// At most this many records are ranked per query: those where the query's rarest stem scores
/// highest. A query whose rarest stem is in fewer records ranks every match.
pub const MAX_CANDIDATES: u64 = 500;

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

/// The best `limit` records containing every word of `q` (in any inflection), of the given
/// types (all when empty), public ones only unless `sees_all`; best first, ties by type and id.
pub async fn query<C: ConnectionTrait>(
    db: &C,
    q: &str,
    types: &[EntityType],
    sees_all: bool,
    limit: u64,
) -> ApiResult<Vec<Hit>> {
    let mut stems = search::query_stems(q);
    if stems.is_empty() {
        return Ok(Vec::new());
    }
    // The rarest stem first: its postings are read, the others looked up. One stem's postings
    // come in the final order, so no more than `limit` are read.
    let cap = if stems.len() == 1 {
        limit
    } else {
        let mut frequency = Vec::with_capacity(stems.len());
        for stem in &stems {
            let n = capped_frequency(db, stem).await?;
            if n == 0 {
                return Ok(Vec::new());
            }
            frequency.push(n);
        }
        let rarest = (0..stems.len()).min_by_key(|&i| frequency[i]).unwrap_or(0);
        stems.swap(0, rarest);
        MAX_CANDIDATES
    };
    let backend = db.get_database_backend();
    let best = Query::select()
        .columns([
            Alias::new("entity_type"),
            Alias::new("entity_id"),
            Alias::new("total"),
        ])
        .from_subquery(candidates(&stems, types, sees_all, cap), Alias::new("c"))
        .order_by(Alias::new("total"), Order::Desc)
        .order_by(Alias::new("entity_type"), Order::Asc)
        .order_by(Alias::new("entity_id"), Order::Asc)
        .limit(limit)
        .to_owned();
    let mut ranked = Ranked::find_by_statement(backend.build(&best))
        .all(db)
        .await?;
    // The database ordered them already; the same order in Rust makes it certain on both.
    ranked.sort_by(|x, y| {
        (Reverse(x.total), x.entity_type.as_str(), x.entity_id).cmp(&(
            Reverse(y.total),
            y.entity_type.as_str(),
            y.entity_id,
        ))
    });
    let mut documents: HashMap<(EntityType, Uuid), search_document::Model> =
        search_document::Entity::find()
            // Both key columns, so that the primary key finds them (an id alone is a scan).
            .filter(
                search_document::Column::EntityType.is_in(
                    ranked
                        .iter()
                        .map(|r| r.entity_type.as_str())
                        .collect::<BTreeSet<_>>(),
                ),
            )
            .filter(search_document::Column::EntityId.is_in(ranked.iter().map(|r| r.entity_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|d| ((d.entity_type, d.entity_id), d))
            .collect();
    Ok(ranked
        .into_iter()
        .filter_map(|r| {
            let row = documents.remove(&(r.entity_type, r.entity_id))?;
            let text = if row.body.trim().is_empty() {
                &row.title
            } else {
                &row.body
            };
            Some(Hit {
                snippet: search::snippet(text, &stems),
                entity_type: row.entity_type,
                entity_id: row.entity_id,
                parent_id: row.parent_id,
                title: row.title,
                score: u32::try_from(r.total).unwrap_or(u32::MAX),
            })
        })
        .collect())
}

/// A candidate: a record holding every stem of the query, with its total score.
#[derive(Debug, FromQueryResult)]
struct Ranked {
    entity_type: EntityType,
    entity_id: Uuid,
    total: i64,
}

/// In how many records `stem` occurs, counting no further than one past [`MAX_CANDIDATES`]
/// (an index range scan of at most that many entries).
async fn capped_frequency<C: ConnectionTrait>(db: &C, stem: &str) -> Result<u64, DbErr> {
    use search_posting::Column as P;
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let postings = Query::select()
        .expr(Expr::value(1))
        .from(search_posting::Entity)
        .and_where(Expr::col(P::Stem).eq(stem))
        .limit(MAX_CANDIDATES + 1)
        .to_owned();
    let count = Query::select()
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .from_subquery(postings, Alias::new("p"))
        .to_owned();
    let n = Count::find_by_statement(db.get_database_backend().build(&count))
        .one(db)
        .await?
        .map_or(0, |c| c.n);
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The candidates of a query whose rarest stem is `stems[0]`: its postings in score order, each
/// with the score of every other stem in the same record looked up by primary key (a
/// correlated subquery, so that both databases walk the rank index and stop after `cap`
/// matches instead of joining every posting of a common stem), keeping the
/// records that hold them all.
fn candidates(stems: &[String], types: &[EntityType], sees_all: bool, cap: u64) -> SelectStatement {
    use search_posting::Column as P;
    let table = search_posting::Entity;
    let (own, other, found) = (Alias::new("p0"), Alias::new("p"), Alias::new("found"));
    let score = |i: usize| Alias::new(format!("s{i}"));
    let mut postings = Query::select();
    postings
        .from_as(table, own.clone())
        .column((own.clone(), P::EntityType))
        .column((own.clone(), P::EntityId))
        .expr_as(Expr::col((own.clone(), P::Score)), score(0))
        .and_where(Expr::col((own.clone(), P::Stem)).eq(stems[0].as_str()));
    for (i, stem) in stems.iter().enumerate().skip(1) {
        let lookup = Query::select()
            .column((other.clone(), P::Score))
            .from_as(table, other.clone())
            .and_where(Expr::col((other.clone(), P::Stem)).eq(stem.as_str()))
            .and_where(
                Expr::col((other.clone(), P::EntityType)).equals((own.clone(), P::EntityType)),
            )
            .and_where(Expr::col((other.clone(), P::EntityId)).equals((own.clone(), P::EntityId)))
            .to_owned();
        postings.expr_as(Expr::SubQuery(None, Box::new(lookup.into())), score(i));
    }
    if !types.is_empty() {
        postings.and_where(Expr::col((own.clone(), P::EntityType)).is_in(types.iter().copied()));
    }
    if !sees_all {
        postings.and_where(Expr::col((own, P::Public)).eq(true));
    }
    let mut total = Expr::col(score(0));
    let mut select = Query::select();
    select
        .column(P::EntityType)
        .column(P::EntityId)
        .from_subquery(postings, found);
    for i in 1..stems.len() {
        total = total.add(Expr::col(score(i)));
        select.and_where(Expr::col(score(i)).is_not_null());
    }
    select
        .expr_as(
            Func::cast_as(total, Alias::new("bigint")),
            Alias::new("total"),
        )
        .order_by(score(0), Order::Desc)
        .order_by(P::EntityType, Order::Asc)
        .order_by(P::EntityId, Order::Asc)
        .limit(cap)
        .to_owned()
}
