//! Row 13 of the test plan (role × operation): every operation of the OpenAPI document, called
//! by every role and anonymously, admits exactly the callers its `security` lists: the roles of
//! its `bearer` requirement (all roles when the list is empty), and anonymous callers only when
//! it also lists the empty requirement. Everyone else gets a 401 or 403 problem before the
//! request is read; nobody gets a 5xx. The matrix is the committed document, so a handler whose
//! policy drifts from what the document promises fails here.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use samverkan::domain::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Backend, TestApp, spawn_app, token_for},
    on_both_backends,
};

const ROLES: [Role; 5] = [
    Role::Admin,
    Role::Secretary,
    Role::Reporter,
    Role::Member,
    Role::Integration,
];

/// Who the document admits to one operation.
struct Admits {
    anonymous: bool,
    /// `None`: every role.
    roles: Option<BTreeSet<String>>,
}

impl Admits {
    fn of(operation: &Value) -> Self {
        let requirements = operation["security"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let anonymous = requirements
            .iter()
            .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
        let scopes: Vec<String> = requirements
            .iter()
            .filter_map(|r| r.get("bearer"))
            .flat_map(|s| s.as_array().cloned().unwrap_or_default())
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect();
        let roles = (!scopes.is_empty()).then(|| scopes.into_iter().collect());
        Self { anonymous, roles }
    }

    fn role(&self, role: Role) -> bool {
        self.roles
            .as_ref()
            .is_none_or(|roles| roles.contains(role.as_str()))
    }
}

fn committed_document() -> Value {
    serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/openapi.json"
    )))
    .expect("the committed OpenAPI document")
}

/// `path` with every parameter filled: ids with a fresh UUID, keys and codes with plausible
/// values of their patterns.
pub(crate) fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closing brace") + start;
        out.push_str(&match &rest[start + 1..end] {
            "key" => "a1".to_owned(),
            "number" => "1".to_owned(),
            "kpi" | "ids" => "N00001".to_owned(),
            "mun" => "0780".to_owned(),
            "years" => "2021".to_owned(),
            _ => Uuid::now_v7().to_string(),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
    let mut request = app.client.request(method.clone(), app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if [Method::POST, Method::PUT, Method::PATCH].contains(&method) {
        request = request.json(&json!({}));
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    // A stream (the feed's server-sent events) is not read to its end: its status says enough.
    let json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let body = if json {
        response.json().await.unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    (status, body)
}

async fn every_operation_admits_exactly_the_roles_its_document_lists(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = committed_document();
    let org = Uuid::now_v7();
    let tokens: Vec<(Role, String)> = ROLES
        .iter()
        .map(|&role| {
            (
                role,
                token_for(&format!("matrix-{}", role.as_str()), &[role], Some(org)),
            )
        })
        .collect();
    let mut mismatches = Vec::new();
    let mut restricted = 0;

    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let admits = Admits::of(operation);
            restricted += usize::from(admits.roles.is_some());
            let path = concrete(template);
            let operation = format!("{} {template}", method.to_uppercase());

            let (status, _) = call(&app, method, &path, None).await;
            let refused = status == StatusCode::UNAUTHORIZED;
            if refused == admits.anonymous || status.is_server_error() {
                mismatches.push(format!("{operation} anonymous: {status}"));
            }
            for (role, token) in &tokens {
                let (status, body) = call(&app, method, &path, Some(token)).await;
                let expected_refusal = !admits.role(*role);
                let refused = status == StatusCode::FORBIDDEN
                    && body["title"].is_string()
                    && body["status"] == 403;
                if refused != expected_refusal
                    || status == StatusCode::UNAUTHORIZED
                    || status.is_server_error()
                {
                    mismatches.push(format!(
                        "{operation} as {}: {status} {}",
                        role.as_str(),
                        body["detail"]
                    ));
                }
            }
        }
    }

    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(
        restricted > 40,
        "the document names the roles of the restricted operations ({restricted})"
    );
}

on_both_backends!(every_operation_admits_exactly_the_roles_its_document_lists);
