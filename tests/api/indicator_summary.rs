//! Indicators: baselines and targets, the summary across organisations, and the dashboard.

use reqwest::{Response, StatusCode};
use samverkan::{
    auth::Role,
    domain::indicator::{
        Better, Breakdowns, Category, Indicator, IndicatorKind, Source, UncheckedIndicator, Unit,
        ValueRow, check_rows,
    },
    entities::indicator,
    store::{self, Actor},
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

fn actor() -> Actor {
    Actor::new("test".into(), vec![Role::Admin])
}

async fn seed_indicator(app: &TestApp, code: &str, better: Better) -> indicator::Model {
    let txn = store::begin_write(&app.db).await.unwrap();
    let model = store::indicators::insert(
        &txn,
        &actor(),
        Indicator::parse(UncheckedIndicator {
            code: code.into(),
            name: format!("Indikator {code}"),
            description: None,
            category: Category::Health,
            kind: IndicatorKind::Outcome,
            unit: Unit::Percent,
            better,
            decimals: 1,
            source: Source::default(),
            breakdowns: Breakdowns::default(),
            aggregation: None,
            weight_indicator_id: None,
            adopted_by_decision_id: None,
        })
        .unwrap(),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    model
}

async fn seed_values(app: &TestApp, ind: &indicator::Model, values: &[(&Value, &str, f64)]) {
    let rows = values
        .iter()
        .map(|(org, period, value)| ValueRow {
            organisation_id: id_of(org),
            period: (*period).into(),
            gender: samverkan::domain::indicator::Gender::Total,
            age_group: String::new(),
            value: Some(*value),
            suppressed: false,
            status: samverkan::domain::indicator::ValueStatus::Final,
            approximate: false,
            note: None,
            source_ref: None,
        })
        .collect();
    let checked = check_rows(rows, &Breakdowns::default()).unwrap();
    store::indicators::upsert_values(&app.db, &actor(), ind, checked)
        .await
        .unwrap();
}

fn id_of(org: &Value) -> Uuid {
    org["id"].as_str().unwrap().parse().unwrap()
}

async fn put_targets(app: &TestApp, id: Uuid, token: Option<&str>, body: &Value) -> Response {
    let mut request = app
        .client
        .put(app.url(&format!("/api/v1/indicators/{id}/targets")))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("PUT")
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, None).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

struct County {
    app: TestApp,
    alvesta: Value,
    lessebo: Value,
    vaxjo: Value,
    ljungby: Value,
    region: Value,
    higher: indicator::Model,
    lower: indicator::Model,
    neutral: indicator::Model,
}

/// Four municipalities and a region; `higher` (region reports), `lower` (region does not) and
/// `neutral` (better: none).
async fn county(backend: Backend) -> County {
    let app = spawn_app(backend).await;
    let alvesta = app.create_municipality("Alvesta kommun", "0764").await;
    let lessebo = app.create_municipality("Lessebo kommun", "0761").await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let ljungby = app.create_municipality("Ljungby kommun", "0781").await;
    let region = app
        .create_organisation(
            json!({"name": "Region Kronoberg", "kind": "region", "county_code": "07"}),
        )
        .await;
    let higher = seed_indicator(&app, "H1", Better::Higher).await;
    seed_values(
        &app,
        &higher,
        &[
            (&alvesta, "2020", 50.0),
            (&alvesta, "2021", 60.0),
            (&lessebo, "2020", 80.0),
            (&lessebo, "2021", 70.0),
            (&vaxjo, "2020", 40.0),
            (&vaxjo, "2021", 70.0),
            (&ljungby, "2021", 55.0),
            (&region, "2020", 60.0),
            (&region, "2021", 65.0),
        ],
    )
    .await;
    let lower = seed_indicator(&app, "L1", Better::Lower).await;
    seed_values(
        &app,
        &lower,
        &[
            (&alvesta, "2020", 4.0),
            (&alvesta, "2021", 3.0),
            (&alvesta, "2022-H1", 2.0),
            (&lessebo, "2021", 5.0),
            (&vaxjo, "2021", 3.0),
            (&ljungby, "2021", 1.0),
        ],
    )
    .await;
    let neutral = seed_indicator(&app, "N1", Better::None).await;
    seed_values(
        &app,
        &neutral,
        &[(&alvesta, "2020", 1.0), (&alvesta, "2021", 1.0)],
    )
    .await;
    let response = put_targets(
        &app,
        higher.id,
        Some(&admin()),
        &json!({"targets": [
            {"organisation_id": null, "baseline_period": "2020", "target_period": "2025", "target_value": 80.0},
            {"organisation_id": lessebo["id"], "target_period": "2025", "target_value": 90.0},
        ]}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    County {
        app,
        alvesta,
        lessebo,
        vaxjo,
        ljungby,
        region,
        higher,
        lower,
        neutral,
    }
}

fn row<'a>(summary: &'a Value, org: &Value) -> &'a Value {
    summary["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["organisation_id"] == org["id"])
        .unwrap_or_else(|| panic!("no row for {} in {summary}", org["name"]))
}

fn names(summary: &Value) -> Vec<&str> {
    summary["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect()
}

async fn summary_has_the_arithmetic_ranks_and_the_regions_own_figure(backend: Backend) {
    let c = county(backend).await;
    let path = format!("/api/v1/indicators/{}/summary", c.higher.id);
    let latest = get_json(&c.app, &format!("{path}?period=latest")).await;
    assert_eq!(
        latest,
        get_json(&c.app, &path).await,
        "latest is the default"
    );
    assert_eq!(
        latest,
        get_json(&c.app, &format!("{path}?period=2021")).await
    );
    assert_eq!(latest["period"], "2021");
    assert_eq!(latest["indicator"]["code"], "H1");
    assert_eq!(
        names(&latest),
        [
            "Lessebo kommun",
            "Växjö kommun",
            "Alvesta kommun",
            "Ljungby kommun",
            "Region Kronoberg"
        ],
        "by rank, then name; the region has no rank"
    );

    let alvesta = row(&latest, &c.alvesta);
    assert_eq!(alvesta["value"], 60.0);
    assert_eq!(alvesta["municipality_code"], "0764");
    assert_eq!(alvesta["rank"], 3);
    assert_eq!(
        alvesta["baseline"],
        json!({"period": "2020", "value": 50.0, "change_absolute": 10.0,
               "change_relative": 0.2, "improved": true})
    );
    assert_eq!(
        alvesta["target"],
        json!({"period": "2025", "value": 80.0}),
        "the collaboration's target"
    );

    let lessebo = row(&latest, &c.lessebo);
    assert_eq!(lessebo["rank"], 1);
    assert_eq!(lessebo["baseline"]["change_absolute"], -10.0);
    assert_eq!(lessebo["baseline"]["change_relative"], -0.125);
    assert_eq!(lessebo["baseline"]["improved"], false);
    assert_eq!(
        lessebo["target"],
        json!({"period": "2025", "value": 90.0}),
        "its own target"
    );

    let vaxjo = row(&latest, &c.vaxjo);
    assert_eq!(vaxjo["rank"], 1, "a tie shares the rank");
    assert_eq!(vaxjo["baseline"]["change_absolute"], 30.0);
    assert_eq!(vaxjo["baseline"]["change_relative"], 0.75);

    let ljungby = row(&latest, &c.ljungby);
    assert_eq!(ljungby["rank"], 4, "after a tie the next rank is skipped");
    assert_eq!(
        ljungby["baseline"],
        json!({"period": "2020", "value": null, "change_absolute": null,
               "change_relative": null, "improved": null}),
        "no value at baseline"
    );

    let region = row(&latest, &c.region);
    assert_eq!(region["rank"], Value::Null);
    assert_eq!(
        latest["county"],
        json!({"value": 65.0, "computed": false, "organisation_id": c.region["id"]})
    );

    let earlier = get_json(&c.app, &format!("{path}?period=2020")).await;
    assert_eq!(earlier["period"], "2020");
    assert_eq!(
        names(&earlier),
        [
            "Lessebo kommun",
            "Alvesta kommun",
            "Växjö kommun",
            "Region Kronoberg"
        ]
    );
    assert_eq!(
        row(&earlier, &c.alvesta)["baseline"]["change_absolute"],
        0.0
    );
    assert_eq!(row(&earlier, &c.alvesta)["baseline"]["improved"], false);
    assert_eq!(earlier["county"]["value"], 60.0);

    let none = get_json(&c.app, &format!("{path}?period=2019")).await;
    assert_eq!(none["rows"], json!([]));
    assert_eq!(none["county"], Value::Null);
}

async fn lower_is_better_ranks_ascending_and_the_county_mean_is_computed(backend: Backend) {
    let c = county(backend).await;
    let path = format!("/api/v1/indicators/{}/summary", c.lower.id);
    let latest = get_json(&c.app, &format!("{path}?period=latest")).await;
    assert_eq!(
        latest["period"], "2021",
        "latest is the latest year, not a later half-year"
    );
    assert_eq!(
        names(&latest),
        [
            "Ljungby kommun",
            "Alvesta kommun",
            "Växjö kommun",
            "Lessebo kommun"
        ]
    );
    let ranks: Vec<&Value> = latest["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["rank"])
        .collect();
    assert_eq!(ranks, [&json!(1), &json!(2), &json!(2), &json!(4)]);
    assert_eq!(
        row(&latest, &c.alvesta)["baseline"],
        Value::Null,
        "no target set"
    );
    assert_eq!(
        latest["county"],
        json!({"value": 3.0, "computed": true, "rule": "mean", "municipalities": 4}),
        "the unweighted mean of 3, 5, 3 and 1"
    );

    let half = get_json(&c.app, &format!("{path}?period=2022-H1")).await;
    assert_eq!(names(&half), ["Alvesta kommun"]);
    assert_eq!(half["county"]["value"], 2.0);

    let neutral = get_json(
        &c.app,
        &format!("/api/v1/indicators/{}/summary", c.neutral.id),
    )
    .await;
    assert_eq!(
        row(&neutral, &c.alvesta)["rank"],
        Value::Null,
        "better: none"
    );

    let bad = c.app.get(&format!("{path}?period=2021-H3"), None).await;
    let problem = assert_problem(bad, StatusCode::BAD_REQUEST).await;
    assert_eq!(error_fields(&problem), ["period"]);
    let unknown = c
        .app
        .get(
            &format!("/api/v1/indicators/{}/summary", Uuid::now_v7()),
            None,
        )
        .await;
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
}

fn dashboard_row<'a>(dashboard: &'a Value, ind: &indicator::Model) -> &'a Value {
    dashboard["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"]["id"] == json!(ind.id))
        .unwrap()
}

async fn dashboard_shows_trend_baseline_target_and_rank(backend: Backend) {
    let c = county(backend).await;
    let path = format!(
        "/api/v1/dashboard?organisation_id={}",
        c.alvesta["id"].as_str().unwrap()
    );
    let latest = get_json(&c.app, &format!("{path}&period=latest")).await;
    assert_eq!(latest, get_json(&c.app, &path).await);
    assert_eq!(latest["name"], "Alvesta kommun");
    assert_eq!(latest["indicators"].as_array().unwrap().len(), 3);

    let higher = dashboard_row(&latest, &c.higher);
    assert_eq!(higher["period"], "2021");
    assert_eq!(higher["value"], 60.0);
    assert_eq!(
        higher["trend"],
        json!({"previous_period": "2020", "previous_value": 50.0, "direction": "up", "improved": true})
    );
    assert_eq!(higher["baseline"]["change_absolute"], 10.0);
    assert_eq!(higher["target"], json!({"period": "2025", "value": 80.0}));
    assert_eq!(higher["rank"], 3);

    let lower = dashboard_row(&latest, &c.lower);
    assert_eq!(lower["period"], "2021", "a year before a later half-year");
    assert_eq!(lower["trend"]["direction"], "down");
    assert_eq!(lower["trend"]["improved"], true, "down is better here");
    assert_eq!(lower["baseline"], Value::Null);
    assert_eq!(lower["rank"], 2);

    let neutral = dashboard_row(&latest, &c.neutral);
    assert_eq!(neutral["trend"]["direction"], "flat");
    assert_eq!(neutral["trend"]["improved"], Value::Null);
    assert_eq!(neutral["rank"], Value::Null);

    let earlier = get_json(&c.app, &format!("{path}&period=2020")).await;
    let higher = dashboard_row(&earlier, &c.higher);
    assert_eq!(higher["value"], 50.0);
    assert_eq!(higher["trend"], Value::Null, "no 2019 value");
    assert_eq!(higher["rank"], 2);

    let region = get_json(
        &c.app,
        &format!(
            "/api/v1/dashboard?organisation_id={}",
            c.region["id"].as_str().unwrap()
        ),
    )
    .await;
    let higher = dashboard_row(&region, &c.higher);
    assert_eq!(higher["value"], 65.0);
    assert_eq!(higher["rank"], Value::Null, "regions have no rank");
    assert_eq!(dashboard_row(&region, &c.lower)["value"], Value::Null);

    let unknown = c
        .app
        .get(
            &format!("/api/v1/dashboard?organisation_id={}", Uuid::now_v7()),
            None,
        )
        .await;
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
    let missing = c.app.get("/api/v1/dashboard", None).await;
    assert_problem(missing, StatusCode::BAD_REQUEST).await;
}

async fn targets_are_replaced_whole_and_validated(backend: Backend) {
    let c = county(backend).await;
    let path = format!("/api/v1/indicators/{}/targets", c.higher.id);
    let listed = get_json(&c.app, &path).await;
    let targets = listed["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    assert_eq!(
        targets[0]["organisation_id"],
        Value::Null,
        "the collaboration's first"
    );
    assert_eq!(targets[1]["target_value"], 90.0);
    assert_eq!(c.app.count_rows("indicator_targets").await, 2);

    let secretary = token(&[Role::Secretary]);
    let response = put_targets(
        &c.app,
        c.higher.id,
        Some(&secretary),
        &json!({"targets": [{"organisation_id": c.vaxjo["id"], "baseline_period": "2020"}]}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let replaced: Value = response.json().await.unwrap();
    assert_eq!(replaced, get_json(&c.app, &path).await);
    assert_eq!(
        replaced["targets"].as_array().unwrap().len(),
        1,
        "replaced, not added"
    );
    assert_eq!(replaced["targets"][0]["version"], 2);
    let summary = get_json(
        &c.app,
        &format!("/api/v1/indicators/{}/summary", c.higher.id),
    )
    .await;
    assert_eq!(
        row(&summary, &c.alvesta)["baseline"],
        Value::Null,
        "no collaboration baseline left"
    );
    assert_eq!(row(&summary, &c.vaxjo)["baseline"]["change_absolute"], 30.0);
    assert_eq!(row(&summary, &c.vaxjo)["target"], Value::Null);

    let invalid = json!({"targets": [
        {"organisation_id": null, "baseline_period": "2021-H3"},
        {"organisation_id": null, "target_period": "2025"},
        {"organisation_id": Uuid::now_v7(), "baseline_period": "2025", "target_period": "2020", "target_value": 1.0},
    ]});
    let problem = assert_problem(
        put_targets(&c.app, c.higher.id, Some(&admin()), &invalid).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(
        fields,
        [
            "targets[0].baseline_period",
            "targets[1].organisation_id",
            "targets[1].target_value",
            "targets[2].organisation_id",
            "targets[2].target_period",
        ]
    );
    assert_eq!(
        c.app.count_rows("indicator_targets").await,
        1,
        "nothing written"
    );
    assert_eq!(get_json(&c.app, &path).await, replaced);

    let body = json!({"targets": []});
    assert_problem(
        put_targets(&c.app, c.higher.id, None, &body).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for role in [Role::Reporter, Role::Member, Role::Integration] {
        assert_problem(
            put_targets(&c.app, c.higher.id, Some(&token(&[role])), &body).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_eq!(c.app.count_rows("indicator_targets").await, 1);
    let unknown = Uuid::now_v7();
    assert_problem(
        put_targets(&c.app, unknown, Some(&admin()), &body).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        c.app
            .get(&format!("/api/v1/indicators/{unknown}/targets"), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let cleared = put_targets(&c.app, c.higher.id, Some(&admin()), &body).await;
    assert_eq!(cleared.status(), StatusCode::OK);
    assert_eq!(c.app.count_rows("indicator_targets").await, 0);
    let audited = c
        .app
        .count_rows("audit_log WHERE entity_type = 'indicator_targets'")
        .await;
    assert_eq!(audited, 3, "one audit row per replacement");
}

/// Targets speak the record protocol: the read carries the set's version as `ETag` (304 on
/// `If-None-Match`), a replacement with a stale `If-Match` is refused with 412; periods the
/// document's pattern forbids are refused.
async fn targets_are_versioned_and_periods_checked(backend: Backend) {
    let c = county(backend).await;
    let path = format!("/api/v1/indicators/{}/targets", c.higher.id);
    let read = c.app.get(&path, None).await;
    assert_eq!(read.status(), StatusCode::OK);
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let listed: Value = read.json().await.unwrap();
    assert_eq!(etag, format!("\"{}\"", listed["targets"][0]["version"]));
    let cached = c
        .app
        .client
        .get(c.app.url(&path))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);

    let body = json!({"targets": [{"organisation_id": null, "baseline_period": "2020"}]});
    let put = |if_match: &str| {
        c.app
            .client
            .put(c.app.url(&path))
            .bearer_auth(admin())
            .header("If-Match", if_match)
            .json(&body)
            .send()
    };
    let replaced = put(&etag).await.unwrap();
    assert_eq!(replaced.status(), StatusCode::OK);
    let new_etag = replaced.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);
    assert_problem(put(&etag).await.unwrap(), StatusCode::PRECONDITION_FAILED).await;

    for bad in ["\u{14}", "", "1800", "2021-H3"] {
        let body = json!({"targets": [{"organisation_id": null, "baseline_period": bad}]});
        let problem = assert_problem(
            put_targets(&c.app, c.higher.id, Some(&admin()), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(
            error_fields(&problem),
            ["targets[0].baseline_period"],
            "{bad:?}"
        );
    }
    for bad in ["", "2021-H3", "\u{14}"] {
        let query = url::form_urlencoded::byte_serialize(bad.as_bytes()).collect::<String>();
        let response = c
            .app
            .get(
                &format!("/api/v1/indicators/{}/summary?period={query}", c.higher.id),
                None,
            )
            .await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
}

/// County figures add up by the indicator's rule: a count sums, a rate weighted by population
/// is weighted by it; the region's own value always wins.
async fn county_figures_add_up_by_the_indicators_rule(backend: Backend) {
    let c = county(backend).await;
    let define = |body: Value| {
        let app = &c.app;
        async move {
            let response = app
                .post_json("/api/v1/indicators", Some(&admin()), &body)
                .await;
            let status = response.status();
            let json: Value = response.json().await.unwrap();
            (status, json)
        }
    };
    let base = |code: &str, unit: &str| {
        json!({"code": code, "name": code, "category": "safety", "kind": "outcome", "unit": unit,
               "better": "lower"})
    };
    let (status, cases) = define(base("ANM", "count")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(cases["aggregation"], "sum", "counts add up by default");
    let (_, population) = define(base("BEF", "count")).await;
    let mut rate = base("VLD", "rate_per_1000");
    rate["aggregation"] = json!("weighted_mean");
    let (status, problem) = define(rate.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["weight_indicator_id"]);
    rate["weight_indicator_id"] = json!("0190d6a4-0000-7000-8000-000000000000");
    let (status, problem) = define(rate.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    rate["weight_indicator_id"] = population["id"].clone();
    let (status, rate) = define(rate).await;
    assert_eq!(status, StatusCode::CREATED, "{rate}");
    assert_eq!(rate["aggregation"], "weighted_mean");

    let put = |indicator: &Value, rows: Value| {
        let (app, path) = (
            &c.app,
            format!(
                "/api/v1/indicators/{}/values",
                indicator["id"].as_str().unwrap()
            ),
        );
        async move {
            let response = app
                .client
                .put(app.url(&path))
                .bearer_auth(admin())
                .json(&json!({"values": rows}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
        }
    };
    let row = |org: &Value, value: f64| json!({"organisation_id": org["id"], "period": "2021", "value": value});
    put(
        &cases,
        json!([
            row(&c.alvesta, 12.0),
            row(&c.lessebo, 3.0),
            row(&c.vaxjo, 40.0),
            row(&c.ljungby, 5.0)
        ]),
    )
    .await;
    put(
        &population,
        json!([
            row(&c.alvesta, 20000.0),
            row(&c.lessebo, 10000.0),
            row(&c.vaxjo, 70000.0)
        ]),
    )
    .await;
    put(
        &rate,
        json!([
            row(&c.alvesta, 2.0),
            row(&c.lessebo, 4.0),
            row(&c.vaxjo, 1.0),
            row(&c.ljungby, 9.0)
        ]),
    )
    .await;

    let summary = |indicator: &Value| {
        let path = format!(
            "/api/v1/indicators/{}/summary?period=2021",
            indicator["id"].as_str().unwrap()
        );
        let app = &c.app;
        async move { get_json(app, &path).await }
    };
    assert_eq!(
        summary(&cases).await["county"],
        json!({"value": 60.0, "computed": true, "rule": "sum", "municipalities": 4})
    );
    // (2·20000 + 4·10000 + 1·70000) / 100000; Ljungby has no population and is left out.
    assert_eq!(
        summary(&rate).await["county"],
        json!({"value": 1.5, "computed": true, "rule": "weighted_mean", "municipalities": 3})
    );
    // The region's own figure wins over any rule.
    put(&cases, json!([row(&c.region, 58.0)])).await;
    let own = summary(&cases).await;
    assert_eq!(own["county"]["value"], 58.0);
    assert_eq!(own["county"]["computed"], false);
    assert!(own["county"].get("rule").is_none());
}

crate::on_both_backends!(
    county_figures_add_up_by_the_indicators_rule,
    targets_are_versioned_and_periods_checked,
    summary_has_the_arithmetic_ranks_and_the_regions_own_figure,
    lower_is_better_ranks_ascending_and_the_county_mean_is_computed,
    dashboard_shows_trend_baseline_target_and_rank,
    targets_are_replaced_whole_and_validated,
);
