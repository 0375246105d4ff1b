//! Issue 14: "latest" means the same period in the summary, the dashboard, plan progress and
//! Kolada whatever the granularity (monthly, quarterly, half-year, yearly), and the summary and
//! the dashboard show an indicator as it stood on any past date.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    action_plans::{approval, approve, create_plan, first_content, new_revision},
    decisions::{get_json, id},
    helpers::{Backend, TestApp, admin, assert_problem, spawn_app},
    on_both_backends,
};

async fn define(app: &TestApp, code: &str) -> Value {
    let body = json!({"code": code, "name": format!("Indikator {code}"), "category": "health",
        "kind": "outcome", "unit": "percent", "better": "higher"});
    let response = app
        .post_json("/api/v1/indicators", Some(&admin()), &body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn put(app: &TestApp, indicator: &Value, rows: Value) {
    let response = app
        .client
        .put(app.url(&format!("/api/v1/indicators/{}/values", id(indicator))))
        .bearer_auth(admin())
        .json(&json!({"values": rows}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// A time between two writes (the server stamps the values' revisions).
async fn pause() -> String {
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    at.replace('+', "%2B")
}

fn row_of<'a>(dashboard: &'a Value, code: &str) -> &'a Value {
    dashboard["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"]["code"] == code)
        .unwrap()
}

async fn latest_is_one_rule_across_granularities(backend: Backend) {
    let app = spawn_app(backend).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let ljungby = app.create_municipality("Ljungby kommun", "0781").await;
    let (v, l) = (id(&vaxjo), id(&ljungby));
    // Monthly only: the latest is October (with a yearly value, that year would be).
    let monthly = define(&app, "BBG-M01").await;
    put(
        &app,
        &monthly,
        json!([
            {"organisation_id": v, "period": "2022-09", "value": 10.0},
            {"organisation_id": v, "period": "2022-10", "value": 12.0},
            {"organisation_id": l, "period": "2022-10", "value": 8.0},
        ]),
    )
    .await;
    // A year and its last quarter end the same day: the year is the latest.
    let mixed = define(&app, "BBG-Y01").await;
    put(
        &app,
        &mixed,
        json!([
            {"organisation_id": v, "period": "2021", "value": 50.0},
            {"organisation_id": v, "period": "2022-Q4", "value": 54.0},
            {"organisation_id": v, "period": "2022", "value": 55.0},
            {"organisation_id": v, "period": "2022-H1", "value": 53.0},
        ]),
    )
    .await;

    let summary = get_json(
        &app,
        &format!("/api/v1/indicators/{}/summary?period=latest", id(&monthly)),
        None,
    )
    .await;
    assert_eq!(summary["period"], "2022-10");
    assert_eq!(summary["rows"].as_array().unwrap().len(), 2);
    let summary = get_json(
        &app,
        &format!("/api/v1/indicators/{}/summary", id(&mixed)),
        None,
    )
    .await;
    assert_eq!(summary["period"], "2022");
    assert_eq!(summary["rows"][0]["value"], 55.0);

    let dashboard = get_json(
        &app,
        &format!("/api/v1/dashboard?organisation_id={v}"),
        None,
    )
    .await;
    assert_eq!(row_of(&dashboard, "BBG-M01")["period"], "2022-10");
    assert_eq!(row_of(&dashboard, "BBG-M01")["value"], 12.0);
    assert_eq!(
        row_of(&dashboard, "BBG-M01")["trend"]["previous_period"],
        "2022-09"
    );
    assert_eq!(row_of(&dashboard, "BBG-Y01")["period"], "2022");
    assert_eq!(
        row_of(&dashboard, "BBG-Y01")["trend"]["previous_period"],
        "2021"
    );
    // Ljungby's own latest is October too.
    let dashboard = get_json(
        &app,
        &format!("/api/v1/dashboard?organisation_id={l}"),
        None,
    )
    .await;
    assert_eq!(row_of(&dashboard, "BBG-M01")["period"], "2022-10");

    // Plan progress shows the indicator at the same period.
    let (sg, plan) = create_plan(&app).await;
    let mut content = first_content();
    content["sections"][0]["goals"][1]["activities"][0]["indicator_ids"] = json!([id(&monthly)]);
    new_revision(&app, &plan, &json!({"content": content})).await;
    let decision = approval(&app, &sg, "2021-06-04").await;
    approve(&app, &plan, 1, &decision).await;
    let progress = get_json(
        &app,
        &format!("/api/v1/action-plans/{}/progress", id(&plan)),
        None,
    )
    .await;
    assert_eq!(progress["goals"][1]["indicators"][0]["period"], "2022-10");

    // Kolada has only years: none for the monthly indicator, 2022 for the mixed one.
    let kpis = get_json(&app, "/kolada/v3/kpi/BBG-M01,BBG-Y01", None).await;
    let publ: Vec<(&str, &Value)> = kpis["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["id"].as_str().unwrap(), &k["publ_period"]))
        .collect();
    assert!(publ.contains(&("BBG-M01", &Value::Null)), "{publ:?}");
    assert!(publ.contains(&("BBG-Y01", &json!("2022"))), "{publ:?}");
}

async fn summary_and_dashboard_as_they_stood(backend: Backend) {
    let app = spawn_app(backend).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let ljungby = app.create_municipality("Ljungby kommun", "0781").await;
    let (v, l) = (id(&vaxjo), id(&ljungby));
    let indicator = define(&app, "BBG-H06").await;
    let summary_url = format!("/api/v1/indicators/{}/summary", id(&indicator));
    let before_any = pause().await;
    put(
        &app,
        &indicator,
        json!([{"organisation_id": v, "period": "2021", "value": 60.0}]),
    )
    .await;
    let first = pause().await;
    put(
        &app,
        &indicator,
        json!([
            {"organisation_id": v, "period": "2021", "value": 65.0},
            {"organisation_id": l, "period": "2021", "value": 50.0},
        ]),
    )
    .await;
    let second = pause().await;
    put(
        &app,
        &indicator,
        json!([{"organisation_id": v, "period": "2022", "value": 70.0}]),
    )
    .await;
    let deleted = app
        .delete(
            &format!(
                "/api/v1/indicators/{}/values?organisation_id={l}&period=2021",
                id(&indicator)
            ),
            Some(&admin()),
            None,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::OK);

    let now = get_json(&app, &summary_url, None).await;
    assert_eq!(now["period"], "2022");
    let then = get_json(&app, &format!("{summary_url}?as_of={first}"), None).await;
    assert_eq!(then["period"], "2021");
    let rows = then["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["value"], 60.0);
    let later = get_json(
        &app,
        &format!("{summary_url}?period=2021&as_of={second}"),
        None,
    )
    .await;
    let values: Vec<f64> = later["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, [65.0, 50.0], "the deleted value still stood then");
    assert_eq!(later["county"]["value"], 57.5);
    // Today Ljungby's 2021 is gone.
    let today = get_json(&app, &format!("{summary_url}?period=2021"), None).await;
    assert_eq!(today["rows"].as_array().unwrap().len(), 1);
    let empty = get_json(&app, &format!("{summary_url}?as_of={before_any}"), None).await;
    assert_eq!(
        (&empty["period"], &empty["rows"]),
        (&Value::Null, &json!([]))
    );

    let dashboard_url = format!("/api/v1/dashboard?organisation_id={v}");
    let then = get_json(&app, &format!("{dashboard_url}&as_of={first}"), None).await;
    assert_eq!(
        (
            &row_of(&then, "BBG-H06")["period"],
            &row_of(&then, "BBG-H06")["value"]
        ),
        (&json!("2021"), &json!(60.0))
    );
    let now = get_json(&app, &dashboard_url, None).await;
    let row = row_of(&now, "BBG-H06");
    assert_eq!(
        (&row["period"], &row["value"]),
        (&json!("2022"), &json!(70.0))
    );
    assert_eq!(row["trend"]["previous_value"], 65.0);

    for bad in ["yesterday", "1800-01-01T00:00:00Z"] {
        assert_problem(
            app.get(&format!("{summary_url}?as_of={bad}"), None).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_problem(
            app.get(&format!("{dashboard_url}&as_of={bad}"), None).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
}

on_both_backends!(
    latest_is_one_rule_across_granularities,
    summary_and_dashboard_as_they_stood,
);
