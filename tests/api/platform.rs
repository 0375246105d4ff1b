//! The platform around the resources: health and metrics, request ids, 404/405/OPTIONS,
//! problem+json for malformed requests, the OpenAPI document and the offline Swagger UI.

use std::{
    io::{Read, Write},
    time::Duration,
};

use reqwest::{Method, Response, StatusCode, header};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

const ORGANISATIONS: &str = "/api/v1/organisations";

/// A valid new organisation.
fn vaxjo() -> Value {
    json!({"name": "Växjö kommun", "kind": "municipality", "municipality_code": "0780"})
}

/// `vaxjo()` as JSON padded with trailing spaces to exactly `len` bytes.
fn vaxjo_padded_to(len: usize) -> Vec<u8> {
    let mut body = vaxjo().to_string().into_bytes();
    assert!(body.len() <= len, "the body is already longer than {len}");
    body.resize(len, b' ');
    body
}

fn header_text(response: &Response, name: header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The methods of an `Allow` header.
fn allowed_methods(response: &Response) -> Vec<String> {
    header_text(response, header::ALLOW)
        .unwrap_or_default()
        .split(',')
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect()
}

async fn request(app: &TestApp, method: Method, path: &str) -> Response {
    app.client
        .request(method, app.url(path))
        .send()
        .await
        .expect("request")
}

/// Asserts that a failed write left no trace: no organisations and no audit entries.
async fn assert_nothing_stored(app: &TestApp, case: &str) {
    let response = app
        .get(
            &format!("{ORGANISATIONS}?include_archived=true"),
            Some(&admin()),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{case}: listing");
    let page: Value = response.json().await.expect("page JSON");
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(0),
        "{case}: organisations after the refused write: {page}"
    );
    assert_eq!(
        app.count_rows("audit_log").await,
        0,
        "{case}: audit entries after the refused write"
    );
}

// Health and metrics.

async fn liveness_answers_ok(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/health/live", None).await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({"status": "ok"}));
}

async fn readiness_answers_ok_when_the_database_does(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/health/ready", None).await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], "ok");
}

/// PostgreSQL only: the database can be taken away from under a running server there.
async fn readiness_is_503_with_retry_after_when_the_database_is_gone(backend: Backend) {
    if backend == Backend::Sqlite {
        return;
    }
    let app = spawn_app(backend).await;
    let warm = app.get("/health/ready", None).await;
    assert_eq!(warm.status(), StatusCode::OK, "ready before the outage");
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT current_database() AS name",
        ))
        .await
        .expect("query")
        .expect("a row");
    let name: String = row.try_get("", "name").expect("database name");
    app.db
        .close_by_ref()
        .await
        .expect("close the test connection");
    let admin_url = postgres_url();
    let admin_db = Database::connect(&admin_url)
        .await
        .expect("admin connection");
    admin_db
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false"
        ))
        .await
        .expect("refuse new connections");
    admin_db
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .await
        .expect("terminate the server's connections");
    admin_db.close().await.expect("close admin connection");

    let ready = app.get("/health/ready", None).await;
    let live = app.get("/health/live", None).await;

    let retry_after = header_text(&ready, header::RETRY_AFTER);
    let problem = assert_problem(ready, StatusCode::SERVICE_UNAVAILABLE).await;
    let seconds: u64 = retry_after
        .as_deref()
        .expect("Retry-After on the 503")
        .parse()
        .expect("Retry-After in seconds");
    assert!(seconds > 0, "Retry-After {seconds}");
    assert!(
        !problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&name),
        "the problem must not leak driver details: {problem}"
    );
    assert_eq!(
        live.status(),
        StatusCode::OK,
        "liveness does not need the database"
    );
}

async fn metrics_are_prometheus_text(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/metrics", None).await;

    assert_eq!(response.status(), StatusCode::OK);
    let content_type = header_text(&response, header::CONTENT_TYPE).unwrap_or_default();
    assert!(
        content_type.starts_with("text/plain"),
        "content type {content_type:?}"
    );
}

