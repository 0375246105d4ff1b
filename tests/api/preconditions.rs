//! Row 26 of the test plan (lost updates): with `SAMVERKAN_REQUIRE_IF_MATCH` on, a change
//! without `If-Match` is a 428 and changes nothing; two clients holding the same `ETag` get one
//! 200 and one 412; a weak tag never matches. Off (the default), a change without `If-Match`
//! applies to whatever version is current.

use reqwest::{StatusCode, header};
use serde_json::json;

use crate::{
    decisions::{NOVEMBER, id, kronoberg, meeting_url},
    helpers::{Backend, admin, assert_problem, spawn_app, spawn_app_with},
    on_both_backends,
};

async fn changes_without_if_match_are_428_when_required(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.require_if_match = true).await;
    // Creating needs no version.
    let org = app
        .create_organisation(
            json!({"name": "Markaryds kommun", "kind": "municipality", "municipality_code": "0767"}),
        )
        .await;
    let path = format!("/api/v1/organisations/{}", id(&org));

    let bare = app
        .patch_json(
            &path,
            Some(&admin()),
            None,
            &json!({"short_name": "Markaryd"}),
        )
        .await;
    let problem = assert_problem(bare, StatusCode::PRECONDITION_REQUIRED).await;
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("precondition-required"),
        "{problem}"
    );
    assert_problem(
        app.delete(&path, Some(&admin()), None).await,
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;
    let unchanged: serde_json::Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(unchanged["version"], 1);
    assert_eq!(unchanged["short_name"], serde_json::Value::Null);

    let weak = app
        .patch_json(
            &path,
            Some(&admin()),
            Some("W/\"1\""),
            &json!({"short_name": "L"}),
        )
        .await;
    assert_problem(weak, StatusCode::PRECONDITION_FAILED).await;

    // Two clients read version 1 and both write: exactly one wins.
    let token = admin();
    let (first, second) = (json!({"short_name": "A"}), json!({"short_name": "B"}));
    let (a, b) = tokio::join!(
        app.patch_json(&path, Some(&token), Some("\"1\""), &first),
        app.patch_json(&path, Some(&token), Some("\"1\""), &second),
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);

    // Whole parts and erasure too.
    let k = kronoberg(&app).await;
    let attendance = format!("{}/attendance", meeting_url(k.meeting(NOVEMBER)));
    let put = app
        .client
        .put(app.url(&attendance))
        .bearer_auth(admin())
        .json(&json!({"entries": []}))
        .send()
        .await
        .unwrap();
    assert_problem(put, StatusCode::PRECONDITION_REQUIRED).await;
    let erase = format!("/api/v1/members/{}/erase", k.person("Carl Wiklund"));
    let refused = app.post_json(&erase, Some(&admin()), &json!({})).await;
    assert_problem(refused, StatusCode::PRECONDITION_REQUIRED).await;
    let member: serde_json::Value = app
        .get(
            &format!("/api/v1/members/{}", k.person("Carl Wiklund")),
            Some(&admin()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(member["name"], "Carl Wiklund");
    let erased = app
        .client
        .post(app.url(&erase))
        .bearer_auth(admin())
        .header(header::IF_MATCH, format!("\"{}\"", member["version"]))
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::OK);
}

async fn without_the_setting_a_change_applies_to_the_current_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app
        .create_organisation(
            json!({"name": "Alvesta kommun", "kind": "municipality", "municipality_code": "0764"}),
        )
        .await;
    let path = format!("/api/v1/organisations/{}", id(&org));
    let changed = app
        .patch_json(
            &path,
            Some(&admin()),
            None,
            &json!({"short_name": "Alvesta"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let weak = app
        .patch_json(
            &path,
            Some(&admin()),
            Some("W/\"2\""),
            &json!({"short_name": "A"}),
        )
        .await;
    assert_problem(weak, StatusCode::PRECONDITION_FAILED).await;
}

on_both_backends!(
    changes_without_if_match_are_428_when_required,
    without_the_setting_a_change_applies_to_the_current_version,
);
