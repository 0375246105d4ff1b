//! Issue 12: faults, in the suite. A PostgreSQL of the test's own (a fresh cluster on a spare
//! port, never the machine's shared one) is stopped under steady load and its connections are
//! killed; the service is stopped with SIGTERM during slow requests and with SIGKILL right
//! after a write; and it refuses a database that would lose committed writes.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use samverkan::startup::{Application, StartupError};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::*;

/// A PostgreSQL cluster of the test's own.
struct OwnPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

fn spare_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl OwnPostgres {
    /// A new cluster with these server options, started; `None` where PostgreSQL's server
    /// binaries are not installed (a failure under `SAMVERKAN_TEST_REQUIRE_POSTGRES=1`).
    fn start(options: &str) -> Option<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|dirs| {
                dirs.filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
                    .find(|bin| bin.join("initdb").exists())
            });
        let Some(bin) = bin else {
            assert!(
                std::env::var("SAMVERKAN_TEST_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "SAMVERKAN_TEST_REQUIRE_POSTGRES=1 but PostgreSQL's server binaries \
                 (/usr/lib/postgresql/*/bin/initdb) are not installed"
            );
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("samverkan-pg-")
            .tempdir_in("/tmp")
            .unwrap();
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.starts_with(b"0"));
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success());
        }
        let pg = Self {
            dir,
            bin,
            port: spare_port(),
            as_postgres,
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &["-D", &data, "-U", "postgres", "-A", "trust", "--no-sync"],
        );
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 {options}",
            pg.port,
            pg.dir.path().display()
        );
        std::fs::write(format!("{data}/samverkan-options"), &opts).unwrap();
        pg.start_server();
        Some(pg)
    }

    fn data(&self) -> String {
        format!("{}/data", self.dir.path().display())
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let output = command.args(args).stdin(Stdio::null()).output().unwrap();
        assert!(
            output.status.success(),
            "{tool} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn start_server(&self) {
        let data = self.data();
        let opts = std::fs::read_to_string(format!("{data}/samverkan-options")).unwrap();
        let log = format!("{}/log", self.dir.path().display());
        self.run(
            "pg_ctl",
            &["-D", &data, "-o", &opts, "-l", &log, "-w", "start"],
        );
    }

    fn stop_server(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let program = self.bin.join("pg_ctl");
        let data = self.data();
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let _ = command
            .args(["-D", &data, "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

async fn app_on(url: &str) -> TestApp {
    let mut settings = test_settings(url);
    settings.db_acquire_timeout = Duration::from_secs(2);
    TestApp::start(settings).await
}

/// One answer seen by the load.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    status: u16,
    problem: bool,
    retry_after: bool,
}

/// Steady load: a read every 20 ms until stopped (at most 3,000).
fn steady_load(app: &TestApp, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<Vec<Seen>> {
    let client = app.client.clone();
    let url = app.url("/api/v1/organisations");
    let token = admin();
    tokio::spawn(async move {
        let mut seen = Vec::new();
        for _ in 0..3000 {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let at = Instant::now();
            let response = client.get(&url).bearer_auth(&token).send().await;
            if let Ok(response) = response {
                seen.push(Seen {
                    at,
                    status: response.status().as_u16(),
                    problem: response
                        .headers()
                        .get("content-type")
                        .is_some_and(|v| v == "application/problem+json"),
                    retry_after: response.headers().contains_key("retry-after"),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        seen
    })
}

async fn the_service_rides_out_a_database_outage() {
    let Some(pg) = OwnPostgres::start("") else {
        return;
    };
    let app = app_on(&pg.url()).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load = steady_load(&app, stop.clone());
    // Writes during the outage: each 201 must be there afterwards, nothing half-written.
    let created: Arc<Mutex<Vec<String>>> = Arc::default();
    let writes = {
        let (client, url, created, stop) = (
            app.client.clone(),
            app.url("/api/v1/organisations"),
            created.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            for n in 0..2000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let body = json!({"name": format!("Förening {n}"), "kind": "ngo"});
                if let Ok(response) = client
                    .post(&url)
                    .bearer_auth(admin())
                    .json(&body)
                    .send()
                    .await
                    && response.status() == StatusCode::CREATED
                    && let Ok(record) = response.json::<Value>().await
                {
                    created
                        .lock()
                        .unwrap()
                        .push(record["id"].as_str().unwrap_or_default().into());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_secs(2)).await;

    let stopped = Instant::now();
    pg.stop_server();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let live = app.get("/health/live", None).await;
    assert_eq!(live.status(), StatusCode::OK);
    let ready = app.get("/health/ready", None).await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    tokio::time::sleep(Duration::from_secs(6)).await;
    pg.start_server();
    let restarted = Instant::now();
    tokio::time::sleep(Duration::from_secs(10)).await;
    stop.store(true, Ordering::Relaxed);
    let seen = load.await.unwrap();
    writes.await.unwrap();

    // During the outage (after 3 s), every answer is a 503 problem with Retry-After.
    let outage: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.at > stopped + Duration::from_secs(3) && s.at < restarted)
        .collect();
    assert!(!outage.is_empty());
    for s in &outage {
        assert_eq!(s.status, 503, "{s:?}");
        assert!(s.problem && s.retry_after, "{s:?}");
    }
    // Within 10 s of the restart, at least 99 % of the requests succeed.
    let after: Vec<&Seen> = seen.iter().filter(|s| s.at > restarted).collect();
    let ok = after.iter().filter(|s| s.status == 200).count();
    assert!(after.len() > 100, "{}", after.len());
    assert!(
        ok * 100 >= after.len() * 99,
        "{ok} of {} after the restart",
        after.len()
    );
    // Every created record is there, with its audit row and its event; nothing else is.
    let created = created.lock().unwrap().clone();
    for id in &created {
        let response = app.get(&format!("/api/v1/organisations/{id}"), None).await;
        assert_eq!(response.status(), StatusCode::OK, "{id}");
    }
    let organisations = app.count_rows("organisations").await;
    assert_eq!(organisations, created.len() as i64);
    assert_eq!(app.count_rows("audit_log").await, organisations);
    assert_eq!(app.count_rows("change_events").await, organisations);
}

async fn killed_connections_cost_at_most_one_request_each() {
    let Some(pg) = OwnPostgres::start("") else {
        return;
    };
    let app = app_on(&pg.url()).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load = steady_load(&app, stop.clone());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let admin_db = sea_orm::Database::connect(pg.url()).await.unwrap();
    let killed = admin_db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity \
             WHERE application_name = 'samverkan' AND pid <> pg_backend_pid()",
        ))
        .await
        .unwrap()
        .len();
    assert!(killed >= 1, "the service holds connections");
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let seen = load.await.unwrap();
    let failed = seen.iter().filter(|s| s.status != 200).count();
    assert!(
        failed <= killed,
        "{failed} failed requests for {killed} killed connections"
    );
    assert!(seen.iter().rev().take(10).all(|s| s.status == 200));
}

async fn a_database_that_can_lose_commits_is_refused() {
    for (option, setting) in [
        ("-c fsync=off", "fsync"),
        ("-c synchronous_commit=off", "synchronous_commit"),
    ] {
        let Some(pg) = OwnPostgres::start(option) else {
            return;
        };
        let result = Application::build(test_settings(&pg.url())).await;
        match result {
            Err(StartupError::Config(reason)) => assert!(reason.contains(setting), "{reason}"),
            Err(other) => panic!("refused for another reason: {other}"),
            Ok(_) => panic!("a PostgreSQL with {setting} off must be refused"),
        }
        let mut settings = test_settings(&pg.url());
        settings.allow_unsafe_durability = true;
        assert!(Application::build(settings).await.is_ok());
    }
    // The embedded default is always synchronous=FULL.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    assert!(Application::build(test_settings(&url)).await.is_ok());
}

/// The service as a process of its own, on `url`.
fn serve(url: &str, port: u16, dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_samverkan"))
        .arg("serve")
        .env("SAMVERKAN_DATABASE_URL", url)
        .env("SAMVERKAN_BIND", format!("127.0.0.1:{port}"))
        .env("SAMVERKAN_JWT_SECRET", SECRET)
        .env("SAMVERKAN_JWT_ISSUER", ISSUER)
        .env("SAMVERKAN_JWT_AUDIENCE", AUDIENCE)
        .env("SAMVERKAN_LOG", "warn")
        .env("SAMVERKAN_RATE_LIMIT", "0")
        .env("SAMVERKAN_RATE_LIMIT_ANONYMOUS", "0")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn until_ready(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(response) = client.get(format!("{base}/health/ready")).send().await
            && response.status() == StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the service did not become ready");
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Sends `GET /health/ready` with this `Connection` header on `stream` and returns what
/// arrives within 2 s: the answer's head, or "" when the connection is closed (or reset)
/// without one.
async fn exchange(stream: &mut tokio::net::TcpStream, connection: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let request = format!(
        "GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {connection}\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).await.is_err() {
        return String::new();
    }
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = async {
        while !received.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), read).await;
    String::from_utf8_lossy(&received).into_owned()
}

/// Whether the server keeps `stream` open: whatever it already sent is read, then nothing
/// more arrives and no close comes for 200 ms.
async fn still_open(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buffer)).await {
            Err(_) => return true,
            Ok(Ok(0)) | Ok(Err(_)) => return false,
            Ok(Ok(_)) => continue,
        }
    }
}

async fn sigterm_lets_slow_requests_finish_and_kill_9_keeps_a_written_record(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let port = spare_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut child = serve(&database.url, port, dir.path());
    until_ready(&client, &base).await;
    // An idle keep-alive connection, open throughout: it must not hold the server up.
    let mut idle = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let answer = exchange(&mut idle, "keep-alive").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(still_open(&mut idle).await, "the keep-alive connection");

    // 20 slow requests (long polls of 3 s) in flight, then SIGTERM: all complete.
    let polls: Vec<_> = (0..20)
        .map(|_| {
            let (client, url) = (client.clone(), format!("{base}/api/v1/events?wait=3"));
            tokio::spawn(async move { client.get(url).send().await.map(|r| r.status()) })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(still_open(&mut idle).await, "idle at SIGTERM");
    let signalled = Instant::now();
    signal(&child, "TERM");
    // A new connection while they finish: refused, or closed without an answer.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let late = match tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
        Ok(mut stream) => exchange(&mut stream, "close").await,
        Err(_) => String::new(),
    };
    assert_eq!(late, "", "a connection made after SIGTERM was answered");
    for poll in polls {
        assert_eq!(poll.await.unwrap().unwrap(), StatusCode::OK);
    }
    // Waited for at most the shutdown timeout and a margin, then killed.
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        if signalled.elapsed() > Duration::from_secs(30) {
            signal(&child, "KILL");
            panic!("no exit 30 s after SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took = signalled.elapsed();
    assert!(exit.success(), "{exit:?}");
    // The shutdown timeout (src/startup.rs) is 25 s; the slow requests take 3 s and an idle
    // connection is let go, so the exit comes well before it, however long the idle
    // connection stays open.
    assert!(
        took < Duration::from_secs(15),
        "exited {took:?} after SIGTERM: the idle keep-alive connection held it up"
    );
    drop(idle);

    // kill -9 right after a 201: the record is there after a restart.
    let mut child = serve(&database.url, port, dir.path());
    until_ready(&client, &base).await;
    let response = client
        .post(format!("{base}/api/v1/organisations"))
        .bearer_auth(admin())
        .json(&json!({"name": "Växjö kommun", "kind": "municipality"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    signal(&child, "KILL");
    let _ = tokio::task::spawn_blocking(move || child.wait()).await;
    let record: Value = response.json().await.unwrap();
    let mut child = serve(&database.url, port, dir.path());
    until_ready(&client, &base).await;
    let response = client
        .get(format!(
            "{base}/api/v1/organisations/{}",
            record["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    signal(&child, "TERM");
    let _ = tokio::task::spawn_blocking(move || child.wait()).await;
}

async fn faults_the_service_rides_out_a_database_outage() {
    the_service_rides_out_a_database_outage().await;
}

async fn faults_killed_connections_cost_at_most_one_request_each() {
    killed_connections_cost_at_most_one_request_each().await;
}

async fn faults_a_database_that_can_lose_commits_is_refused() {
    a_database_that_can_lose_commits_is_refused().await;
}

crate::on_both_backends!(sigterm_lets_slow_requests_finish_and_kill_9_keeps_a_written_record);

crate::plain_tests!(
    async:
    faults_the_service_rides_out_a_database_outage,
    faults_killed_connections_cost_at_most_one_request_each,
    faults_a_database_that_can_lose_commits_is_refused,
);
