//! Row 43 of the test plan (inventory): the routes the server answers are the document's, and
//! the few it answers beside them are known and listed here.
//!
//! - Every route mounted through utoipa's app carries its `#[utoipa::path]` (utoipa-actix-web
//!   requires it at compile time), so it is in the document by construction. The only ways
//!   around that are actix's own registrations (`.route`, `web::resource`, `web::scope`,
//!   `web::redirect`, `.default_service`, a service from another crate); the source is scanned
//!   for them and each must be one of [`UNDOCUMENTED`].
//! - At run time: every method the document does not list on a documented path is a 405 with
//!   the documented methods in `Allow` (so no undocumented handler hides behind a documented
//!   path), and each undocumented route answers as its entry says.
//! - `platform.rs::every_documented_operation_is_routed` checks the other direction.

use std::{collections::BTreeSet, fs, path::Path};

use reqwest::{Method, StatusCode, header};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    helpers::{Backend, admin, spawn_app},
    on_both_backends, plain_tests,
    roles::concrete,
};

/// The routes served outside the document: (file, the registration's text, why).
const UNDOCUMENTED: [(&str, &str, &str); 6] = [
    (
        "src/startup.rs",
        ".route(OPENAPI_PATH",
        "the document itself, /api/v1/openapi.json",
    ),
    (
        "src/startup.rs",
        "SwaggerUi::new(\"/docs/{_:.*}\")",
        "Swagger UI, /docs/",
    ),
    (
        "src/startup.rs",
        "web::redirect(\"/docs\", \"/docs/\")",
        "/docs to /docs/",
    ),
    (
        "src/startup.rs",
        ".default_service(web::to(unrouted))",
        "404 or 405 problem for everything else",
    ),
    (
        "src/routes/meetings/mod.rs",
        ".route(\n            \"/meetings/{id}.ics\"",
        "other methods on a meeting's calendar: 405 before /meetings/{id} claims the path",
    ),
    (
        "src/routes/kolada/data.rs",
        ".route(\"/kolada/v3/data/\"",
        "Kolada's data list with the trailing slash koladapy sends",
    ),
];

/// Registrations that bypass the document.
const ESCAPES: [&str; 8] = [
    ".route(",
    "web::resource(",
    "web::scope(",
    "web::redirect(",
    ".default_service(",
    ".external_resource(",
    "SwaggerUi::new(",
    "Files::new(",
];

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Whether the text after an escape registers a route: actix's `.route` takes the path (a
/// literal or a constant) first; a method of ours called `route` takes a variable.
fn registers(after: &str, escape: &str) -> bool {
    escape != ".route("
        || after
            .trim_start()
            .starts_with(|c: char| c == '"' || c.is_ascii_uppercase())
}

fn every_route_outside_the_document_is_a_known_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut found = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("source");
        let relative = file.strip_prefix(root).expect("under the root");
        for escape in ESCAPES {
            for (at, _) in text.match_indices(escape) {
                if registers(&text[at + escape.len()..], escape) {
                    found.push((relative.display().to_string(), at));
                }
            }
        }
    }
    let known: BTreeSet<(String, usize)> = UNDOCUMENTED
        .iter()
        .map(|(file, registration, _)| {
            let text = fs::read_to_string(root.join(file)).expect("source");
            let at = text
                .find(registration)
                .unwrap_or_else(|| panic!("{file} no longer holds {registration:?}"));
            // The escape's own text starts at or just inside the registration.
            let escape_at = ESCAPES
                .iter()
                .filter_map(|escape| text[at..].find(escape).map(|i| at + i))
                .min()
                .expect("an escape");
            (file.to_string(), escape_at)
        })
        .collect();
    let unknown: Vec<_> = found
        .iter()
        .filter(|entry| !known.contains(*entry))
        .collect();
    assert!(
        unknown.is_empty(),
        "routes registered outside the OpenAPI document: {unknown:?}; document them or add them to UNDOCUMENTED"
    );
    assert_eq!(found.len(), UNDOCUMENTED.len(), "{found:?}");
}

async fn undocumented_methods_on_documented_paths_are_405(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/openapi.json"
    )))
    .expect("document");
    let token = admin();
    let mut wrong = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        let documented: BTreeSet<String> = item
            .as_object()
            .expect("path item")
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        let path = concrete(template);
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if documented.contains(method) {
                continue;
            }
            let response = app
                .client
                .request(
                    Method::from_bytes(method.as_bytes()).expect("method"),
                    app.url(&path),
                )
                .bearer_auth(&token)
                .send()
                .await
                .expect("request");
            let allow: BTreeSet<String> = response
                .headers()
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(',').map(|m| m.trim().to_owned()).collect())
                .unwrap_or_default();
            let expected: BTreeSet<String> = documented
                .iter()
                .filter(|m| ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()))
                .cloned()
                .collect();
            if response.status() != StatusCode::METHOD_NOT_ALLOWED || !expected.is_subset(&allow) {
                wrong.push(format!(
                    "{method} {template}: {} {allow:?}",
                    response.status()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

async fn the_undocumented_routes_answer_as_listed(backend: Backend) {
    let app = spawn_app(backend).await;

    let document = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(document.status(), StatusCode::OK);
    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status(), StatusCode::OK);
    let unknown = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let calendar = format!("/api/v1/meetings/{}.ics", Uuid::now_v7());
    let delete = app
        .client
        .delete(app.url(&calendar))
        .bearer_auth(admin())
        .send()
        .await
        .expect("request");
    assert_eq!(delete.status(), StatusCode::METHOD_NOT_ALLOWED);

    // The slash alias serves exactly what the documented route serves.
    let query = "?kpi=N00001&municipality=0780&year=2021";
    let plain = app.get(&format!("/kolada/v3/data{query}"), None).await;
    let slash = app.get(&format!("/kolada/v3/data/{query}"), None).await;
    assert_eq!(plain.status(), slash.status());
    let (plain, slash): (Value, Value) = (
        plain.json().await.expect("JSON"),
        slash.json().await.expect("JSON"),
    );
    assert_eq!(plain, slash);
}

plain_tests!(every_route_outside_the_document_is_a_known_one);
on_both_backends!(
    undocumented_methods_on_documented_paths_are_405,
    the_undocumented_routes_answer_as_listed,
);
