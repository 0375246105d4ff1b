//! Row 15 of the reliability plan (excessive data exposure): over the demo's records, every GET
//! of the committed OpenAPI document (each resource by id and in its list, search, the feed,
//! minutes, rosters, exports), read by every role and anonymously, answers with no key that
//! the document does not list for that response; and the members' contact data (the
//! properties the document marks as personal data, and their values anywhere in any answer)
//! never reaches anonymous, integration or reporter callers.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use samverkan::auth::Role;
use serde_json::{Value, json};

use crate::helpers::*;

fn doc() -> Value {
    serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap()).unwrap()
}

/// Resolves a `$ref` to its schema, with the schema's name.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> (&'a Value, Option<&'a str>) {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            (&doc["components"]["schemas"][name], Some(name))
        }
        None => (schema, None),
    }
}

fn type_fits(schema: &Value, value: &Value) -> bool {
    let fits = |t: &str| match t {
        "null" => value.is_null(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    };
    match &schema["type"] {
        Value::String(t) => fits(t),
        Value::Array(types) => types.iter().filter_map(Value::as_str).any(fits),
        _ => true,
    }
}

/// Whether a property is one the document marks as personal data (shown to some roles only).
fn personal(property: &Value) -> bool {
    property["description"]
        .as_str()
        .is_some_and(|d| d.contains("(personal data"))
}

/// The keys of `value` that `schema` does not document (at `at`), and the personal-data keys
/// present when `restricted`.
fn undocumented(
    doc: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    restricted: bool,
    errors: &mut Vec<String>,
) {
    let (schema, name) = resolve(doc, schema);
    let at = match name {
        Some(name) => format!("{at}<{name}>"),
        None => at.to_owned(),
    };
    for combinator in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema[combinator].as_array() {
            let mut best: Option<Vec<String>> = None;
            for alternative in alternatives {
                let mut found = Vec::new();
                undocumented(doc, alternative, value, &at, restricted, &mut found);
                if found.is_empty() {
                    return;
                }
                if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                    best = Some(found);
                }
            }
            errors.extend(best.unwrap_or_default());
            return;
        }
    }
    if let Some(parts) = schema["allOf"].as_array() {
        // One part in the document: a `$ref` with a description beside it.
        for part in parts {
            undocumented(doc, part, value, &at, restricted, errors);
        }
        return;
    }
    if !type_fits(schema, value) {
        errors.push(format!("{at}: {value} is not of type {}", schema["type"]));
        return;
    }
    match value {
        Value::Object(object) => {
            let properties = schema["properties"].as_object();
            let extra = &schema["additionalProperties"];
            if properties.is_none() && (extra.is_null() || extra == &json!(true)) {
                return; // a free-form object
            }
            for (key, item) in object {
                let inner = format!("{at}.{key}");
                match properties.and_then(|p| p.get(key)) {
                    Some(property) => {
                        if restricted && personal(property) {
                            errors.push(format!("{inner}: personal data shown"));
                        }
                        undocumented(doc, property, item, &inner, restricted, errors);
                    }
                    None if extra.is_object() => {
                        undocumented(doc, extra, item, &inner, restricted, errors)
                    }
                    None if extra == &json!(true) => {}
                    None => errors.push(format!("{inner}: not in the document")),
                }
            }
        }
        Value::Array(items) if schema.get("items").is_some() => {
            for (n, item) in items.iter().enumerate() {
                undocumented(
                    doc,
                    &schema["items"],
                    item,
                    &format!("{at}[{n}]"),
                    restricted,
                    errors,
                );
            }
        }
        _ => {}
    }
}

async fn admin_json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

async fn first_id(app: &TestApp, list: &str) -> String {
    let page = admin_json(app, list).await;
    page["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{list}: {page}"))
        .to_owned()
}

#[derive(Clone, Copy, Debug)]
enum Caller {
    Anonymous,
    Role(Role),
}

