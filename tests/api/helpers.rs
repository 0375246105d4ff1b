//! The test harness: a real server on a random port over a fresh database of its own, on
//! SQLite or PostgreSQL, and request helpers named after what they do.

use std::{sync::LazyLock, time::Duration};

use reqwest::{Response, StatusCode, header};
use samverkan::{
    auth::{Identity, Role, mint},
    config::Settings,
    startup::Application,
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use secrecy::SecretString;
use serde_json::Value;
use uuid::Uuid;

/// The database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const ISSUER: &str = "samverkan-test";
pub const AUDIENCE: &str = "samverkan-test-api";
pub const SECRET: &str = "test-secret-of-more-than-thirty-two-bytes-0123456789";

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if let Ok(filter) = std::env::var("TEST_LOG") {
        samverkan::telemetry::init(&filter, samverkan::config::LogFormat::Pretty);
    }
});

/// The PostgreSQL server the tests use when `SAMVERKAN_TEST_POSTGRES_URL` names none.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PostgreSQL server to create test databases on: `SAMVERKAN_TEST_POSTGRES_URL`, else
/// [`DEFAULT_POSTGRES_URL`]. The harness checks once that it answers, and skips the PostgreSQL
/// variants plainly when it does not.
pub fn postgres_url() -> String {
    std::env::var("SAMVERKAN_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_owned())
}

/// A fresh database: a temporary SQLite file, or a new PostgreSQL database.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("samverkan.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_url();
                let name = format!("samverkan_test_{}", Uuid::now_v7().simple());
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect to PostgreSQL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.expect("close admin connection");
                let mut url = url::Url::parse(&admin_url).expect("PostgreSQL URL");
                url.set_path(&name);
                Self {
                    url: url.to_string(),
                    _dir: None,
                }
            }
        }
    }
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    /// Where attached files are kept, when the test gave no storage URL of its own.
    pub files: Option<std::path::PathBuf>,
    _database: TestDatabase,
    _files: Option<tempfile::TempDir>,
}

/// Settings for a test server over `url`.
pub fn test_settings(url: &str) -> Settings {
    let mut settings = Settings::with_database(url);
    settings.bind = "127.0.0.1:0".parse().expect("bind address");
    settings.jwt_secret = Some(SecretString::from(SECRET));
    settings.jwt_issuer = ISSUER.into();
    settings.jwt_audience = AUDIENCE.into();
    settings.workers = Some(1);
    settings.db_pool_size = 3;
    // Tests send bursts from one token and one address; the limits have their own tests.
    settings.rate_limit = 0;
    settings.rate_limit_anonymous = 0;
    settings
}

/// Starts a server on a fresh database (on PostgreSQL, one the harness found answering).
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with changed settings.
pub async fn spawn_app_with(backend: Backend, change: impl FnOnce(&mut Settings)) -> TestApp {
    let database = TestDatabase::create(backend).await;
    let mut settings = test_settings(&database.url);
    change(&mut settings);
    TestApp::serve(settings, database).await
}

impl TestApp {
    /// Starts a server with these settings on a database the caller runs (e.g. a PostgreSQL
    /// cluster of the test's own).
    pub async fn start(settings: Settings) -> Self {
        let database = TestDatabase {
            url: settings.database_url.clone(),
            _dir: None,
        };
        Self::serve(settings, database).await
    }

    async fn serve(mut settings: Settings, database: TestDatabase) -> Self {
        LazyLock::force(&TRACING);
        // Each test keeps its files in a directory of its own.
        let files_dir = settings
            .storage_url
            .is_none()
            .then(|| tempfile::tempdir().expect("files dir"));
        let files = files_dir.as_ref().map(|d| d.path().to_path_buf());
        if let Some(dir) = &files {
            settings.storage_url = Some(dir.display().to_string());
        }
        let app = Application::build(settings)
            .await
            .expect("build the application");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let db = Database::connect(&database.url)
            .await
            .expect("connect to the test database");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("HTTP client");
        TestApp {
            address,
            client,
            db,
            files,
            _database: database,
            _files: files_dir,
        }
    }
}

/// A token signed with the test secret.
pub fn token(roles: &[Role]) -> String {
    let sub = roles.first().map_or("nobody", |r| r.as_str());
    token_for(&format!("test-{sub}"), roles, None)
}

/// A token for a named subject acting for `org`.
pub fn token_for(sub: &str, roles: &[Role], org: Option<Uuid>) -> String {
    let identity = Identity {
        sub: sub.into(),
        roles: roles.to_vec(),
        org,
    };
    mint(
        &SecretString::from(SECRET),
        ISSUER,
        AUDIENCE,
        &identity,
        Duration::from_secs(600),
    )
    .expect("mint a token")
}

pub fn admin() -> String {
    token(&[Role::Admin])
}

