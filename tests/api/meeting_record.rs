//! Issue 13: all-day meetings, `from`/`to` as dates or timestamps, only a held meeting approves
//! minutes, conflicts of interest under an item, how the minutes write a decision's
//! proceedings, and a `samverkan token` that does not make a key of its own.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{decisions::*, helpers::*};

async fn create(app: &TestApp, body: Value) -> Value {
    let response = app.post_json(MEETINGS, Some(&admin()), &body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "creating {body}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn text_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::OK, "{}", response.url());
    response.text().await.unwrap()
}

/// A forum on 14 January and a retreat on 17–18 March: whole days in the record, in the list
/// and as all-day events in calendar feeds.
async fn all_day_meetings_are_whole_days_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let forum = create(
        &app,
        json!({
            "group_id": id(&group), "title": "Länsforum barn och unga", "public": true,
            "all_day": true,
            "starts_at": "2022-01-14T00:00:00+01:00", "ends_at": "2022-01-14T00:00:00+01:00",
        }),
    )
    .await;
    let retreat = create(
        &app,
        json!({
            "group_id": id(&group), "title": "Internat", "kind": "retreat", "public": true,
            "all_day": true,
            "starts_at": "2022-03-17T09:00:00+01:00", "ends_at": "2022-03-18T15:00:00+01:00",
        }),
    )
    .await;

    assert_eq!(forum["all_day"], true);
    assert_eq!(forum["start_date"], "2022-01-14");
    assert_eq!(forum["end_date"], "2022-01-14");
    assert_eq!(forum["starts_at"], "2022-01-13T23:00:00Z");
    assert_eq!(forum["ends_at"], "2022-01-14T23:00:00Z");
    assert_eq!(retreat["start_date"], "2022-03-17");
    assert_eq!(retreat["end_date"], "2022-03-18");

    // A change that leaves the dates alone keeps them.
    let renamed = app
        .patch_json(
            &meeting_url(&retreat),
            Some(&admin()),
            None,
            &json!({"title": "Internat på Tolg"}),
        )
        .await;
    let renamed: Value = renamed.json().await.unwrap();
    assert_eq!(renamed["end_date"], "2022-03-18", "{renamed}");

    let feed = text_of(app.get("/api/v1/meetings.ics", None).await).await;
    let calendar: icalendar::Calendar = feed.parse().unwrap();
    assert_eq!(calendar.events().count(), 2);
    for (date_start, date_end) in [("20220114", "20220115"), ("20220317", "20220319")] {
        assert!(
            feed.contains(&format!("DTSTART;VALUE=DATE:{date_start}\r\n"))
                && feed.contains(&format!("DTEND;VALUE=DATE:{date_end}\r\n")),
            "{feed}"
        );
    }

    let backwards = app
        .post_json(
            MEETINGS,
            Some(&admin()),
            &json!({
                "group_id": id(&group), "title": "Baklänges", "all_day": true,
                "starts_at": "2022-03-18T00:00:00+01:00", "ends_at": "2022-03-17T00:00:00+01:00",
            }),
        )
        .await;
    let problem = assert_problem(backwards, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["ends_at"]);
    let too_long = app
        .post_json(
            MEETINGS,
            Some(&admin()),
            &json!({
                "group_id": id(&group), "title": "Vecka", "all_day": true,
                "starts_at": "2022-03-14T00:00:00+01:00", "ends_at": "2022-03-18T00:00:00+01:00",
            }),
        )
        .await;
    let problem = assert_problem(too_long, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["ends_at"]);
}

