//! Indicators: kolada. The Kolada v3-compatible read API under `/kolada/v3/`: envelope, field
//! names and types, paging with absolute links, every data path form, the query form with
//! repeated and comma keys, `from_date`, and only yearly all-ages values.

use reqwest::StatusCode;
use samverkan::{
    auth::Role,
    domain::indicator::{
        Better, Breakdowns, Category, Gender, Indicator, IndicatorKind, Source, UncheckedIndicator,
        Unit, ValueRow, ValueStatus, check_rows,
    },
    entities::indicator,
    store::{self, Actor},
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, assert_problem, spawn_app};

/// Regressions of the contract check: a bad year in the path names the path parameter `years`;
/// what the document forbids (a lower-case `type`, an empty item in a year list, `page` out of
/// range) is refused; `/kolada/v3/data/` is served but documented once, without the slash.
async fn the_server_refuses_what_the_document_forbids(backend: crate::helpers::Backend) {
    let Fixture { app } = fixture(backend).await;
    let response = app.get("/kolada/v3/data/kpi/0/year/0", None).await;
    let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["field"], "years", "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("path parameter `years`"),
        "{problem}"
    );
    let response = app
        .get("/kolada/v3/data/?kpi_id=BBG-H01&year=0", None)
        .await;
    let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["field"], "year", "{problem}");
    for path in [
        "/kolada/v3/municipality?type=k",
        "/kolada/v3/municipality?region_type=",
        "/kolada/v3/data/kpi/BBG-H01/year/2023,",
        "/kolada/v3/data/municipality/0780/year/2023,,2022",
        "/kolada/v3/data?kpi_id=BBG-H01&year=",
        "/kolada/v3/kpi?page=1000001",
        "/kolada/v3/kpi?title=%0E",
    ] {
        let response = app.get(path, None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
    let huge = get_json(&app, "/kolada/v3/kpi?per_page=99999999999999999999999").await;
    assert_eq!(huge["count"], 2, "any whole per_page is clamped");
    let negative = get_json(&app, "/kolada/v3/kpi?per_page=-3").await;
    assert_eq!(negative["count"], 1);

    let slash = get_json(&app, "/kolada/v3/data/?kpi_id=BBG-H01").await;
    assert_eq!(
        slash,
        get_json(&app, "/kolada/v3/data?kpi_id=BBG-H01").await
    );
    let document: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.contains_key("/kolada/v3/data"));
    assert!(!paths.contains_key("/kolada/v3/data/"));
    let per_page = document["paths"]["/kolada/v3/kpi"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "per_page")
        .cloned()
        .unwrap();
    assert!(per_page["schema"].get("minimum").is_none(), "{per_page}");
}

crate::on_both_backends!(
    the_server_refuses_what_the_document_forbids,
    kpi_metadata,
    municipalities_and_region,
    data_path_forms,
    data_query_form_and_from_date,
    paging,
    bad_input,
);

fn actor() -> Actor {
    Actor::new("test".into(), vec![Role::Admin])
}

async fn create_indicator(app: &TestApp, code: &str, name: &str, gender: bool) -> indicator::Model {
    let unchecked = UncheckedIndicator {
        code: code.into(),
        name: name.into(),
        description: Some(format!("Beskrivning av {name}")),
        category: Category::Health,
        kind: IndicatorKind::Outcome,
        unit: Unit::Percent,
        better: Better::Higher,
        decimals: 1,
        source: Source::default(),
        breakdowns: Breakdowns {
            gender,
            age_groups: vec!["6".into()],
        },
        aggregation: None,
        weight_indicator_id: None,
        adopted_by_decision_id: None,
    };
    let txn = store::begin_write(&app.db).await.unwrap();
    let model = store::indicators::insert(&txn, &actor(), Indicator::parse(unchecked).unwrap())
        .await
        .unwrap();
    txn.commit().await.unwrap();
    model
}

