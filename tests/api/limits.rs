//! Issue 12: rate limits per token subject and per client address, and CORS from an
//! allowlist.

use reqwest::{Method, StatusCode};
use samverkan::auth::Role;
use serde_json::json;

use crate::helpers::*;

async fn limited_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.rate_limit = 60;
        s.rate_limit_anonymous = 60;
        s.rate_limit_burst = 3;
    })
    .await
}

async fn each_caller_has_its_own_rate_limit(backend: Backend) {
    let app = limited_app(backend).await;
    let secretary = token_for("secretary-1", &[Role::Secretary], None);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let response = app.get("/api/v1/organisations", Some(&secretary)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["ratelimit-policy"],
            "\"default\";q=60;w=60"
        );
        remaining.push(response.headers()["ratelimit"].to_str().unwrap().to_owned());
    }
    assert!(
        remaining[0].starts_with("\"default\";r=2;"),
        "{remaining:?}"
    );
    assert!(
        remaining[2].starts_with("\"default\";r=0;"),
        "{remaining:?}"
    );

    // Over the limit: 429 problem+json with Retry-After, and a write is not made.
    let before = app.count_rows("organisations").await;
    let response = app
        .post_json(
            "/api/v1/organisations",
            Some(&secretary),
            &json!({"name": "Växjö kommun", "kind": "municipality"}),
        )
        .await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    assert!(
        response.headers()["ratelimit"]
            .to_str()
            .unwrap()
            .starts_with("\"default\";r=0;")
    );
    let problem = assert_problem(response, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(problem["type"], "urn:samverkan:problem:too-many-requests");
    assert_eq!(app.count_rows("organisations").await, before);

    // Other callers are not affected: another subject, and anonymous callers.
    let other = token_for("secretary-2", &[Role::Secretary], None);
    let response = app.get("/api/v1/organisations", Some(&other)).await;
    assert_eq!(response.status(), StatusCode::OK);
    for _ in 0..3 {
        let response = app.get("/api/v1/organisations", None).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    // Anonymous callers share their address's bucket; a bad token counts as anonymous.
    let response = app.get("/api/v1/organisations", Some("not-a-token")).await;
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS).await;
    // Health probes are never limited.
    for _ in 0..5 {
        let response = app.get("/health/live", None).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    // The bucket refills at the sustained rate (one per second here).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let response = app.get("/api/v1/organisations", Some(&secretary)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(Method::OPTIONS, app.url("/api/v1/organisations"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "PATCH")
        .header("Access-Control-Request-Headers", "authorization, if-match")
        .send()
        .await
        .unwrap()
}

async fn cors_is_off_by_default_and_follows_the_allowlist(backend: Backend) {
    let plain = spawn_app(backend).await;
    let response = plain
        .client
        .get(plain.url("/api/v1/organisations"))
        .header("Origin", "https://intranet.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let response = preflight(&plain, "https://intranet.example").await;
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let app = spawn_app_with(backend, |s| {
        s.cors_origins = vec!["https://intranet.example".parse().unwrap()];
    })
    .await;
    let response = preflight(&app, "https://intranet.example").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://intranet.example"
    );
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    assert!(methods.contains("PATCH"), "{methods}");
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        allowed.contains("if-match") && allowed.contains("authorization"),
        "{allowed}"
    );

    let response = app
        .client
        .get(app.url("/api/v1/organisations"))
        .header("Origin", "https://intranet.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://intranet.example"
    );
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("x-request-id"),
        "{exposed}"
    );

    // Another origin gets no grant.
    let response = preflight(&app, "https://evil.example").await;
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let response = app
        .client
        .get(app.url("/api/v1/organisations"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

/// Row 25: a client that trickles its request head (one header line a second, for 10 s) is cut
/// off at the 5 s `client_request_timeout`, with a 408, and does not hold its connection.
async fn a_slow_client_is_cut_off_at_the_request_timeout(backend: Backend) {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = spawn_app(backend).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let started = Instant::now();
    let trickle = tokio::spawn(async move {
        let mut lines = 0;
        writer
            .write_all(b"GET /api/v1/organisations HTTP/1.1\r\nHost: x\r\n")
            .await?;
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            writer.write_all(b"X-Slow: 1\r\n").await?;
            lines += 1;
        }
        Ok::<_, std::io::Error>(lines)
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), reader.read_to_end(&mut answer)).await;
    let elapsed = started.elapsed();
    trickle.abort();

    assert!(read.is_ok(), "the connection was still open after 15 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "the slow client got {answer:?}"
    );
    assert!(
        elapsed >= Duration::from_secs(4) && elapsed < Duration::from_secs(9),
        "cut off after {elapsed:?}, not at the 5 s request timeout"
    );
    // The server still answers others.
    let response = app.get("/api/v1/organisations", None).await;
    assert_eq!(response.status(), StatusCode::OK);
}

crate::on_both_backends!(
    a_slow_client_is_cut_off_at_the_request_timeout,
    each_caller_has_its_own_rate_limit,
    cors_is_off_by_default_and_follows_the_allowlist,
);
