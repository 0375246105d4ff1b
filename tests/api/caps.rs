//! Row 23 of the reliability plan (field caps): a meeting's agenda holds at most
//! `MAX_AGENDA_ITEMS` (200) items, added one at a time or sent whole, and an indicator value
//! batch holds at most `MAX_BATCH` (10,000) rows, as JSON or CSV: each limit is accepted, and
//! one past it is a 422 naming the field with nothing stored.

use reqwest::StatusCode;
use samverkan::{
    domain::meeting::MAX_AGENDA_ITEMS,
    store::indicators::{MAX_BATCH, MAX_POINTS},
};
use serde_json::{Value, json};

use crate::helpers::*;

async fn meeting(app: &TestApp, group: &Value, day: u32) -> Value {
    created(
        app,
        "/api/v1/meetings",
        json!({"group_id": id(group), "title": format!("Möte {day}"), "status": "planned",
               "starts_at": format!("2021-11-{day:02}T09:00:00Z"),
               "ends_at": format!("2021-11-{day:02}T12:00:00Z")}),
    )
    .await
}

async fn items_of(app: &TestApp, meeting: &Value) -> usize {
    let page: Value = app
        .get(
            &format!("/api/v1/meetings/{}/agenda-items?limit=200", id(meeting)),
            Some(&admin()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(page["next_cursor"].is_null(), "one page holds them all");
    page["items"].as_array().unwrap().len()
}

async fn a_meeting_holds_at_most_200_agenda_items(backend: Backend) {
    assert_eq!(MAX_AGENDA_ITEMS, 200, "the plan's figure");
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;

    // One at a time: the 200th is accepted, the 201st refused.
    let one_by_one = meeting(&app, &group, 5).await;
    let items = format!("/api/v1/meetings/{}/agenda-items", id(&one_by_one));
    for n in 1..=MAX_AGENDA_ITEMS {
        created(
            &app,
            &items,
            json!({"number": n.to_string(), "title": "Ärende"}),
        )
        .await;
    }
    assert_eq!(items_of(&app, &one_by_one).await, MAX_AGENDA_ITEMS);
    let audit = app.count_rows("audit_log").await;
    let response = app
        .post_json(
            &items,
            Some(&admin()),
            &json!({"number": "201", "title": "Ett för mycket"}),
        )
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["number"], "{problem}");
    assert_eq!(items_of(&app, &one_by_one).await, MAX_AGENDA_ITEMS);
    assert_eq!(app.count_rows("audit_log").await, audit, "nothing written");

    // The whole agenda at once: 200 entries accepted, 201 refused.
    let whole = meeting(&app, &group, 12).await;
    let agenda = format!("/api/v1/meetings/{}/agenda", id(&whole));
    let entries = |n: usize| -> Value {
        json!({"items": (1..=n)
            .map(|i| json!({"number": i.to_string(), "title": format!("Ärende {i}")}))
            .collect::<Vec<_>>()})
    };
    let put = async |body: &Value| {
        app.client
            .put(app.url(&agenda))
            .bearer_auth(admin())
            .json(body)
            .send()
            .await
            .unwrap()
    };
    let response = put(&entries(MAX_AGENDA_ITEMS)).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    assert_eq!(items_of(&app, &whole).await, MAX_AGENDA_ITEMS);
    let empty = meeting(&app, &group, 19).await;
    let audit = app.count_rows("audit_log").await;
    for target in [&whole, &empty] {
        let response = app
            .client
            .put(app.url(&format!("/api/v1/meetings/{}/agenda", id(target))))
            .bearer_auth(admin())
            .json(&entries(MAX_AGENDA_ITEMS + 1))
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(
            error_fields(&problem).contains(&"items".to_owned()),
            "{problem}"
        );
    }
    assert_eq!(items_of(&app, &whole).await, MAX_AGENDA_ITEMS);
    assert_eq!(items_of(&app, &empty).await, 0);
    assert_eq!(app.count_rows("audit_log").await, audit, "nothing written");
}

/// `n` distinct value rows for one organisation: months from 1900-01 on, by gender.
fn rows(organisation: &str, n: usize) -> Vec<Value> {
    let mut rows = Vec::with_capacity(n);
    'all: for year in 1900..=2200 {
        for month in 1..=12 {
            for gender in ["total", "female", "male"] {
                if rows.len() == n {
                    break 'all;
                }
                rows.push(json!({"organisation_id": organisation,
                                 "period": format!("{year}-{month:02}"),
                                 "gender": gender, "value": 1.5}));
            }
        }
    }
    assert_eq!(rows.len(), n);
    rows
}

