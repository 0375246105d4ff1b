//! Queries and writes. Every write runs in one transaction together with its audit row and
//! its change event.

pub mod action_plans;
pub mod actors;
pub mod audit;
pub mod decisions;
pub mod idempotency;
pub mod indicator_summary;
pub mod indicators;
pub mod meetings;
pub mod members;
pub mod memberships;
pub mod organisations;
pub mod search;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel, QueryFilter, SqliteTransactionMode,
    TransactionOptions, TransactionTrait, sea_query::LikeExpr,
};
use uuid::Uuid;

use crate::{
    auth::{Identity, Role},
    conditional::IfMatchVersion,
    error::{ApiError, ApiResult},
    middleware::current_request_id,
};

pub use audit::{Action, Change, record};

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

/// Who is writing, as the audit log records it.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The token's `sub`.
    pub sub: String,
    /// The token's roles.
    pub roles: Vec<Role>,
    /// The request id.
    pub request_id: Option<String>,
}

impl From<&Identity> for Actor {
    fn from(identity: &Identity) -> Self {
        Self {
            sub: identity.sub.clone(),
            roles: identity.roles.clone(),
            request_id: current_request_id(),
        }
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

/// What the shared write path needs to know about a table of versioned records.
pub trait Versioned: EntityTrait {
    /// The entity type in the audit log and the change events.
    const ENTITY_TYPE: &'static str;
    /// The `version` column.
    const VERSION: Self::Column;
    /// The `updated_at` column.
    const UPDATED_AT: Self::Column;
    /// The record's id.
    fn id(model: &Self::Model) -> Uuid;
    /// The record's version.
    fn version(model: &Self::Model) -> i32;
    /// The record as the audit log keeps it (personal data left out).
    fn audit_json(model: &Self::Model) -> Option<serde_json::Value>;
}

/// Records the creation of `model` (audit row and change event); call inside the transaction
/// that inserted it.
pub async fn record_creation<E: Versioned, C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    model: &E::Model,
) -> Result<(), DbErr> {
    let change = Change {
        entity_type: E::ENTITY_TYPE,
        entity_id: E::id(model),
        action: Action::Create,
        version: E::version(model),
        before: None,
        after: E::audit_json(model),
    };
    record(db, actor, change).await
}

/// Writes `next` as the version after `current` (stamping `updated_at` and `version`) if no one
/// else wrote in between, and appends its audit row and change event. The caller commits.
pub async fn write_next<E, A>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    current: &E::Model,
    mut next: A,
    action: Action,
    if_match: &IfMatchVersion,
) -> ApiResult<E::Model>
where
    E: Versioned,
    A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Model: IntoActiveModel<A>,
{
    let version = E::version(current);
    next.set(E::UPDATED_AT, now().into());
    next.set(E::VERSION, (version + 1).into());
    let model = write_if_version(txn, next, E::VERSION, version, if_match).await?;
    let change = Change {
        entity_type: E::ENTITY_TYPE,
        entity_id: E::id(current),
        action,
        version: E::version(&model),
        before: E::audit_json(current),
        after: E::audit_json(&model),
    };
    record(txn, actor, change).await?;
    Ok(model)
}

/// Writes `next` only if the stored `version` column still holds `expected`: a concurrent writer
/// in between makes this a 412 (with `If-Match`) or a 409 (without).
pub(crate) async fn write_if_version<A, C>(
    db: &C,
    next: A,
    version: <A::Entity as EntityTrait>::Column,
    expected: i32,
    if_match: &IfMatchVersion,
) -> ApiResult<<A::Entity as EntityTrait>::Model>
where
    C: ConnectionTrait,
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let update = A::Entity::update(next)
        .validate()?
        .filter(version.eq(expected));
    match update.exec(db).await {
        Ok(model) => Ok(model),
        Err(DbErr::RecordNotUpdated) if if_match.is_given() => Err(ApiError::PreconditionFailed),
        Err(DbErr::RecordNotUpdated) => Err(ApiError::Conflict(
            "the record was changed by another request; retry".into(),
        )),
        Err(other) => Err(other.into()),
    }
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