/// Waits briefly for a metrics line holding every one of `parts` (a request is counted when
/// its response body is finished, which may be just after the client has it).
async fn metrics_line_with(app: &TestApp, parts: &[&str]) -> Option<String> {
    for _ in 0..20 {
        let text = app
            .get("/metrics", None)
            .await
            .text()
            .await
            .expect("metrics text");
        if let Some(line) = text
            .lines()
            .find(|line| parts.iter().all(|part| line.contains(part)))
        {
            return Some(line.to_owned());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

async fn metrics_count_requests_by_route_pattern(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = Uuid::now_v7();

    let listed = app.get(ORGANISATIONS, None).await;
    let read = app.get(&format!("{ORGANISATIONS}/{id}"), None).await;

    assert_eq!(listed.status(), StatusCode::OK);
    assert_eq!(read.status(), StatusCode::NOT_FOUND);
    let list_line = metrics_line_with(
        &app,
        &[
            "samverkan_http_requests_total{",
            "endpoint=\"/api/v1/organisations\"",
            "method=\"GET\"",
            "status=\"200\"",
        ],
    )
    .await;
    assert!(list_line.is_some(), "no counter for the list route");
    let item_line = metrics_line_with(
        &app,
        &[
            "samverkan_http_requests_total{",
            "endpoint=\"/api/v1/organisations/{id}\"",
            "status=\"404\"",
        ],
    )
    .await;
    assert!(item_line.is_some(), "no counter for the item route pattern");
    let text = app.get("/metrics", None).await.text().await.expect("text");
    assert!(
        !text.contains(&id.to_string()),
        "raw ids must not become metric labels"
    );
}

// Request ids.

async fn every_response_carries_a_request_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (Method::GET, "/health/live", "a 200"),
        (Method::GET, "/metrics", "metrics"),
        (Method::GET, "/api/v1/no-such-thing", "a 404"),
        (Method::GET, "/api/v1/audit", "a 401"),
        (Method::PUT, ORGANISATIONS, "a 405"),
        (Method::OPTIONS, ORGANISATIONS, "a 204"),
        (Method::GET, "/docs", "a redirect"),
    ];

    for (method, path, case) in cases {
        let response = request(&app, method, path).await;

        let id = header_text(&response, header::HeaderName::from_static("x-request-id"))
            .unwrap_or_else(|| panic!("{case}: no x-request-id"));
        assert!(
            Uuid::parse_str(&id).is_ok(),
            "{case}: x-request-id {id:?} is not a UUID"
        );
    }
}

async fn a_client_request_id_is_echoed(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .expect("GET");

    assert_eq!(
        header_text(&response, header::HeaderName::from_static("x-request-id")).as_deref(),
        Some("abc-123")
    );
}

async fn an_unusable_client_request_id_is_replaced(backend: Backend) {
    let app = spawn_app(backend).await;
    let too_long = "a".repeat(129);
    let cases = [
        (too_long.as_str(), "longer than 128 characters"),
        ("has space", "with a space"),
        ("", "empty"),
    ];

    for (sent, case) in cases {
        let response = app
            .client
            .get(app.url("/health/live"))
            .header("x-request-id", sent)
            .send()
            .await
            .expect("GET");

        let id = header_text(&response, header::HeaderName::from_static("x-request-id"))
            .unwrap_or_default();
        assert!(Uuid::parse_str(&id).is_ok(), "{case}: got {id:?}");
    }
}

async fn a_problem_carries_the_request_id_of_its_response(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (
            Method::GET,
            "/api/v1/no-such-thing",
            None,
            StatusCode::NOT_FOUND,
        ),
        (Method::GET, "/api/v1/audit", None, StatusCode::UNAUTHORIZED),
        (
            Method::PUT,
            ORGANISATIONS,
            None,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            Method::GET,
            "/api/v1/organisations?limit=0",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/api/v1/no-such-thing",
            Some("abc-123"),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::GET,
            "/api/v1/audit",
            Some("abc-123"),
            StatusCode::UNAUTHORIZED,
        ),
    ];

    for (method, path, sent, status) in cases {
        let mut builder = app.client.request(method.clone(), app.url(path));
        if let Some(id) = sent {
            builder = builder.header("x-request-id", id);
        }
        let response = builder.send().await.expect("request");

        let id = header_text(&response, header::HeaderName::from_static("x-request-id"))
            .expect("x-request-id");
        let problem = assert_problem(response, status).await;
        assert_eq!(
            problem["request_id"].as_str(),
            Some(id.as_str()),
            "{method} {path}: {problem}"
        );
        if let Some(sent) = sent {
            assert_eq!(id, sent, "{method} {path}");
        }
    }
}