impl Caller {
    /// Whether the document says contact data is withheld from this caller.
    fn restricted(self) -> bool {
        matches!(
            self,
            Self::Anonymous | Self::Role(Role::Reporter | Role::Integration)
        )
    }
}

async fn every_answer_holds_the_documented_keys_only_and_contact_data_for_insiders(
    backend: Backend,
) {
    let files = tempfile::tempdir().unwrap();
    let mut captured = None;
    let app = spawn_app_with(backend, |s| {
        s.storage_url = Some(files.path().display().to_string());
        captured = Some(s.clone());
    })
    .await;
    let settings = captured.unwrap();
    let demo = samverkan::demo::seed(&settings, false).await.unwrap();

    // A member with every contact field set, seated in the steering group and attending.
    let sg = admin_json(&app, "/api/v1/organisations?kind=group").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["short_name"] == "SG")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let person = app
        .create_member(
            json!({"name": "Kontakt Person", "email": "kontakt.person@example.se",
                              "phone": "+46 470 999 111", "subject": "kontakt-login-77",
                              "title": "Samordnare"}),
        )
        .await;
    app.create_membership(
        json!({"member_id": person["id"], "group_id": sg, "role": "member",
                                 "start_date": "2020-01-01"}),
    )
    .await;
    let members = {
        let mut all = Vec::new();
        let page = admin_json(&app, "/api/v1/members?limit=200").await;
        for m in page["items"].as_array().unwrap() {
            for key in ["email", "phone", "subject"] {
                if let Some(v) = m[key].as_str() {
                    all.push(v.to_owned());
                }
            }
        }
        all
    };
    assert!(members.len() > 20, "{members:?}");

    let doc = doc();
    let meeting = demo.minutes_meeting_id.clone();
    let item = first_id(&app, &format!("/api/v1/meetings/{meeting}/agenda-items")).await;
    let plan = first_id(&app, "/api/v1/action-plans").await;
    let current = admin_json(&app, &format!("/api/v1/action-plans/{plan}/current")).await;
    let activity = current.to_string();
    let activity = activity
        .split("\"key\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("none")
        .to_owned();
    let hook = first_id(&app, "/api/v1/webhooks").await;
    let vaxjo = first_id(&app, "/api/v1/organisations?municipality_code=0780").await;
    let mut ids = vec![
        ("/api/v1/organisations/", sg.clone()),
        (
            "/api/v1/members/",
            person["id"].as_str().unwrap().to_owned(),
        ),
        (
            "/api/v1/memberships/",
            first_id(&app, "/api/v1/memberships").await,
        ),
        ("/api/v1/meetings/", meeting.clone()),
        (
            "/api/v1/decisions/",
            first_id(&app, &format!("/api/v1/decisions?meeting_id={meeting}")).await,
        ),
        (
            "/api/v1/indicators/",
            first_id(&app, "/api/v1/indicators").await,
        ),
        ("/api/v1/action-plans/", plan),
        ("/api/v1/webhooks/", hook),
    ];
    let attachments = admin_json(&app, "/api/v1/attachments").await;
    if let Some(a) = attachments["items"][0]["id"].as_str() {
        ids.push(("/api/v1/attachments/", a.to_owned()));
    }
    let mut paths: Vec<(String, Value)> = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        let Some(get) = operations.get("get") else {
            continue;
        };
        if path.ends_with("/stream") || path == "/metrics" {
            continue;
        }
        let mut filled = path.clone();
        if let Some((_, id)) = ids.iter().find(|(prefix, _)| path.starts_with(prefix)) {
            filled = filled.replace("{id}", id);
        }
        filled = filled
            .replace("{item_id}", &item)
            .replace("{number}", "1")
            .replace("{key}", &activity)
            .replace("{kpi}", "N00001")
            .replace("{mun}", "0780")
            .replace("{ids}", "0780")
            .replace("{years}", "2021");
        if path == "/api/v1/search" {
            for q in ["Arvid", "kontakt", "example", "barn"] {
                paths.push((format!("{filled}?q={q}"), get.clone()));
            }
            continue;
        }
        if path == "/api/v1/dashboard" {
            filled = format!("{filled}?organisation_id={vaxjo}");
        }
        if filled.contains('{') {
            continue; // `{delivery_id}`: no delivery to read
        }
        paths.push((filled, get.clone()));
    }
    paths.push((
        "/api/v1/members?q=kontakt".into(),
        doc["paths"]["/api/v1/members"]["get"].clone(),
    ));
    paths.push((
        format!("/api/v1/organisations/{sg}/roster?on=2021-11-05"),
        doc["paths"]["/api/v1/organisations/{id}/roster"]["get"].clone(),
    ));

    let callers = [
        Caller::Anonymous,
        Caller::Role(Role::Integration),
        Caller::Role(Role::Reporter),
        Caller::Role(Role::Member),
        Caller::Role(Role::Secretary),
        Caller::Role(Role::Admin),
    ];
    let mut problems = Vec::new();
    let mut checked = BTreeSet::new();
    let mut contact_seen_by_insiders = 0;
    for caller in callers {
        let token = match caller {
            Caller::Anonymous => None,
            Caller::Role(Role::Reporter) => {
                Some(token_for("reporter", &[Role::Reporter], sg.parse().ok()))
            }
            Caller::Role(role) => Some(token(&[role])),
        };
        for (path, operation) in &paths {
            let response = app.get(path, token.as_deref()).await;
            let status = response.status();
            let content_type = content_type(&response);
            let bytes = response.bytes().await.unwrap();
            let text = String::from_utf8_lossy(&bytes);
            if caller.restricted() {
                for secret in &members {
                    if text.contains(secret.as_str()) {
                        problems.push(format!("{caller:?} {path}: contact data {secret:?}"));
                    }
                }
            } else if members.iter().any(|s| text.contains(s.as_str())) {
                contact_seen_by_insiders += 1;
            }
            if status != StatusCode::OK || !content_type.contains("json") {
                continue;
            }
            let schema = &operation["responses"]["200"]["content"]["application/json"]["schema"];
            assert!(
                !schema.is_null(),
                "{path}: no JSON schema for {content_type}"
            );
            let value: Value = serde_json::from_slice(&bytes).unwrap();
            let mut found = Vec::new();
            undocumented(&doc, schema, &value, "", caller.restricted(), &mut found);
            problems.extend(found.into_iter().map(|f| format!("{caller:?} {path}: {f}")));
            checked.insert(path.clone());
        }
    }
    assert_eq!(problems, Vec::<String>::new());
    // The check saw the records and the contact data it guards.
    for list in [
        "/api/v1/assignments",
        "/api/v1/events",
        "/api/v1/audit",
        "/api/v1/attachments",
    ] {
        assert!(checked.contains(list), "{list} was not read: {checked:?}");
    }
    for (kind, id) in &ids {
        let list = kind.trim_end_matches('/');
        assert!(checked.contains(list), "{list} was not read: {checked:?}");
        assert!(
            checked.contains(&format!("{kind}{id}")),
            "{kind}{id} was not read: {checked:?}"
        );
    }
    for path in [
        format!("/api/v1/dashboard?organisation_id={vaxjo}"),
        format!("/api/v1/members/{}/export", person["id"].as_str().unwrap()),
        "/api/v1/search?q=kontakt".to_owned(),
    ] {
        assert!(checked.contains(&path), "{path} was not read");
    }
    assert!(checked.len() > 60, "{} paths checked", checked.len());
    assert!(contact_seen_by_insiders > 5, "{contact_seen_by_insiders}");
}

crate::on_both_backends!(every_answer_holds_the_documented_keys_only_and_contact_data_for_insiders);
