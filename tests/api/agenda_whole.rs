//! Issue 13: a whole agenda in one request, items keeping their ids by their numbers, and
//! renumbering before the minutes are approved.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::{decisions::*, helpers::*};

fn agenda_url(meeting: &Value) -> String {
    format!("{}/agenda", meeting_url(meeting))
}

async fn put_agenda(
    app: &TestApp,
    meeting: &Value,
    etag: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    app.client
        .put(app.url(&agenda_url(meeting)))
        .bearer_auth(admin())
        .header(header::IF_MATCH, etag.unwrap_or("*"))
        .json(body)
        .send()
        .await
        .unwrap()
}

fn numbers_and_ids(agenda: &Value) -> Vec<(String, String)> {
    agenda["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["number"].as_str().unwrap().to_owned(),
                i["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn a_whole_agenda_is_entered_and_renumbered(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let november = k.meeting(NOVEMBER).clone();
    let decision = decide(
        &app,
        &k.body(
            NOVEMBER,
            "6",
            "position",
            "Cosmic Link",
            "Inriktningsbeslut om Cosmic Link.",
        ),
    )
    .await;
    assert_eq!(decision["reference"], "SG 2021-11-05 §6");
    let response = app.get(&agenda_url(&november), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()[header::ETAG]
        .to_str()
        .unwrap()
        .to_owned();
    let before: Value = response.json().await.unwrap();
    let id_of = |number: &str| {
        numbers_and_ids(&before)
            .into_iter()
            .find(|(n, _)| n == number)
            .map(|(_, id)| id)
            .unwrap()
    };

    // "2a" goes in before 6, a new 1 opens the meeting, 9 is dropped; then 1..n.
    let body = json!({
        "renumber": true,
        "items": [
            {"number": "1", "title": "Mötets öppnande", "presenter_ids": [k.person("Göran Ekvall")]},
            {"number": "3", "title": "Information inför beslut om kontaktvägar"},
            {"number": "2a", "title": "Länsgemensam rutin", "minutes": "Ny punkt."},
            {"number": "6", "title": "Inriktningsbeslut om digitalplattform",
             "conflicts": [{"member_id": k.person("Carl Wiklund")}]},
            {"number": "7", "title": "Indikatorer och utfallsmått"},
        ],
    });
    let response = put_agenda(&app, &november, Some(&etag), &body).await;
    let status = response.status();
    let after: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{after}");

    let now = numbers_and_ids(&after);
    let numbers: Vec<&str> = now.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(numbers, ["1", "2", "3", "4", "5"]);
    assert_eq!(now[1].1, id_of("3"), "3 kept its id as 2");
    assert_eq!(now[3].1, id_of("6"), "6 kept its id as 4");
    assert_eq!(now[4].1, id_of("7"));
    assert_eq!(
        after["items"][3]["conflicts"][0]["member_id"],
        k.person("Carl Wiklund")
    );
    let moved = get_json(&app, &decision_url(&decision), None).await;
    assert_eq!(
        moved["reference"], "SG 2021-11-05 §4",
        "the reference follows"
    );
    let listed = get_json(
        &app,
        &format!("{}/agenda-items", meeting_url(&november)),
        None,
    )
    .await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        5,
        "9 was removed"
    );
    assert_ne!(after["version"], before["version"]);

    // The old version no longer matches: 412, nothing changes.
    let stale = put_agenda(&app, &november, Some(&etag), &body).await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;

    // An item with a decision stays.
    let dropping = json!({"items": [{"number": "1", "title": "Mötets öppnande"}]});
    let response = put_agenda(&app, &november, None, &dropping).await;
    assert_problem(response, StatusCode::CONFLICT).await;
    assert_eq!(
        numbers_and_ids(&get_json(&app, &agenda_url(&november), None).await),
        now
    );
}

async fn a_bad_whole_agenda_is_refused_naming_the_entry(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let november = k.meeting(NOVEMBER).clone();
    let before = get_json(&app, &agenda_url(&november), None).await;
    let cases = [
        (
            json!({"items": [{"number": "1", "title": "A"}, {"number": "1", "title": "B"}]}),
            "items[1].number",
        ),
        (
            json!({"items": [{"number": "1", "title": "A", "position": 1}]}),
            "items[0].position",
        ),
        (
            json!({"items": [{"number": "1", "title": " "}]}),
            "items[0].title",
        ),
        (
            json!({"items": [{"number": "1 !", "title": "A"}]}),
            "items[0].number",
        ),
        (
            json!({"items": [{"number": "1", "title": "A", "presenter_ids": [uuid::Uuid::now_v7()]}]}),
            "items[0].presenter_ids[0]",
        ),
    ];
    for (body, field) in cases {
        let response = put_agenda(&app, &november, None, &body).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{body}");
    }
    assert_eq!(get_json(&app, &agenda_url(&november), None).await, before);

    let body = json!({"items": []});
    let url = app.url(&agenda_url(&november));
    let anonymous = app.client.put(&url).json(&body).send().await.unwrap();
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    let member = app
        .client
        .put(&url)
        .bearer_auth(member_token())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(member, StatusCode::FORBIDDEN).await;
    let missing = format!("/api/v1/meetings/{}/agenda", uuid::Uuid::now_v7());
    let response = app
        .client
        .put(app.url(&missing))
        .bearer_auth(admin())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::NOT_FOUND).await;

    // After approval the agenda and its numbers never change.
    let approve = json!({"status": "minutes_approved", "minutes_approved_on": "2021-12-03"});
    let response = app
        .patch_json(&meeting_url(&november), Some(&admin()), None, &approve)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let renumber = json!({"renumber": true, "items": before["items"].as_array().unwrap().iter()
        .map(|i| json!({"number": i["number"], "title": i["title"]})).collect::<Vec<_>>()});
    let response = put_agenda(&app, &november, None, &renumber).await;
    assert_problem(response, StatusCode::CONFLICT).await;
}

/// An item made non-public through the whole agenda takes its decision out of public search
/// and reads, as a change to the item alone does.
async fn an_item_hidden_through_the_whole_agenda_hides_its_decision(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let november = k.meeting(NOVEMBER).clone();
    let decision = decide(
        &app,
        &k.body(
            NOVEMBER,
            "6",
            "position",
            "Personalärende Cosmic",
            "Beslutas enligt förslag.",
        ),
    )
    .await;
    let found = get_json(&app, "/api/v1/search?q=Personalärende", None).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
    let agenda = get_json(&app, &agenda_url(&november), None).await;
    let items: Vec<Value> = agenda["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            json!({"number": i["number"], "title": i["title"],
                   "public": i["number"] != "6"})
        })
        .collect();

    let response = put_agenda(&app, &november, None, &json!({"items": items})).await;

    assert_eq!(response.status(), StatusCode::OK);
    let found = get_json(&app, "/api/v1/search?q=Personalärende", None).await;
    assert_eq!(found["items"], json!([]), "{found}");
    let response = app.get(&decision_url(&decision), None).await;
    assert_problem(response, StatusCode::NOT_FOUND).await;
}

crate::on_both_backends!(
    an_item_hidden_through_the_whole_agenda_hides_its_decision,
    a_whole_agenda_is_entered_and_renumbered,
    a_bad_whole_agenda_is_refused_naming_the_entry,
);