// Routing: 404, 405, OPTIONS.

async fn an_unknown_route_is_a_404_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        "/api/v1/no-such-thing",
        "/api/v2/organisations",
        "/api/v1/organisations/a/b",
        "/nope",
    ];

    for path in cases {
        let response = app.get(path, Some(&admin())).await;

        assert_problem(response, StatusCode::NOT_FOUND).await;
    }
}

async fn a_wrong_method_is_a_405_problem_with_allow(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = Uuid::now_v7();
    let item = format!("{ORGANISATIONS}/{id}");
    let cases = [
        (
            Method::PUT,
            ORGANISATIONS.to_owned(),
            &["GET", "POST"][..],
            "PUT",
        ),
        (
            Method::DELETE,
            ORGANISATIONS.to_owned(),
            &["GET", "POST"][..],
            "DELETE",
        ),
        (
            Method::TRACE,
            item.clone(),
            &["GET", "PATCH", "DELETE"][..],
            "TRACE",
        ),
        (
            Method::POST,
            item.clone(),
            &["GET", "PATCH", "DELETE"][..],
            "POST",
        ),
        (Method::PUT, item, &["GET", "PATCH", "DELETE"][..], "PUT"),
        (
            Method::DELETE,
            "/api/v1/audit".to_owned(),
            &["GET"][..],
            "DELETE",
        ),
        (
            Method::POST,
            "/health/live".to_owned(),
            &["GET"][..],
            "POST",
        ),
    ];

    for (method, path, expected, refused) in cases {
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .bearer_auth(admin())
            .send()
            .await
            .expect("request");

        let allow = allowed_methods(&response);
        assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
        for method_name in expected {
            assert!(
                allow.iter().any(|m| m == method_name),
                "{method} {path}: Allow {allow:?} lacks {method_name}"
            );
        }
        assert!(
            !allow.iter().any(|m| m == refused),
            "{method} {path}: Allow {allow:?} lists the refused {refused}"
        );
    }
}

async fn options_on_a_known_path_lists_the_methods(backend: Backend) {
    let app = spawn_app(backend).await;
    let item = format!("{ORGANISATIONS}/{}", Uuid::now_v7());
    let cases = [
        (ORGANISATIONS, &["GET", "HEAD", "POST", "OPTIONS"][..]),
        (
            item.as_str(),
            &["GET", "HEAD", "PATCH", "DELETE", "OPTIONS"][..],
        ),
        ("/api/v1/audit", &["GET", "HEAD", "OPTIONS"][..]),
    ];

    for (path, expected) in cases {
        let response = request(&app, Method::OPTIONS, path).await;

        assert_eq!(response.status(), StatusCode::NO_CONTENT, "OPTIONS {path}");
        let mut allow = allowed_methods(&response);
        allow.sort();
        let mut expected: Vec<String> = expected.iter().map(|m| (*m).to_owned()).collect();
        expected.sort();
        assert_eq!(allow, expected, "Allow of {path}");
    }
}

async fn options_on_an_unknown_path_is_a_404(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = request(&app, Method::OPTIONS, "/api/v1/no-such-thing").await;

    assert_problem(response, StatusCode::NOT_FOUND).await;
}

// Malformed request bodies.

