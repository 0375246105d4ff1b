//! Issue 12, finding 1: a record is never more visible than the records it sits under
//! (meeting -> agenda item -> decision). A decision under a non-public item is checked through
//! every anonymous read path the OpenAPI document lists, and again as the item and the meeting
//! change their flags.

use reqwest::StatusCode;
use samverkan::auth::Role;
use serde_json::{Value, json};

use crate::helpers::*;

/// A word only the hidden records hold.
const SECRET: &str = "Löneförhandlingen";

async fn patch(app: &TestApp, path: &str, body: Value) {
    let response = app.patch_json(path, Some(&admin()), None, &body).await;
    let status = response.status();
    assert_eq!(status, StatusCode::OK, "PATCH {path} {body}");
}

/// A public meeting with a public item and a non-public one (a personnel matter); under the
/// hidden item a decision and an assignment that leave `public` at its default.
struct Record {
    group: Value,
    meeting: Value,
    open_item: Value,
    hidden_item: Value,
    decision: Value,
    assignment: Value,
    /// An action plan whose revision 1 is in consultation (not public), with a response.
    plan: Value,
}

async fn record(app: &TestApp) -> Record {
    let group = app.create_group("Styrgrupp Barnens bästa gäller!").await;
    let meeting = created(
        app,
        "/api/v1/meetings",
        json!({"group_id": id(&group), "title": "Styrgruppsmöte", "status": "held",
               "public": true, "starts_at": "2021-11-05T09:00:00Z",
               "ends_at": "2021-11-05T12:00:00Z"}),
    )
    .await;
    let items = format!("/api/v1/meetings/{}/agenda-items", id(&meeting));
    let open_item = created(
        app,
        &items,
        json!({"number": "1", "title": "Mötets öppnande"}),
    )
    .await;
    let hidden_item = created(
        app,
        &items,
        json!({"number": "2", "title": "Personalärende", "public": false,
               "minutes": format!("{SECRET} diskuterades.")}),
    )
    .await;
    let decision = created(
        app,
        "/api/v1/decisions",
        json!({"meeting_id": id(&meeting), "agenda_item_id": id(&hidden_item),
               "kind": "decision", "title": format!("Beslut om {SECRET}"),
               "text": format!("Styrgruppen godkänner {SECRET}.")}),
    )
    .await;
    assert_eq!(decision["public"], true, "public by default");
    let assignment = created(
        app,
        "/api/v1/decisions",
        json!({"meeting_id": id(&meeting), "agenda_item_id": id(&hidden_item),
               "kind": "assignment", "title": format!("Uppdrag {SECRET}"),
               "text": "Ordföranden återkommer.", "due_date": "2022-02-04",
               "assignees": [{"kind": "organisation", "id": id(&group)}]}),
    )
    .await;
    let plan = created(
        app,
        "/api/v1/action-plans",
        json!({"group_id": id(&group), "title": "Handlingsplan"}),
    )
    .await;
    let revisions = format!("/api/v1/action-plans/{}/revisions", id(&plan));
    created(app, &revisions, json!({"content": {"sections": []}})).await;
    patch(
        app,
        &format!("{revisions}/1"),
        json!({"status": "consultation", "consultation_deadline": "2021-05-20"}),
    )
    .await;
    created(
        app,
        &format!("{revisions}/1/responses"),
        json!({"organisation_id": id(&group), "received_on": "2021-05-18",
               "summary": format!("Synpunkter om {SECRET}")}),
    )
    .await;
    Record {
        group,
        meeting,
        open_item,
        hidden_item,
        decision,
        assignment,
        plan,
    }
}

