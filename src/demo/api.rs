//! The demo's HTTP client: admin writes, and each signatory's own login for the sign-off.

use std::time::Duration;

use reqwest::{Method, header};
use secrecy::SecretString;
use serde_json::Value;

use crate::{
    auth::{Identity, Role, mint},
    startup::StartupError,
};

/// A client of the server the demo is written through.
pub(super) struct Api {
    http: reqwest::Client,
    base: String,
    secret: SecretString,
    issuer: String,
    audience: String,
    admin: String,
}

fn failed(what: impl std::fmt::Display) -> StartupError {
    StartupError::Seed(what.to_string())
}

/// The `id` of a record in an answer.
pub(super) fn id(record: &Value) -> Result<String, StartupError> {
    record["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| failed(format!("an answer without an id: {record}")))
}

impl Api {
    pub(super) fn new(
        port: u16,
        secret: SecretString,
        issuer: &str,
        audience: &str,
    ) -> Result<Self, StartupError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(failed)?;
        let mut api = Self {
            http,
            base: format!("http://127.0.0.1:{port}"),
            secret,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            admin: String::new(),
        };
        api.admin = api.token("samverkan-demo", Role::Admin)?;
        Ok(api)
    }

    /// A token for `sub` with one role, valid for as long as the seed takes.
    pub(super) fn token(&self, sub: &str, role: Role) -> Result<String, StartupError> {
        let identity = Identity {
            sub: sub.to_owned(),
            roles: vec![role],
            org: None,
        };
        mint(
            &self.secret,
            &self.issuer,
            &self.audience,
            &identity,
            Duration::from_secs(3600),
        )
        .map_err(failed)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
        token: &str,
    ) -> Result<Value, StartupError> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some((content_type, bytes)) = body {
            request = request
                .header(header::CONTENT_TYPE, content_type)
                .body(bytes);
        }
        let response = request.send().await.map_err(failed)?;
        let status = response.status();
        let text = response.text().await.map_err(failed)?;
        if !status.is_success() {
            return Err(failed(format!("{method} {path}: {status} {text}")));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn json(&self, method: Method, path: &str, body: &Value) -> Result<Value, StartupError> {
        let bytes = serde_json::to_vec(body).map_err(failed)?;
        self.send(method, path, Some(("application/json", bytes)), &self.admin)
            .await
    }

    pub(super) async fn get(&self, path: &str) -> Result<Value, StartupError> {
        self.send(Method::GET, path, None, &self.admin).await
    }

    pub(super) async fn post(&self, path: &str, body: &Value) -> Result<Value, StartupError> {
        self.json(Method::POST, path, body).await
    }

    /// POSTs and answers the new record's id.
    pub(super) async fn create(&self, path: &str, body: &Value) -> Result<String, StartupError> {
        id(&self.post(path, body).await?)
    }

    pub(super) async fn put(&self, path: &str, body: &Value) -> Result<Value, StartupError> {
        self.json(Method::PUT, path, body).await
    }

    pub(super) async fn patch(&self, path: &str, body: &Value) -> Result<Value, StartupError> {
        self.json(Method::PATCH, path, body).await
    }

    /// The bytes of a document as the API serves it in `accept`.
    pub(super) async fn document(&self, path: &str, accept: &str) -> Result<Vec<u8>, StartupError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.admin)
            .header(header::ACCEPT, accept)
            .send()
            .await
            .map_err(failed)?;
        if !response.status().is_success() {
            return Err(failed(format!("GET {path}: {}", response.status())));
        }
        Ok(response.bytes().await.map_err(failed)?.to_vec())
    }

    /// Attaches a file to a record.
    pub(super) async fn attach(
        &self,
        owner: (&str, &str),
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<Value, StartupError> {
        let query = serde_urlencoded::to_string([
            ("owner_type", owner.0),
            ("owner_id", owner.1),
            ("filename", filename),
        ])
        .map_err(failed)?;
        self.send(
            Method::POST,
            &format!("/api/v1/attachments?{query}"),
            Some((content_type, bytes)),
            &self.admin,
        )
        .await
    }

    /// The minutes of a meeting signed by each of `subjects`, with their own logins.
    pub(super) async fn sign_off(
        &self,
        meeting: &str,
        subjects: &[String],
    ) -> Result<(), StartupError> {
        let path = format!("/api/v1/meetings/{meeting}/minutes/signatures");
        let sha = self.get(&path).await?["content_sha256"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| failed(format!("{path}: no content_sha256")))?;
        let body = serde_json::to_vec(&serde_json::json!({"sha256": sha})).map_err(failed)?;
        for subject in subjects {
            let token = self.token(subject, Role::Member)?;
            self.send(
                Method::POST,
                &path,
                Some(("application/json", body.clone())),
                &token,
            )
            .await?;
        }
        Ok(())
    }
}
