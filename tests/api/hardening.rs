//! Findings of the outside attack (issue 12) and their regression tests: display tricks in
//! names, and who may link a member to a login.

use reqwest::StatusCode;
use samverkan::auth::Role;
use serde_json::{Value, json};

use crate::helpers::*;

/// Names and titles that would read differently than they are.
const TRICKS: [&str; 6] = [
    "Växjö\u{202E}gnp.exe",
    "Väx\u{200B}jö kommun",
    "Växjö\u{2028}kommun",
    "\u{FEFF}Växjö kommun",
    "Växjö \u{2066}kommun",
    "Växjö \u{FDD0}kommun",
];

async fn names_and_titles_refuse_display_tricks(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let meeting = app
        .post_json(
            "/api/v1/meetings",
            Some(&admin()),
            &json!({"group_id": group["id"], "title": "Möte",
                    "starts_at": "2022-02-04T09:00:00Z", "ends_at": "2022-02-04T12:00:00Z"}),
        )
        .await;
    assert_eq!(meeting.status(), StatusCode::CREATED);
    let meeting: Value = meeting.json().await.unwrap();
    let items = format!(
        "/api/v1/meetings/{}/agenda-items",
        meeting["id"].as_str().unwrap()
    );
    let before = app.count_rows("audit_log").await;
    for trick in TRICKS {
        for (path, body, field) in [
            (
                "/api/v1/organisations".to_owned(),
                json!({"name": trick, "kind": "ngo"}),
                "name",
            ),
            ("/api/v1/members".to_owned(), json!({"name": trick}), "name"),
            (
                "/api/v1/meetings".to_owned(),
                json!({"group_id": group["id"], "title": trick,
                       "starts_at": "2022-02-04T09:00:00Z", "ends_at": "2022-02-04T12:00:00Z"}),
                "title",
            ),
            (
                items.clone(),
                json!({"number": "1", "title": trick}),
                "title",
            ),
        ] {
            let response = app.post_json(&path, Some(&admin()), &body).await;
            let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(
                error_fields(&problem),
                [field],
                "{path} {trick:?}: {problem}"
            );
        }
    }
    assert_eq!(app.count_rows("audit_log").await, before, "nothing written");
}