async fn malformed_bodies_are_refused_and_store_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let json = Some("application/json");
    let valid = vaxjo().to_string().into_bytes();
    let cases: Vec<(Option<&str>, Vec<u8>, StatusCode, &str)> = vec![
        (
            json,
            b"{\"name\": ".to_vec(),
            StatusCode::BAD_REQUEST,
            "truncated JSON",
        ),
        (
            json,
            b"{name: 'x'}".to_vec(),
            StatusCode::BAD_REQUEST,
            "not JSON",
        ),
        (
            json,
            [valid.clone(), b"{}".to_vec()].concat(),
            StatusCode::BAD_REQUEST,
            "trailing data",
        ),
        (json, Vec::new(), StatusCode::BAD_REQUEST, "empty body"),
        (
            json,
            b"  \n ".to_vec(),
            StatusCode::BAD_REQUEST,
            "whitespace only",
        ),
        (
            Some("text/plain"),
            valid.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "text/plain",
        ),
        (
            Some("application/x-www-form-urlencoded"),
            b"name=x&kind=municipality".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a form",
        ),
        (
            None,
            valid,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "no content type",
        ),
        (
            json,
            vaxjo_padded_to(64 * 1024 + 1),
            StatusCode::PAYLOAD_TOO_LARGE,
            "64 KiB + 1 with Content-Length",
        ),
    ];

    for (content_type, body, status, case) in cases {
        let mut builder = app
            .client
            .post(app.url(ORGANISATIONS))
            .bearer_auth(admin())
            .body(body);
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        let response = builder.send().await.expect("POST");

        assert_eq!(response.status(), status, "{case}");
        assert_problem(response, status).await;
        assert_nothing_stored(&app, case).await;
    }
}

/// Sends a chunked POST by hand (reqwest has no streaming bodies in this build) and returns
/// the status line and the rest of the response.
fn post_chunked(address: &str, path: &str, token: &str, body: &[u8]) -> String {
    let host = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    );
    let mut request = head.into_bytes();
    for chunk in body.chunks(4096) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before reading everything; what it answered is the point.
    let _ = stream.write_all(&request);
    let mut response = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buffer[..n]),
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&response).into_owned()
}

async fn a_chunked_body_over_the_limit_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let address = app.address.clone();
    let token = admin();

    let response = tokio::task::spawn_blocking(move || {
        post_chunked(
            &address,
            ORGANISATIONS,
            &token,
            &vaxjo_padded_to(64 * 1024 + 1),
        )
    })
    .await
    .expect("chunked POST");

    let status_line = response.lines().next().unwrap_or_default();
    assert!(
        status_line.starts_with("HTTP/1.1 413"),
        "status line {status_line:?}"
    );
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{response}"
    );
    assert_nothing_stored(&app, "chunked 64 KiB + 1").await;
}

async fn a_chunked_body_within_the_limit_is_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let address = app.address.clone();
    let token = admin();

    let response = tokio::task::spawn_blocking(move || {
        post_chunked(&address, ORGANISATIONS, &token, &vaxjo_padded_to(64 * 1024))
    })
    .await
    .expect("chunked POST");

    let status_line = response.lines().next().unwrap_or_default();
    assert!(
        status_line.starts_with("HTTP/1.1 201"),
        "status line {status_line:?}"
    );
}

async fn a_body_of_exactly_the_limit_is_read(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .client
        .post(app.url(ORGANISATIONS))
        .bearer_auth(admin())
        .header(header::CONTENT_TYPE, "application/json")
        .body(vaxjo_padded_to(64 * 1024))
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), StatusCode::CREATED);
}

async fn the_body_limit_follows_the_setting(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.max_body_bytes = 1024).await;

    let over = app
        .client
        .post(app.url(ORGANISATIONS))
        .bearer_auth(admin())
        .header(header::CONTENT_TYPE, "application/json")
        .body(vaxjo_padded_to(1025))
        .send()
        .await
        .expect("POST");
    assert_problem(over, StatusCode::PAYLOAD_TOO_LARGE).await;
    let at = app
        .client
        .post(app.url(ORGANISATIONS))
        .bearer_auth(admin())
        .header(header::CONTENT_TYPE, "application/json")
        .body(vaxjo_padded_to(1024))
        .send()
        .await
        .expect("POST");

    assert_eq!(at.status(), StatusCode::CREATED);
}

async fn a_nul_byte_in_a_name_is_invalid_on_every_backend(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = vaxjo();
    body["name"] = json!("a\u{0}b");

    let response = app.post_json(ORGANISATIONS, Some(&admin()), &body).await;

    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), vec!["name".to_owned()], "{problem}");
    assert_nothing_stored(&app, "NUL in the name").await;
}

