//! Action plans and their revisions.
//!
//! The fixture follows the steering group's action plan (handlingsplan) of *Barnens bästa
//! gäller!* in Kronoberg: a first revision sent out for consultation and approved on
//! 2021-06-04, then revised (Covid-19) and approved again on 2021-11-05.

use reqwest::{Method, Response, StatusCode, header};
use samverkan::auth::Role;
use serde_json::{Value, json};

use crate::helpers::*;

const PLANS: &str = "/api/v1/action-plans";

fn plan_url(plan: &Value) -> String {
    format!("{PLANS}/{}", id(plan))
}

fn revision_url(plan: &Value, number: i64) -> String {
    format!("{}/revisions/{number}", plan_url(plan))
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> Response {
    let mut request = app.client.request(method, app.url(path)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

/// Asserts `status` and returns the JSON body.
async fn expect(response: Response, status: StatusCode, what: &str) -> Value {
    let got = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{what}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    expect(app.get(path, token).await, StatusCode::OK, path).await
}

/// The plan of the steering group.
pub(crate) async fn create_plan(app: &TestApp) -> (Value, Value) {
    let sg = app
        .create_organisation(json!({
            "name": "Styrgrupp Barnens bästa gäller! i Kronoberg", "short_name": "SG",
            "kind": "group"
        }))
        .await;
    let body = json!({
        "group_id": id(&sg),
        "title": "Handlingsplan Barnens bästa gäller!",
        "description": "Gemensam handlingsplan för regionen och kommunerna",
    });
    let plan = expect(
        app.post_json(PLANS, Some(&admin()), &body).await,
        StatusCode::CREATED,
        "creating the plan",
    )
    .await;
    (sg, plan)
}

/// An approval decision taken at a held meeting of `group` on `date`.
pub(crate) async fn approval(app: &TestApp, group: &Value, date: &str) -> Value {
    let meeting = expect(
        app.post_json(
            "/api/v1/meetings",
            Some(&admin()),
            &json!({
                "group_id": id(group),
                "title": "Styrgruppsmöte",
                "starts_at": format!("{date}T08:30:00+02:00"),
                "ends_at": format!("{date}T10:30:00+02:00"),
                "status": "held",
                "public": true,
            }),
        )
        .await,
        StatusCode::CREATED,
        "meeting",
    )
    .await;
    let item = expect(
        app.post_json(
            &format!("/api/v1/meetings/{}/agenda-items", id(&meeting)),
            Some(&admin()),
            &json!({"number": "4", "title": "Reviderad handlingsplan"}),
        )
        .await,
        StatusCode::CREATED,
        "agenda item",
    )
    .await;
    expect(
        app.post_json(
            "/api/v1/decisions",
            Some(&admin()),
            &json!({
                "meeting_id": id(&meeting),
                "agenda_item_id": id(&item),
                "kind": "approval",
                "title": "Reviderad handlingsplan",
                "text": "Styrgruppen godkänner den reviderade handlingsplanen.",
            }),
        )
        .await,
        StatusCode::CREATED,
        "decision",
    )
    .await
}

fn activity(key: &str, text: &str, progress: i64) -> Value {
    json!({"key": key, "text": text, "due": "2022-H1", "status": "ongoing", "progress": progress})
}

/// The first revision's content.
pub(crate) fn first_content() -> Value {
    json!({"sections": [{
        "key": "samverkan", "title": "Samverkan kring barn och unga",
        "goals": [
            {"key": "tidiga-insatser", "title": "Tidiga och samordnade insatser", "activities": [
                activity("kontaktvagar", "Ta fram gemensamma kontaktvägar", 20),
                activity("internat", "Internat för tvärgruppen", 0),
            ]},
            {"key": "uppfoljning", "title": "Gemensam uppföljning", "activities": [
                activity("indikatorer", "Ta fram indikatorer och utfallsmått", 10),
            ]},
        ]
    }]})
}

pub(crate) async fn new_revision(app: &TestApp, plan: &Value, body: &Value) -> Value {
    expect(
        app.post_json(
            &format!("{}/revisions", plan_url(plan)),
            Some(&admin()),
            body,
        )
        .await,
        StatusCode::CREATED,
        "new revision",
    )
    .await
}

async fn patch_revision(app: &TestApp, plan: &Value, number: i64, body: &Value) -> Response {
    app.patch_json(&revision_url(plan, number), Some(&admin()), None, body)
        .await
}

pub(crate) async fn approve(app: &TestApp, plan: &Value, number: i64, decision: &Value) -> Value {
    expect(
        patch_revision(
            app,
            plan,
            number,
            &json!({"status": "approved", "decision_id": id(decision)}),
        )
        .await,
        StatusCode::OK,
        "approving",
    )
    .await
}

async fn current_on(app: &TestApp, plan: &Value, date: &str) -> Option<i64> {
    let response = app
        .get(&format!("{}/current?on={date}", plan_url(plan)), None)
        .await;
    match response.status() {
        StatusCode::NOT_FOUND => None,
        StatusCode::OK => response.json::<Value>().await.unwrap()["number"].as_i64(),
        other => panic!("current?on={date}: {other}"),
    }
}

async fn the_seeds_plan_is_drafted_consulted_approved_and_superseded(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let ljungby = app.create_municipality("Ljungby kommun", "0781").await;

    let first = new_revision(
        &app,
        &plan,
        &json!({"content": first_content(), "change_summary": "Första versionen"}),
    )
    .await;
    assert_eq!(first["number"], 1);
    assert_eq!(first["status"], "draft");
    let view = get_json(&app, &plan_url(&plan), Some(&admin())).await;
    assert_eq!(view["latest_draft"], 1);
    assert_eq!(view["current_revision"], Value::Null);

    let out = expect(
        patch_revision(
            &app,
            &plan,
            1,
            &json!({"status": "consultation", "consultation_deadline": "2021-05-20"}),
        )
        .await,
        StatusCode::OK,
        "to consultation",
    )
    .await;
    assert_eq!(out["status"], "consultation");
    for (org, summary) in [
        (&vaxjo, "Tillstyrker"),
        (&ljungby, "Tillstyrker med några kommentarer"),
    ] {
        expect(
            app.post_json(
                &format!("{}/responses", revision_url(&plan, 1)),
                Some(&admin()),
                &json!({"organisation_id": id(org), "received_on": "2021-05-18", "summary": summary}),
            )
            .await,
            StatusCode::CREATED,
            "response",
        )
        .await;
    }
    let responses = get_json(
        &app,
        &format!("{}/responses", revision_url(&plan, 1)),
        Some(&admin()),
    )
    .await;
    assert_eq!(responses["items"].as_array().unwrap().len(), 2);

    let june = approval(&app, &sg, "2021-06-04").await;
    let approved = approve(&app, &plan, 1, &june).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_on"], "2021-06-04");
    assert_eq!(approved["valid_from"], "2021-06-04");
    assert_eq!(approved["decision_id"], june["id"]);

    // The Covid-19 revision: a copy of the one in force, then edited.
    let second = new_revision(
        &app,
        &plan,
        &json!({"change_summary": "Reviderad för Covid-19"}),
    )
    .await;
    assert_eq!(second["number"], 2);
    assert_eq!(second["based_on"], 1);
    assert_eq!(second["content"], approved["content"]);
    let mut content = first_content();
    content["sections"][0]["goals"][0]["activities"]
        .as_array_mut()
        .unwrap()
        .push(activity(
            "digital-plattform",
            "Anslut till en digital plattform under pandemin",
            0,
        ));
    expect(
        patch_revision(&app, &plan, 2, &json!({"content": content})).await,
        StatusCode::OK,
        "editing the draft",
    )
    .await;
    let november = approval(&app, &sg, "2021-11-05").await;
    let second = approve(&app, &plan, 2, &november).await;
    assert_eq!(second["approved_on"], "2021-11-05");
    let first = get_json(&app, &revision_url(&plan, 1), None).await;
    assert_eq!(first["status"], "superseded");

    let view = get_json(&app, &plan_url(&plan), Some(&admin())).await;
    assert_eq!(view["current_revision"], 2);
    assert_eq!(view["latest_draft"], Value::Null);

    for (date, expected, why) in [
        ("2021-06-03", None, "before the first approval"),
        ("2021-06-04", Some(1), "the day of the first approval"),
        ("2021-11-04", Some(1), "the day before the second approval"),
        ("2021-11-05", Some(2), "the day of the second approval"),
        ("2024-01-01", Some(2), "long after"),
    ] {
        assert_eq!(current_on(&app, &plan, date).await, expected, "{why}");
    }

    // Search finds the revision's content (approved revisions are public).
    let hits = get_json(
        &app,
        "/api/v1/search?q=plattform&types=action_plan_revision",
        None,
    )
    .await;
    let items = hits["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{hits}");
    assert_eq!(items[0]["id"], second["id"]);
    assert_eq!(items[0]["parent_id"], plan["id"]);
}

async fn approved_revisions_never_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    new_revision(&app, &plan, &json!({"content": first_content()})).await;

    // Approval needs an approval decision.
    let missing = assert_problem(
        patch_revision(&app, &plan, 1, &json!({"status": "approved"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&missing), ["decision_id"]);
    let june = approval(&app, &sg, "2021-06-04").await;
    approve(&app, &plan, 1, &june).await;
    let before = get_json(&app, &revision_url(&plan, 1), None).await;

    for (method, body, why) in [
        (
            Method::PATCH,
            json!({"content": first_content()}),
            "content",
        ),
        (
            Method::PATCH,
            json!({"change_summary": "ändrad"}),
            "summary",
        ),
        (Method::PATCH, json!({"status": "draft"}), "back to draft"),
        (Method::PUT, json!({"content": {"sections": []}}), "replace"),
    ] {
        let problem = assert_problem(
            send(&app, method, &revision_url(&plan, 1), Some(&admin()), &body).await,
            StatusCode::CONFLICT,
        )
        .await;
        assert_eq!(problem["type"], "urn:samverkan:problem:locked", "{why}");
    }
    let after = get_json(&app, &revision_url(&plan, 1), None).await;
    assert_eq!(before, after);
}

async fn approval_refuses_decisions_of_another_kind(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    new_revision(&app, &plan, &json!({"content": first_content()})).await;
    let june = approval(&app, &sg, "2021-06-04").await;
    // An information decision under the same item.
    let info = expect(
        app.post_json(
            "/api/v1/decisions",
            Some(&admin()),
            &json!({
                "meeting_id": june["meeting_id"], "agenda_item_id": june["agenda_item_id"],
                "kind": "information", "title": "Information", "text": "Noterades.",
            }),
        )
        .await,
        StatusCode::CREATED,
        "information decision",
    )
    .await;
    let problem = assert_problem(
        patch_revision(
            &app,
            &plan,
            1,
            &json!({"status": "approved", "decision_id": id(&info)}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["decision_id"]);
    let still = get_json(&app, &revision_url(&plan, 1), Some(&admin())).await;
    assert_eq!(still["status"], "draft");
    let problem = assert_problem(
        patch_revision(&app, &plan, 1, &json!({"status": "consultation"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["consultation_deadline"]);
}

async fn the_diff_reports_changes_by_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, plan) = create_plan(&app).await;
    new_revision(&app, &plan, &json!({"content": first_content()})).await;
    // Revision 2: `internat` removed, `kontaktvagar` moved to the follow-up goal,
    // `indikatorer` progressed, `digital` added; the goals themselves unchanged.
    let content = json!({"sections": [{
        "key": "samverkan", "title": "Samverkan kring barn och unga",
        "goals": [
            {"key": "tidiga-insatser", "title": "Tidiga och samordnade insatser", "activities": [
                activity("digital", "Digital plattform", 0),
            ]},
            {"key": "uppfoljning", "title": "Gemensam uppföljning", "activities": [
                activity("indikatorer", "Ta fram indikatorer och utfallsmått", 60),
                activity("kontaktvagar", "Ta fram gemensamma kontaktvägar", 20),
            ]},
        ]
    }]});
    new_revision(&app, &plan, &json!({"content": content})).await;

    let diff = get_json(
        &app,
        &format!("{}/diff?against=1", revision_url(&plan, 2)),
        Some(&admin()),
    )
    .await;
    assert_eq!(
        (diff["from"].as_i64(), diff["to"].as_i64()),
        (Some(1), Some(2))
    );
    let of = |level: &str, key: &str| -> Value {
        diff[level]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("{key} in {diff}"))
    };
    assert_eq!(of("activities", "digital")["change"], "added");
    let text = diff["text_diff"].as_str().unwrap();
    assert!(text.starts_with("--- revision "), "a unified diff: {text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with('+') && l.contains("Digital plattform")),
        "the added activity is a + line: {text}"
    );
    assert_eq!(of("activities", "internat")["change"], "removed");
    let moved = of("activities", "kontaktvagar");
    assert_eq!(moved["change"], "moved");
    assert_eq!(moved["parent_from"], "tidiga-insatser");
    assert_eq!(moved["parent_to"], "uppfoljning");
    let changed = of("activities", "indikatorer");
    assert_eq!(changed["change"], "changed");
    assert_eq!(
        changed["fields"],
        json!([{"field": "progress", "from": 10, "to": 60}])
    );
    assert_eq!(of("goals", "tidiga-insatser")["change"], "unchanged");
    assert_eq!(of("goals", "uppfoljning")["change"], "unchanged");
    assert_eq!(of("sections", "samverkan")["change"], "unchanged");

    // A revision compared with itself is unchanged throughout.
    let same = get_json(
        &app,
        &format!("{}/diff?against=2", revision_url(&plan, 2)),
        Some(&admin()),
    )
    .await;
    for level in ["sections", "goals", "activities"] {
        assert!(
            same[level]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["change"] == "unchanged"),
            "{level}: {same}"
        );
    }
}

async fn concurrent_drafts_are_numbered_without_gaps(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, plan) = create_plan(&app).await;
    let url = format!("{}/revisions", plan_url(&plan));
    let token = admin();
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..50 {
        let body = json!({"content": {"sections": []}, "change_summary": format!("utkast {i}")});
        let request = app
            .client
            .post(app.url(&url))
            .bearer_auth(&token)
            .json(&body);
        requests.spawn(async move { request.send().await.expect("POST") });
    }
    let mut numbers = Vec::new();
    while let Some(response) = requests.join_next().await {
        let body = expect(response.unwrap(), StatusCode::CREATED, "concurrent draft").await;
        numbers.push(body["number"].as_i64().unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=50).collect::<Vec<_>>());
    assert_eq!(app.count_rows("action_plan_revisions").await, 50);
}

async fn drafts_are_visible_to_members_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    new_revision(&app, &plan, &json!({"content": first_content()})).await;
    let june = approval(&app, &sg, "2021-06-04").await;
    approve(&app, &plan, 1, &june).await;
    new_revision(&app, &plan, &json!({})).await;

    let member = token(&[Role::Member]);
    let listed = get_json(
        &app,
        &format!("{}/revisions", plan_url(&plan)),
        Some(&member),
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    get_json(&app, &revision_url(&plan, 2), Some(&member)).await;
    assert_eq!(
        get_json(&app, &plan_url(&plan), Some(&member)).await["latest_draft"],
        2
    );

    for (who, bearer) in [
        ("anonymous", None),
        ("reporter", Some(token(&[Role::Reporter]))),
        ("integration", Some(token(&[Role::Integration]))),
    ] {
        let bearer = bearer.as_deref();
        let listed = get_json(&app, &format!("{}/revisions", plan_url(&plan)), bearer).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{who}");
        get_json(&app, &revision_url(&plan, 1), bearer).await;
        assert_problem(
            app.get(&revision_url(&plan, 2), bearer).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_problem(
            app.get(
                &format!("{}/diff?against=1", revision_url(&plan, 2)),
                bearer,
            )
            .await,
            StatusCode::NOT_FOUND,
        )
        .await;
        let view = get_json(&app, &plan_url(&plan), bearer).await;
        assert_eq!(view["latest_draft"], Value::Null, "{who}");
        assert_eq!(view["current_revision"], 1, "{who}");
    }

    // The draft's content is found by members only.
    let search = "/api/v1/search?q=kontaktvägar&types=action_plan_revision";
    assert_eq!(
        get_json(&app, search, Some(&member)).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let public = get_json(&app, search, None).await;
    assert_eq!(public["items"].as_array().unwrap().len(), 1, "{public}");
    assert_eq!(
        public["items"][0]["title"],
        "Handlingsplan Barnens bästa gäller! – revision 1"
    );

    for role in [Role::Member, Role::Reporter, Role::Integration] {
        let response = app
            .post_json(
                &format!("{}/revisions", plan_url(&plan)),
                Some(&token(&[role])),
                &json!({}),
            )
            .await;
        assert_problem(response, StatusCode::FORBIDDEN).await;
    }
    let secretary = token(&[Role::Secretary]);
    let response = app
        .post_json(
            &format!("{}/revisions", plan_url(&plan)),
            Some(&secretary),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers().contains_key(header::LOCATION));
}

async fn bad_input_is_refused_with_nothing_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let goal = |activities: Value| {
        json!({"sections": [{"key": "s", "title": "Avsnitt", "goals": [
            {"key": "g", "title": "Mål", "activities": activities}
        ]}]})
    };
    let cases = [
        (
            goal(json!([activity("a", "Ett", 0), activity("a", "Två", 0)])),
            "content.sections[0].goals[0].activities[1].key",
            "a key used twice",
        ),
        (
            goal(json!([activity("a", "Ett", 101)])),
            "content.sections[0].goals[0].activities[0].progress",
            "progress above 100",
        ),
        (
            goal(json!([{"key": "a", "text": "Ett", "status": "snart"}])),
            "content.sections[0].goals[0].activities[0].status",
            "an unknown status",
        ),
        (
            goal(json!([{"key": "a", "text": "Ett", "due": "nästa år"}])),
            "content.sections[0].goals[0].activities[0].due",
            "a due that is neither date nor period",
        ),
        (
            goal(json!([{"key": "a", "text": "  "}])),
            "content.sections[0].goals[0].activities[0].text",
            "an empty text",
        ),
        (
            goal(json!([{"key": "a", "text": "Ett", "responsible_ids": [id(&plan)]}])),
            "content.sections[0].goals[0].activities[0].responsible_ids[0]",
            "an unknown organisation",
        ),
        (
            json!({"sections": [{"key": "ett två", "title": "Avsnitt"}]}),
            "content.sections[0].key",
            "a key with a space",
        ),
    ];
    let revisions = app.count_rows("action_plan_revisions").await;
    let audit = app.count_rows("audit_log").await;
    for (content, field, why) in cases {
        let problem = assert_problem(
            app.post_json(
                &format!("{}/revisions", plan_url(&plan)),
                Some(&admin()),
                &json!({"content": content}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(
            error_fields(&problem).contains(&field.to_owned()),
            "{why}: {problem}"
        );
    }
    for (body, field, why) in [
        (
            json!({"group_id": id(&vaxjo), "title": "Plan"}),
            "group_id",
            "not a group",
        ),
        (
            json!({"group_id": id(&sg), "title": " "}),
            "title",
            "an empty title",
        ),
    ] {
        let problem = assert_problem(
            app.post_json(PLANS, Some(&admin()), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_fields(&problem), [field], "{why}");
    }
    assert_eq!(app.count_rows("action_plan_revisions").await, revisions);
    assert_eq!(app.count_rows("action_plans").await, 1);
    assert_eq!(app.count_rows("audit_log").await, audit);

    // A draft edited with a bad body stays as it was.
    new_revision(
        &app,
        &plan,
        &json!({"content": goal(json!([activity("a", "Ett", 5)]))}),
    )
    .await;
    let before = get_json(&app, &revision_url(&plan, 1), Some(&admin())).await;
    assert_problem(
        patch_revision(
            &app,
            &plan,
            1,
            &json!({"content": goal(json!([activity("a", "Ett", -1)]))}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        patch_revision(&app, &plan, 1, &json!({"content": null})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        get_json(&app, &revision_url(&plan, 1), Some(&admin())).await,
        before
    );
    // A stale If-Match is a 412.
    let stale = app
        .patch_json(
            &revision_url(&plan, 1),
            Some(&admin()),
            Some("\"7\""),
            &json!({"change_summary": "x"}),
        )
        .await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
}

async fn approved_revisions_record_their_publications(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    new_revision(&app, &plan, &json!({"content": first_content()})).await;
    let url = format!("{}/publications", revision_url(&plan, 1));
    let portal = json!({
        "channel": "document_portal",
        "url": "https://dokument.regionkronoberg.se/handlingsplan-bbg.pdf",
        "published_at": "2021-06-10",
    });
    // A draft is not published.
    assert_problem(
        app.post_json(&url, Some(&admin()), &portal).await,
        StatusCode::CONFLICT,
    )
    .await;
    let june = approval(&app, &sg, "2021-06-04").await;
    let approved = approve(&app, &plan, 1, &june).await;

    let audit = app.count_rows("audit_log").await;
    for (body, field) in [
        (
            json!({"channel": "website", "url": "javascript:alert(1)", "published_at": "2021-06-10"}),
            "url",
        ),
        (
            json!({"channel": "website", "url": "ftp://example.se/a", "published_at": "2021-06-10"}),
            "url",
        ),
    ] {
        let problem = assert_problem(
            app.post_json(&url, Some(&admin()), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_fields(&problem), [field]);
    }
    let bad_channel =
        json!({"channel": "newspaper", "url": "https://example.se", "published_at": "2021-06-10"});
    assert_problem(
        app.post_json(&url, Some(&admin()), &bad_channel).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_problem(
        app.post_json(&url, Some(&token(&[Role::Member])), &portal)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(app.count_rows("audit_log").await, audit);

    let out = expect(
        app.post_json(&url, Some(&admin()), &portal).await,
        StatusCode::CREATED,
        "publishing",
    )
    .await;
    let website = json!({
        "channel": "website",
        "url": "https://www.regionkronoberg.se/barnensbasta",
        "published_at": "2021-06-11",
    });
    let out2 = expect(
        app.post_json(&url, Some(&admin()), &website).await,
        StatusCode::CREATED,
        "publishing again",
    )
    .await;
    assert_eq!(out["publications"], json!([portal]));
    assert_eq!(out2["publications"], json!([portal, website]));
    assert_eq!(out2["version"], approved["version"].as_i64().unwrap() + 2);
    assert_eq!(out2["content"], approved["content"]);
    assert_eq!(out2["status"], "approved");
    assert_eq!(app.count_rows("audit_log").await, audit + 2);
    let read = get_json(&app, &revision_url(&plan, 1), None).await;
    assert_eq!(read["publications"], json!([portal, website]));
}

async fn a_revision_is_a_markdown_or_html_document(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    let mut content = first_content();
    content["sections"][0]["goals"][1]["title"] =
        json!("<script>alert(1)</script> **Uppföljning**");
    content["sections"][0]["goals"][1]["activities"][0]["text"] =
        json!("[klicka](javascript:alert(1)) <img src=x onerror=alert(1)>");
    new_revision(
        &app,
        &plan,
        &json!({"content": content, "change_summary": "Första versionen"}),
    )
    .await;
    let url = format!("{}/document", revision_url(&plan, 1));
    // A draft is no one's business but the members'.
    assert_problem(app.get(&url, None).await, StatusCode::NOT_FOUND).await;

    let response = app.get(&url, Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let md = response.text().await.unwrap();
    assert!(
        md.starts_with("# Handlingsplan Barnens bästa gäller! – revision 1\n"),
        "{md}"
    );
    assert!(md.contains("Status: utkast"), "{md}");
    assert!(md.contains("## Samverkan kring barn och unga"), "{md}");
    assert!(
        md.contains("- Ta fram gemensamma kontaktvägar (pågår, 20 %, senast 2022-H1)"),
        "{md}"
    );
    assert!(
        md.contains("### \\<script\\>alert(1)\\</script\\> \\*\\*Uppföljning\\*\\*"),
        "{md}"
    );

    let june = approval(&app, &sg, "2021-06-04").await;
    approve(&app, &plan, 1, &june).await;
    expect(
        app.post_json(
            &format!("{}/publications", revision_url(&plan, 1)),
            Some(&admin()),
            &json!({"channel": "website", "url": "https://www.regionkronoberg.se/bbg", "published_at": "2021-06-11"}),
        )
        .await,
        StatusCode::CREATED,
        "publishing",
    )
    .await;
    let response = app
        .client
        .get(app.url(&url))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<h3>&lt;script&gt;alert(1)&lt;/script&gt; **Uppföljning**</h3>"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert!(html.contains("Status: fastställd"), "{html}");
    assert!(
        html.contains("2021-06-11 webbplatsen: https://www.regionkronoberg.se/bbg"),
        "{html}"
    );

    let refused = app
        .client
        .get(app.url(&url))
        .header(header::ACCEPT, "application/pdf")
        .send()
        .await
        .unwrap();
    assert_problem(refused, StatusCode::NOT_ACCEPTABLE).await;
}

async fn progress_traces_activities_to_indicator_values(backend: Backend) {
    use samverkan::{
        domain::indicator::{
            Better, Breakdowns, Category, Gender, Indicator, IndicatorKind, Source,
            UncheckedIndicator, Unit, ValueRow, ValueStatus, check_rows,
        },
        store::{self, Actor},
    };
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let actor = Actor::new("test".into(), vec![Role::Admin]);
    let txn = store::begin_write(&app.db).await.unwrap();
    let ind = store::indicators::insert(
        &txn,
        &actor,
        Indicator::parse(UncheckedIndicator {
            code: "N17473".into(),
            name: "Elever som känner sig trygga".into(),
            description: None,
            category: Category::Health,
            kind: IndicatorKind::Outcome,
            unit: Unit::Percent,
            better: Better::Higher,
            decimals: 1,
            source: Source::default(),
            breakdowns: Breakdowns::default(),
            aggregation: None,
            weight_indicator_id: None,
            adopted_by_decision_id: None,
        })
        .unwrap(),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let rows = [("2020", 60.0), ("2023", 72.0)]
        .into_iter()
        .map(|(period, value)| ValueRow {
            organisation_id: id(&vaxjo).parse().unwrap(),
            period: period.into(),
            gender: Gender::Total,
            age_group: String::new(),
            value: Some(value),
            suppressed: false,
            status: ValueStatus::Final,
            approximate: false,
            note: None,
            source_ref: None,
        })
        .collect();
    let checked = check_rows(rows, &Breakdowns::default()).unwrap();
    store::indicators::upsert_values(&app.db, &actor, &ind, checked)
        .await
        .unwrap();
    expect(
        send(
            &app,
            Method::PUT,
            &format!("/api/v1/indicators/{}/targets", ind.id),
            Some(&admin()),
            &json!({"targets": [{"organisation_id": null, "baseline_period": "2020",
                                 "target_period": "2025", "target_value": 80.0}]}),
        )
        .await,
        StatusCode::OK,
        "targets",
    )
    .await;

    let mut content = first_content();
    let acts = &mut content["sections"][0]["goals"][1]["activities"];
    acts[0]["indicator_ids"] = json!([ind.id]);
    acts[0]["status"] = json!("done");
    acts[0]["due"] = json!("2021-06-30");
    content["sections"][0]["goals"][0]["activities"][0]["due"] = json!("2021-H2");
    content["sections"][0]["goals"][0]["activities"][1]["due"] = json!("2199-12-31");
    new_revision(&app, &plan, &json!({"content": content})).await;
    let url = format!("{}/progress", plan_url(&plan));
    // Nothing in force yet; a draft is followed only on request, by members.
    assert_problem(app.get(&url, None).await, StatusCode::NOT_FOUND).await;
    assert_problem(
        app.get(&format!("{url}?revision=1"), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let june = approval(&app, &sg, "2021-06-04").await;
    approve(&app, &plan, 1, &june).await;

    let p = get_json(&app, &url, None).await;
    assert_eq!(p["revision"], 1);
    assert_eq!(p["decision_id"], june["id"]);
    assert_eq!(
        p["activities_by_status"],
        json!({"planned": 0, "ongoing": 2, "done": 1, "cancelled": 0})
    );
    let overdue: Vec<&str> = p["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(overdue, ["kontaktvagar"], "{p}");
    let goals = p["goals"].as_array().unwrap();
    assert_eq!(goals[0]["indicators"], json!([]));
    let follow_up = &goals[1];
    assert_eq!(follow_up["key"], "uppfoljning");
    assert_eq!(follow_up["activities_by_status"]["done"], 1);
    let summary = &follow_up["indicators"][0];
    assert_eq!(summary["indicator"]["code"], "N17473");
    assert_eq!(summary["period"], "2023");
    let row = &summary["rows"][0];
    assert_eq!(row["value"], 72.0);
    assert_eq!(row["baseline"]["value"], 60.0);
    assert_eq!(row["baseline"]["improved"], true);
    assert_eq!(row["target"], json!({"period": "2025", "value": 80.0}));
}

/// The items of a page and its next cursor.
async fn page(app: &TestApp, path: &str) -> (Vec<Value>, Option<String>, bool) {
    let response = app.get(path, Some(&admin())).await;
    let link = response.headers().contains_key(header::LINK);
    let body = expect(response, StatusCode::OK, path).await;
    let items = body["items"].as_array().cloned().unwrap_or_default();
    (items, body["next_cursor"].as_str().map(str::to_owned), link)
}

/// Pages through `path` (which has a query string) `limit` at a time; the `number` or `id` of
/// every item, in order.
async fn walk(app: &TestApp, path: &str, limit: usize, key: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            None => format!("{path}&limit={limit}"),
            Some(c) => format!("{path}&limit={limit}&cursor={c}"),
        };
        let (items, next, link) = page(app, &url).await;
        assert!(items.len() <= limit, "{url}");
        assert_eq!(
            link,
            next.is_some(),
            "{url}: Link header with a next page only"
        );
        seen.extend(items.iter().map(|i| i[key].clone()));
        match next {
            Some(next) => cursor = Some(next),
            None => return seen,
        }
    }
}

async fn every_plan_list_takes_limit_cursor_and_updated_since(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    let other = expect(
        app.post_json(
            PLANS,
            Some(&admin()),
            &json!({"group_id": id(&sg), "title": "Handlingsplan 2"}),
        )
        .await,
        StatusCode::CREATED,
        "second plan",
    )
    .await;
    let since = plan["created_at"].as_str().unwrap().to_owned();
    let plans = walk(&app, &format!("{PLANS}?updated_since={since}"), 1, "id").await;
    assert_eq!(plans, [plan["id"].clone(), other["id"].clone()]);
    assert_eq!(
        walk(&app, &format!("{PLANS}?group_id={}", id(&sg)), 1, "id")
            .await
            .len(),
        2
    );

    // Revisions: three drafts, paged two at a time, then only the changed one.
    for summary in ["Ett", "Två", "Tre"] {
        new_revision(
            &app,
            &plan,
            &json!({"content": first_content(), "change_summary": summary}),
        )
        .await;
    }
    let revisions = format!("{}/revisions", plan_url(&plan));
    let numbers = walk(&app, &format!("{revisions}?"), 2, "number").await;
    assert_eq!(numbers, [json!(1), json!(2), json!(3)]);
    let moved = expect(
        patch_revision(
            &app,
            &plan,
            2,
            &json!({"status": "consultation", "consultation_deadline": "2021-05-20"}),
        )
        .await,
        StatusCode::OK,
        "to consultation",
    )
    .await;
    let since = moved["updated_at"].as_str().unwrap().to_owned();
    let changed = walk(
        &app,
        &format!("{revisions}?updated_since={since}"),
        2,
        "number",
    )
    .await;
    assert_eq!(changed, [json!(2)]);
    let (future, _, _) = page(
        &app,
        &format!("{revisions}?updated_since=2199-01-01T00:00:00Z"),
    )
    .await;
    assert!(future.is_empty());

    // Responses to the revision in consultation.
    let responses = format!("{}/responses", revision_url(&plan, 2));
    let mut ids = Vec::new();
    for name in ["Alvesta kommun", "Lessebo kommun", "Ljungby kommun"] {
        let org = app
            .create_organisation(json!({"name": name, "kind": "ngo"}))
            .await;
        let response = expect(
            app.post_json(
                &responses,
                Some(&admin()),
                &json!({"organisation_id": id(&org), "received_on": "2021-05-18", "summary": "Tillstyrker"}),
            )
            .await,
            StatusCode::CREATED,
            "response",
        )
        .await;
        ids.push(response["id"].clone());
    }
    assert_eq!(walk(&app, &format!("{responses}?"), 2, "id").await, ids);
    let since = format!("updated_since={}", ids_time(&app, &responses, 2).await);
    assert_eq!(
        walk(&app, &format!("{responses}?{since}"), 1, "id").await,
        ids[2..]
    );

    // Every list refuses a bad page with a 400 naming the parameter.
    for list in [PLANS.to_owned(), revisions, responses] {
        for query in [
            "limit=0",
            "limit=201",
            "cursor=zz",
            "updated_since=yesterday",
            "other=1",
        ] {
            assert_problem(
                app.get(&format!("{list}?{query}"), Some(&admin())).await,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    }
}

/// The `updated_at` of the `n`th item of a list.
async fn ids_time(app: &TestApp, list: &str, n: usize) -> String {
    let (items, _, _) = page(app, list).await;
    items[n]["updated_at"].as_str().unwrap().to_owned()
}

async fn creations_under_a_missing_plan_or_revision_are_documented_404s(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    let missing_plan = format!("{PLANS}/0190a3b4-0000-7000-8000-000000000000");
    let publication = json!({"channel": "website", "url": "https://example.se/plan.pdf", "published_at": "2021-11-10"});
    let response =
        json!({"organisation_id": id(&sg), "received_on": "2021-05-18", "summary": "Ja"});
    for (path, body) in [
        (format!("{missing_plan}/revisions"), json!({})),
        (
            format!("{missing_plan}/revisions/1/publications"),
            publication.clone(),
        ),
        (
            format!("{missing_plan}/revisions/1/responses"),
            response.clone(),
        ),
        (
            format!("{}/publications", revision_url(&plan, 9)),
            publication,
        ),
        (format!("{}/responses", revision_url(&plan, 9)), response),
    ] {
        assert_problem(
            app.post_json(&path, Some(&admin()), &body).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    // Copying a revision the plan does not have is a field error, not a 404 (or a 503).
    let problem = assert_problem(
        app.post_json(
            &format!("{}/revisions", plan_url(&plan)),
            Some(&admin()),
            &json!({"from_revision": 4}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["from_revision"]);

    let doc = get_json(&app, "/api/v1/openapi.json", None).await;
    let op = |path: &str, method: &str| doc["paths"][format!("/api/v1{path}")][method].clone();
    for path in [
        "/action-plans/{id}/revisions",
        "/action-plans/{id}/revisions/{number}/publications",
        "/action-plans/{id}/revisions/{number}/responses",
    ] {
        let post = op(path, "post");
        assert!(post["responses"]["404"].is_object(), "{path}: {post}");
        assert!(
            post["responses"]["201"]["description"].is_string(),
            "{path}"
        );
        let params: Vec<&str> = post["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(params.contains(&"Idempotency-Key"), "{path}: {params:?}");
    }
    for path in [
        "/action-plans",
        "/action-plans/{id}/revisions",
        "/action-plans/{id}/revisions/{number}/responses",
    ] {
        let get = op(path, "get");
        let params: Vec<&str> = get["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        for name in ["limit", "cursor", "updated_since"] {
            assert!(params.contains(&name), "{path}: {params:?}");
        }
    }
    let document = op("/action-plans/{id}/revisions/{number}/document", "get");
    let content = &document["responses"]["200"]["content"];
    assert!(
        content["text/markdown"].is_object() && content["text/html"].is_object(),
        "{document}"
    );
    let mut ids: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/action-plans") {
            continue;
        }
        for (_, operation) in item.as_object().unwrap() {
            if let Some(op_id) = operation["operationId"].as_str() {
                ids.push(op_id.to_owned());
            }
        }
    }
    ids.sort();
    let count = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids are unique: {ids:?}");
    for expected in [
        "list_action_plans",
        "create_action_plan",
        "get_action_plan",
        "update_action_plan",
        "list_plan_revisions",
        "create_plan_revision",
        "get_plan_revision",
        "update_plan_revision",
        "approve_plan_revision",
        "get_current_plan_revision",
        "diff_plan_revisions",
        "get_plan_revision_document",
        "create_publication",
        "list_consultation_responses",
        "create_consultation_response",
        "get_plan_progress",
    ] {
        assert!(ids.contains(&expected.to_owned()), "{expected}: {ids:?}");
    }
}

async fn what_the_document_forbids_the_server_refuses(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    // A due in another spelling than the documented pattern.
    for due in [" 2022", "2022-H01", "2022-6-30"] {
        let content = json!({"sections": [{"key": "s", "title": "Avsnitt", "goals": [
            {"key": "g", "title": "Mål", "activities": [{"key": "a", "text": "Ett", "due": due}]}
        ]}]});
        let problem = assert_problem(
            app.post_json(
                &format!("{}/revisions", plan_url(&plan)),
                Some(&admin()),
                &json!({"content": content}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(
            error_fields(&problem),
            ["content.sections[0].goals[0].activities[0].due"],
            "{due}"
        );
    }
    // `null` for a status or decision that cannot be cleared.
    new_revision(&app, &plan, &json!({"content": first_content()})).await;
    // An integral number is an integer, as JSON Schema says; a fraction is not.
    let copy = new_revision(&app, &plan, &json!({"from_revision": 1.0})).await;
    assert_eq!(copy["based_on"], 1);
    assert_eq!(
        copy["content"],
        get_json(&app, &revision_url(&plan, 1), Some(&admin())).await["content"]
    );
    let problem = assert_problem(
        app.post_json(
            &format!("{}/revisions", plan_url(&plan)),
            Some(&admin()),
            &json!({"from_revision": 1.5}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["from_revision"]);
    for body in [json!({"status": null}), json!({"decision_id": null})] {
        assert_problem(
            patch_revision(&app, &plan, 1, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // An empty summary of a response, an URL without `//` for a publication.
    let decision = approval(&app, &sg, "2021-06-04").await;
    let approved = expect(
        app.post_json(
            &format!("{}/approval", revision_url(&plan, 1)),
            Some(&admin()),
            &json!({"decision_id": id(&decision)}),
        )
        .await,
        StatusCode::OK,
        "approving by the approval action",
    )
    .await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["valid_from"], "2021-06-04");
    for url in ["https:example.se/plan.pdf", "http:/example.se", ""] {
        let problem = assert_problem(
            app.post_json(
                &format!("{}/publications", revision_url(&plan, 1)),
                Some(&admin()),
                &json!({"channel": "website", "url": url, "published_at": "2021-11-10"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_fields(&problem), ["url"], "{url}");
    }
}

async fn every_creation_under_a_plan_is_idempotent(backend: Backend) {
    let app = spawn_app(backend).await;
    let (sg, plan) = create_plan(&app).await;
    let keyed = |path: String, key: &str, body: Value| {
        let request = app
            .client
            .post(app.url(&path))
            .bearer_auth(admin())
            .header("Idempotency-Key", key)
            .json(&body);
        async move { request.send().await.expect("request") }
    };
    let revisions = format!("{}/revisions", plan_url(&plan));
    let draft = json!({"content": first_content()});
    let first = keyed(revisions.clone(), "rev-1", draft.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let location = first.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(location.ends_with("/revisions/1"), "{location}");
    let first = first.json::<Value>().await.unwrap();
    let again = keyed(revisions, "rev-1", draft).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(app.count_rows("action_plan_revisions").await, 1);

    expect(
        patch_revision(
            &app,
            &plan,
            1,
            &json!({"status": "consultation", "consultation_deadline": "2021-05-20"}),
        )
        .await,
        StatusCode::OK,
        "to consultation",
    )
    .await;
    let responses = format!("{}/responses", revision_url(&plan, 1));
    let body = json!({"organisation_id": id(&sg), "received_on": "2021-05-18", "summary": "Ja"});
    for _ in 0..2 {
        let response = keyed(responses.clone(), "resp-1", body.clone()).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    assert_eq!(app.count_rows("consultation_responses").await, 1);

    let decision = approval(&app, &sg, "2021-06-04").await;
    approve(&app, &plan, 1, &decision).await;
    let publications = format!("{}/publications", revision_url(&plan, 1));
    let body = json!({"channel": "website", "url": "https://example.se/plan.pdf", "published_at": "2021-11-10"});
    for _ in 0..2 {
        let response = keyed(publications.clone(), "pub-1", body.clone()).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let revision = get_json(&app, &revision_url(&plan, 1), None).await;
    assert_eq!(revision["publications"].as_array().unwrap().len(), 1);
}

crate::on_both_backends!(
    the_seeds_plan_is_drafted_consulted_approved_and_superseded,
    approved_revisions_never_change,
    approval_refuses_decisions_of_another_kind,
    the_diff_reports_changes_by_key,
    concurrent_drafts_are_numbered_without_gaps,
    drafts_are_visible_to_members_only,
    bad_input_is_refused_with_nothing_written,
    approved_revisions_record_their_publications,
    a_revision_is_a_markdown_or_html_document,
    progress_traces_activities_to_indicator_values,
    every_plan_list_takes_limit_cursor_and_updated_since,
    creations_under_a_missing_plan_or_revision_are_documented_404s,
    what_the_document_forbids_the_server_refuses,
    every_creation_under_a_plan_is_idempotent,
);