async fn only_an_admin_links_a_member_to_a_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let secretary = token_for("secretary-1", &[Role::Secretary], None);
    // A secretary may create and change members, but not say whose login they are.
    let response = app
        .post_json(
            "/api/v1/members",
            Some(&secretary),
            &json!({"name": "Siv Exempelsson", "subject": "secretary-1"}),
        )
        .await;
    assert_problem(response, StatusCode::FORBIDDEN).await;
    let member = app.create_member(json!({"name": "Siv Exempelsson"})).await;
    let url = format!("/api/v1/members/{}", member["id"].as_str().unwrap());
    let response = app
        .patch_json(
            &url,
            Some(&secretary),
            None,
            &json!({"subject": "secretary-1"}),
        )
        .await;
    assert_problem(response, StatusCode::FORBIDDEN).await;
    let me = app.get("/api/v1/me", Some(&secretary)).await;
    assert_problem(me, StatusCode::NOT_FOUND).await;
    let response = app
        .patch_json(
            &url,
            Some(&secretary),
            None,
            &json!({"title": "Processledare"}),
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "other fields stay open to a secretary"
    );

    // An admin may, and the change is in the audit log (as a digest).
    let response = app
        .patch_json(&url, Some(&admin()), None, &json!({"subject": "siv-login"}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let audit: Value = app
        .get(
            &format!(
                "/api/v1/audit?entity_type=member&entity_id={}",
                member["id"].as_str().unwrap()
            ),
            Some(&admin()),
        )
        .await
        .json()
        .await
        .unwrap();
    let last = audit["items"].as_array().unwrap().last().unwrap().clone();
    assert_ne!(
        last["before"]["subject_sha256"], last["after"]["subject_sha256"],
        "{last}"
    );
    assert!(!audit.to_string().contains("siv-login"));
}

/// The absolute URLs of a calendar feed and of a Kolada page, fetched with forged host headers.
async fn absolute_urls(app: &TestApp) -> (String, String) {
    let group = app.create_group("Styrgrupp").await;
    let response = app
        .post_json(
            "/api/v1/meetings",
            Some(&admin()),
            &json!({"group_id": group["id"], "title": "Möte", "public": true,
                    "starts_at": "2022-02-04T09:00:00Z", "ends_at": "2022-02-04T12:00:00Z"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    app.create_municipality("Växjö kommun", "0780").await;
    app.create_municipality("Ljungby kommun", "0781").await;
    let forged = |path: &str| {
        app.client
            .get(app.url(path))
            .header("Host", "evil.example")
            .header("X-Forwarded-Host", "evil.example")
            .header("X-Forwarded-Proto", "https")
            .header("Forwarded", "host=evil.example;proto=https")
    };
    let calendar = forged("/api/v1/meetings.ics").send().await.unwrap();
    assert_eq!(calendar.status(), StatusCode::OK);
    let calendar = calendar.text().await.unwrap();
    let page: Value = forged("/kolada/v3/municipality?per_page=1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url_line = calendar
        .lines()
        .find(|l| l.starts_with("URL"))
        .unwrap_or_else(|| panic!("a URL line: {calendar}"))
        .to_owned();
    (url_line, page["next_url"].as_str().unwrap().to_owned())
}

async fn absolute_urls_never_come_from_request_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let (calendar, next) = absolute_urls(&app).await;
    let own = app.address.clone();
    assert!(
        calendar.contains(&format!("{own}/api/v1/meetings/")),
        "{calendar}"
    );
    assert!(
        next.starts_with(&format!("{own}/kolada/v3/municipality?")),
        "{next}"
    );
    assert!(!calendar.contains("evil") && !next.contains("evil"));

    let app = spawn_app_with(backend, |s| {
        s.public_url = Some("https://samverkan.kronoberg.example/".parse().unwrap());
    })
    .await;
    let (calendar, next) = absolute_urls(&app).await;
    assert!(
        calendar.contains("https://samverkan.kronoberg.example/api/v1/meetings/"),
        "{calendar}"
    );
    assert!(next.starts_with("https://samverkan.kronoberg.example/kolada/v3/municipality?"));

    // Behind a proxy the operator trusts, its forwarding headers are believed.
    let app = spawn_app_with(backend, |s| {
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let (calendar, next) = absolute_urls(&app).await;
    assert!(
        calendar.contains("https://evil.example/api/v1/meetings/"),
        "{calendar}"
    );
    assert!(next.starts_with("https://evil.example/kolada/"), "{next}");
}

/// Dates and times far outside any meeting's or decision's life (found as 500s on
/// PostgreSQL): refused, the same on both databases.
async fn dates_and_times_are_bounded(backend: Backend) {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let app = spawn_app(backend).await;
    let far = URL_SAFE_NO_PAD.encode(format!(
        "u:{}:{}",
        -3_155_760_000_000_000_000_i64,
        uuid::Uuid::now_v7()
    ));
    for path in [
        "/api/v1/organisations?updated_since=-9999-01-01T00:00:00Z".to_owned(),
        "/api/v1/organisations?updated_since=%2B12345-01-01T00:00:00Z".to_owned(),
        "/api/v1/decisions?updated_since=1899-12-31T23:59:59Z".to_owned(),
        format!("/api/v1/organisations?updated_since=2020-01-01T00:00:00Z&cursor={far}"),
        "/kolada/v3/data/kpi/X/municipality/0780?from_date=-9999-01-01".to_owned(),
        "/kolada/v3/data/kpi/X/municipality/0780?from_date=2201-01-01".to_owned(),
        // Every other timestamp a query takes (Schemathesis sent years 209 and 267).
        "/api/v1/meetings?from=0209-09-12T22:27:07.595-08:44".to_owned(),
        "/api/v1/meetings?to=2201-01-01T00:00:00Z".to_owned(),
        "/api/v1/meetings.ics?to=0267-06-13T17:50:36.409Z".to_owned(),
        format!(
            "/api/v1/indicators/{}/values?updated_since=0278-12-22T02:33:31-17:01",
            uuid::Uuid::now_v7()
        ),
    ] {
        let response = app.get(&path, None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
    let ok = app
        .get(
            "/api/v1/organisations?updated_since=1900-01-01T00:00:00Z",
            None,
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);

    let group = app.create_group("Styrgrupp").await;
    for (starts, ends, field) in [
        (
            "+12345-01-01T09:00:00Z",
            "+12345-01-01T10:00:00Z",
            "starts_at",
        ),
        ("1899-12-31T09:00:00Z", "1899-12-31T10:00:00Z", "starts_at"),
    ] {
        let response = app
            .post_json(
                "/api/v1/meetings",
                Some(&admin()),
                &json!({"group_id": group["id"], "title": "Möte", "starts_at": starts,
                        "ends_at": ends}),
            )
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            error_fields(&problem).contains(&field.to_owned()),
            "{problem}"
        );
    }
    assert_eq!(app.count_rows("meetings").await, 0);
}

/// Every date a request sends (fields and query parameters) is bounded like timestamps: a year
/// PostgreSQL cannot store was a 500 there.
async fn dates_are_bounded_in_fields_and_query_parameters(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let member = app.create_member(json!({"name": "Karin Lind"})).await;
    let group_id = group["id"].as_str().unwrap();
    for path in [
        "/api/v1/memberships?active_on=-9999-01-01".to_owned(),
        "/api/v1/decisions?due_before=2201-01-01".to_owned(),
        "/api/v1/decisions?from=0001-01-01".to_owned(),
        "/api/v1/decisions?to=%2B12345-01-01".to_owned(),
        format!("/api/v1/organisations/{group_id}/roster?on=1899-12-31"),
    ] {
        let response = app.get(&path, None).await;
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("1900 to 2200"),
            "{path}: {problem}"
        );
    }
    let before = app.count_rows("audit_log").await;
    for (start, end, field) in [
        ("-9999-01-01", None, "start_date"),
        ("1899-12-31", None, "start_date"),
        ("2021-01-01", Some("+12345-01-01"), "end_date"),
    ] {
        let response = app
            .post_json(
                "/api/v1/memberships",
                Some(&admin()),
                &json!({"member_id": member["id"], "group_id": group_id, "role": "member",
                        "start_date": start, "end_date": end}),
            )
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{problem}");
    }
    let response = app
        .post_json(
            "/api/v1/action-plans",
            Some(&admin()),
            &json!({"group_id": group_id, "title": "Handlingsplan"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let plan: Value = response.json().await.unwrap();
    let response = app
        .post_json(
            &format!(
                "/api/v1/action-plans/{}/revisions",
                plan["id"].as_str().unwrap()
            ),
            Some(&admin()),
            &json!({"content": {"sections": [{"key": "s", "title": "Samverkan", "goals": [
                {"key": "g", "title": "Mål", "activities": [
                    {"key": "a", "text": "Aktivitet", "due": "0001-06-30"}]}]}]}}),
        )
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        error_fields(&problem).iter().any(|f| f.ends_with("due")),
        "{problem}"
    );
    assert_eq!(
        app.count_rows("audit_log").await,
        before + 1,
        "only the plan"
    );
    // The edges are accepted.
    let response = app
        .get("/api/v1/memberships?active_on=1900-01-01", None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

crate::on_both_backends!(
    dates_are_bounded_in_fields_and_query_parameters,
    dates_and_times_are_bounded,
    absolute_urls_never_come_from_request_headers,
    names_and_titles_refuse_display_tricks,
    only_an_admin_links_a_member_to_a_login,
);
