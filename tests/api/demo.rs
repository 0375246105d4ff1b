//! `samverkan seed --demo`: the collaboration of 2020-2022 as the seeds record it, with invented
//! people, written through the API; idempotent; never mixed with other data unless forced.

use reqwest::StatusCode;
use samverkan::config::Settings;
use serde_json::{Value, json};

use crate::helpers::*;

/// Every surname in `../shared/seeds/` (the minutes and the newsletter): none may appear
/// anywhere in the demo.
const REAL_SURNAMES: [&str; 35] = [
    "Elingfors",
    "Wulf",
    "Jonasson",
    "Wallinder",
    "Rutgersmark",
    "Ullström",
    "Jarhult",
    "Linnér",
    "Sjöberg",
    "Frithiof",
    "Pettersson",
    "Johansson",
    "Grimmesjö",
    "Magnerot",
    "Schentz",
    "Magnusson",
    "Karlsson",
    "Haraldsson",
    "Anderberg",
    "Gustafsson",
    "Lagergren",
    "Sandberg",
    "Nazzal",
    "Persson",
    "Nilsson",
    "Bjälkenborn",
    "Thelin",
    "Forkby",
    "Törnell",
    "Svensson",
    "Mustedanagic",
    "Wärn",
    "Lundell",
    "Roström",
    "Sterky",
];

