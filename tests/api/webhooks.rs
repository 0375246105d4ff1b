//! Webhooks: subscriptions and their secrets, Standard Webhooks signatures checked by a receiver
//! on 127.0.0.1 (with its own HMAC, not the server's), order and recovery after failures, 410
//! and 50 failures deactivating, rotation, redelivery and ping, SSRF refusals, and two server
//! processes on one PostgreSQL sharing the work without delivering anything twice.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use samverkan::{auth::Role, entities::webhook};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::*;

const HOOKS: &str = "/api/v1/webhooks";

/// One message as the receiver got it.
#[derive(Debug, Clone)]
struct Message {
    path: String,
    id: String,
    signatures: Vec<String>,
    timestamp: String,
    body: String,
    answered: u16,
}

impl Message {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// Whether one of the signatures is the HMAC of `id.timestamp.body` under `secret`.
    fn signed_with(&self, secret: &str) -> bool {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{}.{}.{}", self.id, self.timestamp, self.body).as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        self.signatures.contains(&expected)
    }
}

/// How the receiver answers: `fail_first` requests with 500, then `status` (200 by default).
#[derive(Default)]
struct Script {
    fail_first: usize,
    status: Option<u16>,
    delay: Duration,
}

#[derive(Default, Clone)]
struct Receiver {
    messages: Arc<Mutex<Vec<Message>>>,
    script: Arc<Mutex<Script>>,
    port: u16,
}

impl Receiver {
    async fn start() -> Self {
        let receiver = Receiver::default();
        let state = receiver.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(state.clone()))
                .default_service(web::to(receive))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Receiver { port, ..receiver }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn script(&self, script: Script) {
        *self.script.lock().unwrap() = script;
    }

    fn all(&self) -> Vec<Message> {
        self.messages.lock().unwrap().clone()
    }

    /// The messages answered 2xx, per path.
    fn delivered(&self, path: &str) -> Vec<Message> {
        self.all()
            .into_iter()
            .filter(|m| m.path == path && (200..300).contains(&m.answered))
            .collect()
    }

    /// Waits (at most 30 s) until `check` holds.
    async fn until(&self, what: &str, check: impl Fn(&Receiver) -> bool) {
        for _ in 0..300 {
            if check(self) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("timed out waiting for {what}: {:#?}", self.all());
    }
}

async fn receive(req: HttpRequest, body: String, state: web::Data<Receiver>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (answer, delay) = {
        let mut script = state.script.lock().unwrap();
        let answer = if script.fail_first > 0 {
            script.fail_first -= 1;
            500
        } else {
            script.status.unwrap_or(200)
        };
        (answer, script.delay)
    };
    tokio::time::sleep(delay).await;
    state.messages.lock().unwrap().push(Message {
        path: req.path().to_owned(),
        id: header("webhook-id"),
        signatures: header("webhook-signature")
            .split(' ')
            .map(str::to_owned)
            .collect(),
        timestamp: header("webhook-timestamp"),
        body,
        answered: answer,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(answer).unwrap()).finish()
}

/// An app that may deliver to 127.0.0.1 and retries quickly.
async fn app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.webhook_allow_private = true;
        s.webhook_retry_base = Duration::from_millis(50);
    })
    .await
}

