//! `Idempotency-Key` on POST: a retry answers from the first attempt and creates nothing.

use futures_util::future::join_all;
use reqwest::{Response, StatusCode};
use samverkan::auth::Role;
use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::*;

const ORGS: &str = "/api/v1/organisations";

async fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> Response {
    app.client
        .post(app.url(ORGS))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn a_retried_post_is_answered_from_the_first_and_creates_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = json!({"name": "Växjö kommun", "kind": "municipality", "municipality_code": "0780"});
    let token = admin();

    let first = post_with_key(
        &app,
        &token,
        "\"4c1f0c2e-93d4-4f3e-9a53-0f8c9a3f5d21\"",
        &body,
    )
    .await;
    let second = post_with_key(
        &app,
        &token,
        "\"4c1f0c2e-93d4-4f3e-9a53-0f8c9a3f5d21\"",
        &body,
    )
    .await;

    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(second.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert_eq!(first.headers()["location"], second.headers()["location"]);
    assert_eq!(first.headers()["etag"], second.headers()["etag"]);
    let (a, b): (Value, Value) = (first.json().await.unwrap(), second.json().await.unwrap());
    assert_eq!(a, b, "the replay is identical");
    assert_eq!(app.count_rows("organisations").await, 1);
    assert_eq!(app.count_rows("audit_log").await, 1);
}

async fn a_key_reused_with_another_body_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = admin();
    post_with_key(
        &app,
        &token,
        "key-1",
        &json!({"name": "Lessebo kommun", "kind": "municipality"}),
    )
    .await;

    let other = post_with_key(
        &app,
        &token,
        "key-1",
        &json!({"name": "Tingsryds kommun", "kind": "municipality"}),
    )
    .await;

    let problem = assert_problem(other, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["Idempotency-Key"]);
    assert_eq!(app.count_rows("organisations").await, 1);
}