/// A server on a fresh database, and the settings the demo seed writes through.
async fn app_and_settings(backend: Backend) -> (TestApp, Settings, tempfile::TempDir) {
    let files = tempfile::tempdir().unwrap();
    let mut captured = None;
    let app = spawn_app_with(backend, |s| {
        s.storage_url = Some(files.path().display().to_string());
        captured = Some(s.clone());
    })
    .await;
    (app, captured.unwrap(), files)
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

async fn text_of(app: &TestApp, path: &str) -> String {
    let response = app.get(path, Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

/// One string field of every item of a list.
fn field<'a>(list: &'a Value, name: &str) -> Vec<&'a str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[name].as_str().unwrap())
        .collect()
}

fn vice_chair(roster: &Value) -> String {
    roster["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["role"] == "vice_chair")
        .map(|e| e["member"]["name"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Every event of the feed, oldest first: the state of every record the demo wrote.
async fn whole_feed(app: &TestApp) -> Vec<Value> {
    let mut events = Vec::new();
    let mut after = String::new();
    loop {
        let page = json_of(app, &format!("/api/v1/events?limit=500{after}")).await;
        let items = page["items"].as_array().unwrap().clone();
        if items.is_empty() {
            return events;
        }
        events.extend(items);
        after = format!("&after={}", page["next"].as_str().unwrap());
    }
}

async fn the_demo_is_the_collaboration_of_the_seeds_with_invented_people(backend: Backend) {
    let (app, settings, _files) = app_and_settings(backend).await;
    let demo = samverkan::demo::seed(&settings, false).await.unwrap();
    assert!(demo.fresh);
    let groups = json_of(&app, "/api/v1/organisations?kind=group").await;
    let sg = groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["short_name"] == "SG")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let orgs = json_of(&app, "/api/v1/organisations?kind=municipality&limit=100").await;
    assert_eq!(orgs["items"].as_array().unwrap().len(), 8);

    // The vice-chair changed on 2020-02-07, by the election recorded that day.
    let roster = |day: &str| format!("/api/v1/organisations/{sg}/roster?on={day}");
    assert_eq!(
        vice_chair(&json_of(&app, &roster("2020-02-06")).await),
        "Olof Brandt"
    );
    assert_eq!(
        vice_chair(&json_of(&app, &roster("2020-02-07")).await),
        "Karin Vestberg"
    );
    let election = json_of(&app, "/api/v1/decisions?kind=election").await;
    assert_eq!(election["items"][0]["reference"], "SG 2020-02-07 §4");

    // Four held meetings, each signed off and approved at the next but the last; one planned
    // meeting with the open assignment and the deferred item; the forum and the retreat.
    let meetings = json_of(&app, &format!("/api/v1/meetings?group_id={sg}&limit=20")).await;
    let statuses = field(&meetings, "status");
    assert_eq!(
        statuses,
        [
            "minutes_approved",
            "minutes_approved",
            "minutes_approved",
            "held",
            "planned",
            "planned",
            "planned"
        ]
    );
    for m in meetings["items"].as_array().unwrap().iter().take(4) {
        let id = m["id"].as_str().unwrap();
        let signatures = json_of(&app, &format!("/api/v1/meetings/{id}/minutes/signatures")).await;
        assert_eq!(signatures["signed_off"], true, "{signatures}");
    }
    let november = demo.minutes_meeting_id.clone();
    let minutes = text_of(&app, &format!("/api/v1/meetings/{november}/minutes")).await;
    for fact in [
        "**Tid:** Fredagen den 5 november 2021 kl. 08:30–11:30",
        "Viktor Hallin, Region Kronoberg (punkt 8)",
        "SG 2021-11-05 §3 – Uppdrag om kontaktvägar",
        "Återrapporteras till: mötet 2022-02-04",
        "SG 2021-11-05 §6 – Inriktning: ansluta till Cosmic Link",
        "**Bilaga:** Förslag till överenskommelse NPF.md",
        "*Punkten flyttas till mötet 2022-02-04.*",
        "Godkända 2021-12-03",
    ] {
        assert!(minutes.contains(fact), "{fact}\n{minutes}");
    }
    let february = meetings["items"][5]["id"].as_str().unwrap();
    let follow_ups = json_of(&app, &format!("/api/v1/meetings/{february}/follow-ups")).await;
    assert!(
        follow_ups.to_string().contains("Uppdrag om kontaktvägar"),
        "{follow_ups}"
    );
    let agenda = json_of(&app, &format!("/api/v1/meetings/{february}/agenda")).await;
    let titles = field(&agenda, "title");
    assert!(
        titles.contains(&"Information kring arbete inför internatet"),
        "{titles:?}"
    );
    let funding = json_of(&app, "/api/v1/decisions?kind=funding").await;
    assert_eq!(funding["items"][0]["period_end"], "2023-12-31");
    assert_eq!(funding["items"][0]["funders"].as_array().unwrap().len(), 9);

    // The indicators as item 7 left them, with synthetic values that say so.
    let indicators = json_of(&app, "/api/v1/indicators?limit=50").await;
    let names: Vec<(&str, &str)> = indicators["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["name"].as_str().unwrap(), i["status"].as_str().unwrap()))
        .collect();
    assert!(names.contains(&("Våldsutsatthet", "active")), "{names:?}");
    assert!(
        names.contains(&("Suicid bland unga", "retired")),
        "{names:?}"
    );
    let dental = indicators["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "BBG-H01")
        .unwrap();
    assert_eq!(dental["breakdowns"]["age_groups"], json!(["3", "6", "12"]));
    let values = json_of(
        &app,
        &format!(
            "/api/v1/indicators/{}/values",
            dental["id"].as_str().unwrap()
        ),
    )
    .await;
    let series = values["series"].as_array().unwrap();
    assert_eq!(series.len(), 8, "every municipality");
    let value = &series[0]["values"][0];
    assert!(
        value["note"].as_str().unwrap().contains("Syntetiskt"),
        "{value}"
    );

    // The action plan: revision 1 superseded by revision 2, consulted, published, followed up.
    let plans = json_of(&app, "/api/v1/action-plans").await;
    let plan = plans["items"][0]["id"].as_str().unwrap();
    let revisions = json_of(&app, &format!("/api/v1/action-plans/{plan}/revisions")).await;
    let states = field(&revisions, "status");
    assert_eq!(states, ["superseded", "approved"]);
    let responses = json_of(
        &app,
        &format!("/api/v1/action-plans/{plan}/revisions/1/responses"),
    )
    .await;
    assert_eq!(responses["items"].as_array().unwrap().len(), 3);
    let progress = json_of(&app, &format!("/api/v1/action-plans/{plan}/progress")).await;
    let platform = progress["goals"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["activities"].as_array().unwrap())
        .find(|a| a["key"] == "digital-plattform")
        .unwrap();
    assert_eq!(
        (platform["status"].as_str(), platform["progress"].as_i64()),
        (Some("ongoing"), Some(20))
    );
    let hooks = json_of(&app, "/api/v1/webhooks").await;
    assert_eq!(hooks["items"].as_array().unwrap().len(), 1);
    let chain = json_of(&app, "/api/v1/audit/verify").await;
    assert!(chain["first_broken"].is_null(), "{chain}");

    // Nothing in the demo names a person of the seeds: not a member, not a text, not a record.
    let mut everything: Vec<String> = whole_feed(&app)
        .await
        .iter()
        .map(Value::to_string)
        .collect();
    assert!(
        everything.len() > 150,
        "the feed holds the demo: {}",
        everything.len()
    );
    for m in meetings["items"].as_array().unwrap() {
        let id = m["id"].as_str().unwrap();
        everything.push(text_of(&app, &format!("/api/v1/meetings/{id}/minutes")).await);
    }
    let everything = everything.join("\n").to_lowercase();
    for surname in REAL_SURNAMES {
        assert!(
            !everything.contains(&surname.to_lowercase()),
            "the demo names {surname}, a person of the seeds"
        );
    }

    // Idempotent: a second run changes nothing.
    let rows = app.count_rows("audit_log").await;
    let again = samverkan::demo::seed(&settings, false).await.unwrap();
    assert!(!again.fresh);
    assert_eq!(again.minutes_meeting_id, november);
    assert_eq!(app.count_rows("audit_log").await, rows);
}

async fn the_demo_never_mixes_with_other_data_unless_forced(backend: Backend) {
    let (app, settings, _files) = app_and_settings(backend).await;
    app.create_organisation(json!({"name": "Kalmar kommun", "kind": "municipality",
        "municipality_code": "0880", "county_code": "08"}))
        .await;
    let rows = app.count_rows("audit_log").await;
    let refused = samverkan::demo::seed(&settings, false).await;
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("already holds data"),
        "refused"
    );
    assert_eq!(app.count_rows("audit_log").await, rows, "nothing written");
    let forced = samverkan::demo::seed(&settings, true).await.unwrap();
    assert!(forced.fresh);
    let orgs = json_of(&app, "/api/v1/organisations?q=Kalmar").await;
    assert_eq!(
        orgs["items"].as_array().unwrap().len(),
        1,
        "the other data stays"
    );
}

crate::on_both_backends!(
    the_demo_is_the_collaboration_of_the_seeds_with_invented_people,
    the_demo_never_mixes_with_other_data_unless_forced,
);
