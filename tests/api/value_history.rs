//! Issue 14, the indicator part: values as they stood on any date and their history (SDMX
//! `asOf` / `includeHistory`), deleting a wrong value (one key or a batch, all or nothing,
//! audited, a tombstone for pulling clients and the feed), retired indicators refusing values
//! for later periods, and approximate values in every format.

use reqwest::{StatusCode, header};
use samverkan::auth::Role;
use serde_json::{Value, json};

use crate::{
    decisions::{get_json, id},
    helpers::{Backend, TestApp, admin, assert_problem, error_fields, spawn_app, token, token_for},
    on_both_backends,
};

async fn define(app: &TestApp, code: &str) -> Value {
    let body = json!({"code": code, "name": "Tandhälsa 6 år", "category": "health",
        "kind": "outcome", "unit": "percent", "better": "higher"});
    let response = app
        .post_json("/api/v1/indicators", Some(&admin()), &body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn put(app: &TestApp, indicator: &Value, rows: Value) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/indicators/{}/values", id(indicator))))
        .bearer_auth(admin())
        .json(&json!({"values": rows}))
        .send()
        .await
        .unwrap()
}

fn values_url(indicator: &Value, query: &str) -> String {
    format!("/api/v1/indicators/{}/values?{query}", id(indicator))
}

/// The points of the one series of an answer, as (period, value).
fn points(answer: &Value) -> Vec<(String, Option<f64>)> {
    answer["series"][0]["values"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .map(|v| {
                    (
                        v["period"].as_str().unwrap().to_owned(),
                        v["value"].as_f64(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The database's clock between two writes (the values' times are stamped by the server).
async fn pause() -> String {
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    at
}

async fn values_as_they_stood_and_their_history(backend: Backend) {
    let app = spawn_app(backend).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let org = id(&vaxjo);
    let indicator = define(&app, "BBG-H06").await;
    let first = put(
        &app,
        &indicator,
        json!([
            {"organisation_id": org, "period": "2020", "value": 61.0, "status": "preliminary"},
            {"organisation_id": org, "period": "2021", "value": 63.0, "status": "preliminary"},
        ]),
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    let march = pause().await;
    let revised = put(
        &app,
        &indicator,
        json!([
            {"organisation_id": org, "period": "2020", "value": 62.5, "status": "final"},
            {"organisation_id": org, "period": "2022", "value": 70.0, "approximate": true},
        ]),
    )
    .await;
    assert_eq!(revised.status(), StatusCode::OK);

    let now = get_json(&app, &values_url(&indicator, ""), None).await;
    assert_eq!(
        points(&now),
        [
            ("2020".into(), Some(62.5)),
            ("2021".into(), Some(63.0)),
            ("2022".into(), Some(70.0))
        ]
    );
    let then = get_json(
        &app,
        &values_url(&indicator, &format!("as_of={}", march.replace('+', "%2B"))),
        None,
    )
    .await;
    assert_eq!(
        points(&then),
        [("2020".into(), Some(61.0)), ("2021".into(), Some(63.0))]
    );
    assert_eq!(then["series"][0]["values"][0]["status"], "preliminary");
    let before_all = get_json(
        &app,
        &values_url(&indicator, "as_of=2000-01-01T00:00:00Z"),
        None,
    )
    .await;
    assert_eq!(before_all["series"], json!([]));

    let history = get_json(&app, &values_url(&indicator, "include_history=true"), None).await;
    let first_point = &history["series"][0]["values"][0];
    assert_eq!(first_point["revised"], true);
    let revisions = first_point["history"].as_array().unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0]["status"], "preliminary");
    assert_eq!(revisions[1]["status"], "final");
    assert_eq!(revisions[1]["previous_value"], 61.0);
    assert_eq!(revisions[1]["value"], 62.5);
    assert!(revisions[1]["changed_by"].is_string(), "{first_point}");
    assert_eq!(history["series"][0]["values"][1]["revised"], false);
    let plain = get_json(&app, &values_url(&indicator, ""), None).await;
    assert!(plain["series"][0]["values"][0].get("history").is_none());

    // Approximate ("ca 70") in JSON, CSV, JSON-stat and Kolada.
    assert_eq!(now["series"][0]["values"][2]["approximate"], true);
    let csv = app
        .get(
            &format!("/api/v1/indicators/{}/values.csv", id(&indicator)),
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines().next().unwrap().ends_with(",approximate"),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.contains(",2022,") && l.ends_with(",true")),
        "{csv}"
    );
    let stat = get_json(&app, &values_url(&indicator, "format=json-stat"), None).await;
    assert!(
        stat["status"]
            .as_object()
            .unwrap()
            .values()
            .any(|s| s == "approximate"),
        "{stat}"
    );
    let kolada = get_json(
        &app,
        "/kolada/v3/data/kpi/BBG-H06/municipality/0780/year/2022",
        None,
    )
    .await;
    assert_eq!(
        kolada["values"][0]["values"][0]["status"], "Approximate",
        "{kolada}"
    );
}

async fn a_wrong_value_is_deleted_with_a_tombstone(backend: Backend) {
    let app = spawn_app(backend).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let ljungby = app.create_municipality("Ljungby kommun", "0781").await;
    let indicator = define(&app, "BBG-H03").await;
    let rows = json!([
        {"organisation_id": id(&vaxjo), "period": "2021", "value": 80.0},
        {"organisation_id": id(&vaxjo), "period": "2022", "value": 8.0},
        {"organisation_id": id(&ljungby), "period": "2022", "value": 75.0},
    ]);
    assert_eq!(put(&app, &indicator, rows).await.status(), StatusCode::OK);
    let before = pause().await;
    let one = format!(
        "/api/v1/indicators/{}/values?organisation_id={}&period=2022",
        id(&indicator),
        id(&vaxjo)
    );
    let batch = format!("/api/v1/indicators/{}/values/delete", id(&indicator));

    // Refusals: who, what, and a key without a value (nothing deleted).
    assert_problem(app.delete(&one, None, None).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(
        app.delete(&one, Some(&token(&[Role::Member])), None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let other_reporter = token_for(
        "rep",
        &[Role::Reporter],
        Some(id(&ljungby).parse().unwrap()),
    );
    assert_problem(
        app.delete(&one, Some(&other_reporter), None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let missing = "/api/v1/indicators/0190d6a4-0000-7000-8000-000000000000/values/delete";
    let body = json!({"keys": [{"organisation_id": id(&vaxjo), "period": "2022"}]});
    assert_problem(
        app.post_json(missing, Some(&admin()), &body).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let mixed = json!({"keys": [{"organisation_id": id(&vaxjo), "period": "2022"},
                                {"organisation_id": id(&ljungby), "period": "2019"}]});
    let problem = assert_problem(
        app.post_json(&batch, Some(&admin()), &mixed).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["keys[1]"]);
    let bad = json!({"keys": [{"organisation_id": id(&vaxjo), "period": "2022-13"}]});
    let problem = assert_problem(
        app.post_json(&batch, Some(&admin()), &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["keys[0].period"]);
    assert_eq!(
        points(
            &get_json(
                &app,
                &values_url(&indicator, &format!("organisation_id={}", id(&vaxjo))),
                None
            )
            .await
        )
        .len(),
        2
    );

    // Växjö's own reporter deletes the wrong 8.0.
    let own = token_for(
        "rep-vaxjo",
        &[Role::Reporter],
        Some(id(&vaxjo).parse().unwrap()),
    );
    let deleted = app.delete(&one, Some(&own), None).await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(deleted.json::<Value>().await.unwrap()["deleted"], 1);
    let left = get_json(
        &app,
        &values_url(&indicator, &format!("organisation_id={}", id(&vaxjo))),
        None,
    )
    .await;
    assert_eq!(points(&left), [("2021".into(), Some(80.0))]);
    // A pulling client learns of the deletion; the past still shows the value.
    let pulled = get_json(
        &app,
        &values_url(
            &indicator,
            &format!("updated_since={}", before.replace('+', "%2B")),
        ),
        None,
    )
    .await;
    assert_eq!(pulled["deleted"][0]["period"], "2022");
    assert_eq!(pulled["deleted"][0]["organisation_id"], id(&vaxjo));
    let then = get_json(
        &app,
        &values_url(
            &indicator,
            &format!(
                "organisation_id={}&as_of={}",
                id(&vaxjo),
                before.replace('+', "%2B")
            ),
        ),
        None,
    )
    .await;
    assert_eq!(points(&then).len(), 2);
    // A Kolada client asking with `from_date` gets the deleted value flagged.
    let today = chrono::Utc::now().date_naive();
    let kolada = get_json(
        &app,
        &format!("/kolada/v3/data/kpi/BBG-H03/municipality/0780?from_date={today}"),
        None,
    )
    .await;
    let entry = kolada["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["period"] == 2022)
        .unwrap_or_else(|| panic!("{kolada}"));
    assert_eq!(entry["values"][0]["isdeleted"], true, "{kolada}");
    assert_eq!(entry["values"][0]["value"], Value::Null);
    let plain = get_json(&app, "/kolada/v3/data/kpi/BBG-H03/municipality/0780", None).await;
    assert!(!plain.to_string().contains("\"isdeleted\":true"), "{plain}");
    // The feed and the audit log.
    let feed = get_json(
        &app,
        "/api/v1/events?types=indicator.values_changed&limit=200",
        Some(&admin()),
    )
    .await;
    let last = feed["items"]
        .as_array()
        .and_then(|i| i.last())
        .cloned()
        .unwrap_or_else(|| panic!("{feed}"));
    assert_eq!(last["data"]["record"]["deleted"], 1, "{last}");
    assert_eq!(last["data"]["record"]["deleted_keys"][0]["period"], "2022");
    let audit = get_json(
        &app,
        "/api/v1/audit?entity_type=indicator_values",
        Some(&admin()),
    )
    .await;
    assert!(audit.to_string().contains("\"value\":8.0"), "{audit}");

    // A batch.
    let rest = json!({"keys": [{"organisation_id": id(&vaxjo), "period": "2021"},
                               {"organisation_id": id(&ljungby), "period": "2022", "gender": "total"}]});
    let response = app.post_json(&batch, Some(&admin()), &rest).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        get_json(&app, &values_url(&indicator, ""), None).await["series"],
        json!([])
    );
    // Stored again, the value is back (and no longer a tombstone).
    let again = json!([{"organisation_id": id(&vaxjo), "period": "2022", "value": 81.0}]);
    assert_eq!(put(&app, &indicator, again).await.status(), StatusCode::OK);
    let pulled = get_json(
        &app,
        &values_url(
            &indicator,
            &format!("updated_since={}", before.replace('+', "%2B")),
        ),
        None,
    )
    .await;
    let gone: Vec<&str> = pulled["deleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["period"].as_str().unwrap())
        .collect();
    assert_eq!(gone.len(), 2, "{pulled}");
    assert_eq!(points(&pulled), [("2022".into(), Some(81.0))]);
}

async fn a_retired_indicator_takes_no_values_for_later_periods(backend: Backend) {
    let app = spawn_app(backend).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let indicator = define(&app, "BBG-S01").await;
    let retired = app
        .patch_json(
            &format!("/api/v1/indicators/{}", id(&indicator)),
            Some(&admin()),
            None,
            &json!({"status": "retired", "effective_on": "2021-11-05"}),
        )
        .await;
    assert_eq!(
        retired.status(),
        StatusCode::OK,
        "{}",
        retired.text().await.unwrap()
    );
    let late = put(
        &app,
        &indicator,
        json!([
            {"organisation_id": id(&vaxjo), "period": "2021", "value": 3.0},
            {"organisation_id": id(&vaxjo), "period": "2023", "value": 2.0},
        ]),
    )
    .await;
    let problem = assert_problem(late, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["values[1].period"]);
    let csv = "municipality_code,period,value\n0780,2022,1\n";
    let imported = app
        .client
        .post(app.url(&format!("/api/v1/indicators/{}/values.csv", id(&indicator))))
        .bearer_auth(admin())
        .header(header::CONTENT_TYPE, "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_problem(imported, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        get_json(&app, &values_url(&indicator, ""), None).await["series"],
        json!([])
    );
    let earlier = put(
        &app,
        &indicator,
        json!([{"organisation_id": id(&vaxjo), "period": "2021", "value": 3.0}]),
    )
    .await;
    assert_eq!(earlier.status(), StatusCode::OK);
}

on_both_backends!(
    values_as_they_stood_and_their_history,
    a_wrong_value_is_deleted_with_a_tombstone,
    a_retired_indicator_takes_no_values_for_later_periods,
);
