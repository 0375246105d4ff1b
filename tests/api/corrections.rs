//! Row 35 of the reliability plan (no silent change). Until its meeting's minutes are approved
//! (justerade) a decision is still being written, and a correction is allowed; every version is
//! kept: the decision's history is its audit entries (the created record, then each change with
//! the record before and after), each sealed with a SHA-256 in a chain. A correction adds one
//! entry and leaves every earlier one, and the earlier version's content, byte for byte as it
//! was. Once the minutes are approved the decision is locked: a PATCH is a 409, PUT and DELETE
//! are no operations of a decision at all, and the record reads byte-identical afterwards.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::*;

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The body of a GET as admin, as bytes.
async fn body_of(app: &TestApp, path: &str) -> Vec<u8> {
    let response = app.get(path, Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.bytes().await.unwrap().to_vec()
}

/// The decision's history: its audit entries, oldest first.
async fn history(app: &TestApp, decision: &str) -> Vec<Value> {
    let page: Value = serde_json::from_slice(
        &body_of(
            app,
            &format!("/api/v1/audit?entity_type=decision&entity_id={decision}&limit=200"),
        )
        .await,
    )
    .unwrap();
    page["items"].as_array().unwrap().clone()
}

async fn patch_meeting(app: &TestApp, meeting: &str, body: Value) {
    let response = app
        .patch_json(
            &format!("/api/v1/meetings/{meeting}"),
            Some(&admin()),
            None,
            &body,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "meeting to {body}");
}

async fn a_correction_before_approval_is_kept_and_approval_locks_the_decision(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let meeting = created(
        &app,
        "/api/v1/meetings",
        json!({"group_id": id(&group), "title": "Styrgruppsmöte", "status": "held",
               "public": true, "starts_at": "2021-11-05T09:00:00Z",
               "ends_at": "2021-11-05T12:00:00Z"}),
    )
    .await;
    let item = created(
        &app,
        &format!("/api/v1/meetings/{}/agenda-items", id(&meeting)),
        json!({"number": "4", "title": "Budget 2022"}),
    )
    .await;
    let decision = created(
        &app,
        "/api/v1/decisions",
        json!({"meeting_id": id(&meeting), "agenda_item_id": id(&item), "kind": "decision",
               "title": "Budget 2022", "text": "Styrgruppen antar budgeten för 2022."}),
    )
    .await;
    assert_eq!(decision["status"], "adopted");
    let url = format!("/api/v1/decisions/{}", id(&decision));

    // (a) The minutes are not approved yet: a correction is a new version, recorded.
    let first = history(&app, id(&decision)).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["action"], "create");
    // The history holds each version's title and text as their SHA-256 (the texts themselves
    // are kept apart, so that an erasure can scrub a name from them).
    const ORIGINAL: &str = "Styrgruppen antar budgeten för 2022.";
    const CORRECTED: &str = "Styrgruppen antar budgeten för 2022 med ändringen i bilaga 2.";
    assert_eq!(
        first[0]["after"]["text_sha256"],
        sha256(ORIGINAL.as_bytes())
    );
    assert_eq!(first[0]["after"]["title_sha256"], sha256(b"Budget 2022"));
    let first_seal = first[0]["sha256"].as_str().unwrap().to_owned();
    assert_eq!(first_seal.len(), 64);
    let first_hash = sha256(&serde_json::to_vec(&first[0]).unwrap());
    let version_one = body_of(&app, &url).await;

    let corrected = app
        .patch_json(&url, Some(&admin()), None, &json!({"text": CORRECTED}))
        .await;
    assert_eq!(corrected.status(), StatusCode::OK);
    let corrected: Value = corrected.json().await.unwrap();
    assert_eq!(corrected["version"], 2);

    let second = history(&app, id(&decision)).await;
    assert_eq!(second.len(), 2, "one entry more: {second:?}");
    assert_eq!(
        sha256(&serde_json::to_vec(&second[0]).unwrap()),
        first_hash,
        "the earlier version's entry is byte-identical"
    );
    assert_eq!(second[0]["sha256"], first_seal.as_str());
    let correction = &second[1];
    assert_eq!(correction["action"], "update");
    assert_eq!(
        correction["previous_sha256"],
        first_seal.as_str(),
        "chained"
    );
    assert_eq!(
        correction["before"]["text_sha256"],
        sha256(ORIGINAL.as_bytes()),
        "the earlier version is kept in the correction"
    );
    assert_eq!(
        correction["before"], first[0]["after"],
        "the whole earlier version"
    );
    assert_eq!(
        correction["after"]["text_sha256"],
        sha256(CORRECTED.as_bytes())
    );
    assert_eq!(correction["after"]["version"], 2);
    // The earlier version as served and as the history holds it say the same.
    let version_one: Value = serde_json::from_slice(&version_one).unwrap();
    for field in [
        "reference",
        "kind",
        "meeting_id",
        "agenda_item_id",
        "status",
    ] {
        assert_eq!(first[0]["after"][field], version_one[field], "{field}");
    }
    assert_eq!(version_one["text"], ORIGINAL);
    let verified: Value =
        serde_json::from_slice(&body_of(&app, "/api/v1/audit/verify").await).unwrap();
    assert_eq!(verified["ok"], true, "{verified}");

    // (b) The minutes approved: the record is locked and reads byte-identical.
    patch_meeting(
        &app,
        id(&meeting),
        json!({"status": "minutes_approved", "minutes_approved_on": "2021-12-03"}),
    )
    .await;
    let locked = body_of(&app, &url).await;
    let locked_hash = sha256(&locked);
    let entries = history(&app, id(&decision)).await;
    let audit_rows = app.count_rows("audit_log").await;
    let response = app
        .patch_json(
            &url,
            Some(&admin()),
            None,
            &json!({"text": "Tyst ändring."}),
        )
        .await;
    let problem = assert_problem(response, StatusCode::CONFLICT).await;
    assert!(
        problem["type"].as_str().unwrap().ends_with("locked"),
        "{problem}"
    );
    for method in [Method::PUT, Method::DELETE] {
        let response = app
            .client
            .request(method.clone(), app.url(&url))
            .bearer_auth(admin())
            .json(&json!({"text": "Tyst ändring."}))
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    }
    assert_eq!(
        sha256(&body_of(&app, &url).await),
        locked_hash,
        "byte-identical"
    );
    assert_eq!(history(&app, id(&decision)).await, entries);
    assert_eq!(
        app.count_rows("audit_log").await,
        audit_rows,
        "nothing written"
    );
}

crate::on_both_backends!(a_correction_before_approval_is_kept_and_approval_locks_the_decision);
