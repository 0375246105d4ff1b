//! The published contract itself: the OpenAPI document is clean enough for client generators
//! (unique operation ids, a description on every response, every `$ref` resolvable, a server)
//! and describes every create, read, update and list the same way, because the resource kit
//! declares those pieces once.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

fn document() -> Value {
    serde_json::to_value(samverkan::openapi::document()).expect("the document serialises")
}

/// (METHOD path, operation) of every operation.
fn operations(doc: &Value) -> Vec<(String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push((
                    format!("{} {path}", method.to_uppercase()),
                    operation.clone(),
                ));
            }
        }
    }
    found
}

fn parameter_names(operation: &Value, location: &str) -> BTreeSet<String> {
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == location)
        .filter_map(|p| p["name"].as_str().map(str::to_ascii_lowercase))
        .collect()
}

fn response_headers(operation: &Value, status: &str) -> BTreeSet<String> {
    operation["responses"][status]["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect()
}

fn refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => refs(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
        _ => {}
    }
}

fn every_operation_has_a_unique_meaningful_operation_id() {
    let doc = document();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (name, operation) in operations(&doc) {
        let id = operation["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no operationId"))
            .to_owned();
        assert!(
            id.contains('_') || id == "search",
            "{name}: operationId `{id}` names no verb and noun"
        );
        if let Some(other) = seen.insert(id.clone(), name.clone()) {
            panic!("operationId `{id}` is used by both {other} and {name}");
        }
    }
}

fn every_response_has_a_description_and_every_ref_resolves() {
    let doc = document();
    for (name, operation) in operations(&doc) {
        for (status, response) in operation["responses"].as_object().expect("responses") {
            let description = response["description"].as_str().unwrap_or_default();
            assert!(
                !description.is_empty(),
                "{name} {status} has no description"
            );
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for target in found {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {target}"));
        assert!(schemas.contains_key(name), "$ref {target} does not resolve");
    }
    assert!(
        doc["servers"].as_array().is_some_and(|s| !s.is_empty()),
        "the document names a server"
    );
}

fn every_create_read_update_and_list_is_described_the_same_way() {
    let doc = document();
    for (name, operation) in operations(&doc) {
        let responses = &operation["responses"];
        if name.starts_with("POST") && responses.get("201").is_some() {
            assert!(
                parameter_names(&operation, "header").contains("idempotency-key"),
                "{name} creates but does not document Idempotency-Key"
            );
            let headers = response_headers(&operation, "201");
            for header in ["etag", "location", "idempotent-replayed"] {
                assert!(headers.contains(header), "{name} 201 lacks {header}");
            }
        }
        if name.starts_with("GET") && response_headers(&operation, "200").contains("etag") {
            assert!(
                responses.get("304").is_some(),
                "{name} has an ETag but no 304"
            );
            assert!(
                parameter_names(&operation, "header").contains("if-none-match"),
                "{name} has an ETag but does not document If-None-Match"
            );
        }
        if (name.starts_with("PATCH") || name.starts_with("DELETE") || name.starts_with("PUT"))
            && responses.get("412").is_some()
        {
            assert!(
                parameter_names(&operation, "header").contains("if-match"),
                "{name} answers 412 but does not document If-Match"
            );
        }
        let page = &responses["200"]["content"]["application/json"]["schema"];
        // Search answers one ranked page of hits (`next_cursor` always null): a query, not a
        // collection to page through or mirror.
        let ranked = name == "GET /api/v1/search";
        if name.starts_with("GET") && !ranked && page["properties"].get("next_cursor").is_some() {
            let query = parameter_names(&operation, "query");
            for parameter in ["limit", "cursor", "updated_since"] {
                assert!(
                    query.contains(parameter),
                    "{name} is a list without `{parameter}`"
                );
            }
            assert!(
                page["properties"]["items"]["items"].get("$ref").is_some(),
                "{name}: page items are not the named record schema"
            );
            assert!(
                response_headers(&operation, "200").contains("link"),
                "{name}: a list without a Link header"
            );
        }
    }
}

crate::plain_tests!(
    every_operation_has_a_unique_meaningful_operation_id,
    every_response_has_a_description_and_every_ref_resolves,
    every_create_read_update_and_list_is_described_the_same_way,
);