/// `from` and `to` take a date or a timestamp on every list, the same way.
async fn from_and_to_take_a_date_or_a_timestamp_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let ids = |page: &Value| set_of(page_ids(page));
    let by_date = get_json(
        &app,
        &format!("{MEETINGS}?from=2021-11-05&to=2021-11-05"),
        None,
    )
    .await;
    assert_eq!(
        ids(&by_date),
        set_of(vec![id(k.meeting(NOVEMBER)).to_owned()])
    );
    let by_time = get_json(
        &app,
        &format!("{MEETINGS}?from=2021-11-05T08:00:00%2B01:00&to=2021-11-05T09:00:00Z"),
        None,
    )
    .await;
    assert_eq!(ids(&by_time), ids(&by_date));
    let after = get_json(&app, &format!("{MEETINGS}?from=2021-12-04"), None).await;
    assert_eq!(
        ids(&after),
        set_of(vec![id(k.meeting(FEBRUARY)).to_owned()])
    );
    let calendar = app.get("/api/v1/meetings.ics?from=2021-12-04", None).await;
    let calendar = text_of(calendar).await;
    assert_eq!(calendar.matches("BEGIN:VEVENT").count(), 1);

    let decision = decide(
        &app,
        &k.body(
            NOVEMBER,
            "6",
            "position",
            "Cosmic Link",
            "Inriktningsbeslut.",
        ),
    )
    .await;
    for query in [
        "from=2021-11-05&to=2021-11-05",
        "from=2021-11-05T00:30:00%2B01:00&to=2021-11-05T23:59:00%2B01:00",
    ] {
        let page = get_json(&app, &format!("{DECISIONS}?{query}"), None).await;
        assert_eq!(
            ids(&page),
            set_of(vec![id(&decision).to_owned()]),
            "{query}"
        );
    }
    for query in ["from=2021-13-01", "to=nästa%20vecka", "from=1899-12-31"] {
        let response = app.get(&format!("{MEETINGS}?{query}"), None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
}

/// Only a held meeting approves minutes; a planned one is refused, the record unchanged.
async fn only_a_held_meeting_approves_minutes(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let november = k.meeting(NOVEMBER);
    let approve = json!({
        "status": "minutes_approved", "minutes_approved_on": FEBRUARY,
        "minutes_approved_in_meeting_id": id(k.meeting(FEBRUARY)),
    });

    let response = app
        .patch_json(&meeting_url(november), Some(&admin()), None, &approve)
        .await;

    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["minutes_approved_in_meeting_id"]);
    let unchanged = get_json(&app, &meeting_url(november), None).await;
    assert_eq!(unchanged["status"], "held");
    let held = app
        .patch_json(
            &meeting_url(k.meeting(FEBRUARY)),
            Some(&admin()),
            None,
            &json!({"status": "held"}),
        )
        .await;
    assert_eq!(held.status(), StatusCode::OK);
    let response = app
        .patch_json(&meeting_url(november), Some(&admin()), None, &approve)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// A member who declares a conflict of interest under an item is named under it in the
/// minutes, and a decision's outcome, votes, reservation and assignment are written out.
async fn conflicts_and_proceedings_are_in_the_minutes(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let item = &k.items[&(NOVEMBER, "6")];
    let item_url = format!(
        "{}/agenda-items/{}",
        meeting_url(k.meeting(NOVEMBER)),
        id(item)
    );
    let conflict =
        json!([{"member_id": k.person("Carl Wiklund"), "note": "styrelseledamot i leverantören"}]);
    let changed = app
        .patch_json(
            &item_url,
            Some(&admin()),
            None,
            &json!({"conflicts": conflict}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["conflicts"], conflict);
    let bad = app
        .patch_json(
            &item_url,
            Some(&admin()),
            None,
            &json!({"conflicts": [{"member_id": uuid::Uuid::now_v7()}]}),
        )
        .await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["conflicts[0].member_id"]);
    let forbidden = app
        .patch_json(
            &item_url,
            Some(&member_token()),
            None,
            &json!({"conflicts": []}),
        )
        .await;
    assert_problem(forbidden, StatusCode::FORBIDDEN).await;

    let mut body = k.body(
        NOVEMBER,
        "6",
        "assignment",
        "Cosmic Link",
        "Anslutningen utreds.",
    );
    body["assignees"] = json!([{"kind": "organisation", "id": k.org("Tvärgrupp barn")}]);
    body["report_to_meeting_id"] = json!(id(k.meeting(FEBRUARY)));
    body["vote_counts"] = json!({"yes": 6, "no": 1, "abstain": 0});
    body["reservations"] = json!([{"member_id": k.person("Tove Lindmark"), "text": "För tidigt."}]);
    decide(&app, &body).await;

    let minutes = app
        .get(
            &format!("{}/minutes", meeting_url(k.meeting(NOVEMBER))),
            None,
        )
        .await;
    let minutes = text_of(minutes).await;
    for line in [
        "- Carl Wiklund anmälde jäv och deltog inte i ärendet (styrelseledamot i leverantören)",
        "- Ansvarig: Tvärgrupp barn och unga",
        "- Återrapporteras till: mötet 2022-02-04",
        "- Omröstning: 6 ja, 1 nej, 0 avstår.",
        "- Reservation: Tove Lindmark: För tidigt.",
    ] {
        assert!(minutes.contains(line), "{line:?} in\n{minutes}");
    }
}

/// The heading says what the record is (mötesanteckningar or protokoll), under it the
/// group's subtitle, as the seeds have it.
async fn the_minutes_are_headed_by_their_kind_and_the_groups_subtitle(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let november = k.meeting(NOVEMBER);
    let url = format!("{}/minutes", meeting_url(november));
    let notes = text_of(app.get(&url, None).await).await;
    assert!(
        notes.starts_with("# Mötesanteckningar – Styrgrupp Barnens bästa gäller! i Kronoberg\n"),
        "{notes}"
    );
    let subtitle = "Tillsammans skapar vi en trygg och säker uppväxt för VARJE barn";
    let response = app
        .patch_json(
            &format!("/api/v1/organisations/{}", id(&k.sg)),
            Some(&admin()),
            None,
            &json!({"subtitle": subtitle}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = app
        .patch_json(
            &meeting_url(november),
            Some(&admin()),
            None,
            &json!({"record_kind": "minutes"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let minutes = text_of(app.get(&url, None).await).await;
    assert!(minutes.starts_with("# Protokoll – Styrgrupp"), "{minutes}");
    assert!(
        minutes.contains(&format!("\n\n*{subtitle}*\n\n")),
        "{minutes}"
    );
    let english = text_of(app.get(&format!("{url}?lang=en"), None).await).await;
    assert!(english.starts_with("# Minutes – Styrgrupp"), "{english}");
    let bad = app
        .patch_json(
            &meeting_url(november),
            Some(&admin()),
            None,
            &json!({"record_kind": "diary"}),
        )
        .await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["record_kind"]);
    let bad = app
        .patch_json(
            &format!("/api/v1/organisations/{}", id(&k.sg)),
            Some(&admin()),
            None,
            &json!({"subtitle": "rad ett\nrad två"}),
        )
        .await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["subtitle"]);
}

/// `samverkan token` against another database does not silently make a key of its own.
fn the_token_command_names_its_key_and_makes_none_unasked() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/other.db", dir.path().display());
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_samverkan"))
            .args(["token", "--role", "admin"])
            .args(extra)
            .env("SAMVERKAN_DATABASE_URL", &url)
            .env_remove("SAMVERKAN_JWT_SECRET")
            .output()
            .unwrap()
    };

    let refused = run(&[]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("no signing key at") && message.contains("--create-key"),
        "{message}"
    );
    assert!(!dir.path().join("jwt-secret").exists());

    let made = run(&["--create-key"]);
    assert!(made.status.success());
    let key = dir.path().join("jwt-secret");
    assert!(String::from_utf8_lossy(&made.stderr).contains(&key.display().to_string()));
    let again = run(&[]);
    assert!(again.status.success(), "the key now exists");
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).split('.').count(),
        3,
        "a JWT"
    );
}

crate::on_both_backends!(
    all_day_meetings_are_whole_days_everywhere,
    from_and_to_take_a_date_or_a_timestamp_everywhere,
    only_a_held_meeting_approves_minutes,
    conflicts_and_proceedings_are_in_the_minutes,
    the_minutes_are_headed_by_their_kind_and_the_groups_subtitle,
);

crate::plain_tests!(the_token_command_names_its_key_and_makes_none_unasked);
