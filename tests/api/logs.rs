//! Issue 12: the logs of a full run (at `debug`, as JSON) hold no token, e-mail address, phone
//! number or webhook secret, whatever the requests carried.

use std::{process::Command, time::Duration};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const EMAIL: &str = "karin.lindqvist@example.se";
const PHONE: &str = "+46 470-111 22";

async fn the_logs_of_a_full_run_hold_no_secret_or_personal_data(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("samverkan.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_samverkan"))
        .arg("serve")
        .env("SAMVERKAN_DATABASE_URL", &database.url)
        .env("SAMVERKAN_BIND", format!("127.0.0.1:{port}"))
        .env("SAMVERKAN_JWT_SECRET", SECRET)
        .env("SAMVERKAN_JWT_ISSUER", ISSUER)
        .env("SAMVERKAN_JWT_AUDIENCE", AUDIENCE)
        .env("SAMVERKAN_LOG", "debug")
        .env("SAMVERKAN_LOG_FORMAT", "json")
        .env("SAMVERKAN_WEBHOOK_ALLOW_PRIVATE", "true")
        .current_dir(dir.path())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let admin = admin();
    let call = |method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>| {
        let mut request = client.request(method, format!("{base}{path}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    use reqwest::Method as M;
    let member: Value = call(
        M::POST,
        "/api/v1/members",
        Some(&admin),
        Some(
            json!({"name": "Karin Lindqvist", "email": EMAIL, "phone": PHONE,
                    "subject": "karin-login"}),
        ),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let member_path = format!("/api/v1/members/{}", member["id"].as_str().unwrap());
    // Refused input that carries personal data.
    let refused = call(
        M::PATCH,
        &member_path,
        Some(&admin),
        Some(json!({"email": "karin.lindqvist@", "phone": "abc +46 470-111 22 x"})),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    call(M::GET, &format!("/api/v1/search?q={EMAIL}"), None, None)
        .await
        .unwrap();
    call(M::GET, &format!("{member_path}/export"), Some(&admin), None)
        .await
        .unwrap();
    // Tokens that are refused: tampered, wrong secret, garbage.
    let tampered = format!("{}x", &admin[..admin.len() - 1]);
    for token in [
        tampered.as_str(),
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "not-a-token",
    ] {
        let response = call(M::GET, "/api/v1/audit", Some(token), None)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let hook: Value = call(
        M::POST,
        "/api/v1/webhooks",
        Some(&admin),
        Some(json!({"url": format!("{base}/nowhere")})),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let secret = hook["secret"].as_str().unwrap().to_owned();
    call(
        M::POST,
        &format!("{member_path}/erase"),
        Some(&admin),
        Some(json!({})),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = tokio::task::spawn_blocking(move || child.wait()).await;

    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        text.contains("\"path\""),
        "the access log was captured: {text}"
    );
    assert!(
        text.contains("token refused"),
        "debug lines were captured: {text}"
    );
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}").unwrap();
    let email = regex::Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*").unwrap();
    let phone = regex::Regex::new(r"470[- ]?111[- ]?22").unwrap();
    for (what, found) in [
        ("a token", jwt.find(&text).map(|m| m.as_str().to_owned())),
        (
            "an e-mail address",
            email.find(&text).map(|m| m.as_str().to_owned()),
        ),
        (
            "a phone number",
            phone.find(&text).map(|m| m.as_str().to_owned()),
        ),
        (
            "the webhook secret",
            text.contains(&secret).then(|| secret.clone()),
        ),
        (
            "the login",
            text.contains("karin-login")
                .then(|| "karin-login".to_owned()),
        ),
        (
            "the name",
            text.to_lowercase()
                .contains("lindqvist")
                .then(|| "lindqvist".into()),
        ),
    ] {
        assert!(found.is_none(), "the log holds {what}: {found:?}");
    }
}

crate::on_both_backends!(the_logs_of_a_full_run_hold_no_secret_or_personal_data);
