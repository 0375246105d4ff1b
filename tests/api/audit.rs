//! The audit log: one row per write, in the write's transaction, readable by admins only.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

async fn every_write_appends_one_audit_row_and_one_change_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = token_for("anna.admin", &[samverkan::auth::Role::Admin], None);

    let created: Value = app
        .post_json(
            "/api/v1/organisations",
            Some(&token),
            &json!({"name": "Växjö kommun", "kind": "municipality"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/organisations/{}", created["id"].as_str().unwrap());
    app.patch_json(&path, Some(&token), None, &json!({"short_name": "Växjö"}))
        .await;
    app.delete(&path, Some(&token), None).await;
    let request_id = "audit-test-request";
    let failed = app
        .client
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .header("x-request-id", request_id)
        .json(&json!({"name": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = app
        .get("/api/v1/audit?entity_type=organisation", Some(&admin()))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap();
    let entries = page["items"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["create", "update", "archive"],
        "one row per write, none for the failed one"
    );
    for entry in entries {
        assert_eq!(entry["actor"], "anna.admin");
        assert_eq!(entry["actor_roles"], json!(["admin"]));
        assert_eq!(entry["entity_id"], created["id"]);
        assert!(entry["request_id"].is_string());
    }
    assert!(entries[0]["before"].is_null());
    assert_eq!(entries[0]["after"]["name"], "Växjö kommun");
    assert_eq!(entries[1]["before"]["short_name"], Value::Null);
    assert_eq!(entries[1]["after"]["short_name"], "Växjö");
    assert_eq!(entries[2]["after"]["archived"], true);
    assert_eq!(app.count_rows("change_events").await, 3);
}

async fn the_audit_log_filters_by_entity_and_actor_and_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let anna = token_for("anna", &[samverkan::auth::Role::Admin], None);
    let bo = token_for("bo", &[samverkan::auth::Role::Admin], None);
    let mut ids = Vec::new();
    for (i, token) in [&anna, &bo, &anna].into_iter().enumerate() {
        let org: Value = app
            .post_json(
                "/api/v1/organisations",
                Some(token),
                &json!({"name": format!("Org {i}"), "kind": "ngo"}),
            )
            .await
            .json()
            .await
            .unwrap();
        ids.push(org["id"].as_str().unwrap().to_owned());
    }

    let by_actor: Value = app
        .get("/api/v1/audit?actor=anna", Some(&admin()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_actor["items"].as_array().unwrap().len(), 2);
    let by_entity: Value = app
        .get(
            &format!("/api/v1/audit?entity_id={}", ids[1]),
            Some(&admin()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_entity["items"][0]["actor"], "bo");

    let first: Value = app
        .get("/api/v1/audit?limit=2", Some(&admin()))
        .await
        .json()
        .await
        .unwrap();
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = app
        .get(
            &format!("/api/v1/audit?limit=2&cursor={cursor}"),
            Some(&admin()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["items"][0]["entity_id"], ids[2].as_str());
    assert!(second["next_cursor"].is_null());
}

async fn only_admins_read_the_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;

    assert_problem(
        app.get("/api/v1/audit", None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for (_, token) in non_admins() {
        assert_problem(
            app.get("/api/v1/audit", Some(&token)).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
}

async fn the_audit_log_cannot_be_changed_even_in_the_database(backend: Backend) {
    use sea_orm::ConnectionTrait;
    let app = spawn_app(backend).await;
    app.create_municipality("Växjö kommun", "0780").await;
    // Reading the head gives the event its feed position.
    let head = app.get("/api/v1/events/head", None).await;
    assert_eq!(head.status(), StatusCode::OK);

    for sql in [
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_log",
        "DELETE FROM change_events",
        // The events are append-only too, but for the three updates the service makes: a
        // position handed out once, the state an erasure scrubs, and a withdrawal's hiding.
        "UPDATE change_events SET entity_type = 'meeting'",
        "UPDATE change_events SET event_type = 'organisation.archived'",
        "UPDATE change_events SET position = position + 100",
    ] {
        assert!(
            app.db.execute_unprepared(sql).await.is_err(),
            "{sql} must fail"
        );
    }
    // An event may be taken from public readers (a withdrawal), never given to them.
    let hide = "UPDATE change_events SET public = false";
    assert!(app.db.execute_unprepared(hide).await.is_ok(), "{hide}");
    let show = "UPDATE change_events SET public = true";
    assert!(
        app.db.execute_unprepared(show).await.is_err(),
        "{show} must fail"
    );
    assert_eq!(app.count_rows("audit_log").await, 1);
    assert_eq!(app.count_rows("change_events").await, 1);
}

/// Row 37 of the test plan: neither TRUNCATE (a statement, which passes row triggers by) nor a
/// role that merely has every privilege on the tables changes the log. On PostgreSQL a role
/// that does not own the tables (how a deployment should run the service once migrated) is
/// refused by the triggers and cannot switch them off; an owner who does is caught by the
/// hash chain (`audit_chain.rs`). SQLite has no TRUNCATE; its whole-table DELETE runs the
/// row triggers and fails.
async fn neither_truncate_nor_a_privileged_role_changes_the_log(backend: Backend) {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = spawn_app(backend).await;
    app.create_municipality("Växjö kommun", "0780").await;
    let statements: &[&str] = match backend {
        Backend::Postgres => &[
            "TRUNCATE audit_log",
            "TRUNCATE change_events",
            "TRUNCATE audit_log, change_events CASCADE",
        ],
        Backend::Sqlite => &["DELETE FROM audit_log", "DELETE FROM change_events"],
    };
    for sql in statements {
        assert!(
            app.db.execute_unprepared(sql).await.is_err(),
            "{sql} must fail"
        );
    }

    if backend == Backend::Postgres {
        let role = format!("samverkan_app_{}", uuid::Uuid::now_v7().simple());
        app.db
            .execute_unprepared(&format!(
                "CREATE ROLE {role} NOLOGIN; \
                 GRANT ALL ON audit_log, change_events TO {role}"
            ))
            .await
            .unwrap();
        for sql in [
            "UPDATE audit_log SET actor = 'mallory'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
            "TRUNCATE change_events",
            "ALTER TABLE audit_log DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_log_append_only ON audit_log",
        ] {
            let txn = app.db.begin().await.unwrap();
            txn.execute_unprepared(&format!("SET LOCAL ROLE {role}"))
                .await
                .unwrap();
            assert!(
                txn.execute_unprepared(sql).await.is_err(),
                "{sql} as a role with every privilege must fail"
            );
            txn.rollback().await.unwrap();
        }
        app.db
            .execute_unprepared(&format!(
                "REVOKE ALL ON audit_log, change_events FROM {role}; DROP ROLE {role}"
            ))
            .await
            .unwrap();
    }
    assert_eq!(app.count_rows("audit_log").await, 1);
    assert_eq!(app.count_rows("change_events").await, 1);
    let verified = app.get("/api/v1/audit/verify", Some(&admin())).await;
    assert_eq!(verified.status(), StatusCode::OK);
    let report: Value = verified.json().await.unwrap();
    assert_eq!(report["ok"], true, "{report}");
}

async fn an_unknown_entity_type_is_refused_naming_the_parameter(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .get("/api/v1/audit?entity_type=nonsense", Some(&admin()))
        .await;

    let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(error_fields(&problem), ["entity_type"]);
}

async fn the_audit_log_pages_changes_since_a_time(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_group("Styrgruppen").await;
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    app.create_group("Beredningsgruppen").await;

    let response = app
        .get(
            &format!(
                "/api/v1/audit?limit=1&updated_since={}",
                since.replace('+', "%2B")
            ),
            Some(&admin()),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["after"]["name"], "Beredningsgruppen");
    assert_eq!(items[0]["action"], "create");
}

/// Row 36: each write's audit row carries the request id of that write's response (the
/// `x-request-id` header), the server's own or the one the client sent.
async fn each_audit_row_carries_the_request_id_of_its_write(backend: Backend) {
    let app = spawn_app(backend).await;
    let header_of = |response: &reqwest::Response| {
        response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let created = app
        .post_json(
            "/api/v1/organisations",
            Some(&admin()),
            &json!({"name": "Växjö kommun", "kind": "municipality"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let mut expected = vec![("create", header_of(&created))];
    let record: Value = created.json().await.unwrap();
    let path = format!("/api/v1/organisations/{}", record["id"].as_str().unwrap());
    let patched = app
        .client
        .patch(app.url(&path))
        .bearer_auth(admin())
        .header("x-request-id", "client-chosen-id-17")
        .json(&json!({"short_name": "Växjö"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(
        header_of(&patched),
        "client-chosen-id-17",
        "the client's id is kept"
    );
    expected.push(("update", header_of(&patched)));
    let deleted = app.delete(&path, Some(&admin()), None).await;
    assert!(deleted.status().is_success());
    expected.push(("archive", header_of(&deleted)));

    let page: Value = app
        .get("/api/v1/audit?entity_type=organisation", Some(&admin()))
        .await
        .json()
        .await
        .unwrap();
    let rows: Vec<(&str, &str)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["request_id"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(&str, &str)> = expected.iter().map(|(a, r)| (*a, r.as_str())).collect();
    assert_eq!(rows, expected);
    // Three different requests, three different ids.
    assert_ne!(expected[0].1, expected[2].1);
}

crate::on_both_backends!(
    every_write_appends_one_audit_row_and_one_change_event,
    each_audit_row_carries_the_request_id_of_its_write,
    the_audit_log_filters_by_entity_and_actor_and_pages,
    only_admins_read_the_audit_log,
    the_audit_log_cannot_be_changed_even_in_the_database,
    neither_truncate_nor_a_privileged_role_changes_the_log,
    an_unknown_entity_type_is_refused_naming_the_parameter,
    the_audit_log_pages_changes_since_a_time,
);
