//! The service's own database connections: on SQLite each waits out a busy writer for the
//! busy timeout and enforces foreign keys; a write that still finds the database locked is a
//! 503 with `Retry-After` that stores nothing, and succeeds once the lock is gone; and the
//! foreign keys themselves (not only the API's checks) refuse a row naming a missing member.

use std::time::{Duration, Instant};

use reqwest::{StatusCode, header};
use samverkan::{
    db::DbConfig,
    domain::meeting::AttendanceStatus,
    entities::{JsonColumn, attendance},
};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, Set, SqlErr,
    Statement, TransactionTrait,
    sqlx::{Connection, Executor, SqliteConnection},
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

/// A pool built the way the service builds each worker's (`samverkan::db`), on `url`.
async fn service_pool(url: &str, size: u32) -> DatabaseConnection {
    DbConfig::new(url, size, Duration::from_secs(3))
        .expect("database URL")
        .connect()
        .await
        .expect("connect as the service does")
}

/// The value of `PRAGMA name` on this connection.
async fn pragma(db: &DatabaseTransaction, name: &str) -> i64 {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        format!("PRAGMA {name}"),
    ))
    .await
    .expect("PRAGMA")
    .expect("a PRAGMA row")
    .try_get_by_index::<i64>(0)
    .expect("a number")
}

/// The busy timeout and foreign keys of each connection of a service pool (all held at once,
/// so that each is a different connection), as `(busy_timeout ms, foreign_keys)`.
async fn pool_settings(url: &str) -> Vec<(i64, i64)> {
    let pool = service_pool(url, 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(pool.begin().await.expect("a pooled connection"));
    }
    let mut settings = Vec::new();
    for connection in &held {
        settings.push((
            pragma(connection, "busy_timeout").await,
            pragma(connection, "foreign_keys").await,
        ));
    }
    settings
}

async fn the_service_sqlite_connections_wait_when_busy_and_enforce_foreign_keys() {
    let app = spawn_app(Backend::Sqlite).await;

    let settings = pool_settings(&app.database_url()).await;

    assert_eq!(settings.len(), 3);
    for (busy_timeout, foreign_keys) in settings {
        assert!(
            (1_000..=10_000).contains(&busy_timeout),
            "busy_timeout is {busy_timeout} ms: a writer must wait for another (not fail at \
             once), and not beyond a client's patience"
        );
        assert_eq!(foreign_keys, 1, "PRAGMA foreign_keys");
    }
}

/// POST /api/v1/organisations as admin with an `Idempotency-Key`.
async fn create_organisation(app: &TestApp, key: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(admin())
        .header("Idempotency-Key", key)
        .json(&json!({"name": "Alvesta kommun", "kind": "municipality",
                      "municipality_code": "0764"}))
        .send()
        .await
        .expect("POST")
}

async fn a_write_that_finds_sqlite_locked_is_a_503_with_retry_after_and_stores_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let busy_timeout = pool_settings(&app.database_url()).await[0].0;
    let organisations = app.count_rows("organisations").await;
    let audit_rows = app.count_rows("audit_log").await;
    // Another process holds SQLite's one write lock.
    let mut holder = SqliteConnection::connect(&app.database_url())
        .await
        .expect("a connection of the test's own");
    holder
        .execute("BEGIN IMMEDIATE")
        .await
        .expect("take the write lock");

    let started = Instant::now();
    let response = create_organisation(&app, "busy-sqlite-1").await;
    let waited = started.elapsed();

    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let problem = assert_problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(problem["type"], "urn:samverkan:problem:unavailable");
    assert!(
        retry_after.is_some_and(|s| (1..=60).contains(&s)),
        "Retry-After: {retry_after:?}"
    );
    // It waited for the lock (busy_timeout) before giving up, rather than failing at once.
    let patience = Duration::from_millis(busy_timeout.max(1_000) as u64 * 9 / 10);
    assert!(
        waited >= patience,
        "refused after {waited:?}: before the busy timeout of {busy_timeout} ms ran out"
    );
    holder.execute("ROLLBACK").await.expect("release the lock");
    drop(holder);
    assert_eq!(app.count_rows("organisations").await, organisations);
    assert_eq!(app.count_rows("audit_log").await, audit_rows);

    // The lock is gone: the same write (same key) succeeds, once.
    let response = create_organisation(&app, "busy-sqlite-1").await;
    let status = response.status();
    let created: Value = response.json().await.expect("JSON");
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(app.count_rows("organisations").await, organisations + 1);
    assert_eq!(app.count_rows("audit_log").await, audit_rows + 1);
}

/// An attendance row for `member_id` at `meeting_id`.
fn attendance_row(meeting_id: Uuid, member_id: Uuid) -> attendance::ActiveModel {
    attendance::ActiveModel {
        id: Set(Uuid::now_v7()),
        meeting_id: Set(meeting_id),
        member_id: Set(member_id),
        position: Set(0),
        status: Set(AttendanceStatus::Present),
        substitute_for_member_id: Set(None),
        represents_id: Set(None),
        guest: Set(false),
        agenda_item_ids: Set(JsonColumn(Vec::new())),
        note: Set(None),
    }
}

async fn the_database_refuses_attendance_of_a_member_that_does_not_exist(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp Barnens bästa gäller!").await;
    let response = app
        .post_json(
            "/api/v1/meetings",
            Some(&admin()),
            &json!({"group_id": group["id"], "title": "Styrgruppsmöte",
                    "starts_at": "2021-11-05T09:00:00Z", "ends_at": "2021-11-05T12:00:00Z",
                    "status": "held", "public": true}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let meeting: Value = response.json().await.expect("meeting JSON");
    let meeting_id: Uuid = meeting["id"].as_str().expect("id").parse().expect("UUID");
    let member = app.create_member(json!({"name": "Anna Lind"})).await;
    let member_id: Uuid = member["id"].as_str().expect("id").parse().expect("UUID");
    // Past the API: straight through a connection made the way the service makes them.
    let db = service_pool(&app.database_url(), 1).await;
    let before = app.count_rows("attendance").await;

    let refused = attendance_row(meeting_id, Uuid::now_v7()).insert(&db).await;

    let error = refused.expect_err("attendance of a member that does not exist");
    assert!(
        matches!(
            error.sql_err(),
            Some(SqlErr::ForeignKeyConstraintViolation(_))
        ),
        "a foreign-key violation, not: {error}"
    );
    assert_eq!(app.count_rows("attendance").await, before);
    // The same row for a member that exists is stored: the foreign key was the refusal.
    attendance_row(meeting_id, member_id)
        .insert(&db)
        .await
        .expect("attendance of an existing member");
    assert_eq!(app.count_rows("attendance").await, before + 1);
}

crate::on_both_backends!(the_database_refuses_attendance_of_a_member_that_does_not_exist);

crate::plain_tests!(
    async:
    the_service_sqlite_connections_wait_when_busy_and_enforce_foreign_keys,
    a_write_that_finds_sqlite_locked_is_a_503_with_retry_after_and_stores_nothing,
);
