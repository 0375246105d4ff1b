//! Database connections: SQLite (the embedded default) or PostgreSQL through one code path.
//!
//! Each actix worker gets its own lazily connected pool (see `shared/performance.md`: a pool
//! shared across workers costs 30–60 % of throughput), with no test-before-acquire and a short
//! acquire timeout so that an outage answers 503 quickly.

use std::{path::PathBuf, str::FromStr, time::Duration};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, SqlxPostgresConnector, SqlxSqliteConnector,
    sqlx::{
        postgres::{PgConnectOptions, PgPoolOptions},
        sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    },
};

/// How long SQLite waits for another writer before giving up with SQLITE_BUSY.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Which database, and how to connect to it.
#[derive(Debug, Clone)]
pub struct DbConfig {
    target: Target,
    pool_size: u32,
    acquire_timeout: Duration,
}

#[derive(Debug, Clone)]
enum Target {
    Sqlite(SqliteConnectOptions),
    Postgres(PgConnectOptions),
}

/// Why a database URL was refused.
#[derive(Debug, thiserror::Error)]
#[error("SAMVERKAN_DATABASE_URL: {0}")]
pub struct UrlError(String);

impl DbConfig {
    /// Parses a `sqlite://` or `postgres://` URL.
    pub fn new(url: &str, pool_size: u32, acquire_timeout: Duration) -> Result<Self, UrlError> {
        let target = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| UrlError(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT);
            Target::Sqlite(options)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| UrlError(e.to_string()))?
                .application_name("samverkan");
            Target::Postgres(options)
        } else {
            return Err(UrlError("must start with sqlite:// or postgres://".into()));
        };
        Ok(Self {
            target,
            pool_size: pool_size.max(1),
            acquire_timeout,
        })
    }

    /// The SQLite database file, when the database is SQLite.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match &self.target {
            Target::Sqlite(options) => Some(options.get_filename().to_path_buf()),
            Target::Postgres(_) => None,
        }
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.target, Target::Postgres(_))
    }

    /// A new pool that connects on first use. Cheap and synchronous, so that every actix worker
    /// can build its own in the server's app factory.
    pub fn connect_lazy(&self) -> DatabaseConnection {
        match &self.target {
            Target::Sqlite(options) => {
                let pool = SqlitePoolOptions::new()
                    .max_connections(self.pool_size.min(4))
                    .acquire_timeout(self.acquire_timeout)
                    .test_before_acquire(false)
                    .connect_lazy_with(options.clone());
                SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
            }
            Target::Postgres(options) => {
                let pool = PgPoolOptions::new()
                    .max_connections(self.pool_size)
                    .acquire_timeout(self.acquire_timeout)
                    .test_before_acquire(false)
                    .connect_lazy_with(options.clone());
                SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
            }
        }
    }

    /// Creates the SQLite file's directory if needed, then connects and checks the connection.
    pub async fn connect(&self) -> Result<DatabaseConnection, DbErr> {
        if let Some(file) = self.sqlite_file()
            && let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
        }
        let db = self.connect_lazy();
        db.ping().await?;
        Ok(db)
    }
}

/// Refuses a database that would lose committed writes in a crash: PostgreSQL with `fsync` or
/// `synchronous_commit` off, SQLite without `synchronous=FULL`. The reason, when refused.
pub async fn check_durability(db: &DatabaseConnection) -> Result<Option<String>, DbErr> {
    let backend = db.get_database_backend();
    let settings: &[(&str, &str)] = match backend {
        sea_orm::DatabaseBackend::Postgres => &[
            ("SHOW fsync", "on"),
            (
                "SHOW synchronous_commit",
                "on|remote_write|remote_apply|local",
            ),
        ],
        _ => &[("PRAGMA synchronous", "2|3")],
    };
    for (query, safe) in settings {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(backend, *query))
            .await?
            .ok_or_else(|| DbErr::Custom(format!("{query}: no answer")))?;
        let value = row
            .try_get_by_index::<String>(0)
            .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))?;
        if !safe.split('|').any(|s| s == value) {
            return Ok(Some(format!("`{query}` is `{value}`")));
        }
    }
    Ok(None)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
