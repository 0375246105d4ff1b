//! Rows 11 and 12 of the reliability plan (object-level authorisation): a caller who may not see
//! a record gets, for every read and write of it, exactly the answer it gets for an id that does
//! not exist, and the record is unchanged; lists paged with a cursor that a caller who sees more
//! handed out, or filtered on another organisation's id, hold only the rows the caller may see,
//! and no list counts what it does not show.

use reqwest::{Method, StatusCode};
use samverkan::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

/// Records an outsider may not see (a group's non-public meeting, its item and decision; a
/// non-public decision under a public item; a draft plan revision; a webhook), beside public
/// ones of the same kinds.
struct Hidden {
    group: Value,
    public_meeting: Value,
    public_item: Value,
    hidden_item_of_public_meeting: Value,
    public_decision: Value,
    meeting: Value,
    item: Value,
    decision_of_hidden_meeting: Value,
    decision: Value,
    plan: Value,
    hook: Value,
    /// A PDF attached to the non-public meeting.
    attachment: Value,
}

async fn hidden_records(app: &TestApp) -> Hidden {
    let group = app.create_group("Styrgrupp B").await;
    let meeting_body = |public: bool, day: u32| {
        json!({"group_id": id(&group), "title": format!("Möte {day}"), "status": "held",
               "public": public, "starts_at": format!("2021-11-{day:02}T09:00:00Z"),
               "ends_at": format!("2021-11-{day:02}T12:00:00Z")})
    };
    let public_meeting = created(app, "/api/v1/meetings", meeting_body(true, 5)).await;
    let meeting = created(app, "/api/v1/meetings", meeting_body(false, 6)).await;
    let items = |m: &Value| format!("/api/v1/meetings/{}/agenda-items", id(m));
    let public_item = created(
        app,
        &items(&public_meeting),
        json!({"number": "1", "title": "Öppet ärende"}),
    )
    .await;
    let hidden_item_of_public_meeting = created(
        app,
        &items(&public_meeting),
        json!({"number": "2", "title": "Personalärende", "public": false}),
    )
    .await;
    let item = created(
        app,
        &items(&meeting),
        json!({"number": "1", "title": "Slutet ärende"}),
    )
    .await;
    let decision_in = |m: &Value, i: &Value, public: bool, title: &str| {
        json!({"meeting_id": id(m), "agenda_item_id": id(i), "kind": "decision",
               "title": title, "text": "Styrgruppen beslutar.", "public": public})
    };
    let public_decision = created(
        app,
        "/api/v1/decisions",
        decision_in(&public_meeting, &public_item, true, "Öppet beslut"),
    )
    .await;
    let decision = created(
        app,
        "/api/v1/decisions",
        decision_in(&public_meeting, &public_item, false, "Slutet beslut"),
    )
    .await;
    let decision_of_hidden_meeting = created(
        app,
        "/api/v1/decisions",
        decision_in(&meeting, &item, true, "Beslut i slutet möte"),
    )
    .await;
    let plan = created(
        app,
        "/api/v1/action-plans",
        json!({"group_id": id(&group), "title": "Handlingsplan"}),
    )
    .await;
    created(
        app,
        &format!("/api/v1/action-plans/{}/revisions", id(&plan)),
        json!({"content": {"sections": []}}),
    )
    .await;
    let hook = created(
        app,
        "/api/v1/webhooks",
        json!({"url": "http://127.0.0.1:9/hook", "types": ["organisation"]}),
    )
    .await;
    let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    pdf.resize(2_000, b' ');
    let upload = app
        .client
        .post(app.url("/api/v1/attachments"))
        .query(&[
            ("owner_type", "meeting"),
            ("owner_id", id(&meeting)),
            ("filename", "Protokoll.pdf"),
        ])
        .header(reqwest::header::CONTENT_TYPE, "application/pdf")
        .bearer_auth(admin())
        .body(pdf)
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::CREATED);
    let attachment: Value = upload.json().await.unwrap();
    Hidden {
        group,
        public_meeting,
        public_item,
        hidden_item_of_public_meeting,
        public_decision,
        meeting,
        item,
        decision_of_hidden_meeting,
        decision,
        plan,
        hook,
        attachment,
    }
}