// Malformed query strings and paths.

async fn bad_query_parameters_are_400_problems_naming_the_parameter(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        ("limit=0", "limit", "below the minimum"),
        ("limit=201", "limit", "above the maximum"),
        ("limit=-1", "limit", "negative"),
        ("limit=abc", "limit", "not a number"),
        ("limit=99999999999999999999", "limit", "overflows"),
        ("cursor=garbage", "cursor", "not a cursor"),
        (
            "updated_since=yesterday",
            "updated_since",
            "not a timestamp",
        ),
        ("unknown_param=1", "unknown_param", "unknown parameter"),
        ("q=%00", "q", "NUL byte"),
        ("q=a%0Ab", "q", "newline"),
        ("kind=planet", "kind", "unknown kind"),
        (
            "include_archived=maybe",
            "include_archived",
            "not a boolean",
        ),
        ("parent_id=not-a-uuid", "parent_id", "not a UUID"),
        ("municipality_code=", "municipality_code", "not four digits"),
        ("municipality_code=780", "municipality_code", "three digits"),
    ];

    for (query, field, case) in cases {
        let response = app.get(&format!("{ORGANISATIONS}?{query}"), None).await;

        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "{case}: ?{query}"
        );
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            problem["errors"][0]["field"].as_str(),
            Some(field),
            "{case}: ?{query}: {problem}"
        );
    }
}

async fn the_largest_page_size_is_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = ["limit=200", "limit=1"];

    for query in cases {
        let response = app.get(&format!("{ORGANISATIONS}?{query}"), None).await;

        assert_eq!(response.status(), StatusCode::OK, "?{query}");
    }
}

async fn a_malformed_id_in_the_path_is_a_400_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        ("not-a-uuid", "words"),
        ("12345", "digits"),
        ("00000000-0000-0000-0000-00000000000g", "a non-hex digit"),
    ];

    for (id, case) in cases {
        let response = app.get(&format!("{ORGANISATIONS}/{id}"), None).await;

        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{case}");
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
}

// The OpenAPI document.

async fn served_openapi(app: &TestApp) -> Value {
    let response = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "GET /api/v1/openapi.json"
    );
    response.json().await.expect("OpenAPI JSON")
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every (path, method, operation) of a document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if HTTP_METHODS.contains(&method.as_str()) {
                found.push((path.clone(), method.clone(), operation.clone()));
            }
        }
    }
    found
}

async fn the_served_openapi_document_is_the_committed_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let committed: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/openapi.json"
    )))
    .expect("openapi/openapi.json is JSON");

    let served = served_openapi(&app).await;

    assert!(
        served == committed,
        "the served OpenAPI document differs from openapi/openapi.json; \
         run `cargo run -- openapi > openapi/openapi.json` and commit the result"
    );
    assert!(
        served["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "OpenAPI version {}",
        served["openapi"]
    );
}

async fn every_operation_documents_401_and_problem_errors(backend: Backend) {
    let app = spawn_app(backend).await;

    let doc = served_openapi(&app).await;

    let operations = operations(&doc);
    assert!(!operations.is_empty(), "no operations documented");
    for (path, method, operation) in operations {
        let responses = operation["responses"].as_object().expect("responses");
        let operational = path.starts_with("/health") || path == "/metrics";
        if !operational {
            assert!(
                responses.contains_key("401"),
                "{method} {path} does not document 401"
            );
        }
        for (status, response) in responses {
            let Ok(code) = status.parse::<u16>() else {
                continue;
            };
            if code < 400 {
                continue;
            }
            let content = response["content"].as_object();
            assert!(
                content.is_some_and(|c| c.contains_key("application/problem+json")),
                "{method} {path} {status} is not application/problem+json: {response}"
            );
        }
    }
}

