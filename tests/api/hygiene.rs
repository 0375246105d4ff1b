//! Row 39 of the reliability plan (error hygiene): forced 500s (a database trigger that fails
//! a write, a row that does not decode, a table gone from under the service) answer with a
//! problem whose detail is the one generic sentence, whose request id is the response's
//! `x-request-id`, and which holds no SQL, driver or database text, table name or file path.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::*;

const GENERIC: &str = "an internal error occurred; quote the request id when reporting it";

/// What an internal error must never show a client.
const LEAKS: [&str; 26] = [
    "sqlx",
    "sqlstate",
    "sqlite",
    "postgres",
    "error returned from database",
    "database error",
    "dberr",
    "injected",
    "raise",
    "trigger",
    "select ",
    "insert ",
    "update ",
    "delete ",
    " from ",
    " where ",
    "relation",
    "no such table",
    "column",
    "organisations",
    "decisions",
    "webhooks",
    "every party",
    ".rs",
    "/src/",
    "panicked",
];

async fn assert_hygienic_500(response: reqwest::Response, case: &str) {
    let header = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let path = response.url().path().to_owned();
    let problem = assert_problem(response, StatusCode::INTERNAL_SERVER_ERROR).await;
    assert_eq!(problem["detail"], GENERIC, "{case}: {problem}");
    assert_eq!(problem["request_id"], header.as_str(), "{case}: {problem}");
    assert!(
        problem["instance"].is_null() || problem["instance"] == path.as_str(),
        "{case}: {problem}"
    );
    let keys: Vec<&String> = problem.as_object().unwrap().keys().collect();
    for key in &keys {
        assert!(
            [
                "type",
                "title",
                "status",
                "detail",
                "instance",
                "request_id"
            ]
            .contains(&key.as_str()),
            "{case}: an unexpected {key} in {problem}"
        );
    }
    let mut shown = problem.clone();
    shown.as_object_mut().unwrap().remove("instance");
    let text = shown.to_string().to_lowercase();
    for leak in LEAKS {
        assert!(!text.contains(leak), "{case}: {leak:?} in {problem}");
    }
}

async fn a_500_is_generic_carries_the_request_id_and_no_database_text(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.webhooks = false).await;
    let group = app.create_group("Styrgrupp").await;
    let meeting: Value = app
        .post_json(
            "/api/v1/meetings",
            Some(&admin()),
            &json!({"group_id": group["id"], "title": "Möte", "status": "held", "public": true,
                    "starts_at": "2021-11-05T09:00:00Z", "ends_at": "2021-11-05T12:00:00Z"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let item: Value = app
        .post_json(
            &format!(
                "/api/v1/meetings/{}/agenda-items",
                meeting["id"].as_str().unwrap()
            ),
            Some(&admin()),
            &json!({"number": "1", "title": "Öppnande"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let decision: Value = app
        .post_json(
            "/api/v1/decisions",
            Some(&admin()),
            &json!({"meeting_id": meeting["id"], "agenda_item_id": item["id"],
                    "kind": "decision", "title": "Beslut", "text": "Godkänns."}),
        )
        .await
        .json()
        .await
        .unwrap();

    // A database error on a write: a trigger refuses every new organisation, naming the table.
    let trigger = match backend {
        Backend::Sqlite => "CREATE TRIGGER injected_failure BEFORE INSERT ON organisations \
                            BEGIN SELECT RAISE(ABORT, 'injected failure: INSERT INTO \
                            organisations at /src/store/organisations.rs'); END"
            .to_owned(),
        Backend::Postgres => "CREATE FUNCTION injected_failure() RETURNS trigger \
                              LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure: \
                              INSERT INTO organisations at /src/store/organisations.rs'; END $$; \
                              CREATE TRIGGER injected_failure BEFORE INSERT ON organisations \
                              FOR EACH ROW EXECUTE FUNCTION injected_failure()"
            .to_owned(),
    };
    app.db.execute_unprepared(&trigger).await.unwrap();
    let response = app
        .post_json(
            "/api/v1/organisations",
            Some(&admin()),
            &json!({"name": "Ljungby kommun", "kind": "municipality"}),
        )
        .await;
    assert_hygienic_500(response, "a trigger's exception").await;
    // A client-chosen request id is the one quoted.
    let response = app
        .client
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(admin())
        .header("x-request-id", "support-case-4711")
        .json(&json!({"name": "Alvesta kommun", "kind": "municipality"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "support-case-4711");
    assert_hygienic_500(response, "a client's request id").await;

    // A row that does not decode, read by id and in a list.
    app.db
        .execute_unprepared(&format!(
            "UPDATE decisions SET concerns = '\"every party\"' WHERE reference = '{}'",
            decision["reference"].as_str().unwrap()
        ))
        .await
        .unwrap();
    for path in [
        format!("/api/v1/decisions/{}", decision["id"].as_str().unwrap()),
        "/api/v1/decisions".to_owned(),
    ] {
        let response = app.get(&path, Some(&admin())).await;
        assert_hygienic_500(response, &path).await;
    }

    // A table gone from under the service: the driver's "no such table" / "relation does not
    // exist" stays in the log.
    app.db
        .execute_unprepared("DROP TABLE webhook_attempts")
        .await
        .unwrap();
    app.db
        .execute_unprepared("DROP TABLE webhook_deliveries")
        .await
        .unwrap();
    app.db
        .execute_unprepared("DROP TABLE webhooks")
        .await
        .unwrap();
    let response = app.get("/api/v1/webhooks", Some(&admin())).await;
    assert_hygienic_500(response, "a dropped table").await;
}

crate::on_both_backends!(a_500_is_generic_carries_the_request_id_and_no_database_text);