async fn concurrent_requests_with_one_key_create_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = admin();
    let body = json!({"name": "Alvesta kommun", "kind": "municipality"});

    let responses = join_all((0..8).map(|_| post_with_key(&app, &token, "same-key", &body))).await;

    // One request creates; each other one either met it in flight (409, nothing written) or
    // came after it and is answered from it (201 with `Idempotent-Replayed`, the same record).
    let mut first = None;
    let mut replays = Vec::new();
    for response in responses {
        match response.status() {
            StatusCode::CREATED if response.headers().get("idempotent-replayed").is_none() => {
                assert!(first.is_none(), "a second creation with one key");
                first = Some(response.json::<Value>().await.unwrap());
            }
            StatusCode::CREATED => replays.push(response.json::<Value>().await.unwrap()),
            StatusCode::CONFLICT => {
                assert_problem(response, StatusCode::CONFLICT).await;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let first = first.expect("one creation");
    assert!(
        replays.iter().all(|replay| *replay == first),
        "replays are identical"
    );
    assert_eq!(app.count_rows("organisations").await, 1);
    assert_eq!(app.count_rows("audit_log").await, 1);
}

/// The first request's transaction still open when the retry arrives (here: a row the test
/// inserts and holds uncommitted, as that transaction would): the retry waits for it, then
/// answers 409 and writes nothing (on SQLite it waits for the write lock, on PostgreSQL for
/// the key's row).
async fn a_retry_while_the_first_is_in_flight_is_a_409(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = admin();
    let body = json!({"name": "Uppvidinge kommun", "kind": "municipality"});
    let warm = post_with_key(&app, &token, "warm", &body).await;
    assert_eq!(warm.status(), StatusCode::CREATED);
    let actor: String = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT actor FROM idempotency_keys WHERE key = 'warm'",
        ))
        .await
        .unwrap()
        .expect("the stored key")
        .try_get("", "actor")
        .unwrap();

    let other = Database::connect(app.database_url()).await.unwrap();
    let first = other.begin().await.unwrap();
    first
        .execute_raw(Statement::from_sql_and_values(
            app.db.get_database_backend(),
            match backend {
                Backend::Postgres => {
                    "INSERT INTO idempotency_keys \
                     (actor, key, fingerprint, status, body, created_at) \
                     VALUES ($1, 'in-flight', 'first', 201, '{}', $2)"
                }
                Backend::Sqlite => {
                    "INSERT INTO idempotency_keys \
                     (actor, key, fingerprint, status, body, created_at) \
                     VALUES (?, 'in-flight', 'first', 201, '{}', ?)"
                }
            },
            [actor.into(), chrono::Utc::now().into()],
        ))
        .await
        .unwrap();
    let retry = tokio::spawn({
        let (client, url, token, body) = (app.client.clone(), app.url(ORGS), token.clone(), body);
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", "in-flight")
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert!(
        !retry.is_finished(),
        "the retry waits for the first request"
    );
    first.commit().await.unwrap();

    assert_problem(retry.await.unwrap(), StatusCode::CONFLICT).await;
    assert_eq!(app.count_rows("organisations").await, 1);
    assert_eq!(app.count_rows("audit_log").await, 1);
}

/// With `SAMVERKAN_REQUIRE_IDEMPOTENCY_KEY`, a creating POST without a key is a 400 naming the
/// header, and nothing is written; with a key it creates; other writes need none.
async fn a_missing_key_is_a_400_where_keys_are_required(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.require_idempotency_key = true).await;
    let body = json!({"name": "Ljungby kommun", "kind": "municipality"});

    let bare = app.post_json(ORGS, Some(&admin()), &body).await;
    let problem = assert_problem(bare, StatusCode::BAD_REQUEST).await;
    assert_eq!(error_fields(&problem), ["Idempotency-Key"]);
    assert_eq!(app.count_rows("organisations").await, 0);
    assert_eq!(app.count_rows("audit_log").await, 0);

    let keyed = post_with_key(&app, &admin(), "k-1", &body).await;
    assert_eq!(keyed.status(), StatusCode::CREATED);
    let created: Value = keyed.json().await.unwrap();
    let path = format!("{ORGS}/{}", created["id"].as_str().unwrap());
    let patched = app
        .patch_json(
            &path,
            Some(&admin()),
            None,
            &json!({"short_name": "Ljungby"}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(app.count_rows("organisations").await, 1);

    // Off (the default), a POST without a key creates.
    let default = spawn_app(backend).await;
    let created = default.post_json(ORGS, Some(&admin()), &body).await;
    assert_eq!(created.status(), StatusCode::CREATED);
}

async fn keys_belong_to_their_caller_and_requests_without_a_key_are_not_deduplicated(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let anna = token_for("anna", &[Role::Admin], None);
    let bo = token_for("bo", &[Role::Admin], None);
    let body = json!({"name": "Förening", "kind": "ngo"});

    let first = post_with_key(&app, &anna, "shared", &body).await;
    let other_caller = post_with_key(&app, &bo, "shared", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(other_caller.status(), StatusCode::CREATED);
    assert!(
        other_caller.headers().get("idempotent-replayed").is_none(),
        "no replay of another caller's response"
    );

    app.post_json(ORGS, Some(&anna), &body).await;
    app.post_json(ORGS, Some(&anna), &body).await;
    assert_eq!(app.count_rows("organisations").await, 4);
}

async fn a_malformed_key_is_a_bad_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = json!({"name": "Förening", "kind": "ngo"});

    for key in ["", "has space", &"k".repeat(256)] {
        let response = post_with_key(&app, &admin(), key, &body).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
    assert_eq!(app.count_rows("organisations").await, 0);

    // The documented pattern allows optional quotes around the key; a key of two quotes is
    // that key, not an empty one (Schemathesis found the 400).
    let response = post_with_key(&app, &admin(), "\"\"", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let again = post_with_key(&app, &admin(), "\"\"", &body).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(app.count_rows("organisations").await, 1);
}

crate::on_both_backends!(
    a_retried_post_is_answered_from_the_first_and_creates_once,
    a_key_reused_with_another_body_is_refused,
    concurrent_requests_with_one_key_create_once,
    a_retry_while_the_first_is_in_flight_is_a_409,
    a_missing_key_is_a_400_where_keys_are_required,
    keys_belong_to_their_caller_and_requests_without_a_key_are_not_deduplicated,
    a_malformed_key_is_a_bad_request,
);