fn row(org: Uuid, period: &str, gender: Gender, age_group: &str, value: f64) -> ValueRow {
    ValueRow {
        organisation_id: org,
        period: period.into(),
        gender,
        age_group: age_group.into(),
        value: Some(value),
        suppressed: false,
        status: ValueStatus::Final,
        approximate: false,
        note: None,
        source_ref: None,
    }
}

async fn put_values(app: &TestApp, indicator: &indicator::Model, rows: Vec<ValueRow>) {
    let checked = check_rows(rows, &indicator.breakdowns).unwrap();
    store::indicators::upsert_values(&app.db, &actor(), indicator, checked)
        .await
        .unwrap();
}

fn org_id(org: &Value) -> Uuid {
    org["id"].as_str().unwrap().parse().unwrap()
}

/// Two indicators, two municipalities and the region, with yearly, half-yearly and age-group
/// values.
struct Fixture {
    app: TestApp,
}

async fn fixture(backend: crate::helpers::Backend) -> Fixture {
    let app = spawn_app(backend).await;
    let vaxjo = org_id(&app.create_municipality("Växjö kommun", "0780").await);
    let alvesta = org_id(&app.create_municipality("Alvesta kommun", "0764").await);
    let region = org_id(
        &app.create_organisation(
            json!({"name": "Region Kronoberg", "kind": "region", "county_code": "07"}),
        )
        .await,
    );
    let _group = app.create_group("Styrgruppen").await;
    let teeth = create_indicator(&app, "BBG-H01", "Tandhälsa 6 år", true).await;
    let safety = create_indicator(&app, "BBG-T01", "Trygghet i skolan", false).await;
    put_values(
        &app,
        &teeth,
        vec![
            row(vaxjo, "2023", Gender::Total, "", 61.5),
            row(vaxjo, "2023", Gender::Male, "", 60.0),
            row(vaxjo, "2023", Gender::Female, "", 63.0),
            row(vaxjo, "2022", Gender::Total, "", 58.25),
            row(vaxjo, "2024-H1", Gender::Total, "", 99.0),
            row(vaxjo, "2023", Gender::Total, "6", 77.0),
            row(alvesta, "2023", Gender::Total, "", 55.0),
            row(region, "2023", Gender::Total, "", 59.0),
        ],
    )
    .await;
    put_values(
        &app,
        &safety,
        vec![
            row(vaxjo, "2022", Gender::Total, "", 80.0),
            row(vaxjo, "2023-Q1", Gender::Total, "", 1.0),
        ],
    )
    .await;
    Fixture { app }
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, None).await;
    assert_eq!(response.status(), StatusCode::OK, "status of {path}");
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json; charset=utf-8",
        "content type of {path}"
    );
    let body: Value = response.json().await.unwrap();
    for key in [
        "values",
        "count",
        "next_url",
        "previous_url",
        "next_page",
        "previous_page",
    ] {
        assert!(
            body.get(key).is_some(),
            "{path}: envelope lacks {key}: {body}"
        );
    }
    assert_eq!(
        body["count"].as_u64().unwrap() as usize,
        body["values"].as_array().unwrap().len()
    );
    body
}

/// A data entry: KPI, municipality, period and (gender, value) pairs.
type Entry = (String, String, i64, Vec<(String, Option<f64>)>);

/// The entries of a data answer as (kpi, municipality, period, [(gender, value)]).
fn entries(body: &Value) -> Vec<Entry> {
    body["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let values = e["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    assert_eq!(v["count"], 1);
                    assert_eq!(v["status"], "");
                    assert_eq!(v["isdeleted"], false);
                    (
                        v["gender"].as_str().unwrap().to_owned(),
                        v["value"].as_f64(),
                    )
                })
                .collect();
            (
                e["kpi"].as_str().unwrap().to_owned(),
                e["municipality"].as_str().unwrap().to_owned(),
                e["period"].as_i64().expect("period is an integer"),
                values,
            )
        })
        .collect()
}

