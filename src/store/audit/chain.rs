//! The audit log's chain of seals ([`migration::seal`]): the head a new row is sealed onto, the
//! walk that checks every row, and the texts the rows refer to (joined for reading, rewritten by
//! an erasure).

use std::collections::HashMap;

use migration::seal::{self, Content, GENESIS};
use regex::Regex;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, sea_query::Expr,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    domain::EntityType,
    entities::{audit_log, audit_text},
};

/// The advisory lock key that orders appends to the chain on PostgreSQL ("audit").
const CHAIN_LOCK: i64 = 0x0061_7564_6974;

/// Rows checked per query.
const BATCH: u64 = 1000;

/// The seal the next row is sealed onto: the last row's. On PostgreSQL it first takes the
/// chain's lock for the rest of the transaction, so that no other writer appends in between.
pub async fn head_for_append<C: ConnectionTrait>(db: &C) -> Result<String, DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            format!("SELECT pg_advisory_xact_lock({CHAIN_LOCK})"),
        ))
        .await?;
    }
    let last: Option<Option<String>> = audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Sha256)
        .order_by_desc(audit_log::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.flatten().unwrap_or_else(|| GENESIS.to_owned()))
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// Whether every row's seal matches its content and the row before it.
    pub ok: bool,
    /// Rows checked.
    pub rows: u64,
    /// The last row and its seal (record it elsewhere: a later check that ends before it shows
    /// that rows were cut off the end).
    pub head: Option<ChainHead>,
    /// The first row that does not verify.
    pub first_broken: Option<BrokenRow>,
}

/// The last row of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChainHead {
    /// The row's id.
    pub id: i64,
    /// Its seal.
    pub sha256: String,
}

/// A row that does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BrokenRow {
    /// The row's id.
    pub id: i64,
    /// `link`: it does not follow the row before it (a row was removed, inserted or
    /// reordered); `content`: its content changed after it was sealed; `unsealed`: it has no
    /// seal.
    pub reason: String,
}

/// Walks the whole chain, oldest row first, and names the first row that does not verify.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<Verification, DbErr> {
    let mut previous = GENESIS.to_owned();
    let mut rows = 0;
    let mut head = None;
    let mut after = 0i64;
    loop {
        let page = audit_log::Entity::find()
            .filter(audit_log::Column::Id.gt(after))
            .order_by_asc(audit_log::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        if page.is_empty() {
            return Ok(Verification {
                ok: true,
                rows,
                head,
                first_broken: None,
            });
        }
        for row in page {
            rows += 1;
            if let Some(reason) = check(&row, &previous)? {
                return Ok(Verification {
                    ok: false,
                    rows,
                    head,
                    first_broken: Some(BrokenRow {
                        id: row.id,
                        reason: reason.to_owned(),
                    }),
                });
            }
            previous = row.sha256.clone().unwrap_or_default();
            head = Some(ChainHead {
                id: row.id,
                sha256: previous.clone(),
            });
            after = row.id;
        }
    }
}

/// Why `row` does not follow `previous`, if it does not.
fn check(row: &audit_log::Model, previous: &str) -> Result<Option<&'static str>, DbErr> {
    let (Some(stated_previous), Some(sealed)) = (&row.previous_sha256, &row.sha256) else {
        return Ok(Some("unsealed"));
    };
    if stated_previous != previous {
        return Ok(Some("link"));
    }
    let roles =
        serde_json::to_value(&row.actor_roles.0).map_err(|e| DbErr::Custom(e.to_string()))?;
    let content = Content {
        occurred_at: row.occurred_at,
        actor: &row.actor,
        actor_roles: &roles,
        action: row.action.as_str(),
        entity_type: row.entity_type.as_str(),
        entity_id: row.entity_id,
        request_id: row.request_id.as_deref(),
        before: row.before.as_ref(),
        after: row.after.as_ref(),
    };
    Ok((seal::seal(&content, previous) != *sealed).then_some("content"))
}

/// Puts the texts audit rows refer to back in place, for reading.
pub async fn with_texts<C: ConnectionTrait>(
    db: &C,
    mut rows: Vec<audit_log::Model>,
) -> Result<Vec<audit_log::Model>, DbErr> {
    let mut ids = Vec::new();
    for row in &rows {
        for value in [row.before.as_ref(), row.after.as_ref()]
            .into_iter()
            .flatten()
        {
            seal::references(value, &mut ids);
        }
    }
    if ids.is_empty() {
        return Ok(rows);
    }
    let texts: HashMap<Uuid, String> = audit_text::Entity::find()
        .filter(audit_text::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.text))
        .collect();
    let text_of = |id: Uuid| texts.get(&id).cloned();
    for row in &mut rows {
        for value in [row.before.as_mut(), row.after.as_mut()]
            .into_iter()
            .flatten()
        {
            seal::join(value, &text_of);
        }
    }
    Ok(rows)
}

/// Rewrites the texts of the audit log for an erasure: the texts of the erased record's own
/// rows become `pseudonym` (its name) or empty (everything else of it), and every other text
/// has each match of `pattern` replaced by `pseudonym`. The sealed rows do not change.
pub async fn erase_texts<C: ConnectionTrait>(
    db: &C,
    entity_type: EntityType,
    entity_id: Uuid,
    pattern: Option<&Regex>,
    pseudonym: &str,
) -> Result<(), DbErr> {
    let own = audit_text::Entity::find()
        .filter(audit_text::Column::EntityType.eq(entity_type))
        .filter(audit_text::Column::EntityId.eq(entity_id))
        .all(db)
        .await?;
    for text in own {
        let replacement = if text.field == "name" { pseudonym } else { "" };
        set_text(db, text.id, replacement).await?;
    }
    let Some(pattern) = pattern else {
        return Ok(());
    };
    let mut after: Option<Uuid> = None;
    loop {
        let mut select = audit_text::Entity::find()
            .order_by_asc(audit_text::Column::Id)
            .limit(BATCH);
        if let Some(id) = after {
            select = select.filter(audit_text::Column::Id.gt(id));
        }
        let page = select.all(db).await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = Some(last.id);
        for text in page.iter().filter(|t| pattern.is_match(&t.text)) {
            let scrubbed = pattern.replace_all(&text.text, pseudonym);
            set_text(db, text.id, &scrubbed).await?;
        }
    }
}

async fn set_text<C: ConnectionTrait>(db: &C, id: Uuid, text: &str) -> Result<(), DbErr> {
    audit_text::Entity::update_many()
        .col_expr(audit_text::Column::Text, Expr::value(text))
        .filter(audit_text::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