/// Every anonymous GET of the OpenAPI document with the record's ids filled in, and the lists
/// with the filters that reach decisions (change pulls, search, the feed, calendars).
fn anonymous_reads(app: &TestApp, r: &Record) -> Vec<String> {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap()).unwrap();
    let mut paths = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        let Some(get) = operations.get("get") else {
            continue;
        };
        let anonymous = get["security"]
            .as_array()
            .is_none_or(|s| s.iter().any(|r| r == &json!({})));
        if !anonymous || path.ends_with("/stream") {
            continue;
        }
        let id_of = if path.starts_with("/api/v1/decisions") {
            id(&r.decision)
        } else if path.starts_with("/api/v1/organisations") {
            id(&r.group)
        } else if path.starts_with("/api/v1/action-plans") {
            id(&r.plan)
        } else {
            id(&r.meeting)
        };
        let filled = path
            .replace("{id}", id_of)
            .replace("{item_id}", id(&r.hidden_item))
            .replace("{number}", "1")
            .replace("{kpi}", "N00001")
            .replace("{mun}", "0780")
            .replace("{ids}", "0780")
            .replace("{years}", "2021");
        paths.push(filled);
    }
    let meeting = id(&r.meeting);
    let since = "updated_since=2000-01-01T00:00:00Z";
    paths.extend([
        format!("/api/v1/decisions?{since}"),
        format!("/api/v1/decisions?meeting_id={meeting}&{since}"),
        format!("/api/v1/decisions?group_id={}", id(&r.group)),
        format!("/api/v1/decisions?concerns={}", id(&r.group)),
        format!("/api/v1/assignments?{since}"),
        "/api/v1/assignments?status=open".to_owned(),
        format!("/api/v1/meetings/{meeting}/follow-ups"),
        format!("/api/v1/meetings/{meeting}/agenda-items?{since}"),
        format!("/api/v1/meetings/{meeting}/minutes?lang=en"),
        format!("/api/v1/meetings?{since}"),
        format!("/api/v1/search?q={}", SECRET.to_lowercase()),
        "/api/v1/search?q=personalärende".to_owned(),
        "/api/v1/events?after=0&limit=1000".to_owned(),
        "/api/v1/meetings.ics".to_owned(),
        format!("/api/v1/action-plans/{}/revisions?{since}", id(&r.plan)),
        format!("/api/v1/action-plans/{}/revisions/1/responses", id(&r.plan)),
        "/api/v1/search?q=synpunkter".to_owned(),
    ]);
    let _ = app;
    paths
}

/// The anonymous reads (and those of an integration and a reporter token, which see public
/// records only) that mention `needle`.
async fn leaks(app: &TestApp, r: &Record, needle: &str) -> Vec<String> {
    let integration = token(&[Role::Integration]);
    let reporter = token_for("reporter", &[Role::Reporter], id(&r.group).parse().ok());
    let mut found = Vec::new();
    for path in anonymous_reads(app, r) {
        for (who, caller) in [
            ("anonymous", None),
            ("integration", Some(integration.as_str())),
            ("reporter", Some(reporter.as_str())),
        ] {
            let body = app.get(&path, caller).await.text().await.unwrap();
            if body.to_lowercase().contains(&needle.to_lowercase()) {
                found.push(format!("{path} ({who})"));
            }
        }
    }
    found
}

async fn a_decision_is_never_more_visible_than_its_agenda_item(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = record(&app).await;
    // The response is there for those who see drafts: the scan below proves something.
    let responses = format!("/api/v1/action-plans/{}/revisions/1/responses", id(&r.plan));
    let body = app
        .get(&responses, Some(&admin()))
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains(SECRET), "{body}");
    for needle in [
        SECRET,
        id(&r.decision),
        id(&r.assignment),
        id(&r.hidden_item),
    ] {
        assert_eq!(
            leaks(&app, &r, needle).await,
            Vec::<String>::new(),
            "{needle}"
        );
    }
    // The public item and the meeting are still there for everyone.
    let minutes = app
        .get(
            &format!("/api/v1/meetings/{}/minutes", id(&r.meeting)),
            None,
        )
        .await;
    assert_eq!(minutes.status(), StatusCode::OK);
    assert!(minutes.text().await.unwrap().contains("Mötets öppnande"));
    let decision = format!("/api/v1/decisions/{}", id(&r.decision));
    assert_eq!(
        app.get(&decision, None).await.status(),
        StatusCode::NOT_FOUND
    );
    // Those who see unpublished records see it all.
    for role in [Role::Member, Role::Secretary, Role::Admin] {
        let response = app.get(&decision, Some(&token(&[role]))).await;
        assert_eq!(response.status(), StatusCode::OK, "{role:?}");
    }
    let search = app
        .get(&format!("/api/v1/search?q={SECRET}"), Some(&admin()))
        .await;
    let hits: Value = search.json().await.unwrap();
    assert_eq!(hits["items"].as_array().unwrap().len(), 3, "{hits}");
}