async fn every_documented_operation_is_routed(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = served_openapi(&app).await;

    for (path, method, _) in operations(&doc) {
        let concrete = path.replace("{id}", &Uuid::now_v7().to_string());
        let http_method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let mut builder = app
            .client
            .request(http_method.clone(), app.url(&concrete))
            .bearer_auth(admin());
        if http_method == Method::POST || http_method == Method::PATCH {
            builder = builder.json(&json!({}));
        }

        let response = builder.send().await.expect("request");

        let status = response.status();
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is documented but not routed"
        );
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_ne!(
            body["detail"],
            samverkan::error::NO_ROUTE_DETAIL,
            "{method} {path} is documented but not routed"
        );
    }
}

// Swagger UI.

async fn docs_redirects_to_the_swagger_ui(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/docs", None).await;

    assert!(
        response.status().is_redirection(),
        "status {}",
        response.status()
    );
    assert_eq!(
        header_text(&response, header::LOCATION).as_deref(),
        Some("/docs/")
    );
}

/// The values of every `src="..."` and `href="..."` attribute in an HTML page.
fn referenced_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attribute in ["src=\"", "href=\"", "src='", "href='"] {
        let quote = attribute.chars().last().expect("quote");
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len()..];
            if let Some(end) = rest.find(quote) {
                urls.push(rest[..end].to_owned());
                rest = &rest[end..];
            }
        }
    }
    urls
}

async fn the_swagger_ui_works_offline(backend: Backend) {
    let app = spawn_app(backend).await;

    let index = app.get("/docs/", None).await;

    assert_eq!(index.status(), StatusCode::OK);
    let content_type = header_text(&index, header::CONTENT_TYPE).unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{content_type:?}");
    let html = index.text().await.expect("HTML");
    let urls = referenced_urls(&html);
    assert!(
        urls.iter().any(|u| u.ends_with(".js")) && urls.iter().any(|u| u.ends_with(".css")),
        "the index references no scripts or styles: {urls:?}"
    );
    for url in &urls {
        assert!(
            !url.starts_with("http://") && !url.starts_with("https://") && !url.starts_with("//"),
            "the Swagger UI loads {url} from outside"
        );
        let path = match url.strip_prefix("./") {
            Some(relative) => format!("/docs/{relative}"),
            None if url.starts_with('/') => url.clone(),
            None => format!("/docs/{url}"),
        };
        let asset = app.get(&path, None).await;
        assert_eq!(asset.status(), StatusCode::OK, "asset {path}");
        let body = asset.text().await.expect("asset");
        assert!(!body.is_empty(), "asset {path} is empty");
    }
    let initializer = app.get("/docs/swagger-initializer.js", None).await;
    assert_eq!(initializer.status(), StatusCode::OK);
    let script = initializer.text().await.expect("initializer");
    assert!(
        script.contains("/api/v1/openapi.json"),
        "the UI does not load our document: {script}"
    );
    let document = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(
        document.status(),
        StatusCode::OK,
        "the document the UI loads is not served"
    );
}

crate::on_both_backends!(
    liveness_answers_ok,
    readiness_answers_ok_when_the_database_does,
    readiness_is_503_with_retry_after_when_the_database_is_gone,
    metrics_are_prometheus_text,
    metrics_count_requests_by_route_pattern,
    every_response_carries_a_request_id,
    a_client_request_id_is_echoed,
    an_unusable_client_request_id_is_replaced,
    a_problem_carries_the_request_id_of_its_response,
    an_unknown_route_is_a_404_problem,
    a_wrong_method_is_a_405_problem_with_allow,
    options_on_a_known_path_lists_the_methods,
    options_on_an_unknown_path_is_a_404,
    malformed_bodies_are_refused_and_store_nothing,
    a_chunked_body_over_the_limit_is_refused,
    a_chunked_body_within_the_limit_is_read,
    a_body_of_exactly_the_limit_is_read,
    the_body_limit_follows_the_setting,
    a_nul_byte_in_a_name_is_invalid_on_every_backend,
    bad_query_parameters_are_400_problems_naming_the_parameter,
    the_largest_page_size_is_accepted,
    a_malformed_id_in_the_path_is_a_400_problem,
    the_served_openapi_document_is_the_committed_one,
    every_operation_documents_401_and_problem_errors,
    every_documented_operation_is_routed,
    docs_redirects_to_the_swagger_ui,
    the_swagger_ui_works_offline,
);