async fn subscribe(app: &TestApp, body: Value) -> Value {
    let response = app.post_json(HOOKS, Some(&admin()), &body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

async fn municipalities(app: &TestApp, codes: &[&str]) {
    for code in codes {
        app.create_municipality(&format!("Kommun {code}"), code)
            .await;
    }
}

async fn a_subscription_shows_its_secret_once_and_follows_the_protocol(backend: Backend) {
    let app = app(backend).await;
    let receiver = Receiver::start().await;
    let hook = subscribe(
        &app,
        json!({"url": receiver.url("/hook"), "types": ["organisation"], "description": "Växjö diarium"}),
    )
    .await;
    let secret = hook["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{hook}");
    assert_eq!(hook["active"], true);
    let url = format!("{HOOKS}/{}", id(&hook));
    let read = get_json(&app, &url).await;
    assert!(read.get("secret").is_none(), "{read}");
    let list = get_json(&app, HOOKS).await;
    assert!(!list.to_string().contains(secret));
    let holders = app.rows_mentioning(secret).await;
    assert_eq!(
        holders.len(),
        1,
        "only the subscription's row holds the secret: {holders:?}"
    );

    for (role, token) in non_admins() {
        for response in [
            app.get(HOOKS, Some(&token)).await,
            app.get(&url, Some(&token)).await,
            app.post_json(HOOKS, Some(&token), &json!({"url": receiver.url("/x")}))
                .await,
            app.post_json(&format!("{url}/ping"), Some(&token), &json!({}))
                .await,
        ] {
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role:?}");
        }
    }
    assert_problem(app.get(HOOKS, None).await, StatusCode::UNAUTHORIZED).await;
    let missing = format!("{HOOKS}/{}", uuid::Uuid::now_v7());
    assert_problem(
        app.get(&missing, Some(&admin())).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for bad in [
        json!({"url": "ftp://example.org/hook"}),
        json!({"url": "not a url"}),
        json!({"url": receiver.url("/x"), "types": ["nonsense"]}),
        json!({"url": receiver.url("/x"), "colour": "blue"}),
    ] {
        let response = app.post_json(HOOKS, Some(&admin()), &bad).await;
        assert!(
            [StatusCode::UNPROCESSABLE_ENTITY, StatusCode::BAD_REQUEST]
                .contains(&response.status()),
            "{bad}"
        );
    }
    let response = app
        .patch_json(
            &url,
            Some(&admin()),
            Some("\"7\""),
            &json!({"active": false}),
        )
        .await;
    assert_problem(response, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(get_json(&app, &url).await["version"], 1);
    // A change: a new version, the filters replaced; a refused change leaves it as it was.
    let response = app
        .patch_json(
            &url,
            Some(&admin()),
            Some("\"1\""),
            &json!({"description": "Växjö diarium (test)", "types": ["organisation", "decision.*"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["types"], json!(["organisation", "decision.*"]));
    assert!(changed.get("secret").is_none());
    for bad in [
        json!({"url": "ftp://example.org/hook"}),
        json!({"types": ["nonsense"]}),
        json!({"url": null}),
    ] {
        let response = app.patch_json(&url, Some(&admin()), None, &bad).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let response = app
        .patch_json(
            &url,
            Some(&token(&[Role::Secretary])),
            None,
            &json!({"active": false}),
        )
        .await;
    assert_problem(response, StatusCode::FORBIDDEN).await;
    assert_eq!(
        get_json(&app, &url).await["version"],
        2,
        "unchanged after the refusals"
    );

    // A delivery: signed with the secret, the body the CloudEvent.
    municipalities(&app, &["0780"]).await;
    receiver
        .until("the event", |r| r.delivered("/hook").len() == 1)
        .await;
    let message = &receiver.delivered("/hook")[0];
    assert!(message.signed_with(secret), "{message:?}");
    let event = message.json();
    assert_eq!(event["type"], "organisation.created");
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["data"]["record"]["municipality_code"], "0780");
    let deliveries = get_json(&app, &format!("{url}/deliveries")).await;
    let delivery = &deliveries["items"][0];
    assert_eq!(delivery["id"].as_str().unwrap(), message.id);
    assert_eq!(delivery["status"], "succeeded");
    assert_eq!(delivery["attempts"][0]["status_code"], 200);

    let response = app.delete(&url, Some(&admin()), None).await;
    assert!(response.status().is_success());
    assert_eq!(get_json(&app, &url).await["archived"], true);
}

async fn deliveries_survive_a_failing_receiver_in_order(backend: Backend) {
    let app = app(backend).await;
    let receiver = Receiver::start().await;
    receiver.script(Script {
        fail_first: 4,
        ..Script::default()
    });
    let hook = subscribe(&app, json!({"url": receiver.url("/ordered")})).await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    municipalities(&app, &["0760", "0761", "0763", "0764", "0765"]).await;
    receiver
        .until("five events", |r| r.delivered("/ordered").len() == 5)
        .await;
    let delivered = receiver.delivered("/ordered");
    let seqs: Vec<i64> = delivered
        .iter()
        .map(|m| m.json()["data"]["seq"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");
    let ids: HashSet<&str> = delivered.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids.len(), 5, "none twice");
    assert!(receiver.all().iter().all(|m| m.signed_with(&secret)));
    // The first event was tried five times, with the same webhook-id.
    let first = &delivered[0].id;
    assert_eq!(receiver.all().iter().filter(|m| &m.id == first).count(), 5);
    let url = format!("{HOOKS}/{}", id(&hook));
    let deliveries = get_json(&app, &format!("{url}/deliveries")).await;
    let codes: Vec<i64> = deliveries["items"][0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 500, 500, 500, 200]);
    let state = get_json(&app, &url).await;
    assert_eq!(state["failures"], 0);
    assert_eq!(state["active"], true);
}

async fn gone_and_fifty_failures_deactivate(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.webhook_allow_private = true;
        s.webhook_retry_base = Duration::from_millis(1);
        s.webhook_retry_max = Duration::from_millis(5);
    })
    .await;
    let gone = Receiver::start().await;
    gone.script(Script {
        status: Some(410),
        ..Script::default()
    });
    let failing = Receiver::start().await;
    failing.script(Script {
        status: Some(503),
        ..Script::default()
    });
    let start = get_json(&app, "/api/v1/events/head").await["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = subscribe(&app, json!({"url": gone.url("/gone")})).await;
    let second = subscribe(&app, json!({"url": failing.url("/failing")})).await;
    municipalities(&app, &["0767"]).await;
    for (hook, reason) in [(&first, "410"), (&second, "50 consecutive")] {
        let url = format!("{HOOKS}/{}", id(hook));
        let mut state = Value::Null;
        for _ in 0..300 {
            state = get_json(&app, &url).await;
            if state["active"] == false {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(state["active"], false, "{state}");
        assert!(
            state["deactivated_reason"]
                .as_str()
                .unwrap()
                .contains(reason),
            "{state}"
        );
    }
    assert_eq!(gone.all().len(), 1);
    assert_eq!(failing.all().len(), 50);
    let events = get_json(
        &app,
        &format!("/api/v1/events?after={start}&types=webhook.deactivated"),
    )
    .await;
    assert_eq!(events["items"].as_array().unwrap().len(), 2, "{events}");
    assert!(
        !events.to_string().contains("127.0.0.1"),
        "no URL in events"
    );
}

async fn rotation_signs_with_both_secrets_for_a_day(backend: Backend) {
    let app = app(backend).await;
    let receiver = Receiver::start().await;
    let hook = subscribe(&app, json!({"url": receiver.url("/rotating")})).await;
    let old = hook["secret"].as_str().unwrap().to_owned();
    let url = format!("{HOOKS}/{}", id(&hook));
    let response = app
        .post_json(
            &format!("{url}/secret-rotation"),
            Some(&admin()),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let rotated: Value = response.json().await.unwrap();
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated["previous_secret_expires_at"].is_string());
    assert!(get_json(&app, &url).await.get("secret").is_none());

    municipalities(&app, &["0770"]).await;
    receiver
        .until("the event", |r| r.delivered("/rotating").len() == 1)
        .await;
    let message = &receiver.delivered("/rotating")[0];
    assert_eq!(message.signatures.len(), 2, "{message:?}");
    assert!(message.signed_with(&new) && message.signed_with(&old));
}

async fn ping_and_redeliver_send_now(backend: Backend) {
    let app = app(backend).await;
    let receiver = Receiver::start().await;
    let hook = subscribe(
        &app,
        json!({"url": receiver.url("/manual"), "active": false}),
    )
    .await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let url = format!("{HOOKS}/{}", id(&hook));
    let response = app
        .post_json(&format!("{url}/ping"), Some(&admin()), &json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let ping: Value = response.json().await.unwrap();
    assert_eq!(ping["event_type"], "webhook.ping");
    assert_eq!(ping["status"], "succeeded");
    let messages = receiver.all();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].signed_with(&secret));
    assert_eq!(messages[0].json()["type"], "webhook.ping");

    let response = app
        .post_json(
            &format!("{url}/deliveries/{}/redeliver", id(&ping)),
            Some(&admin()),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let again: Value = response.json().await.unwrap();
    assert_eq!(again["attempts"].as_array().unwrap().len(), 2);
    let messages = receiver.all();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].id, messages[1].id, "the same webhook-id");
    let response = app
        .post_json(
            &format!("{url}/deliveries/{}/redeliver", uuid::Uuid::now_v7()),
            Some(&admin()),
            &json!({}),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND).await;
}

async fn private_addresses_are_refused_unless_allowed(backend: Backend) {
    let app = spawn_app(backend).await;
    let receiver = Receiver::start().await;
    for url in [
        receiver.url("/hook"),
        format!("http://localhost:{}/hook", receiver.port),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://10.0.0.1/hook".to_owned(),
        "http://[::1]/hook".to_owned(),
        "http://[::ffff:127.0.0.1]/hook".to_owned(),
        "http://0.0.0.0/hook".to_owned(),
    ] {
        let response = app
            .post_json(HOOKS, Some(&admin()), &json!({"url": url}))
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), ["url"], "{url}: {problem}");
    }
    assert_eq!(app.count_rows("webhooks").await, 0);

    // A subscription whose name moved to a private address since it was checked (here:
    // written straight into the database) is refused again at delivery.
    let id = uuid::Uuid::now_v7();
    let at = chrono::Utc::now();
    webhook::ActiveModel {
        id: Set(id),
        url: Set(format!("http://localhost:{}/hook", receiver.port)),
        description: Set(None),
        types: Set(Vec::<String>::new().into()),
        concerns: Set(None),
        group_id: Set(None),
        include_non_public: Set(false),
        active: Set(false),
        secret: Set("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        cursor: Set(0),
        failures: Set(0),
        next_attempt_at: Set(None),
        lease_owner: Set(None),
        lease_expires_at: Set(None),
        deactivated_reason: Set(None),
        archived: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let response = app
        .post_json(&format!("{HOOKS}/{id}/ping"), Some(&admin()), &json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let ping: Value = response.json().await.unwrap();
    assert_eq!(ping["status"], "failed");
    assert!(
        ping["last_error"].as_str().unwrap().contains("private"),
        "{ping}"
    );
    assert!(receiver.all().is_empty());
}

async fn events_of_non_public_records_reach_only_subscriptions_that_ask(backend: Backend) {
    let app = app(backend).await;
    let receiver = Receiver::start().await;
    subscribe(
        &app,
        json!({"url": receiver.url("/public"), "types": ["meeting"]}),
    )
    .await;
    subscribe(
        &app,
        json!({"url": receiver.url("/all"), "types": ["meeting"], "include_non_public": true}),
    )
    .await;
    let group = app.create_group("Styrgrupp").await;
    for public in [false, true] {
        let body = json!({
            "group_id": id(&group), "title": format!("Möte, public {public}"),
            "starts_at": "2022-02-04T09:00:00Z", "ends_at": "2022-02-04T12:00:00Z",
            "public": public,
        });
        let response = app
            .post_json("/api/v1/meetings", Some(&admin()), &body)
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    receiver
        .until("both subscriptions", |r| {
            r.delivered("/all").len() == 2 && !r.delivered("/public").is_empty()
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let public = receiver.delivered("/public");
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].json()["data"]["record"]["public"], true);
}

/// Two `samverkan serve` processes on one PostgreSQL database, a slow receiver and several
/// subscriptions: both deliver, none delivers anything twice, each subscription in order.
async fn two_replicas_share_the_work_and_deliver_nothing_twice(backend: Backend) {
    if backend != Backend::Postgres {
        return; // On SQLite one process delivers.
    }
    let database = TestDatabase::create(backend).await;
    let receiver = Receiver::start().await;
    receiver.script(Script {
        delay: Duration::from_millis(40),
        ..Script::default()
    });
    let mut servers = Vec::new();
    let mut bases = Vec::new();
    for _ in 0..2 {
        let (child, base) = replica(&database.url, "60s").await;
        servers.push(child);
        bases.push(base);
    }
    let client = reqwest::Client::new();
    let post = |base: &str, path: &str, body: Value| {
        let request = client
            .post(format!("{base}{path}"))
            .bearer_auth(admin())
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            response.json::<Value>().await.unwrap()
        }
    };
    let paths: Vec<String> = (0..6).map(|n| format!("/replica-{n}")).collect();
    let mut hooks = Vec::new();
    for path in &paths {
        hooks.push(post(&bases[0], HOOKS, json!({"url": receiver.url(path)})).await);
    }
    let writes = 15;
    for n in 0..writes {
        let body = json!({"name": format!("Förening {n}"), "kind": "ngo"});
        post(&bases[n % 2], "/api/v1/organisations", body).await;
    }
    receiver
        .until("every event at every subscription", |r| {
            paths.iter().all(|p| r.delivered(p).len() >= writes)
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut replicas = HashSet::new();
    for (path, hook) in paths.iter().zip(&hooks) {
        let delivered = receiver.delivered(path);
        let ids: HashSet<&str> = delivered.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(delivered.len(), writes, "{path}: none twice");
        assert_eq!(ids.len(), writes, "{path}: none twice");
        let seqs: Vec<i64> = delivered
            .iter()
            .map(|m| m.json()["data"]["seq"].as_i64().unwrap())
            .collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{path}: {seqs:?}");
        let page: Value = client
            .get(format!(
                "{}{HOOKS}/{}/deliveries?limit=100",
                bases[0],
                id(hook)
            ))
            .bearer_auth(admin())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for delivery in page["items"].as_array().unwrap() {
            for attempt in delivery["attempts"].as_array().unwrap() {
                replicas.insert(attempt["replica"].as_str().unwrap().to_owned());
            }
        }
    }
    assert_eq!(replicas.len(), 2, "both processes delivered: {replicas:?}");
    drop(servers);
}

/// A `samverkan serve` process on `url` that may deliver to 127.0.0.1, with its base URL.
async fn replica(url: &str, lease: &str) -> (tokio::process::Child, String) {
    let port = free_port();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_samverkan"))
        .arg("serve")
        .env("SAMVERKAN_DATABASE_URL", url)
        .env("SAMVERKAN_BIND", format!("127.0.0.1:{port}"))
        .env("SAMVERKAN_JWT_SECRET", SECRET)
        .env("SAMVERKAN_JWT_ISSUER", ISSUER)
        .env("SAMVERKAN_JWT_AUDIENCE", AUDIENCE)
        .env("SAMVERKAN_WEBHOOK_ALLOW_PRIVATE", "true")
        .env("SAMVERKAN_WEBHOOK_RETRY_BASE", "100ms")
        .env("SAMVERKAN_WEBHOOK_LEASE", lease)
        .env("SAMVERKAN_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&base).await;
    (child, base)
}

/// The replica delivering for a subscription dies mid-way; the other takes over when its lease
/// expires. Everything arrives, in order; at most the message in flight at the crash arrives
/// twice, with the same `webhook-id`, so a receiver that remembers ids sees each event once.
async fn a_crashed_replica_s_subscriptions_are_taken_over(backend: Backend) {
    if backend != Backend::Postgres {
        return;
    }
    let database = TestDatabase::create(backend).await;
    let receiver = Receiver::start().await;
    receiver.script(Script {
        delay: Duration::from_millis(100),
        ..Script::default()
    });
    let (mut first, base) = replica(&database.url, "2s").await;
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{base}{HOOKS}"))
        .bearer_auth(admin())
        .json(&json!({"url": receiver.url("/crash")}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let writes = 30;
    for n in 0..writes {
        let response = client
            .post(format!("{base}/api/v1/organisations"))
            .bearer_auth(admin())
            .json(&json!({"name": format!("Förening {n}"), "kind": "ngo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    receiver
        .until("the first deliveries", |r| r.delivered("/crash").len() >= 5)
        .await;
    let (_second, _) = replica(&database.url, "2s").await;
    first.kill().await.unwrap();
    receiver
        .until("every event after the takeover", |r| {
            let ids: HashSet<String> = r.delivered("/crash").into_iter().map(|m| m.id).collect();
            ids.len() >= writes
        })
        .await;
    let delivered = receiver.delivered("/crash");
    let mut seen = HashSet::new();
    let mut firsts = Vec::new();
    for message in &delivered {
        if seen.insert(message.id.clone()) {
            firsts.push(message.json()["data"]["seq"].as_i64().unwrap());
        }
    }
    assert_eq!(firsts.len(), writes, "every event");
    assert!(
        firsts.windows(2).all(|w| w[0] < w[1]),
        "in order: {firsts:?}"
    );
    assert!(
        delivered.len() <= writes + 1,
        "at most the message in flight twice"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_ready(base: &str) {
    for _ in 0..200 {
        if let Ok(response) = reqwest::get(format!("{base}/health/ready")).await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{base} did not become ready");
}

crate::on_both_backends!(
    a_subscription_shows_its_secret_once_and_follows_the_protocol,
    deliveries_survive_a_failing_receiver_in_order,
    gone_and_fifty_failures_deactivate,
    rotation_signs_with_both_secrets_for_a_day,
    ping_and_redeliver_send_now,
    private_addresses_are_refused_unless_allowed,
    events_of_non_public_records_reach_only_subscriptions_that_ask,
    two_replicas_share_the_work_and_deliver_nothing_twice,
    a_crashed_replica_s_subscriptions_are_taken_over,
);
