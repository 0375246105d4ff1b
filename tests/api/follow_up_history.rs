//! An assignment's follow-up keeps its history (who, when, from what, to what, where it was
//! reported), shown on the assignment overview on request; and overdue means the same in the
//! overview, its filter, a meeting's follow-ups, the decision itself and the minutes.

use chrono::{Days, Utc};
use reqwest::StatusCode;
use samverkan::domain::role::Role;
use serde_json::{Value, json};

use crate::helpers::*;

async fn created(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// A held meeting of `group` on `day` with one agenda item: (meeting, item).
async fn meeting_on(app: &TestApp, group: &Value, day: &str) -> (Value, Value) {
    let meeting = created(
        app.post_json(
            "/api/v1/meetings",
            Some(&admin()),
            &json!({"group_id": id(group), "title": "Styrgruppen", "status": "held",
                    "public": true, "starts_at": format!("{day}T09:00:00+01:00"),
                    "ends_at": format!("{day}T11:00:00+01:00")}),
        )
        .await,
    )
    .await;
    let item = created(
        app.post_json(
            &format!("/api/v1/meetings/{}/agenda-items", id(&meeting)),
            Some(&admin()),
            &json!({"number": "5", "title": "Uppföljning av uppdrag"}),
        )
        .await,
    )
    .await;
    (meeting, item)
}

async fn decide(app: &TestApp, at: &(Value, Value), body: Value) -> Value {
    let mut body = body;
    body["meeting_id"] = json!(id(&at.0));
    body["agenda_item_id"] = json!(id(&at.1));
    created(
        app.post_json("/api/v1/decisions", Some(&admin()), &body)
            .await,
    )
    .await
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

async fn a_follow_up_keeps_its_history_and_shows_it_on_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app
        .create_organisation(json!({"name": "Styrgrupp", "short_name": "SG", "kind": "group"}))
        .await;
    let tvargrupp = app.create_group("Tvärgrupp barn och unga").await;
    let first = meeting_on(&app, &group, "2021-11-05").await;
    let assignment = decide(
        &app,
        &first,
        json!({
            "title": "Uppdrag kontaktvägar", "kind": "assignment",
            "text": "Tvärgruppen kartlägger kontaktvägarna.",
            "assignees": [{"kind": "organisation", "id": id(&tvargrupp)}], "due_date": "2022-02-04"
        }),
    )
    .await;
    let second = meeting_on(&app, &group, "2022-02-04").await;
    let report = decide(
        &app,
        &second,
        json!({
            "title": "Redovisning kontaktvägar", "kind": "information",
            "text": "Tvärgruppen redovisade kartläggningen."
        }),
    )
    .await;
    let path = format!("/api/v1/decisions/{}", id(&assignment));
    let secretary = token_for("sekreteraren", &[Role::Secretary], None);

    // A stale write changes nothing, history included.
    let stale = app
        .patch_json(
            &path,
            Some(&secretary),
            Some("\"99\""),
            &json!({"follow_up_status": "done"}),
        )
        .await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    // A change that leaves the status where it is adds nothing either.
    let same = app
        .patch_json(
            &path,
            Some(&secretary),
            None,
            &json!({"follow_up_status": "open"}),
        )
        .await;
    assert_eq!(same.status(), StatusCode::OK);

    let reported = app
        .patch_json(
            &path,
            Some(&secretary),
            Some("\"1\""),
            &json!({"follow_up_status": "reported", "reported_in_decision_id": id(&report)}),
        )
        .await;
    assert_eq!(reported.status(), StatusCode::OK);
    let done = app
        .patch_json(
            &path,
            Some(&admin()),
            None,
            &json!({"follow_up_status": "done"}),
        )
        .await;
    assert_eq!(done.status(), StatusCode::OK);

    let page = json_of(&app, "/api/v1/assignments?include_history=true").await;
    let item = &page["items"][0];
    assert_eq!(item["id"], id(&assignment));
    assert_eq!(item["follow_up_status"], "done");
    let history = item["follow_up_history"].as_array().unwrap();
    let steps: Vec<(Value, Value)> = history
        .iter()
        .map(|c| (c["from"].clone(), c["to"].clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (Value::Null, json!("open")),
            (json!("open"), json!("reported")),
            (json!("reported"), json!("done")),
        ]
    );
    assert_eq!(history[1]["reported_in_decision_id"], id(&report));
    assert_eq!(history[1]["reported_at_meeting_id"], id(&second.0));
    assert!(history[0]["reported_at_meeting_id"].is_null());
    // Who: the secretary's and the admin's actor ids, which differ.
    let who: Vec<&str> = history
        .iter()
        .map(|c| c["changed_by"].as_str().unwrap())
        .collect();
    assert_eq!(who[0], who[2], "the admin took the decision and closed it");
    assert_ne!(who[1], who[2], "the secretary reported it");
    let times: Vec<&str> = history
        .iter()
        .map(|c| c["changed_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // Without the flag, only the latest.
    let plain = json_of(&app, "/api/v1/assignments").await;
    assert!(plain["items"][0].get("follow_up_history").is_none());
    assert_eq!(plain["items"][0]["follow_up_status"], "done");
    let bad = app
        .get("/api/v1/assignments?include_history=often", Some(&admin()))
        .await;
    assert_problem(bad, StatusCode::BAD_REQUEST).await;

    // Anonymous callers see the history of a public assignment too.
    let anonymous = app
        .get("/api/v1/assignments?include_history=true", None)
        .await;
    assert_eq!(anonymous.status(), StatusCode::OK);
    let anonymous: Value = anonymous.json().await.unwrap();
    assert_eq!(
        anonymous["items"][0]["follow_up_history"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

async fn overdue_means_the_same_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app
        .create_organisation(json!({"name": "Styrgrupp", "short_name": "SG", "kind": "group"}))
        .await;
    let tvargrupp = app.create_group("Tvärgrupp barn och unga").await;
    let today = Utc::now().date_naive();
    let yesterday = today.checked_sub_days(Days::new(1)).unwrap();
    let last_week = today.checked_sub_days(Days::new(7)).unwrap();
    let at = meeting_on(&app, &group, &last_week.to_string()).await;
    let task = |title: &str, due: Option<String>| {
        json!({"title": title, "kind": "assignment", "text": format!("{title}."),
               "assignees": [{"kind": "organisation", "id": id(&tvargrupp)}], "due_date": due})
    };
    let late = decide(&app, &at, task("Försenat", Some(yesterday.to_string()))).await;
    let due_today = decide(&app, &at, task("Klart i dag", Some(today.to_string()))).await;
    let ongoing = decide(&app, &at, task("Löpande", None)).await;
    let reported = decide(&app, &at, task("Redovisat", Some(yesterday.to_string()))).await;
    let response = app
        .patch_json(
            &format!("/api/v1/decisions/{}", id(&reported)),
            Some(&admin()),
            None,
            &json!({"follow_up_status": "reported"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // A later meeting of the group follows up everything open and due by then.
    let next = meeting_on(
        &app,
        &group,
        &today.checked_add_days(Days::new(7)).unwrap().to_string(),
    )
    .await;

    let flag = |page: &Value| -> Vec<(String, bool)> {
        let mut flags: Vec<(String, bool)> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["title"].as_str().unwrap().to_owned(),
                    d["overdue"].as_bool().unwrap(),
                )
            })
            .collect();
        flags.sort();
        flags
    };
    let overview = flag(&json_of(&app, "/api/v1/assignments").await);
    assert_eq!(
        overview,
        [
            ("Försenat".to_owned(), true),
            ("Klart i dag".to_owned(), false),
            ("Löpande".to_owned(), false),
            ("Redovisat".to_owned(), false),
        ]
    );
    let only_late = flag(&json_of(&app, "/api/v1/assignments?overdue=true").await);
    assert_eq!(only_late, [("Försenat".to_owned(), true)]);
    let not_late = flag(&json_of(&app, "/api/v1/assignments?overdue=false").await);
    assert_eq!(not_late.len(), 3);
    assert!(not_late.iter().all(|(_, late)| !late));
    let follow_ups = flag(
        &json_of(
            &app,
            &format!("/api/v1/meetings/{}/follow-ups", id(&next.0)),
        )
        .await,
    );
    assert!(
        follow_ups.contains(&("Försenat".to_owned(), true)),
        "{follow_ups:?}"
    );
    assert!(
        follow_ups.contains(&("Klart i dag".to_owned(), false)),
        "{follow_ups:?}"
    );
    for (record, late) in [(&late, true), (&due_today, false), (&ongoing, false)] {
        let one = json_of(&app, &format!("/api/v1/decisions/{}", id(record))).await;
        assert_eq!(one["overdue"], late, "{}", one["title"]);
    }
    let minutes = app
        .get(
            &format!("/api/v1/meetings/{}/minutes", id(&at.0)),
            Some(&admin()),
        )
        .await;
    assert_eq!(minutes.status(), StatusCode::OK);
    let minutes = minutes.text().await.unwrap();
    assert_eq!(minutes.matches("(försenat)").count(), 1, "{minutes}");
}

crate::on_both_backends!(
    a_follow_up_keeps_its_history_and_shows_it_on_request,
    overdue_means_the_same_everywhere,
);