/// Every role but admin, with a token each.
pub fn non_admins() -> Vec<(Role, String)> {
    [
        Role::Secretary,
        Role::Reporter,
        Role::Member,
        Role::Integration,
    ]
    .into_iter()
    .map(|role| (role, token(&[role])))
    .collect()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    fn with_token(
        builder: reqwest::RequestBuilder,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        Self::with_token(self.client.get(self.url(path)), token)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        Self::with_token(self.client.post(self.url(path)), token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn patch_json(
        &self,
        path: &str,
        token: Option<&str>,
        if_match: Option<&str>,
        body: &Value,
    ) -> Response {
        let mut request = Self::with_token(self.client.patch(self.url(path)), token).json(body);
        if let Some(tag) = if_match {
            request = request.header(header::IF_MATCH, tag);
        }
        request.send().await.expect("PATCH")
    }

    pub async fn delete(
        &self,
        path: &str,
        token: Option<&str>,
        if_match: Option<&str>,
    ) -> Response {
        let mut request = Self::with_token(self.client.delete(self.url(path)), token);
        if let Some(tag) = if_match {
            request = request.header(header::IF_MATCH, tag);
        }
        request.send().await.expect("DELETE")
    }

    /// POST /api/v1/organisations as admin; asserts 201 and returns the record.
    pub async fn create_organisation(&self, body: Value) -> Value {
        let response = self
            .post_json("/api/v1/organisations", Some(&admin()), &body)
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "creating {body}");
        response.json().await.expect("organisation JSON")
    }

    /// A municipality with a given name and code.
    pub async fn create_municipality(&self, name: &str, code: &str) -> Value {
        self.create_organisation(serde_json::json!({
            "name": name, "kind": "municipality", "municipality_code": code, "county_code": "07"
        }))
        .await
    }

    /// A group (organisation of kind `group`).
    pub async fn create_group(&self, name: &str) -> Value {
        self.create_organisation(serde_json::json!({"name": name, "kind": "group"}))
            .await
    }

    /// POST /api/v1/members as admin; asserts 201 and returns the record.
    pub async fn create_member(&self, body: Value) -> Value {
        let response = self
            .post_json("/api/v1/members", Some(&admin()), &body)
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "creating {body}");
        response.json().await.expect("member JSON")
    }

    /// POST /api/v1/memberships as admin; asserts 201 and returns the record.
    pub async fn create_membership(&self, body: Value) -> Value {
        let response = self
            .post_json("/api/v1/memberships", Some(&admin()), &body)
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "creating {body}");
        response.json().await.expect("membership JSON")
    }

    /// Every text value stored anywhere in the database, as one lower-cased string per row
    /// (for checking that erased data is gone from every table).
    pub async fn rows_mentioning(&self, needle: &str) -> Vec<String> {
        let backend = self.db.get_database_backend();
        let tables_sql = match backend {
            sea_orm::DatabaseBackend::Postgres => {
                "SELECT table_name AS name FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            }
            _ => "SELECT name FROM sqlite_master WHERE type = 'table'",
        };
        let tables = self
            .db
            .query_all_raw(Statement::from_string(backend, tables_sql))
            .await
            .expect("list tables");
        let needle = needle.to_lowercase();
        let mut hits = Vec::new();
        for table in tables {
            let name: String = table.try_get("", "name").expect("table name");
            let dump_sql = match backend {
                sea_orm::DatabaseBackend::Postgres => {
                    format!("SELECT CAST(t AS text) AS row_text FROM \"{name}\" t")
                }
                _ => {
                    let columns = self
                        .db
                        .query_all_raw(Statement::from_string(
                            backend,
                            format!("SELECT name FROM pragma_table_info('{name}')"),
                        ))
                        .await
                        .expect("columns");
                    let parts: Vec<String> = columns
                        .iter()
                        .map(|c| {
                            let column: String = c.try_get("", "name").expect("column");
                            // UUIDs are BLOBs on SQLite: show them as hex, never as bytes.
                            format!(
                                "COALESCE(CASE WHEN typeof(\"{column}\") = 'blob' \
                                 THEN hex(\"{column}\") ELSE CAST(\"{column}\" AS TEXT) END, '')"
                            )
                        })
                        .collect();
                    format!(
                        "SELECT {} AS row_text FROM \"{name}\"",
                        parts.join(" || '|' || ")
                    )
                }
            };
            for row in self
                .db
                .query_all_raw(Statement::from_string(backend, dump_sql))
                .await
                .expect("dump table")
            {
                let text: String = row.try_get("", "row_text").expect("row as text");
                if text.to_lowercase().contains(&needle) {
                    hits.push(format!("{name}: {text}"));
                }
            }
        }
        hits
    }

    /// The URL of the test's database.
    pub fn database_url(&self) -> String {
        self._database.url.clone()
    }

    /// Rows in a table, counted directly in the database.
    pub async fn count_rows(&self, table: &str) -> i64 {
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("a count row");
        row.try_get::<i64>("", "n").expect("count value")
    }
}

/// The `id` of a record.
pub fn id(record: &Value) -> &str {
    record["id"].as_str().unwrap()
}

/// POST as admin; asserts 201 and returns the record.
pub async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let response = app.post_json(path, Some(&admin()), &body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// The response's `Content-Type`, or "" without one.
pub fn content_type(response: &Response) -> String {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Asserts an RFC 9457 problem with `status`, and returns it.
pub async fn assert_problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status, "status of {}", response.url());
    let content_type = content_type(&response);
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type:?} for {status}"
    );
    let problem: Value = response.json().await.expect("problem JSON");
    assert_eq!(
        problem["status"],
        status.as_u16(),
        "problem status in {problem}"
    );
    assert!(
        problem["type"].is_string() && problem["title"].is_string(),
        "{problem}"
    );
    problem
}

/// The field names of a 422 problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