fn keys(body: &Value) -> Vec<(String, String, i64)> {
    entries(body)
        .into_iter()
        .map(|(k, m, p, _)| (k, m, p))
        .collect()
}

fn key(kpi: &str, municipality: &str, period: i64) -> (String, String, i64) {
    (kpi.into(), municipality.into(), period)
}

async fn kpi_metadata(backend: crate::helpers::Backend) {
    let Fixture { app } = fixture(backend).await;
    let body = get_json(&app, "/kolada/v3/kpi").await;
    assert_eq!(body["count"], 2);
    assert!(body["next_url"].is_null() && body["previous_url"].is_null());
    assert!(body["next_page"].is_null() && body["previous_page"].is_null());
    assert_eq!(
        body["values"][0],
        json!({
            "id": "BBG-H01",
            "title": "Tandhälsa 6 år",
            "description": "Beskrivning av Tandhälsa 6 år",
            "is_divided_by_gender": true,
            "municipality_type": "A",
            "auspice": null,
            "operating_area": "Hälsa",
            "perspective": "Resultat",
            "prel_publication_date": null,
            "publication_date": null,
            "publ_period": "2023",
            "has_ou_data": false
        })
    );
    let keys: Vec<&String> = body["values"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 12);
    // Only the yearly value of 2022 counts: the quarter of 2023 does not.
    assert_eq!(body["values"][1]["publ_period"], "2022");
    assert_eq!(body["values"][1]["is_divided_by_gender"], false);

    let one = get_json(&app, "/kolada/v3/kpi/BBG-T01").await;
    assert_eq!(one["count"], 1);
    assert_eq!(one["values"][0]["id"], "BBG-T01");
    let two = get_json(&app, "/kolada/v3/kpi/BBG-T01,BBG-H01,NOPE").await;
    assert_eq!(two["count"], 2);
    let none = get_json(&app, "/kolada/v3/kpi/N01951").await;
    assert_eq!(none["values"], json!([]));
    assert_eq!(none["count"], 0);

    let found = get_json(&app, "/kolada/v3/kpi?title=TANDH%C3%84LSA").await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["values"][0]["id"], "BBG-H01");

    // A KPI without values has a null publ_period.
    create_indicator(&app, "BBG-X01", "Utan värden", false).await;
    let empty = get_json(&app, "/kolada/v3/kpi/BBG-X01").await;
    assert!(empty["values"][0]["publ_period"].is_null());
    assert!(empty["values"][0].get("publ_period").is_some());
}

async fn municipalities_and_region(backend: crate::helpers::Backend) {
    let Fixture { app } = fixture(backend).await;
    let all = get_json(&app, "/kolada/v3/municipality").await;
    assert_eq!(
        all["values"],
        json!([
            {"id": "0007", "title": "Region Kronoberg", "type": "L"},
            {"id": "0764", "title": "Alvesta kommun", "type": "K"},
            {"id": "0780", "title": "Växjö kommun", "type": "K"}
        ])
    );
    let k = get_json(&app, "/kolada/v3/municipality?type=K").await;
    assert_eq!(k["count"], 2);
    let l = get_json(&app, "/kolada/v3/municipality?region_type=L").await;
    assert_eq!(
        l["values"],
        json!([{"id": "0007", "title": "Region Kronoberg", "type": "L"}])
    );
    let title = get_json(&app, "/kolada/v3/municipality?title=v%C3%84xj%C3%B6").await;
    assert_eq!(title["values"][0]["id"], "0780");
    assert_eq!(title["count"], 1);
    let one = get_json(&app, "/kolada/v3/municipality/0780").await;
    assert_eq!(
        one["values"],
        json!([{"id": "0780", "title": "Växjö kommun", "type": "K"}])
    );
    let two = get_json(&app, "/kolada/v3/municipality/0780,0007").await;
    assert_eq!(two["count"], 2);
    let none = get_json(&app, "/kolada/v3/municipality/0180").await;
    assert_eq!(none["values"], json!([]));
}

