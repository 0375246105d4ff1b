//! The assignment overview grouped by assignee, decisions in Swedish search, and assignments in
//! a member's export.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn id(record: &Value) -> &str {
    record["id"].as_str().unwrap()
}

struct Fixture {
    meeting: Value,
    item: Value,
    tvargrupp: Value,
    karin: Value,
}

async fn fixture(app: &TestApp) -> Fixture {
    let group = app
        .create_organisation(json!({"name": "Styrgrupp", "short_name": "SG", "kind": "group"}))
        .await;
    let tvargrupp = app.create_group("Tvärgrupp barn och unga").await;
    let karin = app
        .create_member(json!({"name": "Karin Lind", "subject": "karin"}))
        .await;
    let response = app
        .post_json(
            "/api/v1/meetings",
            Some(&admin()),
            &json!({"group_id": id(&group), "title": "SG", "status": "held", "public": true,
                    "starts_at": "2021-11-05T08:30:00+01:00", "ends_at": "2021-11-05T11:30:00+01:00"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let meeting: Value = response.json().await.unwrap();
    let response = app
        .post_json(
            &format!("/api/v1/meetings/{}/agenda-items", id(&meeting)),
            Some(&admin()),
            &json!({"number": "6", "title": "Kontaktvägar"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let item: Value = response.json().await.unwrap();
    Fixture {
        meeting,
        item,
        tvargrupp,
        karin,
    }
}

async fn decide(app: &TestApp, f: &Fixture, body: Value) -> Value {
    let mut body = body;
    body["meeting_id"] = json!(id(&f.meeting));
    body["agenda_item_id"] = json!(id(&f.item));
    let response = app
        .post_json("/api/v1/decisions", Some(&admin()), &body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "{body}");
    response.json().await.unwrap()
}

async fn assignments_group_by_assignee_on_request(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let f = fixture(&app).await;
    let group_task = decide(&app, &f, json!({
        "title": "Uppdrag kontaktvägar", "kind": "assignment",
        "text": "Bestämdes att ge uppdrag till tvärgrupp barn. Redovisas den 4 februari 2022.",
        "assignees": [{"kind": "organisation", "id": id(&f.tvargrupp)}], "due_date": "2022-02-04"
    }))
    .await;
    let shared = decide(&app, &f, json!({
        "title": "Gemensamt uppdrag", "kind": "assignment", "text": "Tvärgruppen och Karin Lind utreder.",
        "assignees": [{"kind": "organisation", "id": id(&f.tvargrupp)}, {"kind": "member", "id": id(&f.karin)}],
        "due_date": "2021-12-01"
    }))
    .await;

    let grouped: Value = app
        .get("/api/v1/assignments?status=open&group_by=assignee", None)
        .await
        .json()
        .await
        .unwrap();

    let groups = grouped["groups"].as_array().unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Karin Lind", "Tvärgrupp barn och unga"],
        "by name, Swedish order"
    );
    assert_eq!(groups[0]["items"].as_array().unwrap().len(), 1);
    let tvar: Vec<&str> = groups[1]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        tvar,
        [
            shared["reference"].as_str().unwrap(),
            group_task["reference"].as_str().unwrap()
        ],
        "earliest due first"
    );
    let bad = app.get("/api/v1/assignments?group_by=colour", None).await;
    assert_problem(bad, StatusCode::BAD_REQUEST).await;
}

async fn a_swedish_search_finds_decisions_whatever_the_inflection(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let f = fixture(&app).await;
    let decision = decide(&app, &f, json!({
        "title": "Kontaktvägar", "kind": "decision",
        "text": "Styrgruppen ställer sig bakom de föreslagna kontaktvägarna och handlingsplanen."
    }))
    .await;
    let hidden = decide(
        &app,
        &f,
        json!({
            "title": "Intern kontaktväg", "kind": "decision", "public": false,
            "text": "En kontaktväg som inte publiceras."
        }),
    )
    .await;

    for query in [
        "kontaktväg",
        "KONTAKTVÄGARNA",
        "kontaktvägar",
        "handlingsplan",
    ] {
        let url = format!("/api/v1/search?types=decision&q={}", urlencode(query));
        let public: Value = app.get(&url, None).await.json().await.unwrap();
        let ids: Vec<&str> = public["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [id(&decision)], "anonymous `{query}`");
        let member: Value = app
            .get(&url, Some(&token(&[samverkan::auth::Role::Member])))
            .await
            .json()
            .await
            .unwrap();
        let count = member["items"].as_array().unwrap().len();
        let expected = if query == "handlingsplan" { 1 } else { 2 };
        assert_eq!(count, expected, "member `{query}`: {member}");
    }
    let _ = hidden;
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn a_members_export_holds_the_assignments_given_to_them(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let f = fixture(&app).await;
    let task = decide(
        &app,
        &f,
        json!({
            "title": "Utred", "kind": "assignment", "text": "Karin Lind utreder frågan.",
            "assignees": [{"kind": "member", "id": id(&f.karin)}], "due_date": "2022-02-04"
        }),
    )
    .await;

    let own = app
        .get(
            &format!("/api/v1/members/{}/export", id(&f.karin)),
            Some(&token_for("karin", &[], None)),
        )
        .await;
    assert_eq!(own.status(), StatusCode::OK);
    let export: Value = own.json().await.unwrap();
    assert_eq!(export["assignments"][0]["id"], task["id"]);
    let delete = app
        .delete(
            &format!("/api/v1/members/{}", id(&f.karin)),
            Some(&admin()),
            None,
        )
        .await;
    let problem = assert_problem(delete, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("decision"),
        "{problem}"
    );

    let erase = app
        .post_json(
            &format!("/api/v1/members/{}/erase", id(&f.karin)),
            Some(&admin()),
            &json!({}),
        )
        .await;
    assert_eq!(erase.status(), StatusCode::OK);
    let hits = app.rows_mentioning("Karin Lind").await;
    assert!(hits.is_empty(), "her name remains in:\n{}", hits.join("\n"));
    let found: Value = app
        .get("/api/v1/search?q=Karin", Some(&admin()))
        .await
        .json()
        .await
        .unwrap();
    assert!(found["items"].as_array().unwrap().is_empty(), "{found}");
}

crate::on_both_backends!(
    assignments_group_by_assignee_on_request,
    a_swedish_search_finds_decisions_whatever_the_inflection,
    a_members_export_holds_the_assignments_given_to_them,
);
