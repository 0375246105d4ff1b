//! The change feed: one event per changed record, in commit order, as CloudEvents; no event for
//! a no-op or a failed write; tombstones and redactions; child changes surfacing in their
//! parents; visibility per role; long-polling, the event stream and its resumption; and many
//! concurrent writers read by a fast reader that ends with every event exactly once.

use std::{collections::HashMap, time::Duration};

use futures_util::StreamExt;
use reqwest::StatusCode;
use samverkan::auth::Role;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::*;

const EVENTS: &str = "/api/v1/events";

async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let response = app.get(path, token).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Every event after `after` the caller sees, paging through the feed.
async fn events_after(app: &TestApp, after: &str, token: Option<&str>, query: &str) -> Vec<Value> {
    let mut cursor = after.to_owned();
    let mut all = Vec::new();
    loop {
        let page = get_json(
            app,
            &format!("{EVENTS}?after={cursor}&limit=50{query}"),
            token,
        )
        .await;
        let items = page["items"].as_array().unwrap().clone();
        cursor = page["next"].as_str().unwrap().to_owned();
        if items.is_empty() {
            return all;
        }
        all.extend(items);
    }
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

async fn head(app: &TestApp) -> String {
    get_json(app, &format!("{EVENTS}/head"), None).await["cursor"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A group, a public meeting of it with one agenda item, and a decision under the item.
struct Meeting {
    group: Value,
    meeting: Value,
    item: Value,
}

async fn meeting(app: &TestApp, public: bool) -> Meeting {
    meeting_in(app, public, "held").await
}

async fn meeting_in(app: &TestApp, public: bool, status: &str) -> Meeting {
    let group = app.create_group("Styrgrupp Barnens bästa gäller!").await;
    let meeting = created(
        app,
        "/api/v1/meetings",
        json!({
            "group_id": id(&group), "title": "Styrgruppsmöte",
            "starts_at": "2021-11-05T09:00:00Z", "ends_at": "2021-11-05T12:00:00Z",
            "status": status, "public": public,
        }),
    )
    .await;
    let item = created(
        app,
        &format!("/api/v1/meetings/{}/agenda-items", id(&meeting)),
        json!({"number": "6", "title": "Inriktningsbeslut om digital plattform"}),
    )
    .await;
    Meeting {
        group,
        meeting,
        item,
    }
}

async fn decide(app: &TestApp, m: &Meeting, public: bool, concerns: &[&str]) -> Value {
    created(
        app,
        "/api/v1/decisions",
        json!({
            "meeting_id": id(&m.meeting), "agenda_item_id": id(&m.item),
            "kind": "decision", "title": "Inriktning Cosmic Link",
            "text": "Styrgruppen ställer sig bakom inriktningen.",
            "public": public, "concerns": concerns,
        }),
    )
    .await
}

async fn every_write_has_one_event_in_commit_order_as_a_cloud_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let start = head(&app).await;
    let m = meeting(&app, true).await;
    let decision = decide(&app, &m, true, &[]).await;

    let events = events_after(&app, &start, Some(&admin()), "").await;
    assert_eq!(
        types(&events),
        [
            "organisation.created",
            "meeting.created",
            "agenda_item.created",
            "decision.created"
        ]
    );
    let seqs: Vec<i64> = events
        .iter()
        .map(|e| e["data"]["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let event = &events[3];
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(
        event["id"],
        event["data"]["seq"].as_i64().unwrap().to_string()
    );
    assert_eq!(event["source"], "/api/v1");
    assert_eq!(event["subject"], format!("decision/{}", id(&decision)));
    assert_eq!(event["datacontenttype"], "application/json");
    assert!(event["time"].as_str().unwrap().contains('T'));
    let data = &event["data"];
    assert_eq!(data["entity_type"], "decision");
    assert_eq!(data["entity_id"], decision["id"]);
    assert_eq!(data["version"], 1);
    assert_eq!(
        data["parent"],
        json!({"type": "meeting", "id": m.meeting["id"]})
    );
    assert_eq!(data["group_id"], m.group["id"]);
    assert_eq!(data["href"], format!("/api/v1/decisions/{}", id(&decision)));
    assert_eq!(data["record"]["title"], "Inriktning Cosmic Link");
    assert!(
        data.get("concerns").is_none(),
        "concerns every party: {data}"
    );
    assert_eq!(
        events[2]["data"]["parent"],
        json!({"type": "meeting", "id": m.meeting["id"]})
    );
    assert_eq!(head(&app).await, seqs[3].to_string());
}

async fn a_write_that_changes_nothing_or_fails_has_no_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let m = meeting(&app, true).await;
    let url = format!("/api/v1/meetings/{}", id(&m.meeting));
    let before = head(&app).await;

    // The same content: no version, no event.
    let response = app
        .patch_json(
            &url,
            Some(&admin()),
            None,
            &json!({"title": "Styrgruppsmöte"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // A stale If-Match and a bad body: refused, no event.
    let response = app
        .patch_json(
            &url,
            Some(&admin()),
            Some("\"99\""),
            &json!({"title": "Nytt"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
    let response = app
        .patch_json(&url, Some(&admin()), None, &json!({"title": ""}))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(head(&app).await, before);
    assert!(
        events_after(&app, &before, Some(&admin()), "")
            .await
            .is_empty()
    );

    // A write that fails after its event was appended (the stored idempotent reply cannot be
    // written): the transaction rolls back, record and event alike.
    let rows = app.count_rows("change_events").await;
    let sql = match backend {
        Backend::Sqlite => "CREATE TRIGGER fail_keys BEFORE INSERT ON idempotency_keys \
                            BEGIN SELECT RAISE(ABORT, 'injected'); END"
            .to_owned(),
        Backend::Postgres => "CREATE FUNCTION fail_keys() RETURNS trigger LANGUAGE plpgsql AS \
                              $$ BEGIN RAISE EXCEPTION 'injected'; END $$; \
                              CREATE TRIGGER fail_keys BEFORE INSERT ON idempotency_keys \
                              FOR EACH ROW EXECUTE FUNCTION fail_keys()"
            .to_owned(),
    };
    app.db.execute_unprepared(&sql).await.unwrap();
    let organisations = app.count_rows("organisations").await;
    let response = app
        .client
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(admin())
        .header("Idempotency-Key", "outbox-atomicity-1")
        .json(&json!({"name": "Tingsryds kommun", "kind": "municipality", "municipality_code": "0763"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(app.count_rows("change_events").await, rows);
    assert_eq!(app.count_rows("organisations").await, organisations);
    assert_eq!(head(&app).await, before);
}

/// Counts of the rows a decision's creation writes: decisions, audit rows, their texts, and
/// change events.
async fn write_counts(app: &TestApp) -> [i64; 4] {
    [
        app.count_rows("decisions").await,
        app.count_rows("audit_log").await,
        app.count_rows("audit_texts").await,
        app.count_rows("change_events").await,
    ]
}

async fn a_decision_whose_audit_row_cannot_be_written_leaves_nothing_and_a_retry_succeeds_once(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let m = meeting(&app, true).await;
    let before = write_counts(&app).await;
    let head_before = head(&app).await;
    // The audit insert of a decision fails: it comes after the decision's own insert, its
    // audit texts and its change event, in the same transaction.
    let (install, remove) = match backend {
        Backend::Sqlite => (
            "CREATE TRIGGER fail_decision_audit BEFORE INSERT ON audit_log \
             WHEN NEW.entity_type = 'decision' \
             BEGIN SELECT RAISE(ABORT, 'injected'); END",
            "DROP TRIGGER fail_decision_audit",
        ),
        Backend::Postgres => (
            "CREATE FUNCTION fail_decision_audit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected'; END $$; \
             CREATE TRIGGER fail_decision_audit BEFORE INSERT ON audit_log \
             FOR EACH ROW WHEN (NEW.entity_type = 'decision') \
             EXECUTE FUNCTION fail_decision_audit()",
            "DROP TRIGGER fail_decision_audit ON audit_log; DROP FUNCTION fail_decision_audit()",
        ),
    };
    app.db.execute_unprepared(install).await.unwrap();
    let post = || {
        app.client
            .post(app.url("/api/v1/decisions"))
            .bearer_auth(admin())
            .header("Idempotency-Key", "audit-atomicity-1")
            .json(&json!({
                "meeting_id": id(&m.meeting), "agenda_item_id": id(&m.item),
                "kind": "decision", "title": "Inriktning Cosmic Link",
                "text": "Styrgruppen ställer sig bakom inriktningen.",
                "public": true, "concerns": [],
            }))
            .send()
    };

    let failed = post().await.unwrap();

    let problem = assert_problem(failed, StatusCode::INTERNAL_SERVER_ERROR).await;
    assert_eq!(problem["type"], "urn:samverkan:problem:internal");
    assert_eq!(
        write_counts(&app).await,
        before,
        "decisions, audit rows, audit texts, events"
    );
    assert_eq!(head(&app).await, head_before);

    // Without the fault the same request (same key) is done, exactly once.
    app.db.execute_unprepared(remove).await.unwrap();
    let retried = post().await.unwrap();
    let status = retried.status();
    let decision: Value = retried.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{decision}");
    let replayed: Value = post().await.unwrap().json().await.unwrap();
    assert_eq!(
        replayed["id"], decision["id"],
        "the key replays the one decision"
    );
    let after = write_counts(&app).await;
    assert_eq!(after[0], before[0] + 1, "one decision row");
    assert_eq!(after[1], before[1] + 1, "one audit row");
    assert_eq!(
        after[2], before[2],
        "a decision's audit row keeps digests, no texts"
    );
    assert_eq!(after[3], before[3] + 1, "one change event");
    let events = events_after(&app, &head_before, Some(&admin()), "").await;
    assert_eq!(types(&events), ["decision.created"]);
    assert_eq!(events[0]["data"]["entity_id"], decision["id"]);
}

async fn a_child_change_moves_its_parent_into_updated_since(backend: Backend) {
    let app = spawn_app(backend).await;
    let m = meeting(&app, true).await;
    let other = meeting(&app, true).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let item_url = format!(
        "/api/v1/meetings/{}/agenda-items/{}",
        id(&m.meeting),
        id(&m.item)
    );
    let response = app
        .patch_json(
            &item_url,
            Some(&admin()),
            None,
            &json!({"minutes": "Styrgruppen ställer sig bakom inriktningen."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let since = url::form_urlencoded::byte_serialize(since.as_bytes()).collect::<String>();
    let page = get_json(
        &app,
        &format!("/api/v1/meetings?updated_since={since}"),
        Some(&admin()),
    )
    .await;
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id(&m.meeting)], "not {}", id(&other.meeting));
    let meeting = get_json(
        &app,
        &format!("/api/v1/meetings/{}", id(&m.meeting)),
        Some(&admin()),
    )
    .await;
    assert_eq!(
        meeting["version"], m.meeting["version"],
        "the version stays"
    );
    assert_ne!(meeting["updated_at"], m.meeting["updated_at"]);
}

async fn archives_are_tombstones_and_erasures_redact(backend: Backend) {
    let app = spawn_app(backend).await;
    let m = meeting_in(&app, true, "planned").await;
    let member = app
        .create_member(json!({"name": "Siv Exempelsson", "email": "siv@example.org"}))
        .await;
    let start = head(&app).await;
    let response = app
        .delete(
            &format!("/api/v1/meetings/{}", id(&m.meeting)),
            Some(&admin()),
            None,
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    let response = app
        .post_json(
            &format!("/api/v1/members/{}/erase", id(&member)),
            Some(&admin()),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let events = events_after(&app, &start, Some(&admin()), "").await;
    assert_eq!(types(&events), ["meeting.archived", "member.erased"]);
    assert_eq!(events[0]["data"]["record"]["archived"], true);
    let redact = &events[1]["data"]["redact"];
    assert_eq!(
        redact["record"],
        json!({"type": "member", "id": member["id"]})
    );
    assert!(
        redact["fields"]
            .as_array()
            .unwrap()
            .contains(&json!("email")),
        "{redact}"
    );
    let all = events_after(&app, "0", Some(&admin()), "&types=member").await;
    assert!(!all.is_empty());
    assert!(
        !serde_json::to_string(&all).unwrap().contains("Exempelsson"),
        "no copy of the name in the feed"
    );
}

async fn callers_see_the_events_of_what_they_may_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let open = meeting(&app, true).await;
    let closed = meeting(&app, false).await;
    let public = decide(&app, &open, true, &[]).await;
    let internal = decide(&app, &open, false, &[]).await;
    let in_closed = decide(&app, &closed, true, &[]).await;

    let decisions = |events: Vec<Value>| -> Vec<String> {
        events
            .iter()
            .filter(|e| e["data"]["entity_type"] == "decision")
            .map(|e| e["data"]["entity_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = vec![
        id(&public).to_owned(),
        id(&internal).to_owned(),
        id(&in_closed).to_owned(),
    ];
    for role in [Role::Admin, Role::Secretary, Role::Member] {
        let token = token(&[role]);
        let seen = decisions(events_after(&app, "0", Some(&token), "").await);
        assert_eq!(seen, all, "{role:?}");
    }
    let integration = token(&[Role::Integration]);
    for token in [Some(integration.as_str()), None] {
        let events = events_after(&app, "0", token, "").await;
        assert_eq!(decisions(events.clone()), [id(&public)], "{token:?}");
        let text = serde_json::to_string(&events).unwrap();
        assert!(
            !text.contains(id(&closed.meeting)),
            "nothing of the closed meeting"
        );
    }
}

async fn a_record_that_stops_being_public_is_withdrawn_from_public_readers(backend: Backend) {
    let app = spawn_app(backend).await;
    let m = meeting(&app, true).await;
    let decision = decide(&app, &m, true, &[]).await;
    let start = head(&app).await;
    let url = format!("/api/v1/decisions/{}", id(&decision));
    let response = app
        .patch_json(
            &url,
            Some(&admin()),
            None,
            &json!({"public": false, "title": "Personalärende"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let public = events_after(&app, &start, Some(&token(&[Role::Integration])), "").await;
    assert_eq!(types(&public), ["decision.withdrawn"]);
    assert_eq!(public[0]["data"]["record"], json!({"id": decision["id"]}));
    assert!(
        !serde_json::to_string(&public)
            .unwrap()
            .contains("Personalärende")
    );
    let internal = events_after(&app, &start, Some(&admin()), "").await;
    assert_eq!(types(&internal), ["decision.updated", "decision.withdrawn"]);
    assert_eq!(internal[0]["data"]["record"]["title"], "Personalärende");

    // A further change of the non-public record is not withdrawn again.
    let response = app
        .patch_json(
            &url,
            Some(&admin()),
            None,
            &json!({"title": "Personalärende 2"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let after = public.last().unwrap()["data"]["seq"].to_string();
    assert!(events_after(&app, &after, None, "").await.is_empty());
}

async fn filters_pick_types_organisations_and_groups(backend: Backend) {
    let app = spawn_app(backend).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let ljungby = app.create_municipality("Ljungby kommun", "0781").await;
    let m = meeting(&app, true).await;
    let other = meeting(&app, true).await;
    let everyone = decide(&app, &m, true, &[]).await;
    let for_vaxjo = decide(&app, &m, true, &[id(&vaxjo)]).await;
    let _for_ljungby = decide(&app, &other, true, &[id(&ljungby)]).await;

    let only = |events: &[Value]| -> Vec<String> {
        events
            .iter()
            .map(|e| e["data"]["entity_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let query = format!("&types=decision&concerns={}", id(&vaxjo));
    let events = events_after(&app, "0", None, &query).await;
    assert_eq!(only(&events), [id(&everyone), id(&for_vaxjo)]);
    let query = format!(
        "&types=decision.created,meeting.*&group_id={}",
        id(&m.group)
    );
    let events = events_after(&app, "0", None, &query).await;
    assert_eq!(
        types(&events),
        ["meeting.created", "decision.created", "decision.created"]
    );

    // Every family and verb the document lists is accepted; a pair that never occurs matches
    // nothing (Schemathesis: the document's pattern and the server agree).
    let page = get_json(&app, &format!("{EVENTS}?types=member.ping,webhook.*"), None).await;
    assert_eq!(page["items"], json!([]));
    for bad in [
        "types=nonsense",
        "types=_",
        "types=decision.nonsense",
        "limit=0",
        "limit=1001",
        "wait=31",
        "after=-1",
        "after=x",
        "concerns=not-a-uuid",
        "colour=blue",
    ] {
        let response = app.get(&format!("{EVENTS}?{bad}"), None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
    for path in [
        EVENTS.to_owned(),
        format!("{EVENTS}/head"),
        format!("{EVENTS}/stream"),
    ] {
        let response = app.get(&path, Some("not-a-token")).await;
        assert_problem(response, StatusCode::UNAUTHORIZED).await;
    }
}

async fn a_long_poll_wakes_on_a_new_event(backend: Backend) {
    let app = spawn_app(backend).await;
    let start = head(&app).await;
    let url = app.url(&format!("{EVENTS}?after={start}&wait=20"));
    let client = app.client.clone();
    let poll = tokio::spawn(async move {
        let response = client.get(url).send().await.unwrap();
        response.json::<Value>().await.unwrap()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.create_municipality("Alvesta kommun", "0764").await;
    let page = tokio::time::timeout(Duration::from_secs(15), poll)
        .await
        .expect("the long-poll answers")
        .unwrap();
    assert_eq!(
        types(page["items"].as_array().unwrap()),
        ["organisation.created"]
    );

    // Nothing new and no wait: an empty page at once, `next` at the head.
    let page = get_json(
        &app,
        &format!("{EVENTS}?after={}", page["next"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["next"], page["head"]);
}

/// Reads SSE messages from `response` until `count` events have arrived.
async fn read_stream(response: reqwest::Response, count: usize) -> Vec<HashMap<String, String>> {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut messages = Vec::new();
    while messages.len() < count {
        let chunk = tokio::time::timeout(Duration::from_secs(15), body.next())
            .await
            .expect("an event within 15 s")
            .expect("the stream stays open")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let message: String = buffer.drain(..end + 2).collect();
            let mut fields = HashMap::new();
            for line in message.lines() {
                if let Some((name, value)) = line.split_once(':')
                    && !name.is_empty()
                {
                    fields.insert(name.to_owned(), value.trim_start().to_owned());
                }
            }
            if fields.contains_key("data") {
                messages.push(fields);
            }
        }
    }
    messages
}

async fn the_stream_sends_new_events_and_resumes_from_last_event_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let start = head(&app).await;
    let response = app
        .client
        .get(app.url(&format!("{EVENTS}/stream?after={start}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let writer = tokio::spawn({
        let app_url = app.url("/api/v1/organisations");
        let client = app.client.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            for (name, code) in [("Lessebo kommun", "0761"), ("Tingsryds kommun", "0763")] {
                let response = client
                    .post(&app_url)
                    .bearer_auth(admin())
                    .json(&json!({"name": name, "kind": "municipality", "municipality_code": code}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
            }
        }
    });
    let messages = read_stream(response, 2).await;
    writer.await.unwrap();
    assert_eq!(messages[0]["event"], "organisation.created");
    let first: Value = serde_json::from_str(&messages[0]["data"]).unwrap();
    assert_eq!(first["id"].as_str(), Some(messages[0]["id"].as_str()));
    assert_eq!(first["data"]["record"]["name"], "Lessebo kommun");

    // A reconnecting client sends Last-Event-ID and gets what came after it.
    let response = app
        .client
        .get(app.url(&format!("{EVENTS}/stream")))
        .header("Last-Event-ID", messages[0]["id"].clone())
        .send()
        .await
        .unwrap();
    let resumed = read_stream(response, 1).await;
    assert_eq!(resumed[0]["id"], messages[1]["id"]);
    let response = app
        .client
        .get(app.url(&format!("{EVENTS}/stream")))
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST).await;
}

async fn concurrent_writers_and_a_fast_reader_miss_and_double_nothing(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.workers = Some(2);
        s.db_pool_size = 8;
    })
    .await;
    let start = head(&app).await;
    let group = app.create_group("Tvärgrupp barn").await;
    let writers = 8;
    let rounds = 12;
    let mut tasks = Vec::new();
    for w in 0..writers {
        let client = app.client.clone();
        let base = app.url("/api/v1/meetings");
        let group_id = id(&group).to_owned();
        tasks.push(tokio::spawn(async move {
            let body = json!({
                "group_id": group_id, "title": format!("Möte {w}"),
                "starts_at": "2022-02-04T09:00:00Z", "ends_at": "2022-02-04T12:00:00Z",
            });
            let response = client
                .post(&base)
                .bearer_auth(admin())
                .json(&body)
                .send()
                .await
                .unwrap();
            let meeting: Value = response.json().await.unwrap();
            let url = format!("{base}/{}", meeting["id"].as_str().unwrap());
            for r in 0..rounds {
                let response = client
                    .patch(&url)
                    .bearer_auth(admin())
                    .json(&json!({"title": format!("Möte {w}, ändring {r}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
            }
        }));
    }
    // The reader pages as fast as it can while the writers write, then reads the rest.
    let mut cursor = start.clone();
    let mut seen: Vec<Value> = Vec::new();
    let read_page = |cursor: String| {
        let client = app.client.clone();
        let url = app.url(&format!("{EVENTS}?after={cursor}&limit=7&types=meeting"));
        async move {
            let page: Value = client
                .get(url)
                .bearer_auth(admin())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page
        }
    };
    while !tasks.iter().all(|t| t.is_finished()) {
        let page = read_page(cursor.clone()).await;
        seen.extend(page["items"].as_array().unwrap().iter().cloned());
        cursor = page["next"].as_str().unwrap().to_owned();
    }
    for task in tasks {
        task.await.unwrap();
    }
    loop {
        let page = read_page(cursor.clone()).await;
        let items = page["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        seen.extend(items.iter().cloned());
        cursor = page["next"].as_str().unwrap().to_owned();
    }

    let expected = writers * (rounds + 1);
    let mut ids: Vec<i64> = seen
        .iter()
        .map(|e| e["data"]["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seen.len(), expected, "every event once");
    ids.dedup();
    assert_eq!(ids.len(), expected, "no event twice");
    let mut versions: HashMap<String, i64> = HashMap::new();
    for event in &seen {
        let record = event["data"]["entity_id"].as_str().unwrap().to_owned();
        let version = event["data"]["version"].as_i64().unwrap();
        let last = versions.insert(record, version).unwrap_or(0);
        assert_eq!(version, last + 1, "each record's events in commit order");
    }
}

async fn attendance_is_an_event_of_its_meeting_with_the_list_as_its_record(backend: Backend) {
    let app = spawn_app(backend).await;
    let m = meeting(&app, true).await;
    let person = app.create_member(json!({"name": "Siv Exempelsson"})).await;
    let start = head(&app).await;
    let response = app
        .client
        .put(app.url(&format!("/api/v1/meetings/{}/attendance", id(&m.meeting))))
        .bearer_auth(admin())
        .json(&json!({"entries": [{"member_id": id(&person), "status": "present", "guest": true, "agenda_item_ids": [id(&m.item)]}]}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(status, StatusCode::OK, "{}", response.text().await.unwrap());
    let events = events_after(&app, &start, None, "").await;
    assert_eq!(types(&events), ["attendance.updated"]);
    let data = &events[0]["data"];
    assert_eq!(
        data["parent"],
        json!({"type": "meeting", "id": m.meeting["id"]})
    );
    // The record of an attendance event is the list of entries (the document allows any JSON).
    assert!(data["record"].is_array(), "{data}");
}

async fn a_value_batch_is_one_event_under_its_indicator(backend: Backend) {
    let app = spawn_app(backend).await;
    let indicator = created(
        &app,
        "/api/v1/indicators",
        json!({"code": "BBG-T03", "name": "Sjukdomsfall på grund av våld", "category": "health",
               "kind": "outcome", "unit": "rate_per_1000", "better": "lower"}),
    )
    .await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let ljungby = app.create_municipality("Ljungby kommun", "0781").await;
    let start = head(&app).await;
    let batch = json!({"values": [
        {"organisation_id": id(&vaxjo), "period": "2021", "value": 4.2},
        {"organisation_id": id(&ljungby), "period": "2022", "value": 3.9},
    ]});
    let url = app.url(&format!("/api/v1/indicators/{}/values", id(&indicator)));
    for _ in 0..2 {
        let response = app
            .client
            .put(&url)
            .bearer_auth(admin())
            .json(&batch)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let events = events_after(&app, &start, None, "").await;
    assert_eq!(
        types(&events),
        ["indicator.values_changed"],
        "the repeat changes nothing"
    );
    let data = &events[0]["data"];
    assert_eq!(
        data["parent"],
        json!({"type": "indicator", "id": indicator["id"]})
    );
    assert_eq!(data["record"]["created"], 2);
    let mut concerns: Vec<&str> = data["concerns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    concerns.sort();
    let mut expected = vec![id(&vaxjo), id(&ljungby)];
    expected.sort();
    assert_eq!(concerns, expected);
    let query = format!("&concerns={}", id(&ljungby));
    assert_eq!(events_after(&app, &start, None, &query).await.len(), 1);
    let read = get_json(
        &app,
        &format!("/api/v1/indicators/{}", id(&indicator)),
        None,
    )
    .await;
    assert_eq!(read["version"], indicator["version"]);
    assert_ne!(
        read["updated_at"], indicator["updated_at"],
        "the indicator moved"
    );
}

crate::on_both_backends!(
    attendance_is_an_event_of_its_meeting_with_the_list_as_its_record,
    a_value_batch_is_one_event_under_its_indicator,
    every_write_has_one_event_in_commit_order_as_a_cloud_event,
    a_write_that_changes_nothing_or_fails_has_no_event,
    a_decision_whose_audit_row_cannot_be_written_leaves_nothing_and_a_retry_succeeds_once,
    a_child_change_moves_its_parent_into_updated_since,
    archives_are_tombstones_and_erasures_redact,
    callers_see_the_events_of_what_they_may_read,
    a_record_that_stops_being_public_is_withdrawn_from_public_readers,
    filters_pick_types_organisations_and_groups,
    a_long_poll_wakes_on_a_new_event,
    the_stream_sends_new_events_and_resumes_from_last_event_id,
    concurrent_writers_and_a_fast_reader_miss_and_double_nothing,
);
