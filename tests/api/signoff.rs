//! Issue 13: sign-off (justering). The chair and the checkers of 2021-11-05 sign with their own
//! logins; the minutes are "justerade" only when all of them signed the version the record
//! holds; a later change voids the signatures; a document can be checked by its hash.

use reqwest::StatusCode;
use samverkan::auth::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{decisions::*, helpers::*};

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn signatures_url(meeting: &Value) -> String {
    format!("{}/minutes/signatures", meeting_url(meeting))
}

/// A login for `person` of the fixture: links the member to the subject `sub`.
async fn login(app: &TestApp, k: &Kronoberg, person: &str, sub: &str) -> String {
    let url = format!("/api/v1/members/{}", k.person(person));
    let response = app
        .patch_json(&url, Some(&admin()), None, &json!({"subject": sub}))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "linking {person}");
    token_for(sub, &[Role::Member], None)
}

async fn sign(app: &TestApp, meeting: &Value, token: &str, sha256: &str) -> reqwest::Response {
    app.post_json(
        &signatures_url(meeting),
        Some(token),
        &json!({"sha256": sha256}),
    )
    .await
}

async fn minutes_text(app: &TestApp, meeting: &Value, token: Option<&str>) -> String {
    let response = app
        .get(&format!("{}/minutes", meeting_url(meeting)), token)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

async fn the_chair_and_checkers_sign_off_the_minutes(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let november = k.meeting(NOVEMBER).clone();
    let roles = json!({
        "chair_id": k.person("Göran Ekvall"),
        "minutes_checkers": [k.person("Tove Lindmark"), k.person("Carl Wiklund")],
    });
    let response = app
        .patch_json(&meeting_url(&november), Some(&admin()), None, &roles)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let chair = login(&app, &k, "Göran Ekvall", "goran").await;
    let tove = login(&app, &k, "Tove Lindmark", "tove").await;
    let carl = login(&app, &k, "Carl Wiklund", "carl").await;
    let bystander = login(&app, &k, "Magnus Fjällström", "magnus").await;

    let before = get_json(&app, &signatures_url(&november), None).await;
    let content = before["content_sha256"].as_str().unwrap().to_owned();
    assert_eq!(before["signed_off"], false);
    assert_eq!(before["signatories"].as_array().unwrap().len(), 3);
    assert_eq!(before["signatories"][0]["role"], "chair");
    // What is signed is what an admin reads, before any status line or signature.
    assert_eq!(
        hex(minutes_text(&app, &november, Some(&admin()))
            .await
            .as_bytes()),
        content
    );

    // Who may not sign, and what may not be signed.
    let response = sign(&app, &november, &bystander, &content).await;
    assert_problem(response, StatusCode::FORBIDDEN).await;
    let unlinked = token_for("nobody-here", &[Role::Member], None);
    assert_problem(
        sign(&app, &november, &unlinked, &content).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let response = app
        .post_json(
            &signatures_url(&november),
            None,
            &json!({"sha256": content}),
        )
        .await;
    assert_problem(response, StatusCode::UNAUTHORIZED).await;
    let response = sign(&app, &november, &tove, &"0".repeat(64)).await;
    assert_problem(response, StatusCode::CONFLICT).await;
    let problem = assert_problem(
        sign(&app, &november, &tove, "abc").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["sha256"]);
    let missing = format!(
        "/api/v1/meetings/{}/minutes/signatures",
        uuid::Uuid::now_v7()
    );
    let response = app
        .post_json(&missing, Some(&tove), &json!({"sha256": content}))
        .await;
    assert_problem(response, StatusCode::NOT_FOUND).await;
    assert_eq!(
        app.count_rows("minutes_signatures").await,
        0,
        "nothing signed"
    );

    let signed = sign(&app, &november, &tove, &content).await;
    assert_eq!(signed.status(), StatusCode::CREATED);
    let signed: Value = signed.json().await.unwrap();
    assert_eq!(signed["role"], "checker");
    assert_eq!(signed["valid"], true);
    assert_problem(
        sign(&app, &november, &tove, &content).await,
        StatusCode::CONFLICT,
    )
    .await;
    let partly = minutes_text(&app, &november, None).await;
    assert!(!partly.contains("Justerade"), "not yet: {partly}");

    for token in [&carl, &chair] {
        assert_eq!(
            sign(&app, &november, token, &content).await.status(),
            StatusCode::CREATED
        );
    }
    let after = get_json(&app, &signatures_url(&november), None).await;
    assert_eq!(after["signed_off"], true, "{after}");
    assert_eq!(after["content_sha256"], content.as_str());
    let minutes = minutes_text(&app, &november, None).await;
    assert!(minutes.contains("*Justerade "), "{minutes}");
    for line in [
        "- Tove Lindmark (justerare) ",
        "- Carl Wiklund (justerare) ",
        "- Göran Ekvall (ordförande) ",
    ] {
        assert!(minutes.contains(line), "{line:?} in {minutes}");
    }

    // The document as downloaded, and the signed content, verify.
    let verify = format!("{}/minutes/verify", meeting_url(&november));
    let by_hash = get_json(
        &app,
        &format!("{verify}?sha256={}", hex(minutes.as_bytes())),
        None,
    )
    .await;
    assert_eq!(
        (by_hash["current"].clone(), by_hash["signed"].clone()),
        (json!(true), json!(true))
    );
    let by_content = get_json(&app, &format!("{verify}?sha256={content}"), None).await;
    assert_eq!(by_content["signed"], true);
    let posted = app
        .client
        .post(app.url(&verify))
        .header("content-type", "text/markdown")
        .body(minutes.clone())
        .send()
        .await
        .unwrap();
    let posted: Value = posted.json().await.unwrap();
    assert_eq!(posted["signed"], true, "{posted}");
    let forged = app
        .client
        .post(app.url(&verify))
        .body(format!("{minutes}\nTillägg i efterhand.\n"))
        .send()
        .await
        .unwrap();
    let forged: Value = forged.json().await.unwrap();
    assert_eq!(
        (forged["current"].clone(), forged["signed"].clone()),
        (json!(false), json!(false))
    );
    let bad = app.get(&format!("{verify}?sha256=xyz"), None).await;
    assert_problem(bad, StatusCode::BAD_REQUEST).await;
    let unknown = format!("/api/v1/meetings/{}/minutes", uuid::Uuid::now_v7());
    for path in [
        format!("{unknown}/signatures"),
        format!("{unknown}/verify?sha256={content}"),
    ] {
        assert_problem(app.get(&path, None).await, StatusCode::NOT_FOUND).await;
    }

    // A later change voids the signatures.
    let item = &k.items[&(NOVEMBER, "9")];
    let item_url = format!("{}/agenda-items/{}", meeting_url(&november), id(item));
    let response = app
        .patch_json(
            &item_url,
            Some(&admin()),
            None,
            &json!({"minutes": "Rättad text."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let changed = get_json(&app, &signatures_url(&november), None).await;
    assert_eq!(changed["signed_off"], false);
    assert_ne!(changed["content_sha256"], content.as_str());
    assert!(
        changed["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["valid"] == false)
    );
    assert_eq!(
        changed["signatures"].as_array().unwrap().len(),
        3,
        "kept as history"
    );
    let minutes = minutes_text(&app, &november, None).await;
    assert!(
        !minutes.contains("Justerade") && !minutes.contains("**Justerat:**"),
        "{minutes}"
    );
    let stale = get_json(&app, &format!("{verify}?sha256={content}"), None).await;
    assert_eq!(stale["current"], false);

    // The signatures are in the feed.
    let events = get_json(
        &app,
        "/api/v1/events?types=minutes_signature",
        Some(&admin()),
    )
    .await;
    assert_eq!(
        events["items"].as_array().map(Vec::len),
        Some(3),
        "{events}"
    );
}

async fn only_a_held_meetings_minutes_are_signed(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let february = k.meeting(FEBRUARY).clone();
    let response = app
        .patch_json(
            &meeting_url(&february),
            Some(&admin()),
            None,
            &json!({"chair_id": k.person("Göran Ekvall")}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let chair = login(&app, &k, "Göran Ekvall", "goran").await;
    let state = get_json(&app, &signatures_url(&february), None).await;

    let response = sign(
        &app,
        &february,
        &chair,
        state["content_sha256"].as_str().unwrap(),
    )
    .await;

    assert_problem(response, StatusCode::CONFLICT).await;
    assert_eq!(app.count_rows("minutes_signatures").await, 0);
}

crate::on_both_backends!(
    the_chair_and_checkers_sign_off_the_minutes,
    only_a_held_meetings_minutes_are_signed,
);
