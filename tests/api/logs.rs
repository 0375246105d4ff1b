//! Issue 12: the logs of a full run (at `debug`, as JSON) hold no token, e-mail address, phone
//! number or webhook secret, whatever the requests carried.

use std::{process::Command, time::Duration};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const EMAIL: &str = "karin.lindqvist@example.se";
const PHONE: &str = "+46 470-111 22";

/// A `samverkan serve` process logging JSON at `level` into a file of its own.
struct LoggedServer {
    child: std::process::Child,
    base: String,
    log_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
    _database: TestDatabase,
}

impl LoggedServer {
    async fn start(backend: Backend, level: &str) -> Self {
        let database = TestDatabase::create(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let log_path = dir.path().join("samverkan.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_samverkan"))
            .arg("serve")
            .env("SAMVERKAN_DATABASE_URL", &database.url)
            .env("SAMVERKAN_BIND", format!("127.0.0.1:{port}"))
            .env("SAMVERKAN_JWT_SECRET", SECRET)
            .env("SAMVERKAN_JWT_ISSUER", ISSUER)
            .env("SAMVERKAN_JWT_AUDIENCE", AUDIENCE)
            .env("SAMVERKAN_LOG", level)
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
        Self {
            child,
            base,
            log_path,
            _dir: dir,
            _database: database,
        }
    }

    /// Stops the server (SIGTERM) and returns its log.
    async fn stop(self) -> String {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let mut child = self.child;
        let _ = tokio::task::spawn_blocking(move || child.wait()).await;
        std::fs::read_to_string(&self.log_path).unwrap()
    }
}

async fn the_logs_of_a_full_run_hold_no_secret_or_personal_data(backend: Backend) {
    let server = LoggedServer::start(backend, "debug").await;
    let base = server.base.clone();
    let client = reqwest::Client::new();
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
    let text = server.stop().await;
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

/// Row 36: every refused request leaves one security log line (target `samverkan::security`)
/// under its request id, with a digest of the subject (never the token, never the `sub`: a login
/// may name the person), the method, the path and the status.
async fn a_denied_write_leaves_a_security_log_line(backend: Backend) {
    let server = LoggedServer::start(backend, "info").await;
    let client = reqwest::Client::new();
    let admin = admin();
    let tampered = format!("{}x", &admin[..admin.len() - 1]);
    let member = token(&[samverkan::auth::Role::Member]);
    let mailer = token_for(
        "karin.lind@example.se",
        &[samverkan::auth::Role::Reporter],
        None,
    );
    let nobody = uuid::Uuid::now_v7();
    let organisation = json!({"name": "Växjö kommun", "kind": "municipality"});
    // (request id, method, path, token, status, logged subject)
    let cases = [
        (
            "denied-1",
            "POST",
            "/api/v1/organisations".to_owned(),
            None,
            401,
            "-",
        ),
        (
            "denied-2",
            "POST",
            "/api/v1/organisations".to_owned(),
            Some(&tampered),
            401,
            "-",
        ),
        (
            "denied-3",
            "PATCH",
            format!("/api/v1/organisations/{nobody}"),
            Some(&member),
            403,
            "sha256:",
        ),
        (
            "denied-4",
            "DELETE",
            format!("/api/v1/meetings/{nobody}"),
            Some(&mailer),
            403,
            "sha256:",
        ),
        (
            "denied-5",
            "GET",
            "/api/v1/audit".to_owned(),
            Some(&member),
            403,
            "sha256:",
        ),
    ];
    for (request_id, method, path, token, status, _) in &cases {
        let mut request = client
            .request(method.parse().unwrap(), format!("{}{path}", server.base))
            .header("x-request-id", *request_id)
            .json(&organisation);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), *status, "{method} {path}");
    }
    let allowed = client
        .post(format!("{}/api/v1/organisations", server.base))
        .bearer_auth(&admin)
        .header("x-request-id", "allowed-1")
        .json(&organisation)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::CREATED);
    let text = server.stop().await;

    let denials: Vec<Value> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["target"] == "samverkan::security")
        .collect();
    for (request_id, method, path, _, status, subject) in &cases {
        let found: Vec<&Value> = denials
            .iter()
            .filter(|line| line["span"]["request_id"] == *request_id)
            .collect();
        assert_eq!(found.len(), 1, "one line for {request_id}: {denials:?}");
        let fields = &found[0]["fields"];
        assert_eq!(found[0]["level"], "WARN");
        assert_eq!(fields["message"], "access denied");
        assert_eq!(fields["method"], *method);
        assert_eq!(fields["path"], path.as_str());
        assert_eq!(fields["status"], *status);
        assert!(
            fields["subject"].as_str().unwrap().starts_with(subject),
            "{request_id}: {fields}"
        );
    }
    let subject_of = |id: &str| {
        denials
            .iter()
            .find(|line| line["span"]["request_id"] == id)
            .map(|line| line["fields"]["subject"].clone())
    };
    assert_eq!(
        subject_of("denied-3"),
        subject_of("denied-5"),
        "one caller, one digest"
    );
    assert_ne!(subject_of("denied-3"), subject_of("denied-4"));
    assert!(!text.contains("test-member"), "no login in the log");
    assert_eq!(
        denials.len(),
        cases.len(),
        "none for the allowed write: {denials:?}"
    );
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}").unwrap();
    assert!(jwt.find(&text).is_none(), "a token in the log");
    assert!(!text.contains("karin.lind"), "an e-mail address in the log");
}

crate::on_both_backends!(
    the_logs_of_a_full_run_hold_no_secret_or_personal_data,
    a_denied_write_leaves_a_security_log_line,
);
