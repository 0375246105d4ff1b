//! Issue 12: rate limits per token subject and per client address, and CORS from an
//! allowlist.

use reqwest::{Method, StatusCode};
use samverkan::auth::Role;
use serde_json::json;

use crate::helpers::*;

async fn limited_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |s| {
        s.rate_limit = 60;
        s.rate_limit_anonymous = 60;
        s.rate_limit_burst = 3;
    })
    .await
}

async fn each_caller_has_its_own_rate_limit(backend: Backend) {
    let Some(app) = limited_app(backend).await else {
        return;
    };
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
    let Some(plain) = spawn_app(backend).await else {
        return;
    };
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

    let Some(app) = spawn_app_with(backend, |s| {
        s.cors_origins = vec!["https://intranet.example".parse().unwrap()];
    })
    .await
    else {
        return;
    };
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

crate::on_both_backends!(
    each_caller_has_its_own_rate_limit,
    cors_is_off_by_default_and_follows_the_allowlist,
);