fn csv(rows: &[Value]) -> String {
    let mut text = String::from("organisation_id,period,gender,age_group,value\n");
    for row in rows {
        text.push_str(&format!(
            "{},{},{},,{}\n",
            row["organisation_id"].as_str().unwrap(),
            row["period"].as_str().unwrap(),
            row["gender"].as_str().unwrap(),
            row["value"]
        ));
    }
    text
}

async fn a_value_batch_holds_at_most_10000_rows(backend: Backend) {
    assert_eq!(MAX_BATCH, 10_000, "the plan's figure");
    let app = spawn_app(backend).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let define = async |code: &str| {
        created(
            &app,
            "/api/v1/indicators",
            json!({"code": code, "name": format!("Indikator {code}"), "category": "health",
                   "kind": "outcome", "unit": "percent", "better": "higher",
                   "breakdowns": {"gender": true}}),
        )
        .await
    };
    let put = async |indicator: &Value, body: &Value| {
        app.client
            .put(app.url(&format!("/api/v1/indicators/{}/values", id(indicator))))
            .bearer_auth(admin())
            .json(body)
            .send()
            .await
            .unwrap()
    };

    // JSON: one past the limit is refused whole, the limit itself is stored.
    let json_indicator = define("BBG-J01").await;
    let audit = app.count_rows("audit_log").await;
    let response = put(
        &json_indicator,
        &json!({"values": rows(id(&vaxjo), MAX_BATCH + 1)}),
    )
    .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["values"], "{problem}");
    assert_eq!(
        app.count_rows("indicator_values").await,
        0,
        "nothing stored"
    );
    assert_eq!(app.count_rows("audit_log").await, audit, "nothing written");
    let response = put(
        &json_indicator,
        &json!({"values": rows(id(&vaxjo), MAX_BATCH)}),
    )
    .await;
    let status = response.status();
    assert_eq!(status, StatusCode::OK, "{}", response.text().await.unwrap());
    assert_eq!(
        app.count_rows("indicator_values").await,
        i64::try_from(MAX_BATCH).unwrap()
    );

    // A read answers at most MAX_POINTS values: exactly that many is served, one more is a
    // 400 naming the range, and a narrower range is served again.
    assert_eq!(MAX_POINTS, 10_000, "the plan's figure");
    let read = async |query: &str| {
        app.get(
            &format!("/api/v1/indicators/{}/values{query}", id(&json_indicator)),
            None,
        )
        .await
    };
    let points = |answer: &Value| -> usize {
        answer["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["values"].as_array().unwrap().len())
            .sum()
    };
    let response = read("").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(points(&response.json().await.unwrap()), MAX_POINTS);
    let one_more = rows(id(&vaxjo), MAX_BATCH + 1).pop().unwrap();
    let response = put(&json_indicator, &json!({"values": [one_more]})).await;
    assert_eq!(response.status(), StatusCode::OK);
    for query in ["", "?from=1900", "?to=2200-12"] {
        let problem = assert_problem(read(query).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), ["from", "to"], "{query}: {problem}");
    }
    let response = read("?from=1900&to=1999-12").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(points(&response.json().await.unwrap()), 100 * 12 * 3);

    // CSV: the same limit on an import.
    let csv_indicator = define("BBG-C01").await;
    let import = async |rows: &[Value]| {
        app.client
            .post(app.url(&format!(
                "/api/v1/indicators/{}/values.csv",
                id(&csv_indicator)
            )))
            .bearer_auth(admin())
            .header("content-type", "text/csv")
            .body(csv(rows))
            .send()
            .await
            .unwrap()
    };
    let stored = app.count_rows("indicator_values").await;
    let audit = app.count_rows("audit_log").await;
    let response = import(&rows(id(&vaxjo), MAX_BATCH + 1)).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(
        status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
        "{status} {text}"
    );
    assert!(text.contains("10000"), "{text}");
    assert_eq!(
        app.count_rows("indicator_values").await,
        stored,
        "nothing stored"
    );
    assert_eq!(app.count_rows("audit_log").await, audit, "nothing written");
    let response = import(&rows(id(&vaxjo), MAX_BATCH)).await;
    let status = response.status();
    assert!(
        status.is_success(),
        "{status} {}",
        response.text().await.unwrap()
    );
    assert_eq!(
        app.count_rows("indicator_values").await,
        stored + i64::try_from(MAX_BATCH).unwrap()
    );
}

crate::on_both_backends!(
    a_meeting_holds_at_most_200_agenda_items,
    a_value_batch_holds_at_most_10000_rows,
);
