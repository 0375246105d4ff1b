//! Indicators: definitions with their history, and values reported in all-or-nothing batches.

use reqwest::StatusCode;
use samverkan::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

async fn define(app: &TestApp, body: Value) -> Value {
    let response = app
        .post_json("/api/v1/indicators", Some(&admin()), &body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "{body}");
    response.json().await.unwrap()
}

fn violence() -> Value {
    json!({"code": "BBG-T03", "name": "Sjukdomsfall på grund av våld", "category": "health",
           "kind": "outcome", "unit": "rate_per_1000", "better": "lower",
           "breakdowns": {"gender": true, "age_groups": ["3", "6", "12"]}})
}

/// A decision of the steering group's meeting of 2021-11-05, item 7.
async fn decision(app: &TestApp) -> Value {
    let group = app
        .create_organisation(json!({"name": "Styrgrupp", "short_name": "SG", "kind": "group"}))
        .await;
    let meeting: Value = app
        .post_json(
            "/api/v1/meetings",
            Some(&admin()),
            &json!({
            "group_id": id(&group), "title": "SG", "status": "held",
            "starts_at": "2021-11-05T08:30:00+01:00", "ends_at": "2021-11-05T11:30:00+01:00"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let item: Value = app
        .post_json(
            &format!("/api/v1/meetings/{}/agenda-items", id(&meeting)),
            Some(&admin()),
            &json!({"number": "7", "title": "Indikatorer"}),
        )
        .await
        .json()
        .await
        .unwrap();
    app.post_json("/api/v1/decisions", Some(&admin()), &json!({
        "meeting_id": id(&meeting), "agenda_item_id": id(&item), "kind": "decision",
        "title": "Indikatorer", "text": "Sjukdomsfall på grund av våld byter namn till utsatthet för våld; suicid tas bort."}))
        .await
        .json()
        .await
        .unwrap()
}

async fn a_rename_a_category_move_and_a_retirement_enter_the_history(backend: Backend) {
    let app = spawn_app(backend).await;
    let decided = decision(&app).await;
    let indicator = define(&app, violence()).await;
    let suicide = define(
        &app,
        json!({"code": "BBG-H09", "name": "Suicid", "category": "health",
                                      "kind": "outcome", "unit": "count", "better": "lower"}),
    )
    .await;
    let path = format!("/api/v1/indicators/{}", id(&indicator));

    let renamed = app
        .patch_json(
            &path,
            Some(&admin()),
            Some("\"1\""),
            &json!({
        "name": "Utsatthet för våld", "category": "safety",
        "decision_id": id(&decided), "effective_on": "2021-11-05"}),
        )
        .await;
    let retired = app.patch_json(&format!("/api/v1/indicators/{}", id(&suicide)), Some(&token(&[Role::Secretary])), None,
        &json!({"status": "retired", "decision_id": id(&decided), "effective_on": "2021-11-05"})).await;

    assert_eq!(renamed.status(), StatusCode::OK);
    let renamed: Value = renamed.json().await.unwrap();
    assert_eq!(renamed["name"], "Utsatthet för våld");
    assert_eq!(
        renamed["history"],
        json!([
            {"date": "2021-11-05", "change": "rename", "from": "Sjukdomsfall på grund av våld",
             "to": "Utsatthet för våld", "decision_id": decided["id"]},
            {"date": "2021-11-05", "change": "category", "from": "health", "to": "safety", "decision_id": decided["id"]},
        ])
    );
    assert_eq!(retired.status(), StatusCode::OK);
    let retired: Value = retired.json().await.unwrap();
    assert_eq!(retired["status"], "retired");
    assert_eq!(retired["retired_by_decision_id"], decided["id"]);
    assert_eq!(retired["history"][0]["change"], "retire");
    let back = app
        .patch_json(
            &format!("/api/v1/indicators/{}", id(&suicide)),
            Some(&admin()),
            None,
            &json!({"status": "active"}),
        )
        .await;
    assert_problem(back, StatusCode::UNPROCESSABLE_ENTITY).await;
    let active: Value = app
        .get("/api/v1/indicators?status=active", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(active["items"].as_array().unwrap().len(), 1);
    let unknown = app
        .patch_json(
            &path,
            Some(&admin()),
            None,
            &json!({"name": "X", "decision_id": Uuid::now_v7()}),
        )
        .await;
    let problem = assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["decision_id"]);
}

async fn bad_definitions_are_refused_and_only_admins_and_secretaries_define(backend: Backend) {
    let app = spawn_app(backend).await;
    define(&app, violence()).await;
    let with = |field: &str, value: Value| {
        let mut body = violence();
        body["code"] = json!("BBG-X01");
        body[field] = value;
        body
    };
    for (body, field, case) in [
        (with("name", json!("")), "name", "empty name"),
        (with("code", json!("BBG H01")), "code", "space in code"),
        (with("code", json!("x".repeat(26))), "code", "code too long"),
        (with("decimals", json!(9)), "decimals", "too many decimals"),
        (with("unit", json!("litres")), "unit", "unknown unit"),
        (with("better", json!("up")), "better", "unknown direction"),
        (with("id", json!(Uuid::now_v7())), "id", "mass assignment"),
    ] {
        let response = app
            .post_json("/api/v1/indicators", Some(&admin()), &body)
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{case}");
    }
    let duplicate = app
        .post_json("/api/v1/indicators", Some(&admin()), &violence())
        .await;
    assert_problem(duplicate, StatusCode::CONFLICT).await;
    assert_problem(
        app.post_json("/api/v1/indicators", None, &violence()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for role in [Role::Reporter, Role::Member, Role::Integration] {
        let response = app
            .post_json(
                "/api/v1/indicators",
                Some(&token(&[role])),
                &with("code", json!("BBG-Y01")),
            )
            .await;
        assert_problem(response, StatusCode::FORBIDDEN).await;
    }
    assert_eq!(app.count_rows("indicators").await, 1);
    assert_problem(
        app.get(&format!("/api/v1/indicators/{}", Uuid::now_v7()), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn value_batches_are_idempotent_and_all_or_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let indicator = define(&app, violence()).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let values = format!("/api/v1/indicators/{}/values", id(&indicator));
    let batch = json!({"values": [
        {"organisation_id": id(&vaxjo), "period": "2021", "value": 4.2},
        {"organisation_id": id(&vaxjo), "period": "2021", "gender": "female", "value": 3.9},
        {"organisation_id": id(&vaxjo), "period": "2021", "age_group": "6", "value": 2.0, "status": "preliminary"},
        {"organisation_id": id(&vaxjo), "period": "2020", "value": null, "suppressed": true},
    ]});

    let first: Value = app
        .client
        .put(app.url(&values))
        .bearer_auth(admin())
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let again: Value = app
        .client
        .put(app.url(&values))
        .bearer_auth(admin())
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(first, json!({"created": 4, "updated": 0, "unchanged": 0}));
    assert_eq!(again, json!({"created": 0, "updated": 0, "unchanged": 4}));
    assert_eq!(app.count_rows("indicator_values").await, 4);

    let bad = json!({"values": [
        {"organisation_id": id(&vaxjo), "period": "2022", "value": 5.0},
        {"organisation_id": id(&vaxjo), "period": "2022-Q5", "value": 5.0},
        {"organisation_id": id(&vaxjo), "period": "2023", "age_group": "99", "value": 5.0},
        {"organisation_id": id(&vaxjo), "period": "2023", "value": null},
        {"organisation_id": Uuid::now_v7(), "period": "2023", "value": 1.0},
    ]});
    let refused = app
        .client
        .put(app.url(&values))
        .bearer_auth(admin())
        .json(&bad)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        error_fields(&problem),
        ["values[1].period", "values[2].age_group", "values[3].value"]
    );
    let unknown_org =
        json!({"values": [{"organisation_id": Uuid::now_v7(), "period": "2023", "value": 1.0}]});
    let refused = app
        .client
        .put(app.url(&values))
        .bearer_auth(admin())
        .json(&unknown_org)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["values[0].organisation_id"]);
    assert_eq!(
        app.count_rows("indicator_values").await,
        4,
        "nothing of a refused batch is stored"
    );

    let changed =
        json!({"values": [{"organisation_id": id(&vaxjo), "period": "2021", "value": 4.4}]});
    let result: Value = app
        .client
        .put(app.url(&values))
        .bearer_auth(admin())
        .json(&changed)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(result["updated"], 1);
    let audit: Value = app
        .get("/api/v1/audit?entity_type=indicator_values", Some(&admin()))
        .await
        .json()
        .await
        .unwrap();
    let last = audit["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["before"][0]["value"], 4.2,
        "the previous value is kept in the audit log"
    );
    assert_eq!(last["after"][0]["value"], 4.4);
}

async fn a_reporter_reports_for_its_own_organisation_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let indicator = define(&app, violence()).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let ljungby = app.create_municipality("Ljungby kommun", "0781").await;
    let values = format!("/api/v1/indicators/{}/values", id(&indicator));
    let row = |org: &Value, value: f64| json!({"organisation_id": id(org), "period": "2021", "value": value});
    let ljungby_value = json!({"values": [row(&ljungby, 7.0)]});
    app.client
        .put(app.url(&values))
        .bearer_auth(admin())
        .json(&ljungby_value)
        .send()
        .await
        .unwrap();
    let vaxjo_reporter = token_for(
        "reporter-vaxjo",
        &[Role::Reporter],
        Some(id(&vaxjo).parse().unwrap()),
    );

    let own = app
        .client
        .put(app.url(&values))
        .bearer_auth(&vaxjo_reporter)
        .json(&json!({"values": [row(&vaxjo, 4.2)]}))
        .send()
        .await
        .unwrap();
    let other = app
        .client
        .put(app.url(&values))
        .bearer_auth(&vaxjo_reporter)
        .json(&json!({"values": [row(&vaxjo, 4.3), row(&ljungby, 0.0)]}))
        .send()
        .await
        .unwrap();
    let no_org = app
        .client
        .put(app.url(&values))
        .bearer_auth(token(&[Role::Reporter]))
        .json(&json!({"values": [row(&vaxjo, 1.0)]}))
        .send()
        .await
        .unwrap();
    let member = app
        .client
        .put(app.url(&values))
        .bearer_auth(token(&[Role::Member]))
        .json(&json!({"values": [row(&vaxjo, 1.0)]}))
        .send()
        .await
        .unwrap();
    let anonymous = app
        .client
        .put(app.url(&values))
        .json(&json!({"values": [row(&vaxjo, 1.0)]}))
        .send()
        .await
        .unwrap();

    assert_eq!(own.status(), StatusCode::OK);
    assert_problem(other, StatusCode::FORBIDDEN).await;
    assert_problem(no_org, StatusCode::FORBIDDEN).await;
    assert_problem(member, StatusCode::FORBIDDEN).await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let series: Value = app
        .get(&format!("{values}?organisation_id={}", id(&ljungby)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        series["series"][0]["values"][0]["value"], 7.0,
        "the other organisation's data is untouched"
    );
    let own: Value = app
        .get(&format!("{values}?organisation_id={}", id(&vaxjo)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        own["series"][0]["values"][0]["value"], 4.2,
        "the refused batch stored nothing"
    );
}

async fn series_come_in_time_order_and_filter(backend: Backend) {
    let app = spawn_app(backend).await;
    let indicator = define(
        &app,
        json!({"code": "BBG-P01", "name": "Samordnade planer", "category": "development_and_care",
                                        "kind": "process", "unit": "count", "better": "higher"}),
    )
    .await;
    let alvesta = app.create_municipality("Alvesta kommun", "0764").await;
    let almhult = app.create_municipality("Älmhults kommun", "0765").await;
    let values = format!("/api/v1/indicators/{}/values", id(&indicator));
    let mut rows = Vec::new();
    for period in ["2021-H2", "2020", "2021-05", "2021", "2021-Q1", "2021-H1"] {
        for org in [&almhult, &alvesta] {
            rows.push(json!({"organisation_id": id(org), "period": period, "value": 1.0}));
        }
    }
    let stored = app
        .client
        .put(app.url(&values))
        .bearer_auth(admin())
        .json(&json!({"values": rows}))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::OK);

    let all: Value = app.get(&values, None).await.json().await.unwrap();
    let orgs: Vec<&str> = all["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["organisation"].as_str().unwrap())
        .collect();
    assert_eq!(orgs, ["Alvesta kommun", "Älmhults kommun"], "Swedish order");
    let periods: Vec<&str> = all["series"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        ["2020", "2021", "2021-H1", "2021-Q1", "2021-05", "2021-H2"]
    );
    let window: Value = app
        .get(
            &format!(
                "{values}?from=2021-H1&to=2021-05&organisation_id={}",
                id(&alvesta)
            ),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(window["series"].as_array().unwrap().len(), 1);
    let periods: Vec<&str> = window["series"][0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2021-H1", "2021-Q1", "2021-05"]);
    for bad in ["from=2021-H3", "organisation_id=nope", "gender=other"] {
        assert_problem(
            app.get(&format!("{values}?{bad}"), None).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let not_divided = json!({"values": [{"organisation_id": id(&alvesta), "period": "2022", "gender": "male", "value": 1.0}]});
    let refused = app
        .client
        .put(app.url(&values))
        .bearer_auth(admin())
        .json(&not_divided)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["values[0].gender"]);
}

/// Regression: `GET /indicators` refused `limit` (400) and had no `updated_since`.
async fn the_indicator_list_pages_and_pulls_changes_like_every_list(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = define(&app, violence()).await;
    let mut others = Vec::new();
    for code in ["BBG-H02", "BBG-H03"] {
        let body = json!({"code": code, "name": format!("Indikator {code}"), "category": "health",
                          "kind": "process", "unit": "count", "better": "higher"});
        others.push(define(&app, body).await);
    }
    let page = app.get("/api/v1/indicators?limit=2", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["link"]
            .to_str()
            .unwrap()
            .contains("rel=\"next\"")
    );
    let page: Value = page.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let rest: Value = app
        .get(&format!("/api/v1/indicators?limit=2&cursor={cursor}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_cursor"], Value::Null);
    for bad in [
        "limit=0",
        "limit=201",
        "cursor=nonsense",
        "updated_since=yesterday",
    ] {
        let response = app.get(&format!("/api/v1/indicators?{bad}"), None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }

    // A change pull: the records changed since a time, in change order.
    let since = others[1]["updated_at"].as_str().unwrap().to_owned();
    let renamed = app
        .patch_json(
            &format!("/api/v1/indicators/{}", id(&first)),
            Some(&admin()),
            None,
            &json!({"name": "Utsatthet för våld"}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let since = url::form_urlencoded::byte_serialize(since.as_bytes()).collect::<String>();
    let changed: Value = app
        .get(&format!("/api/v1/indicators?updated_since={since}"), None)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = changed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(ids, [id(&others[1]), id(&first)]);
    let filtered: Value = app
        .get("/api/v1/indicators?kind=process&limit=1", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["items"][0]["code"], "BBG-H02");
}

/// Regression: indicator creation honours (and documents) `Idempotency-Key`; a code is taken as
/// sent (the document's pattern), not trimmed.
async fn defining_an_indicator_is_idempotent_with_a_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let post = |body: Value| {
        app.client
            .post(app.url("/api/v1/indicators"))
            .bearer_auth(admin())
            .header("Idempotency-Key", "define-violence-1")
            .json(&body)
            .send()
    };
    let first = post(violence()).await.unwrap();
    let second = post(violence()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(second.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert_eq!(
        first.headers()["location"],
        second.headers()["location"],
        "the replay names the same record"
    );
    assert_eq!(app.count_rows("indicators").await, 1);

    let mut padded = violence();
    padded["code"] = json!(" BBG-T04 ");
    let response = app
        .post_json("/api/v1/indicators", Some(&admin()), &padded)
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["code"]);

    let document: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let create = &document["paths"]["/api/v1/indicators"]["post"];
    assert_eq!(create["operationId"], "create_indicator");
    assert!(
        create["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Idempotency-Key"),
        "{create:#}"
    );
    let values = &document["paths"]["/api/v1/indicators/{id}/values"]["get"];
    let schema = &values["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(schema["$ref"], "#/components/schemas/ValueAnswer");
    let schemas = &document["components"]["schemas"];
    let answer = schemas["ValueAnswer"].to_string();
    assert!(
        answer.contains("JsonStatDataset") && answer.contains("ValueSeries"),
        "the JSON-stat answer is described: {answer}"
    );
    for name in ["JsonStatDataset", "ValueFormat", "Period", "IndicatorView"] {
        assert!(schemas.get(name).is_some(), "{name} is registered");
    }
}

/// Regression: the value query refuses what its document forbids (and takes what it allows).
async fn the_value_query_refuses_what_its_document_forbids(backend: Backend) {
    let app = spawn_app(backend).await;
    let indicator = define(&app, violence()).await;
    let values = format!("/api/v1/indicators/{}/values", id(&indicator));
    let org = Uuid::now_v7();
    for bad in [
        format!("organisation_id={}", org.simple()),
        format!("organisation_id=%20{org}"),
        format!("organisation_id={org},"),
        "organisation_id=------------------------------------".to_owned(),
        format!("age_group={}", "x".repeat(21)),
        "from=".to_owned(),
        "to=1800".to_owned(),
        "format=csv".to_owned(),
    ] {
        let response = app.get(&format!("{values}?{bad}"), None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
    let fine = app
        .get(
            &format!("{values}?organisation_id={org},{org}&age_group=6&from=2020&to=2021-Q4"),
            None,
        )
        .await;
    assert_eq!(fine.status(), StatusCode::OK);
    let stat: Value = app
        .get(&format!("{values}?format=json-stat"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stat["class"], "dataset");
}

crate::on_both_backends!(
    the_value_query_refuses_what_its_document_forbids,
    the_indicator_list_pages_and_pulls_changes_like_every_list,
    defining_an_indicator_is_idempotent_with_a_key,
    a_rename_a_category_move_and_a_retirement_enter_the_history,
    bad_definitions_are_refused_and_only_admins_and_secretaries_define,
    value_batches_are_idempotent_and_all_or_nothing,
    a_reporter_reports_for_its_own_organisation_only,
    series_come_in_time_order_and_filter,
);
