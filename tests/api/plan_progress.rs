//! Following up the plan without new revisions: activity progress reports (one at a time or
//! by CSV, all or nothing), their timeline, the weighted roll-up per goal, section and plan,
//! and the trace from decisions and assignments through activities to indicators.

use reqwest::{Method, Response, StatusCode, header};
use samverkan::domain::role::Role;
use serde_json::{Value, json};

use crate::{
    action_plans::{approval, approve, create_plan, first_content, new_revision},
    helpers::*,
};

fn progress_url(plan: &Value, key: &str) -> String {
    format!(
        "/api/v1/action-plans/{}/activities/{key}/progress",
        id(plan)
    )
}

async fn put(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    if_match: Option<&str>,
    body: &Value,
) -> Response {
    let mut request = app.client.request(Method::PUT, app.url(path)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(tag) = if_match {
        request = request.header(header::IF_MATCH, tag);
    }
    request.send().await.expect("PUT")
}

async fn ok_json(response: Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    ok_json(app.get(path, token).await).await
}

/// A plan whose revision 1 is approved: `kontaktvagar` (weight 3) is Växjö's, the others
/// nobody's. Returns (group, plan, Växjö).
async fn approved_plan(app: &TestApp) -> (Value, Value, Value) {
    let (sg, plan) = create_plan(app).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let mut content = first_content();
    let first = &mut content["sections"][0]["goals"][0]["activities"][0];
    first["responsible_ids"] = json!([id(&vaxjo)]);
    first["weight"] = json!(3);
    new_revision(app, &plan, &json!({"content": content})).await;
    let june = approval(app, &sg, "2021-06-04").await;
    approve(app, &plan, 1, &june).await;
    (sg, plan, vaxjo)
}

async fn progress_is_reported_without_a_new_revision(backend: Backend) {
    let app = spawn_app(backend).await;
    // Before any revision is in force there is nothing to report on.
    let (_, draft_only) = create_plan(&app).await;
    new_revision(&app, &draft_only, &json!({"content": first_content()})).await;
    let early = put(
        &app,
        &progress_url(&draft_only, "kontaktvagar"),
        Some(&admin()),
        None,
        &json!({"status": "ongoing"}),
    )
    .await;
    assert_problem(early, StatusCode::CONFLICT).await;
    assert_problem(
        app.get(&progress_url(&draft_only, "kontaktvagar"), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let (_, plan, vaxjo) = approved_plan(&app).await;
    let url = progress_url(&plan, "kontaktvagar");
    let fresh = app.get(&url, None).await;
    assert_eq!(fresh.headers()[header::ETAG], "\"0\"");
    let unchanged = app
        .client
        .get(app.url(&url))
        .header(header::IF_NONE_MATCH, "\"0\"")
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    let fresh = ok_json(fresh).await;
    assert_eq!(
        (&fresh["status"], &fresh["percent"], &fresh["version"]),
        (&json!("ongoing"), &json!(20), &json!(0))
    );
    assert_eq!(fresh["timeline"], json!([]));
    assert_eq!(fresh["overdue"], true, "due 2022-H1, not done");
    let events_before = app.count_rows("change_events").await;
    let audit_before = app.count_rows("audit_log").await;

    let secretary = token(&[Role::Secretary]);
    let report = json!({"status": "ongoing", "percent": 60, "progress_on": "2022-03-01",
                        "note": "Kartläggningen klar i fyra kommuner."});
    let first = put(&app, &url, Some(&secretary), Some("\"0\""), &report).await;
    assert_eq!(first.headers()[header::ETAG], "\"1\"");
    let first = ok_json(first).await;
    assert_eq!(
        (&first["percent"], &first["version"]),
        (&json!(60), &json!(1))
    );
    assert_eq!(first["progress_on"], "2022-03-01");
    // The same report again (a retry) adds nothing.
    let again = ok_json(put(&app, &url, Some(&secretary), None, &report).await).await;
    assert_eq!(again["version"], 1);

    // Failures leave the timeline as it was.
    let stale = put(
        &app,
        &url,
        Some(&secretary),
        Some("\"0\""),
        &json!({"status": "done"}),
    )
    .await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_problem(
        put(&app, &url, None, None, &json!({"status": "done"})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for role in [Role::Member, Role::Integration] {
        let refused = put(
            &app,
            &url,
            Some(&token(&[role])),
            None,
            &json!({"status": "done"}),
        )
        .await;
        assert_problem(refused, StatusCode::FORBIDDEN).await;
    }
    let vaxjo_id = id(&vaxjo).parse().unwrap();
    let reporter = token_for("vaxjo-rapportor", &[Role::Reporter], Some(vaxjo_id));
    let not_theirs = put(
        &app,
        &progress_url(&plan, "internat"),
        Some(&reporter),
        None,
        &json!({"status": "done"}),
    )
    .await;
    assert_problem(not_theirs, StatusCode::FORBIDDEN).await;
    let no_org = put(
        &app,
        &url,
        Some(&token(&[Role::Reporter])),
        None,
        &json!({"status": "done"}),
    )
    .await;
    assert_problem(no_org, StatusCode::FORBIDDEN).await;
    for (body, field) in [
        (json!({"status": "ongoing", "percent": 150}), "percent"),
        (json!({"status": "done", "percent": 80}), "percent"),
        (
            json!({"status": "ongoing", "progress_on": "2199-01-01"}),
            "progress_on",
        ),
        (json!({"status": "ongoing", "note": "a\u{0}b"}), "note"),
    ] {
        let problem = assert_problem(
            put(&app, &url, Some(&secretary), None, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_fields(&problem), [field], "{body}");
    }
    assert_problem(
        put(
            &app,
            &url,
            Some(&secretary),
            None,
            &json!({"status": "klart"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        put(
            &app,
            &progress_url(&plan, "finns-inte"),
            Some(&secretary),
            None,
            &json!({"status": "done"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&progress_url(&plan, "finns-inte"), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let unchanged = get_json(&app, &url, None).await;
    assert_eq!(unchanged["version"], 1);

    // Växjö's reporter closes its own activity: done means 100 per cent.
    let done = ok_json(
        put(
            &app,
            &url,
            Some(&reporter),
            Some("\"1\""),
            &json!({"status": "done"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (&done["status"], &done["percent"]),
        (&json!("done"), &json!(100))
    );
    assert_eq!(done["overdue"], false);
    let timeline = done["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(timeline[0]["note"], "Kartläggningen klar i fyra kommuner.");
    assert_ne!(timeline[0]["recorded_by"], timeline[1]["recorded_by"]);
    // Each report is audited and in the feed, once.
    assert_eq!(app.count_rows("change_events").await, events_before + 2);
    assert_eq!(app.count_rows("audit_log").await, audit_before + 2);
    let feed = get_json(&app, "/api/v1/events?types=activity_progress.created", None).await;
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{feed}");
    assert!(
        items[1]["data"]["href"]
            .as_str()
            .is_none_or(|h| h.ends_with("/kontaktvagar/progress"))
    );

    // The plan itself did not change: still one revision, as approved.
    let revision = get_json(
        &app,
        &format!("/api/v1/action-plans/{}/revisions/1", id(&plan)),
        None,
    )
    .await;
    let planned = &revision["content"]["sections"][0]["goals"][0]["activities"][0];
    assert_eq!(
        (&planned["status"], &planned["progress"]),
        (&json!("ongoing"), &json!(20))
    );
    let revisions = get_json(
        &app,
        &format!("/api/v1/action-plans/{}/revisions", id(&plan)),
        Some(&admin()),
    )
    .await;
    assert_eq!(revisions["items"].as_array().unwrap().len(), 1);

    // The roll-up: kontaktvagar (100, weight 3) and internat (0) -> 75; with indikatorer (10)
    // the section and the plan -> (300 + 0 + 10) / 5 = 62.
    let p = get_json(
        &app,
        &format!("/api/v1/action-plans/{}/progress", id(&plan)),
        None,
    )
    .await;
    let goal = &p["goals"][0];
    assert_eq!(goal["mean_progress"], 75.0);
    assert_eq!(goal["activities"][0]["status"], "done");
    assert_eq!(goal["activities"][0]["weight"], 3);
    assert!(goal["activities"][0]["progress_on"].as_str().is_some());
    assert_eq!(p["sections"][0]["mean_progress"], 62.0);
    assert_eq!(p["mean_progress"], 62.0);
    assert_eq!(p["activities_by_status"]["done"], 1);
    let overdue: Vec<&str> = p["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert!(!overdue.contains(&"kontaktvagar"), "{overdue:?}");
}

async fn post_csv(
    app: &TestApp,
    plan: &Value,
    query: &str,
    token: &str,
    content_type: &str,
    body: &str,
) -> Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/action-plans/{}/progress.csv{query}",
            id(plan)
        )))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("POST")
}

async fn progress_travels_as_csv_all_or_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, plan, vaxjo) = approved_plan(&app).await;
    let export = app
        .get(
            &format!(
                "/api/v1/action-plans/{}/progress.csv?delimiter=%3B",
                id(&plan)
            ),
            None,
        )
        .await;
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(
        export.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let text = export.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "activity_key;activity;status;percent;note;progress_on;version"
    );
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[1].starts_with("kontaktvagar;Ta fram gemensamma kontaktvägar;ongoing;20;;;0"));

    let good = "activity_key;status;percent;note;progress_on\n\
                kontaktvagar;done;;Klart.;2022-02-04\n\
                indikatorer;ongoing;50;=HYPERLINK(\"http://evil.example\");\n";
    let imported = post_csv(&app, &plan, "?delimiter=%3B", &admin(), "text/csv", good).await;
    let imported = ok_json(imported).await;
    assert_eq!(imported["reported"], 2);
    let text = app
        .get(
            &format!("/api/v1/action-plans/{}/progress.csv", id(&plan)),
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("kontaktvagar,Ta fram gemensamma kontaktvägar,done,100,Klart.,2022-02-04,1"),
        "{text}"
    );
    assert!(
        text.contains(",\"'=HYPERLINK("),
        "a formula is neutralised: {text}"
    );
    let reports = app.count_rows("activity_progress").await;

    // One bad row refuses the file; nothing is written.
    let bad = "activity_key,status,percent\nfinns-inte,done,\nindikatorer,ongoing,lots\ninternat,klart,\n";
    let problem = assert_problem(
        post_csv(&app, &plan, "", &admin(), "text/csv", bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(
        fields,
        ["rows[0].activity_key", "rows[1].percent", "rows[2].status"]
    );
    let problem = assert_problem(
        post_csv(
            &app,
            &plan,
            "",
            &admin(),
            "text/csv",
            "key,status\nx,done\n",
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["header"]);
    let problem = assert_problem(
        post_csv(
            &app,
            &plan,
            "",
            &admin(),
            "text/csv",
            "activity_key,status\n",
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["rows"]);
    assert_problem(
        post_csv(&app, &plan, "", &admin(), "application/json", good).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    // A reporter's file with a row for an activity that is not its organisation's: 403.
    let reporter = token_for(
        "vaxjo",
        &[Role::Reporter],
        Some(id(&vaxjo).parse().unwrap()),
    );
    let mixed = "activity_key,status\nkontaktvagar,ongoing\ninternat,ongoing\n";
    assert_problem(
        post_csv(&app, &plan, "", &reporter, "text/csv", mixed).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        post_csv(&app, &plan, "", &token(&[Role::Member]), "text/csv", mixed).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let anonymous = app
        .client
        .post(app.url(&format!("/api/v1/action-plans/{}/progress.csv", id(&plan))))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(mixed.to_owned())
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.count_rows("activity_progress").await, reports);
    // Its own activity it may report by file too.
    let own = post_csv(
        &app,
        &plan,
        "",
        &reporter,
        "text/csv",
        "activity_key,status\nkontaktvagar,ongoing\n",
    )
    .await;
    assert_eq!(ok_json(own).await["reported"], 1);
    assert_problem(
        app.get(
            "/api/v1/action-plans/00000000-0000-7000-8000-000000000000/progress.csv",
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

/// A decision at a new meeting of `group`: (decision, its meeting's agenda item).
async fn decide(app: &TestApp, group: &Value, date: &str, body: Value) -> Value {
    let meeting = app
        .post_json(
            "/api/v1/meetings",
            Some(&admin()),
            &json!({"group_id": id(group), "title": "Styrgruppsmöte", "status": "held",
                    "public": true, "starts_at": format!("{date}T09:00:00+01:00"),
                    "ends_at": format!("{date}T11:00:00+01:00")}),
        )
        .await;
    assert_eq!(meeting.status(), StatusCode::CREATED);
    let meeting: Value = meeting.json().await.unwrap();
    let item = app
        .post_json(
            &format!("/api/v1/meetings/{}/agenda-items", id(&meeting)),
            Some(&admin()),
            &json!({"number": "6", "title": "Kontaktvägar"}),
        )
        .await;
    assert_eq!(item.status(), StatusCode::CREATED);
    let item: Value = item.json().await.unwrap();
    let mut body = body;
    body["meeting_id"] = json!(id(&meeting));
    body["agenda_item_id"] = json!(id(&item));
    let decision = app
        .post_json("/api/v1/decisions", Some(&admin()), &body)
        .await;
    assert_eq!(decision.status(), StatusCode::CREATED);
    decision.json().await.unwrap()
}

async fn the_trace_follows_each_activity_from_decision_to_indicator(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan, _) = approved_plan(&app).await;
    let tvargrupp = app.create_group("Tvärgrupp barn och unga").await;
    let task = decide(&app, &sg, "2021-11-05", json!({
        "kind": "assignment", "title": "Uppdrag kontaktvägar", "text": "Tvärgruppen tar fram kontaktvägar.",
        "assignees": [{"kind": "organisation", "id": id(&tvargrupp)}], "due_date": "2022-02-04"
    }))
    .await;
    let closed = decide(&app, &sg, "2021-11-06", json!({
        "kind": "decision", "title": "Personalfråga", "text": "Beslut i personalfråga.", "public": false
    }))
    .await;
    // Revision 2 rewords kontaktvagar and names the assignment and the closed decision.
    let mut content = first_content();
    let first = &mut content["sections"][0]["goals"][0]["activities"][0];
    first["text"] = json!("Ta fram och pröva gemensamma kontaktvägar");
    first["decision_ids"] = json!([id(&task), id(&closed)]);
    new_revision(
        &app,
        &plan,
        &json!({"content": content, "valid_from": "2021-12-03"}),
    )
    .await;
    let december = approval(&app, &sg, "2021-12-03").await;
    approve(&app, &plan, 2, &december).await;
    let url = progress_url(&plan, "kontaktvagar");
    ok_json(
        put(
            &app,
            &url,
            Some(&admin()),
            None,
            &json!({"status": "ongoing", "percent": 40}),
        )
        .await,
    )
    .await;

    let trace_url = format!("/api/v1/action-plans/{}/trace", id(&plan));
    let anonymous = get_json(&app, &trace_url, None).await;
    assert_eq!(anonymous["revision"], 2);
    let activities = anonymous["activities"].as_array().unwrap();
    let keys: Vec<&str> = activities
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["kontaktvagar", "internat", "indikatorer"]);
    let k = &activities[0];
    let steps: Vec<(i64, &str)> = k["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["revision"].as_i64().unwrap(),
                s["change"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(steps, [(1, "added"), (2, "changed")]);
    let fields = &k["revisions"][1]["fields"];
    assert!(
        fields.as_array().unwrap().contains(&json!("text")),
        "{fields}"
    );
    assert_eq!(k["revisions"][1]["decision_id"], december["id"]);
    let refs: Vec<(&str, &Value)> = k["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["title"].as_str().unwrap(), &d["links"]))
        .collect();
    assert_eq!(
        refs.len(),
        3,
        "the closed decision is left out for anonymous: {refs:?}"
    );
    assert!(refs.contains(&("Uppdrag kontaktvägar", &json!(["named"]))));
    assert_eq!(
        refs.iter()
            .filter(|(_, l)| **l == json!(["approved_revision"]))
            .count(),
        2
    );
    let assignments = k["assignments"].as_array().unwrap();
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0]["id"], task["id"]);
    assert_eq!(assignments[0]["overdue"], true, "open and due 2022-02-04");
    assert_eq!(k["progress_timeline"][0]["percent"], 40);
    assert_eq!(
        (&k["status"], &k["progress"]),
        (&json!("ongoing"), &json!(40))
    );
    // An activity no revision changed since it was added.
    let internat = &activities[1];
    assert_eq!(internat["revisions"].as_array().unwrap().len(), 1);
    assert_eq!(internat["progress_timeline"], json!([]));
    // Members see the closed decision too.
    let inside = get_json(&app, &trace_url, Some(&token(&[Role::Member]))).await;
    assert_eq!(
        inside["activities"][0]["decisions"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // One activity's trace is the same as its entry in the plan's.
    let one = get_json(
        &app,
        &format!(
            "/api/v1/action-plans/{}/activities/kontaktvagar/trace",
            id(&plan)
        ),
        None,
    )
    .await;
    assert_eq!(&one, k);
    assert_problem(
        app.get(
            &format!("/api/v1/action-plans/{}/activities/nope/trace", id(&plan)),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let (_, unapproved) = create_plan(&app).await;
    assert_problem(
        app.get(
            &format!("/api/v1/action-plans/{}/trace", id(&unapproved)),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

crate::on_both_backends!(
    progress_is_reported_without_a_new_revision,
    progress_travels_as_csv_all_or_nothing,
    the_trace_follows_each_activity_from_decision_to_indicator,
);
