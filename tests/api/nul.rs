//! Row 17 of the reliability plan (a NUL byte in any string): every string field of the create
//! bodies of the main resources, and every query parameter of every list, with `"\u0000"` in it
//! is a 4xx problem naming the field or parameter (422 for a body field, the project's rule for
//! a bad field; 400 for a query parameter), never a 500, on both backends, and nothing is
//! stored. PostgreSQL's text type refuses 0x00 (SQLSTATE 22021), so a NUL that slipped past the
//! checks would show as a different answer there.

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

/// Every string leaf of `value`, as (field path as the problem names it, pointer).
fn string_fields(value: &Value, field: &str, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(_) => out.push((field.to_owned(), pointer.to_owned())),
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                string_fields(
                    item,
                    &format!("{field}[{n}]"),
                    &format!("{pointer}/{n}"),
                    out,
                );
            }
        }
        Value::Object(object) => {
            for (key, item) in object {
                let name = if field.is_empty() {
                    key.clone()
                } else {
                    format!("{field}.{key}")
                };
                string_fields(item, &name, &format!("{pointer}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// Whether a problem names `field` in its `errors`.
fn names(problem: &Value, field: &str) -> bool {
    error_fields(problem).iter().any(|f| f == field)
}

async fn stored(app: &TestApp, table: &str) -> (i64, i64) {
    (
        app.count_rows(table).await,
        app.count_rows("audit_log").await,
    )
}

async fn a_nul_byte_in_any_string_of_a_create_body_is_a_422_naming_the_field(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.webhook_allow_private = true;
        s.webhooks = false;
    })
    .await;
    let group = app.create_group("Styrgrupp").await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let person = app
        .create_member(json!({"name": "Karin Lind", "organisation_id": id(&vaxjo)}))
        .await;
    let meeting = created(
        &app,
        "/api/v1/meetings",
        json!({"group_id": id(&group), "title": "Möte", "status": "held",
               "starts_at": "2021-11-05T09:00:00Z", "ends_at": "2021-11-05T12:00:00Z"}),
    )
    .await;
    let items = format!("/api/v1/meetings/{}/agenda-items", id(&meeting));
    let item = created(&app, &items, json!({"number": "1", "title": "Öppnande"})).await;
    let indicator = created(
        &app,
        "/api/v1/indicators",
        json!({"code": "BBG-T03", "name": "Våld", "category": "health", "kind": "outcome",
               "unit": "rate_per_1000", "better": "lower"}),
    )
    .await;
    let plan = created(
        &app,
        "/api/v1/action-plans",
        json!({"group_id": id(&group), "title": "Handlingsplan"}),
    )
    .await;
    let revisions = format!("/api/v1/action-plans/{}/revisions", id(&plan));
    let other_plan = created(
        &app,
        "/api/v1/action-plans",
        json!({"group_id": id(&group), "title": "Remissplan"}),
    )
    .await;
    let consulted = format!("/api/v1/action-plans/{}/revisions", id(&other_plan));
    created(&app, &consulted, json!({"content": {"sections": []}})).await;
    let response = app
        .patch_json(
            &format!("{consulted}/1"),
            Some(&admin()),
            None,
            &json!({"status": "consultation", "consultation_deadline": "2021-05-20"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cases: Vec<(&str, String, Value, &str)> = vec![
        (
            "POST",
            "/api/v1/organisations".into(),
            json!({"name": "Ljungby kommun", "kind": "municipality", "municipality_code": "0781",
                   "county_code": "07", "short_name": "LK", "subtitle": "Kommunen",
                   "website": "https://www.ljungby.se",
                   "identifiers": [{"scheme": "orgnr", "value": "212000-0688"}]}),
            "organisations",
        ),
        (
            "POST",
            "/api/v1/members".into(),
            json!({"name": "Nils Jönsson", "email": "nils@example.se", "phone": "+46 372 100 00",
                   "subject": "nils-login", "title": "Rektor",
                   "organisation_id": id(&vaxjo)}),
            "members",
        ),
        (
            "POST",
            "/api/v1/memberships".into(),
            json!({"member_id": id(&person), "group_id": id(&group), "role": "member",
                   "start_date": "2021-01-01", "note": "Ordinarie"}),
            "memberships",
        ),
        (
            "POST",
            "/api/v1/meetings".into(),
            json!({"group_id": id(&group), "title": "Möte 2", "status": "planned",
                   "kind": "ordinary", "starts_at": "2021-12-03T09:00:00Z",
                   "ends_at": "2021-12-03T12:00:00Z", "minutes_checkers": [id(&person)],
                   "location": {"name": "Kommunhuset", "address": "Västra Esplanaden 18"},
                   "documents": [{"title": "Kallelse", "url": "https://example.se/k.pdf",
                                  "kind": "invitation"}]}),
            "meetings",
        ),
        (
            "POST",
            items.clone(),
            json!({"number": "2", "title": "Rapporter", "minutes": "Inga rapporter.",
                   "presenter_ids": [id(&person)],
                   "conflicts": [{"member_id": id(&person), "note": "Jäv"}]}),
            "agenda_items",
        ),
        (
            "POST",
            "/api/v1/decisions".into(),
            json!({"meeting_id": id(&meeting), "agenda_item_id": id(&item), "kind": "decision",
                   "title": "Beslut", "text": "Styrgruppen beslutar.",
                   "concerns": [id(&vaxjo)],
                   "reservations": [{"member_id": id(&person), "text": "Reserverar sig"}]}),
            "decisions",
        ),
        (
            "POST",
            "/api/v1/indicators".into(),
            json!({"code": "BBG-T04", "name": "Skolnärvaro", "category": "health",
                   "kind": "outcome", "unit": "percent", "better": "higher",
                   "description": "Andel elever",
                   "source": {"name": "Skolverket", "url": "https://example.se",
                              "kolada_kpi": "N15419"}}),
            "indicators",
        ),
        (
            "PUT",
            format!("/api/v1/indicators/{}/values", id(&indicator)),
            json!({"values": [{"organisation_id": id(&vaxjo), "period": "2021",
                               "value": 4.2, "note": "Preliminärt", "source_ref": "SCB"}]}),
            "indicator_values",
        ),
        (
            "POST",
            "/api/v1/action-plans".into(),
            json!({"group_id": id(&group), "title": "Plan 2", "description": "Ny plan"}),
            "action_plans",
        ),
        (
            "POST",
            revisions.clone(),
            json!({"change_summary": "Första",
                   "content": {"sections": [{"key": "a", "title": "Trygghet", "goals": []}]}}),
            "action_plan_revisions",
        ),
        (
            "PUT",
            format!("/api/v1/indicators/{}/targets", id(&indicator)),
            json!({"targets": [{"organisation_id": id(&vaxjo), "baseline_period": "2020",
                                "target_period": "2025", "target_value": 3.0}]}),
            "indicator_targets",
        ),
        (
            "PUT",
            format!("/api/v1/meetings/{}/attendance", id(&meeting)),
            json!({"entries": [{"member_id": id(&person), "status": "present",
                                "note": "Kom sent"}]}),
            "attendance",
        ),
        (
            "POST",
            format!("{consulted}/1/responses"),
            json!({"organisation_id": id(&vaxjo), "received_on": "2021-05-18",
                   "summary": "Synpunkter", "text": "Vi tillstyrker."}),
            "consultation_responses",
        ),
        (
            "POST",
            "/api/v1/webhooks".into(),
            json!({"url": "http://127.0.0.1:9/hook", "description": "Diariet",
                   "types": ["organisation"]}),
            "webhooks",
        ),
    ];
    let mut tried = 0;
    let mut failures = Vec::new();
    for (method, path, body, table) in cases {
        let send = async |body: &Value| {
            let request = match method {
                "PUT" => app.client.put(app.url(&path)),
                _ => app.client.post(app.url(&path)),
            };
            request
                .bearer_auth(admin())
                .json(body)
                .send()
                .await
                .unwrap()
        };
        let mut fields = Vec::new();
        string_fields(&body, "", "", &mut fields);
        for (field, pointer) in fields {
            let mut bad = body.clone();
            let leaf = bad.pointer_mut(&pointer).unwrap();
            *leaf = json!(format!("{}\u{0}x", leaf.as_str().unwrap()));
            let before = stored(&app, table).await;
            let response = send(&bad).await;
            let status = response.status();
            let text = response.text().await.unwrap();
            let problem: Value = serde_json::from_str(&text).unwrap();
            if status != StatusCode::UNPROCESSABLE_ENTITY || !names(&problem, &field) {
                failures.push(format!("{method} {path} NUL in {field}: {status} {text}"));
            }
            if stored(&app, table).await != before {
                failures.push(format!("{method} {path} NUL in {field}: stored"));
            }
            tried += 1;
        }
        // The body without the NUL is accepted: the refusals above were the NUL's.
        let response = send(&body).await;
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
    }
    assert_eq!(failures, Vec::<String>::new());
    assert!(tried > 40, "{tried} fields tried");
}

async fn a_nul_byte_in_any_query_parameter_is_a_400_naming_the_parameter(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let meeting = created(
        &app,
        "/api/v1/meetings",
        json!({"group_id": id(&group), "title": "Möte", "status": "held", "public": true,
               "starts_at": "2021-11-05T09:00:00Z", "ends_at": "2021-11-05T12:00:00Z"}),
    )
    .await;
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap()).unwrap();
    let mut tried = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        let Some(get) = operations.get("get") else {
            continue;
        };
        if path.ends_with("/stream") || path.starts_with("/kolada") {
            continue;
        }
        let filled = path.replace("{id}", id(&meeting));
        if filled.contains('{') || (path.contains("{id}") && !path.starts_with("/api/v1/meetings"))
        {
            continue;
        }
        for parameter in get["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] != "query" {
                continue;
            }
            let name = parameter["name"].as_str().unwrap();
            for value in ["%00", "a%00b"] {
                let url = format!("{filled}?{name}={value}");
                let response = app.get(&url, Some(&admin())).await;
                let status = response.status();
                let text = response.text().await.unwrap();
                assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {text}");
                let problem: Value = serde_json::from_str(&text).unwrap();
                assert!(
                    error_fields(&problem).contains(&name.to_owned())
                        || problem["detail"].as_str().is_some_and(|d| d.contains(name)),
                    "{url}: {problem}"
                );
                tried += 1;
            }
        }
    }
    assert!(tried > 80, "{tried} parameters tried");
    assert_eq!(
        app.count_rows("audit_log").await,
        2,
        "only the two set-up writes"
    );
}

/// Path parameters that are free text (Kolada's id lists, an activity's key): a NUL is a 400
/// naming the parameter on both backends (it reached PostgreSQL before, which refused it while
/// SQLite answered 200).
async fn a_nul_byte_in_a_path_parameter_is_a_400_naming_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let plan = Uuid::now_v7();
    for (url, name) in [
        ("/kolada/v3/kpi/N%0000001".to_owned(), "ids"),
        ("/kolada/v3/municipality/07%0080".to_owned(), "ids"),
        ("/kolada/v3/data/kpi/N%0000001/year/2021".to_owned(), "kpi"),
        (
            "/kolada/v3/data/municipality/0780/kpi/N%00".to_owned(),
            "kpi",
        ),
        (
            "/kolada/v3/data/kpi/N00001/municipality/07%C2%8580".to_owned(),
            "mun",
        ),
        (
            format!("/api/v1/action-plans/{plan}/activities/a%00b/progress"),
            "key",
        ),
        (
            format!("/api/v1/action-plans/{plan}/activities/a%00b/trace"),
            "key",
        ),
        ("/api/v1/no%00where".to_owned(), "path"),
    ] {
        let response = app.get(&url, Some(&admin())).await;
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), [name], "{url}: {problem}");
        assert!(problem["request_id"].is_string(), "{problem}");
    }
    // Writes too, before any handler runs.
    let response = app
        .client
        .put(app.url(&format!(
            "/api/v1/action-plans/{plan}/activities/a%00b/progress"
        )))
        .bearer_auth(admin())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(error_fields(&problem), ["key"], "{problem}");
    // Without the NUL the same paths are routed as before.
    let kpi = app.get("/kolada/v3/kpi/N00001", None).await;
    assert_eq!(kpi.status(), StatusCode::OK);
    assert_eq!(app.count_rows("audit_log").await, 0);
}

crate::on_both_backends!(
    a_nul_byte_in_any_string_of_a_create_body_is_a_422_naming_the_field,
    a_nul_byte_in_any_query_parameter_is_a_400_naming_the_parameter,
    a_nul_byte_in_a_path_parameter_is_a_400_naming_it,
);