async fn visibility_follows_the_item_and_the_meeting(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = record(&app).await;
    let item = format!(
        "/api/v1/meetings/{}/agenda-items/{}",
        id(&r.meeting),
        id(&r.hidden_item)
    );
    let decision = format!("/api/v1/decisions/{}", id(&r.decision));
    let meeting = format!("/api/v1/meetings/{}", id(&r.meeting));
    let search = format!("/api/v1/search?q={SECRET}");
    let hits = async |app: &TestApp| -> usize {
        let page: Value = app.get(&search, None).await.json().await.unwrap();
        page["items"].as_array().unwrap().len()
    };

    // The item made public: the decisions under it follow, in every read path.
    patch(&app, &item, json!({"public": true})).await;
    assert_eq!(app.get(&decision, None).await.status(), StatusCode::OK);
    assert_eq!(hits(&app).await, 3, "the item and both decisions");
    assert!(!leaks(&app, &r, SECRET).await.is_empty());

    // The meeting made non-public: everything under it is withdrawn from public readers.
    let head: Value = app
        .get("/api/v1/events/head", None)
        .await
        .json()
        .await
        .unwrap();
    let cursor = head["cursor"].as_str().unwrap().to_owned();
    patch(&app, &meeting, json!({"public": false})).await;
    assert_eq!(
        app.get(&decision, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(hits(&app).await, 0);
    let page: Value = app
        .get(&format!("/api/v1/events?after={cursor}"), None)
        .await
        .json()
        .await
        .unwrap();
    let mut withdrawn: Vec<(String, String)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["data"]["record"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    withdrawn.sort();
    let mut expected = vec![
        ("meeting.withdrawn".to_owned(), id(&r.meeting).to_owned()),
        (
            "agenda_item.withdrawn".to_owned(),
            id(&r.open_item).to_owned(),
        ),
        (
            "agenda_item.withdrawn".to_owned(),
            id(&r.hidden_item).to_owned(),
        ),
        ("decision.withdrawn".to_owned(), id(&r.decision).to_owned()),
        (
            "decision.withdrawn".to_owned(),
            id(&r.assignment).to_owned(),
        ),
    ];
    expected.sort();
    assert_eq!(withdrawn, expected, "{page}");
    assert_eq!(leaks(&app, &r, SECRET).await, Vec::<String>::new());

    // Public again, with the item hidden again: the decisions stay hidden.
    patch(&app, &item, json!({"public": false})).await;
    patch(&app, &meeting, json!({"public": true})).await;
    assert_eq!(
        app.get(&decision, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(hits(&app).await, 0);
    assert_eq!(leaks(&app, &r, SECRET).await, Vec::<String>::new());

    // And the decision's own flag still counts under a public item.
    patch(&app, &decision, json!({"public": false})).await;
    patch(&app, &item, json!({"public": true})).await;
    assert_eq!(
        app.get(&decision, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(hits(&app).await, 2, "the item and the assignment");
}

crate::on_both_backends!(
    a_decision_is_never_more_visible_than_its_agenda_item,
    visibility_follows_the_item_and_the_meeting,
);