async fn data_path_forms(backend: crate::helpers::Backend) {
    let Fixture { app } = fixture(backend).await;
    let full = get_json(
        &app,
        "/kolada/v3/data/kpi/BBG-H01/municipality/0780/year/2023",
    )
    .await;
    assert_eq!(
        entries(&full),
        vec![(
            "BBG-H01".to_owned(),
            "0780".to_owned(),
            2023,
            vec![
                ("K".to_owned(), Some(63.0)),
                ("M".to_owned(), Some(60.0)),
                ("T".to_owned(), Some(61.5))
            ]
        )]
    );
    assert!(full["values"][0]["period"].is_i64());

    // Every year, but not the half year nor the age group.
    let by_mun = get_json(&app, "/kolada/v3/data/kpi/BBG-H01/municipality/0780").await;
    assert_eq!(
        keys(&by_mun),
        vec![key("BBG-H01", "0780", 2022), key("BBG-H01", "0780", 2023)]
    );
    assert_eq!(entries(&by_mun)[0].3, vec![("T".to_owned(), Some(58.25))]);

    let by_year = get_json(&app, "/kolada/v3/data/kpi/BBG-H01/year/2023").await;
    assert_eq!(
        keys(&by_year),
        vec![
            key("BBG-H01", "0007", 2023),
            key("BBG-H01", "0764", 2023),
            key("BBG-H01", "0780", 2023)
        ]
    );

    let mun_year = get_json(&app, "/kolada/v3/data/municipality/0780/year/2022,2023").await;
    assert_eq!(
        keys(&mun_year),
        vec![
            key("BBG-H01", "0780", 2022),
            key("BBG-H01", "0780", 2023),
            key("BBG-T01", "0780", 2022)
        ]
    );

    let mun_kpi = get_json(
        &app,
        "/kolada/v3/data/municipality/0780,0764/kpi/BBG-T01,BBG-H01",
    )
    .await;
    assert_eq!(
        keys(&mun_kpi),
        vec![
            key("BBG-H01", "0764", 2023),
            key("BBG-H01", "0780", 2022),
            key("BBG-H01", "0780", 2023),
            key("BBG-T01", "0780", 2022)
        ]
    );

    let kpi_only = get_json(&app, "/kolada/v3/data/kpi/BBG-T01").await;
    assert_eq!(keys(&kpi_only), vec![key("BBG-T01", "0780", 2022)]);

    for path in [
        "/kolada/v3/data/kpi/N01951",
        "/kolada/v3/data/kpi/BBG-H01/municipality/0180",
        "/kolada/v3/data/kpi/BBG-H01/year/1999",
        "/kolada/v3/data/kpi/BBG-T01/year/2023",
    ] {
        let empty = get_json(&app, path).await;
        assert_eq!(empty["values"], json!([]), "{path}");
        assert_eq!(empty["count"], 0, "{path}");
    }
}

