//! Queries and writes. Every write runs in one transaction together with its audit row and
//! its change event.

pub mod audit;
pub mod idempotency;
pub mod organisations;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use crate::{
    auth::{Identity, Role},
    middleware::current_request_id,
};

pub use audit::{Action, Change, record};

/// The current time at the precision both databases store (microseconds).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
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
