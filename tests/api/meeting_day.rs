//! A meeting entered on the wrong day and corrected before its minutes are approved: its
//! decisions follow the new day in their reference and `decided_on`; a meeting whose election
//! or approval has already acted on other records as of its day keeps it (409); so does one
//! whose new references another meeting of the group holds.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    decisions::{
        DECISIONS, add_item, create_meeting, decide, decision_url, get_json, id, meeting_url,
    },
    helpers::{Backend, TestApp, admin, assert_problem, spawn_app},
    on_both_backends,
};

async fn move_to(app: &TestApp, meeting: &Value, day: &str) -> reqwest::Response {
    app.patch_json(
        &meeting_url(meeting),
        Some(&admin()),
        None,
        &json!({
            "starts_at": format!("{day}T13:00:00+01:00"),
            "ends_at": format!("{day}T15:00:00+01:00"),
        }),
    )
    .await
}

async fn steering_group(app: &TestApp) -> Value {
    app.create_organisation(json!({"name": "Styrgruppen", "short_name": "SG", "kind": "group"}))
        .await
}

/// A held meeting of `group` on `day`, two hours from `hour`.
async fn held_on(app: &TestApp, group: &Value, day: &str, hour: u32) -> Value {
    create_meeting(
        app,
        group,
        &format!("{day}T{hour:02}:00:00+01:00"),
        &format!("{day}T{:02}:00:00+01:00", hour + 2),
        "held",
    )
    .await
}

fn under(meeting: &Value, item: &Value, kind: &str, title: &str) -> Value {
    json!({
        "meeting_id": id(meeting), "agenda_item_id": id(item),
        "kind": kind, "title": title, "text": format!("{title}."),
    })
}

async fn decisions_follow_their_meeting_to_another_day(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = steering_group(&app).await;
    let meeting = held_on(&app, &group, "2021-11-04", 13).await;
    let item = add_item(&app, &meeting, "6", "Kontaktvägar").await;
    let first = decide(&app, &under(&meeting, &item, "decision", "Kontaktvägar")).await;
    let second = decide(
        &app,
        &under(&meeting, &item, "position", "Kontaktvägar, del två"),
    )
    .await;
    assert_eq!(first["reference"], "SG 2021-11-04 §6");
    assert_eq!(second["reference"], "SG 2021-11-04 §6b");

    let moved = move_to(&app, &meeting, "2021-11-05").await;
    assert_eq!(moved.status(), StatusCode::OK);

    for (decision, reference) in [(&first, "SG 2021-11-05 §6"), (&second, "SG 2021-11-05 §6b")] {
        let now = get_json(&app, &decision_url(decision), Some(&admin())).await;
        assert_eq!(now["reference"], reference);
        assert_eq!(now["decided_on"], "2021-11-05");
    }
    let found = get_json(
        &app,
        &format!("{DECISIONS}?from=2021-11-05&to=2021-11-05"),
        Some(&admin()),
    )
    .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 2);
    let minutes = app
        .get(
            &format!("{}/minutes", meeting_url(&meeting)),
            Some(&admin()),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(minutes.contains("SG 2021-11-05 §6b"), "{minutes}");
    assert!(!minutes.contains("2021-11-04"), "{minutes}");

    // The same day at another hour changes nothing.
    let later = app
        .patch_json(
            &meeting_url(&meeting),
            Some(&admin()),
            None,
            &json!({"starts_at": "2021-11-05T14:00:00+01:00"}),
        )
        .await;
    assert_eq!(later.status(), StatusCode::OK);
    let now = get_json(&app, &decision_url(&first), Some(&admin())).await;
    assert_eq!(now["reference"], "SG 2021-11-05 §6");
}

async fn a_meeting_whose_decisions_acted_elsewhere_keeps_its_day(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = steering_group(&app).await;
    let meeting = held_on(&app, &group, "2021-12-03", 13).await;
    let item = add_item(&app, &meeting, "2", "Val").await;
    let election = decide(
        &app,
        &under(&meeting, &item, "election", "Val av vice ordförande"),
    )
    .await;
    let before = get_json(&app, &meeting_url(&meeting), Some(&admin())).await;

    let refused = move_to(&app, &meeting, "2021-12-10").await;

    assert_problem(refused, StatusCode::CONFLICT).await;
    let after = get_json(&app, &meeting_url(&meeting), Some(&admin())).await;
    assert_eq!(before, after, "the meeting is unchanged");
    let now = get_json(&app, &decision_url(&election), Some(&admin())).await;
    assert_eq!(now["reference"], "SG 2021-12-03 §2");

    // A second meeting of the group that day holds "SG 2021-12-17 §1" already: moving this
    // one's "§1" there would take its reference.
    let other = held_on(&app, &group, "2021-12-17", 9).await;
    let other_item = add_item(&app, &other, "1", "Information").await;
    decide(&app, &under(&other, &other_item, "position", "Information")).await;
    let third = held_on(&app, &group, "2021-12-20", 13).await;
    let third_item = add_item(&app, &third, "1", "Information").await;
    let third_decision = decide(
        &app,
        &under(&third, &third_item, "position", "Mer information"),
    )
    .await;

    let clash = move_to(&app, &third, "2021-12-17").await;

    assert_problem(clash, StatusCode::CONFLICT).await;
    let now = get_json(&app, &decision_url(&third_decision), Some(&admin())).await;
    assert_eq!(now["reference"], "SG 2021-12-20 §1");
    assert_eq!(now["decided_on"], "2021-12-20");
}

on_both_backends!(
    decisions_follow_their_meeting_to_another_day,
    a_meeting_whose_decisions_acted_elsewhere_keeps_its_day,
);
