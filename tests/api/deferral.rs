//! Issue 13: an agenda item deferred to the next meeting ("flyttas till nästa tillfälle"), or
//! to one not yet scheduled, and both minutes showing it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{decisions::*, helpers::*};

fn defer_url(k: &Kronoberg, date: &str, number: &str) -> String {
    let item = &k.items[&(date, number)];
    format!(
        "{}/agenda-items/{}/defer",
        meeting_url(k.meeting(date)),
        id(item)
    )
}

async fn minutes_of(app: &TestApp, meeting: &Value) -> String {
    let response = app
        .get(&format!("{}/minutes", meeting_url(meeting)), None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

async fn an_item_is_deferred_to_the_next_meeting(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let to = json!({"to_meeting_id": id(k.meeting(FEBRUARY))});

    let response = app
        .post_json(&defer_url(&k, NOVEMBER, "9"), Some(&admin()), &to)
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let deferred: Value = response.json().await.unwrap();
    let item = &deferred["item"];
    let continued = &deferred["continued_as"];
    assert_eq!(item["deferred"], true);
    assert_eq!(item["deferred_to_item_id"], continued["id"]);
    assert_eq!(continued["meeting_id"], id(k.meeting(FEBRUARY)));
    assert_eq!(continued["number"], "4", "after 1, 2 and 3");
    assert_eq!(continued["title"], "Nuläge, övrigt");
    assert_eq!(continued["deferred_from_item_id"], item["id"]);
    let november = minutes_of(&app, k.meeting(NOVEMBER)).await;
    assert!(
        november.contains("*Punkten flyttas till mötet 2022-02-04.*"),
        "{november}"
    );
    let february = minutes_of(&app, k.meeting(FEBRUARY)).await;
    assert!(
        february.contains("*Flyttad från mötet 2021-11-05 (punkt 9).*"),
        "{february}"
    );

    // Once deferred to a meeting, not again; and nothing else changed.
    let again = app
        .post_json(&defer_url(&k, NOVEMBER, "9"), Some(&admin()), &to)
        .await;
    assert_problem(again, StatusCode::CONFLICT).await;
    let agenda = get_json(
        &app,
        &format!("{}/agenda", meeting_url(k.meeting(FEBRUARY))),
        None,
    )
    .await;
    assert_eq!(agenda["items"].as_array().unwrap().len(), 4);

    // A meeting the reader may not see is not dated for them; insiders still read the date.
    let hidden = app
        .patch_json(
            &meeting_url(k.meeting(FEBRUARY)),
            Some(&admin()),
            None,
            &json!({"public": false}),
        )
        .await;
    assert_eq!(hidden.status(), StatusCode::OK);
    let november = minutes_of(&app, k.meeting(NOVEMBER)).await;
    assert!(
        november.contains("*Punkten flyttas till ett senare möte.*")
            && !november.contains("2022-02-04"),
        "{november}"
    );
    let insiders = app
        .get(
            &format!("{}/minutes", meeting_url(k.meeting(NOVEMBER))),
            Some(&admin()),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        insiders.contains("*Punkten flyttas till mötet 2022-02-04.*"),
        "{insiders}"
    );
}

async fn an_item_is_deferred_to_a_meeting_not_yet_scheduled(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;

    let response = app
        .post_json(&defer_url(&k, NOVEMBER, "7"), Some(&admin()), &json!({}))
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let deferred: Value = response.json().await.unwrap();
    assert_eq!(deferred["item"]["deferred"], true);
    assert_eq!(deferred["item"]["deferred_to_meeting_id"], Value::Null);
    assert_eq!(deferred["continued_as"], Value::Null);
    let november = minutes_of(&app, k.meeting(NOVEMBER)).await;
    assert!(
        november.contains("*Punkten flyttas till ett senare möte.*"),
        "{november}"
    );

    // Once the meeting is scheduled, the deferral names it, with a chosen number.
    let named = json!({"to_meeting_id": id(k.meeting(FEBRUARY)), "number": "2.1"});
    let response = app
        .post_json(&defer_url(&k, NOVEMBER, "7"), Some(&admin()), &named)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let deferred: Value = response.json().await.unwrap();
    assert_eq!(deferred["continued_as"]["number"], "2.1");
}

async fn a_deferral_is_refused_with_nothing_changed(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let url = defer_url(&k, NOVEMBER, "9");
    let earlier = json!({"to_meeting_id": id(k.meeting(JUNE))});
    let problem = assert_problem(
        app.post_json(&url, Some(&admin()), &earlier).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["to_meeting_id"]);
    let taken = json!({"to_meeting_id": id(k.meeting(FEBRUARY)), "number": "1"});
    assert_problem(
        app.post_json(&url, Some(&admin()), &taken).await,
        StatusCode::CONFLICT,
    )
    .await;
    let bad_number = json!({"to_meeting_id": id(k.meeting(FEBRUARY)), "number": "§ 1"});
    let problem = assert_problem(
        app.post_json(&url, Some(&admin()), &bad_number).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error_fields(&problem), ["number"]);
    assert_problem(
        app.post_json(&url, None, &json!({})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.post_json(&url, Some(&member_token()), &json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let missing = format!(
        "{}/agenda-items/{}/defer",
        meeting_url(k.meeting(NOVEMBER)),
        uuid::Uuid::now_v7()
    );
    assert_problem(
        app.post_json(&missing, Some(&admin()), &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let item = &k.items[&(NOVEMBER, "9")];
    let read = get_json(
        &app,
        &format!(
            "{}/agenda-items/{}",
            meeting_url(k.meeting(NOVEMBER)),
            id(item)
        ),
        None,
    )
    .await;
    assert_eq!(read["deferred"], false);
    assert_eq!(read["version"], item["version"]);
}

crate::on_both_backends!(
    an_item_is_deferred_to_the_next_meeting,
    an_item_is_deferred_to_a_meeting_not_yet_scheduled,
    a_deferral_is_refused_with_nothing_changed,
);