/// A response as a caller sees it, less what names the request itself (`instance`,
/// `request_id` and the `x-request-id` header).
async fn answer(
    app: &TestApp,
    method: &Method,
    path: &str,
    caller: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, String, Value) {
    let mut request = app.client.request(method.clone(), app.url(path));
    if let Some(token) = caller {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let content_type = content_type(&response);
    let text = response.text().await.unwrap();
    let mut json = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
    if let Some(object) = json.as_object_mut() {
        object.remove("instance");
        object.remove("request_id");
    }
    (status, content_type, json)
}

/// Every anonymous-readable GET under a meeting, a decision or a plan revision in the committed
/// OpenAPI document, with `{id}` (and `{item_id}`, `{number}`) to fill.
fn documented_reads(prefix: &str) -> Vec<String> {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap()).unwrap();
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, operations)| {
            path.starts_with(prefix)
                && operations.get("get").is_some()
                && !path.ends_with("/stream")
        })
        .map(|(path, _)| path.clone())
        .collect()
}

async fn snapshot(app: &TestApp, paths: &[String]) -> Vec<Value> {
    let mut bodies = Vec::new();
    for path in paths {
        let response = app.get(path, Some(&admin())).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        bodies.push(response.json().await.unwrap());
    }
    bodies
}

async fn a_record_the_caller_may_not_see_answers_as_a_nonexistent_id(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.webhook_allow_private = true;
        s.webhooks = false;
    })
    .await;
    let r = hidden_records(&app).await;
    let a = app.create_municipality("Kommun A", "0780").await;
    let reporter = token_for("reporter-a", &[Role::Reporter], id(&a).parse().ok());
    let integration = token(&[Role::Integration]);
    let random = || Uuid::now_v7().to_string();
    let (meeting, item, plan) = (id(&r.meeting), id(&r.item), id(&r.plan));
    let hidden_item = id(&r.hidden_item_of_public_meeting);
    let public_meeting = id(&r.public_meeting);

    // (method, the hidden record's path, the same call on ids that do not exist, body)
    let mut calls: Vec<(Method, String, Vec<String>, Option<Value>)> = Vec::new();
    for path in documented_reads("/api/v1/meetings/{id}") {
        let fill = |m: &str, i: &str| path.replace("{id}", m).replace("{item_id}", i);
        calls.push((
            Method::GET,
            fill(meeting, item),
            vec![fill(&random(), &random()), fill(meeting, &random())],
            None,
        ));
        if path.contains("{item_id}") {
            calls.push((
                Method::GET,
                fill(public_meeting, hidden_item),
                vec![fill(public_meeting, &random())],
                None,
            ));
        }
    }
    for decision in [id(&r.decision), id(&r.decision_of_hidden_meeting)] {
        for path in documented_reads("/api/v1/decisions/{id}") {
            calls.push((
                Method::GET,
                path.replace("{id}", decision),
                vec![path.replace("{id}", &random())],
                None,
            ));
        }
    }
    for path in documented_reads("/api/v1/action-plans/{id}/revisions/{number}") {
        let fill = |p: &str, n: &str| path.replace("{id}", p).replace("{number}", n);
        calls.push((
            Method::GET,
            fill(plan, "1"),
            vec![fill(plan, "99"), fill(&random(), "1")],
            None,
        ));
    }
    for path in documented_reads("/api/v1/attachments/{id}") {
        calls.push((
            Method::GET,
            path.replace("{id}", id(&r.attachment)),
            vec![path.replace("{id}", &random())],
            None,
        ));
    }
    let title = json!({"title": "Ändrad"});
    let writes: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::PATCH,
            format!("/api/v1/meetings/{meeting}"),
            Some(title.clone()),
        ),
        (Method::DELETE, format!("/api/v1/meetings/{meeting}"), None),
        (
            Method::PATCH,
            format!("/api/v1/meetings/{meeting}/agenda-items/{item}"),
            Some(title.clone()),
        ),
        (
            Method::DELETE,
            format!("/api/v1/meetings/{meeting}/agenda-items/{item}"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/meetings/{meeting}/attendance"),
            Some(json!({"attendees": []})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/decisions/{}", id(&r.decision)),
            Some(title.clone()),
        ),
        (
            Method::PUT,
            format!("/api/v1/action-plans/{plan}/revisions/1"),
            Some(json!({"content": {"sections": []}})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/action-plans/{plan}/revisions/1"),
            Some(json!({"status": "consultation", "consultation_deadline": "2021-05-20"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/attachments/{}", id(&r.attachment)),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/webhooks/{}", id(&r.hook)),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/v1/webhooks/{}", id(&r.hook)),
            Some(json!({"active": false})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/webhooks/{}", id(&r.hook)),
            None,
        ),
    ];
    let ids = [
        meeting.to_owned(),
        item.to_owned(),
        plan.to_owned(),
        id(&r.decision).to_owned(),
        id(&r.hook).to_owned(),
        id(&r.attachment).to_owned(),
    ];
    for (method, path, body) in writes {
        let mut others = Vec::new();
        for known in &ids {
            if path.contains(known.as_str()) {
                others.push(path.replace(known.as_str(), &random()));
            }
        }
        calls.push((method, path, others, body));
    }

    let watched: Vec<String> = vec![
        format!("/api/v1/meetings/{meeting}"),
        format!("/api/v1/meetings/{meeting}/agenda-items/{item}"),
        format!("/api/v1/decisions/{}", id(&r.decision)),
        format!("/api/v1/decisions/{}", id(&r.decision_of_hidden_meeting)),
        format!("/api/v1/action-plans/{plan}/revisions/1"),
        format!("/api/v1/webhooks/{}", id(&r.hook)),
        format!("/api/v1/attachments/{}", id(&r.attachment)),
    ];
    let before = snapshot(&app, &watched).await;
    let audit_rows = app.count_rows("audit_log").await;

    let mut compared = 0;
    for (who, caller) in [
        ("anonymous", None),
        ("integration", Some(integration.as_str())),
        ("reporter of A", Some(reporter.as_str())),
    ] {
        for (method, path, others, body) in &calls {
            let seen = answer(&app, method, path, caller, body.as_ref()).await;
            assert!(
                seen.0.is_client_error(),
                "{who} {method} {path}: {} {}",
                seen.0,
                seen.2
            );
            for other in others {
                let unseen = answer(&app, method, other, caller, body.as_ref()).await;
                assert_eq!(
                    seen, unseen,
                    "{who}: {method} {path} must answer as {method} {other}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 60, "{compared} comparisons");
    for ((path, then), now) in watched
        .iter()
        .zip(&before)
        .zip(snapshot(&app, &watched).await)
    {
        assert_eq!(&now, then, "{path} is unchanged");
    }
    assert_eq!(
        app.count_rows("audit_log").await,
        audit_rows,
        "no write happened"
    );
    // The public records of the same kinds are there for the same callers: the 404s above are
    // about visibility, not about the paths.
    for path in [
        format!("/api/v1/meetings/{public_meeting}"),
        format!(
            "/api/v1/meetings/{public_meeting}/agenda-items/{}",
            id(&r.public_item)
        ),
        format!("/api/v1/decisions/{}", id(&r.public_decision)),
    ] {
        for caller in [None, Some(reporter.as_str()), Some(integration.as_str())] {
            assert_eq!(
                app.get(&path, caller).await.status(),
                StatusCode::OK,
                "{path}"
            );
        }
    }
}

/// The ids of a page's items.
fn ids_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {page}"))
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page of `list` (which has no query yet, or ends in `?...&`) with `limit=1`, as
/// `caller`: the ids in order and the cursor handed out after each.
async fn pages(app: &TestApp, list: &str, caller: Option<&str>) -> (Vec<String>, Vec<String>) {
    let joiner = if list.contains('?') { '&' } else { '?' };
    let mut ids = Vec::new();
    let mut cursors = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let path = match &cursor {
            Some(c) => format!("{list}{joiner}limit=1&cursor={c}"),
            None => format!("{list}{joiner}limit=1"),
        };
        let response = app.get(&path, caller).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_no_totals(&response, &path);
        let page: Value = response.json().await.unwrap();
        ids.extend(ids_of(&page));
        match page["next_cursor"].as_str() {
            Some(next) => {
                cursors.push(next.to_owned());
                cursor = Some(next.to_owned());
            }
            None => return (ids, cursors),
        }
    }
    panic!("{list} did not end");
}

/// No list says how many rows it holds, in a header or in its body (only `items` and
/// `next_cursor`): a count would tell a caller how many rows it may not see.
fn assert_no_totals(response: &reqwest::Response, path: &str) {
    for name in response.headers().keys() {
        let name = name.as_str();
        assert!(
            !name.contains("total") && !name.contains("count") && name != "content-range",
            "{path} has a {name} header"
        );
    }
}

async fn a_cursor_from_a_caller_who_sees_more_shows_nothing_hidden(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.webhook_allow_private = true;
        s.webhooks = false;
    })
    .await;
    let r = hidden_records(&app).await;
    // More rows, hidden and public, so that the admin's pages interleave both.
    for n in 0..3 {
        created(
            &app,
            "/api/v1/decisions",
            json!({"meeting_id": id(&r.public_meeting), "agenda_item_id": id(&r.public_item),
                   "kind": "decision", "title": format!("Slutet {n}"), "text": "x",
                   "public": false}),
        )
        .await;
        created(
            &app,
            "/api/v1/decisions",
            json!({"meeting_id": id(&r.public_meeting), "agenda_item_id": id(&r.public_item),
                   "kind": "decision", "title": format!("Öppet {n}"), "text": "x"}),
        )
        .await;
    }
    let a = app.create_municipality("Kommun A", "0780").await;
    let reporter = token_for("reporter-a", &[Role::Reporter], id(&a).parse().ok());
    let integration = token(&[Role::Integration]);
    let since = "updated_since=2000-01-01T00:00:00Z";
    let lists = [
        "/api/v1/decisions".to_owned(),
        format!("/api/v1/decisions?{since}"),
        format!("/api/v1/decisions?meeting_id={}", id(&r.public_meeting)),
        "/api/v1/meetings".to_owned(),
        format!("/api/v1/meetings?{since}"),
        format!("/api/v1/meetings/{}/agenda-items", id(&r.public_meeting)),
        format!(
            "/api/v1/meetings/{}/agenda-items?{since}",
            id(&r.public_meeting)
        ),
        format!("/api/v1/action-plans/{}/revisions", id(&r.plan)),
    ];
    let mut hidden_seen_by_admin = 0;
    for list in &lists {
        let (all, cursors) = pages(&app, list, Some(&admin())).await;
        for (who, caller) in [
            ("anonymous", None),
            ("reporter of A", Some(reporter.as_str())),
            ("integration", Some(integration.as_str())),
        ] {
            let (visible, _) = pages(&app, list, caller).await;
            hidden_seen_by_admin += all.iter().filter(|i| !visible.contains(i)).count();
            let joiner = if list.contains('?') { '&' } else { '?' };
            for cursor in &cursors {
                for limit in [1, 200] {
                    let path = format!("{list}{joiner}limit={limit}&cursor={cursor}");
                    let response = app.get(&path, caller).await;
                    assert_eq!(response.status(), StatusCode::OK, "{who} {path}");
                    assert_no_totals(&response, &path);
                    let page: Value = response.json().await.unwrap();
                    let keys: Vec<&String> = page.as_object().unwrap().keys().collect();
                    assert_eq!(keys, ["items", "next_cursor"], "{who} {path}");
                    for row in ids_of(&page) {
                        assert!(
                            visible.contains(&row),
                            "{who} got hidden row {row} through the admin's cursor on {path}"
                        );
                    }
                }
            }
        }
    }
    // 4 hidden decisions (x2 lists) + 1 (meeting_id list), 1 meeting (x2), 1 item (x2), 1
    // revision, each for the three callers: the hidden rows were there to leak.
    assert!(hidden_seen_by_admin >= 3 * 14, "{hidden_seen_by_admin}");
    // Search pages not at all: one response, no cursor, no count.
    let search = app.get("/api/v1/search?q=beslut&limit=1", None).await;
    assert_no_totals(&search, "search");
    let hits: Value = search.json().await.unwrap();
    assert!(hits["next_cursor"].is_null(), "{hits}");
    assert!(
        hits.get("total").is_none() && hits.get("count").is_none(),
        "{hits}"
    );
}

async fn filters_on_another_organisations_id_return_only_visible_rows(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.webhook_allow_private = true;
        s.webhooks = false;
    })
    .await;
    let r = hidden_records(&app).await;
    let a = app.create_municipality("Kommun A", "0780").await;
    let reporter = token_for("reporter-a", &[Role::Reporter], id(&a).parse().ok());
    let b = id(&r.group);
    let hidden = [
        id(&r.meeting),
        id(&r.item),
        id(&r.decision),
        id(&r.decision_of_hidden_meeting),
        id(&r.hidden_item_of_public_meeting),
        id(&r.attachment),
    ];
    for list in [
        format!(
            "/api/v1/attachments?owner_type=meeting&owner_id={}",
            id(&r.meeting)
        ),
        "/api/v1/attachments".to_owned(),
        format!("/api/v1/decisions?group_id={b}"),
        format!("/api/v1/decisions?concerns={b}"),
        format!("/api/v1/meetings?group_id={b}"),
        format!("/api/v1/action-plans?group_id={b}"),
        format!("/api/v1/assignments?assignee_id={b}"),
        format!("/api/v1/events?concerns={b}&after=0&limit=1000"),
        format!("/api/v1/events?group_id={b}&after=0&limit=1000"),
        format!("/api/v1/meetings.ics?group_id={b}"),
        format!("/api/v1/dashboard?organisation_id={b}"),
    ] {
        let admin_body = app.get(&list, Some(&admin())).await.text().await.unwrap();
        let response = app.get(&list, Some(&reporter)).await;
        assert_eq!(response.status(), StatusCode::OK, "{list}");
        let body = response.text().await.unwrap();
        for hidden_id in hidden {
            assert!(
                !body.contains(hidden_id),
                "{list} shows {hidden_id}: {body}"
            );
        }
        if list.starts_with("/api/v1/decisions") {
            assert!(body.contains(id(&r.public_decision)), "{list}: {body}");
            assert!(admin_body.contains(id(&r.decision)), "{list}: {admin_body}");
        }
        if list.starts_with("/api/v1/attachments") {
            assert!(
                admin_body.contains(id(&r.attachment)),
                "{list}: {admin_body}"
            );
        }
        if list.starts_with("/api/v1/meetings?") {
            assert!(body.contains(id(&r.public_meeting)), "{list}: {body}");
            assert!(admin_body.contains(id(&r.meeting)), "{list}: {admin_body}");
        }
    }
}

crate::on_both_backends!(
    a_record_the_caller_may_not_see_answers_as_a_nonexistent_id,
    a_cursor_from_a_caller_who_sees_more_shows_nothing_hidden,
    filters_on_another_organisations_id_return_only_visible_rows,
);