async fn data_query_form_and_from_date(backend: crate::helpers::Backend) {
    let Fixture { app } = fixture(backend).await;
    // koladapy's form: trailing slash, repeated years.
    let repeated = get_json(
        &app,
        "/kolada/v3/data/?kpi_id=BBG-H01&municipality_id=0780&year=2022&year=2023&page=1&per_page=5000",
    )
    .await;
    assert_eq!(
        keys(&repeated),
        vec![key("BBG-H01", "0780", 2022), key("BBG-H01", "0780", 2023)]
    );
    // Comma lists, without the slash.
    let comma = get_json(
        &app,
        "/kolada/v3/data?kpi_id=BBG-H01,BBG-T01&municipality_id=0780,0764&year=2022",
    )
    .await;
    assert_eq!(
        keys(&comma),
        vec![key("BBG-H01", "0780", 2022), key("BBG-T01", "0780", 2022)]
    );
    // Repeated KPI keys, no years.
    let no_years = get_json(
        &app,
        "/kolada/v3/data/?kpi_id=BBG-T01&kpi_id=BBG-H01&municipality_id=0764",
    )
    .await;
    assert_eq!(keys(&no_years), vec![key("BBG-H01", "0764", 2023)]);

    // from_date: everything was changed today; nothing after tomorrow.
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today + chrono::Days::new(1);
    let recent = get_json(
        &app,
        &format!("/kolada/v3/data/kpi/BBG-H01/year/2023?from_date={today}"),
    )
    .await;
    assert_eq!(recent["count"], 3);
    let later = get_json(
        &app,
        &format!("/kolada/v3/data/?kpi_id=BBG-H01&from_date={tomorrow}"),
    )
    .await;
    assert_eq!(later["values"], json!([]));
}

async fn paging(backend: crate::helpers::Backend) {
    let Fixture { app } = fixture(backend).await;
    let path = "/kolada/v3/data/kpi/BBG-H01/year/2023";
    let first = get_json(&app, &format!("{path}?per_page=1")).await;
    assert_eq!(keys(&first), vec![key("BBG-H01", "0007", 2023)]);
    assert!(first["previous_url"].is_null() && first["previous_page"].is_null());
    let next = first["next_url"].as_str().unwrap();
    assert_eq!(next, app.url(&format!("{path}?page=2&per_page=1")));
    assert_eq!(first["next_page"], first["next_url"]);

    // Follow the absolute link as nordicintel does.
    let response = app.client.get(next).send().await.unwrap();
    let second: Value = response.json().await.unwrap();
    assert_eq!(keys(&second), vec![key("BBG-H01", "0764", 2023)]);
    assert_eq!(
        second["previous_url"],
        json!(app.url(&format!("{path}?page=1&per_page=1")))
    );
    assert_eq!(second["previous_page"], second["previous_url"]);

    // The last page links nowhere.
    let third = get_json(&app, &format!("{path}?page=3&per_page=1")).await;
    assert_eq!(keys(&third), vec![key("BBG-H01", "0780", 2023)]);
    assert!(third["next_url"].is_null() && third["next_page"].is_null());
    let past = get_json(&app, &format!("{path}?page=9&per_page=1")).await;
    assert_eq!(past["values"], json!([]));

    // The query form keeps its repeated keys in the links.
    let query = get_json(
        &app,
        "/kolada/v3/data/?kpi_id=BBG-H01&year=2022&year=2023&per_page=2",
    )
    .await;
    assert_eq!(query["count"], 2);
    assert_eq!(
        query["next_url"],
        json!(app.url("/kolada/v3/data/?kpi_id=BBG-H01&year=2022&year=2023&page=2&per_page=2"))
    );

    // per_page is clamped.
    let big = get_json(&app, "/kolada/v3/kpi?per_page=100000").await;
    assert_eq!(big["count"], 2);
    let small = get_json(&app, "/kolada/v3/municipality?per_page=0").await;
    assert_eq!(small["count"], 1);
    assert!(
        small["next_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
}

async fn bad_input(backend: crate::helpers::Backend) {
    let Fixture { app } = fixture(backend).await;
    for path in [
        "/kolada/v3/data/kpi/BBG-H01/year/twenty",
        "/kolada/v3/data/kpi/BBG-H01/municipality/0780/year/2023,x",
        "/kolada/v3/data/?kpi_id=BBG-H01&year=2023.5",
        "/kolada/v3/data/kpi/BBG-H01?from_date=yesterday",
        "/kolada/v3/kpi?page=0",
        "/kolada/v3/kpi?per_page=many",
        "/kolada/v3/municipality?type=X",
    ] {
        let response = app.get(path, None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
}
