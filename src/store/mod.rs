//! Queries and writes. Every write runs in one transaction together with its audit row and
//! its change event.

pub mod action_plans;
pub mod actors;
pub mod attachments;
pub mod audit;
pub mod decisions;
pub mod events;
pub mod idempotency;
pub mod indicator_summary;
pub mod indicators;
pub mod meetings;
pub mod members;
pub mod memberships;
pub mod organisations;
pub mod search;
pub mod visibility;
pub mod webhooks;
pub mod write;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait, sea_query::LikeExpr,
};
use uuid::Uuid;

use crate::domain::Role;

pub use audit::{Action, Change, record};
pub use write::{
    Archivable, Precondition, Versioned, archive, record_creation, update, write_if_version,
    write_next,
};

/// The current time at the precision both databases store (microseconds).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Today's date in Sweden (Europe/Stockholm).
pub fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive()
}

/// The condition "the JSON array in `column` holds `id`", the same on both backends (the
/// column's text is searched; callers that need certainty check the parsed array too).
pub fn json_holds<C: ColumnTrait>(column: C, id: Uuid) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait};
    Expr::col(column)
        .cast_as(Alias::new("text"))
        .like(format!("%{id}%"))
}

/// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
/// so that concurrent writers wait on the busy timeout instead of failing on lock upgrade.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Who is writing, as the audit log records it. Built once per request; its actor id is looked
/// up (or created) at most once, however many rows the write appends.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The token's `sub`.
    pub sub: String,
    /// The token's roles.
    pub roles: Vec<Role>,
    /// The request id.
    pub request_id: Option<String>,
    /// The actor id of `sub`, once known.
    id: std::sync::OnceLock<Uuid>,
}

impl Actor {
    /// The writer `sub` with `roles`, in the request being handled.
    pub fn new(sub: String, roles: Vec<Role>) -> Self {
        Self {
            sub,
            roles,
            request_id: crate::telemetry::current_request_id(),
            id: std::sync::OnceLock::new(),
        }
    }

    /// The actor id, created on first use (inside the write's transaction).
    pub async fn id<C: ConnectionTrait>(&self, db: &C) -> Result<Uuid, DbErr> {
        if let Some(id) = self.id.get() {
            return Ok(*id);
        }
        let id = actors::id_for(db, &self.sub).await?;
        Ok(*self.id.get_or_init(|| id))
    }

    /// The actor id if `sub` has one already (a read: nothing is created).
    pub async fn existing_id<C: ConnectionTrait>(&self, db: &C) -> Result<Option<Uuid>, DbErr> {
        if let Some(id) = self.id.get() {
            return Ok(Some(*id));
        }
        let found = actors::find(db, &self.sub).await?;
        Ok(found.map(|id| *self.id.get_or_init(|| id)))
    }
}

/// A LIKE pattern matching `text` anywhere, case-folded, with `%`, `_` and `\` taken literally.
pub fn contains_pattern(text: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}

/// Serialises writers of one record's dependents (e.g. a meeting's agenda). SQLite's write
/// transactions already run one at a time (`BEGIN IMMEDIATE`); PostgreSQL takes a row lock.
pub async fn lock_row(txn: &DatabaseTransaction, table: &str, id: Uuid) -> Result<(), DbErr> {
    use sea_orm::{DatabaseBackend, Statement};
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            format!("SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE"),
            [id.into()],
        ))
        .await?;
    }
    Ok(())
}
