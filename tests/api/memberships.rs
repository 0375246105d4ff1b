//! Memberships: roles over time, substitutes, and rosters, modelled on the steering group of
//! *Barnens bästa gäller!* as it stood at its meeting of 2021-06-04 (people are fictional).

use std::collections::HashMap;

use reqwest::StatusCode;
use samverkan::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

const MEMBERSHIPS: &str = "/api/v1/memberships";

/// The steering group with its parties, people and seats as of 2021-06-04.
struct SteeringGroup {
    group: Value,
    orgs: HashMap<&'static str, Value>,
    people: HashMap<&'static str, Value>,
    seats: HashMap<&'static str, Value>,
}

/// (person, title, represents, role, stands in for)
type Seat = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
);

async fn steering_group(app: &TestApp) -> SteeringGroup {
    let region = app
        .create_organisation(
            json!({"name": "Region Kronoberg", "kind": "region", "county_code": "07"}),
        )
        .await;
    let group = app
        .create_organisation(json!({"name": "Styrgrupp Barnens bästa gäller!", "short_name": "SG", "kind": "group", "parent_id": id(&region)}))
        .await;
    let mut orgs = HashMap::from([("Region Kronoberg", region)]);
    for (name, code) in [
        ("Växjö kommun", "0780"),
        ("Lessebo kommun", "0761"),
        ("Alvesta kommun", "0764"),
        ("Älmhults kommun", "0765"),
        ("Tingsryds kommun", "0763"),
        ("Ljungby kommun", "0781"),
        ("Uppvidinge kommun", "0760"),
        ("Markaryds kommun", "0767"),
    ] {
        orgs.insert(name, app.create_municipality(name, code).await);
    }
    orgs.insert(
        "Polismyndigheten",
        app.create_organisation(json!({"name": "Polismyndigheten", "kind": "agency"}))
            .await,
    );
    orgs.insert(
        "Linnéuniversitetet",
        app.create_organisation(json!({"name": "Linnéuniversitetet", "kind": "university"}))
            .await,
    );

    let seating: [Seat; 13] = [
        (
            "Anders Ek",
            "Kommunchef",
            Some("Växjö kommun"),
            "chair",
            None,
        ),
        (
            "Tova Lind",
            "Socialchef",
            Some("Lessebo kommun"),
            "vice_chair",
            None,
        ),
        (
            "Per Sand",
            "Socialchef",
            Some("Växjö kommun"),
            "member",
            None,
        ),
        (
            "Maria Berg",
            "Förvaltningschef",
            Some("Alvesta kommun"),
            "member",
            None,
        ),
        (
            "Rune Holm",
            "Hälso- och sjukvårdsdirektör",
            Some("Region Kronoberg"),
            "member",
            None,
        ),
        (
            "Rolf Johnsson",
            "Socialchef",
            Some("Älmhults kommun"),
            "member",
            None,
        ),
        (
            "Pia Gran",
            "Förvaltningschef",
            Some("Tingsryds kommun"),
            "member",
            None,
        ),
        (
            "Nils Jonsson",
            "Socialchef",
            Some("Ljungby kommun"),
            "member",
            None,
        ),
        (
            "Hans Sjö",
            "Lokalpolisområdeschef",
            Some("Polismyndigheten"),
            "member",
            None,
        ),
        (
            "Anna-Lisa Jarl",
            "Socialchef",
            Some("Uppvidinge kommun"),
            "member",
            None,
        ),
        (
            "Nick Björk",
            "Enhetschef",
            Some("Uppvidinge kommun"),
            "deputy",
            Some("Anna-Lisa Jarl"),
        ),
        (
            "Mats Anberg",
            "Professor",
            Some("Linnéuniversitetet"),
            "researcher",
            None,
        ),
        ("Erika Lager", "Processledare", None, "process_leader", None),
    ];
    let mut people = HashMap::new();
    let mut seats = HashMap::new();
    for (name, title, _, _, _) in seating {
        people.insert(
            name,
            app.create_member(json!({"name": name, "title": title}))
                .await,
        );
    }
    for (name, _, represents, role, substitute_for) in seating {
        let mut body = json!({
            "member_id": id(&people[name]),
            "group_id": id(&group),
            "role": role,
            "start_date": "2021-01-01",
        });
        if let Some(org) = represents {
            body["represents_id"] = json!(id(&orgs[org]));
        }
        if let Some(absent) = substitute_for {
            body["substitute_for_member_id"] = json!(id(&people[absent]));
            body["start_date"] = json!("2021-05-01");
            body["end_date"] = json!("2021-08-31");
            body["note"] = json!("ersätter Anna-Lisa Jarl till ny socialchef är utsedd");
        }
        seats.insert(name, app.create_membership(body).await);
    }
    SteeringGroup {
        group,
        orgs,
        people,
        seats,
    }
}

async fn roster(app: &TestApp, group: &Value, on: &str) -> Value {
    let response = app
        .get(
            &format!("/api/v1/organisations/{}/roster?on={on}", id(group)),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "roster on {on}");
    response.json().await.unwrap()
}

fn seat_names(roster: &Value) -> Vec<(String, String)> {
    roster["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["role"].as_str().unwrap().to_owned(),
                e["member"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn the_roster_lists_the_group_as_it_stood_on_a_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = steering_group(&app).await;

    let roster = roster(&app, &sg.group, "2021-06-04").await;

    assert_eq!(roster["on"], "2021-06-04");
    assert_eq!(roster["group"]["name"], "Styrgrupp Barnens bästa gäller!");
    let seats = seat_names(&roster);
    let expected = [
        ("chair", "Anders Ek"),
        ("vice_chair", "Tova Lind"),
        ("member", "Maria Berg"),          // Alvesta
        ("researcher", "Mats Anberg"),     // Linnéuniversitetet
        ("member", "Nils Jonsson"),        // Ljungby
        ("member", "Hans Sjö"),            // Polismyndigheten
        ("member", "Rune Holm"),           // Region Kronoberg
        ("member", "Pia Gran"),            // Tingsryd
        ("member", "Anna-Lisa Jarl"),      // Uppvidinge
        ("deputy", "Nick Björk"),          // Uppvidinge
        ("member", "Per Sand"),            // Växjö
        ("member", "Rolf Johnsson"),       // Älmhult: Ä sorts after V, as in Swedish
        ("process_leader", "Erika Lager"), // represents nobody: last
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(r, n)| ((*r).to_owned(), (*n).to_owned()))
        .collect();
    assert_eq!(seats, expected);

    let deputy = roster["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["member"]["name"] == "Nick Björk")
        .unwrap();
    assert_eq!(
        deputy["substitute_for"]["name"], "Anna-Lisa Jarl",
        "whom the deputy stands in for"
    );
    assert_eq!(deputy["represents"]["name"], "Uppvidinge kommun");
    assert_eq!(deputy["title"], "Enhetschef");
    let chair = &roster["entries"][0];
    assert_eq!(chair["represents"]["id"], sg.orgs["Växjö kommun"]["id"]);
    assert_eq!(chair["membership_id"], sg.seats["Anders Ek"]["id"]);
}

async fn a_role_change_shows_on_the_roster_from_its_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = steering_group(&app).await;
    let tova_vice = &sg.seats["Tova Lind"];

    // Tova Lind leaves the vice-chair on 2021-10-31; Pia Gran is elected vice-chair after her.
    let ended = app
        .patch_json(
            &format!("{MEMBERSHIPS}/{}", id(tova_vice)),
            Some(&admin()),
            Some("\"1\""),
            &json!({"end_date": "2021-10-31"}),
        )
        .await;
    assert_eq!(ended.status(), StatusCode::OK);
    app.create_membership(json!({
        "member_id": id(&sg.people["Tova Lind"]), "group_id": id(&sg.group), "role": "member",
        "represents_id": id(&sg.orgs["Lessebo kommun"]), "start_date": "2021-11-01"
    }))
    .await;
    app.create_membership(json!({
        "member_id": id(&sg.people["Pia Gran"]), "group_id": id(&sg.group), "role": "vice_chair",
        "represents_id": id(&sg.orgs["Tingsryds kommun"]), "start_date": "2021-11-05",
        "note": "vald till vice ordförande efter Tova Lind"
    }))
    .await;

    let before = seat_names(&roster(&app, &sg.group, "2021-06-04").await);
    let gap = seat_names(&roster(&app, &sg.group, "2021-11-02").await);
    let after = seat_names(&roster(&app, &sg.group, "2021-11-05").await);

    assert_eq!(before[1], ("vice_chair".to_owned(), "Tova Lind".to_owned()));
    assert!(
        gap.iter().all(|(role, _)| role != "vice_chair"),
        "no vice-chair between the two: {gap:?}"
    );
    assert_eq!(after[1], ("vice_chair".to_owned(), "Pia Gran".to_owned()));
    assert!(
        after.contains(&("member".to_owned(), "Tova Lind".to_owned())),
        "Tova stays as a member"
    );
    assert!(
        after.contains(&("member".to_owned(), "Pia Gran".to_owned())),
        "Pia also keeps her seat for Tingsryd"
    );
}

async fn a_group_has_one_chair_and_one_vice_chair_on_any_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = steering_group(&app).await;
    let chair = &sg.seats["Anders Ek"];
    let per = id(&sg.people["Per Sand"]);
    let chair_from = |start: &str, end: Option<&str>| json!({"member_id": per, "group_id": id(&sg.group), "role": "chair", "start_date": start, "end_date": end});

    for (body, case) in [
        (
            chair_from("2021-06-01", None),
            "open period overlapping an open chair",
        ),
        (
            chair_from("2020-01-01", Some("2021-01-01")),
            "ending on the chair's first day",
        ),
    ] {
        let response = app.post_json(MEMBERSHIPS, Some(&admin()), &body).await;
        let problem = assert_problem(response, StatusCode::CONFLICT).await;
        assert!(
            problem["detail"].as_str().unwrap().contains(id(chair)),
            "{case}: names the conflicting membership: {problem}"
        );
    }
    let before = app.count_rows("memberships").await;

    // Ending the first chair makes room for the next one.
    app.patch_json(
        &format!("{MEMBERSHIPS}/{}", id(chair)),
        Some(&admin()),
        None,
        &json!({"end_date": "2021-12-31"}),
    )
    .await;
    let next = app
        .post_json(MEMBERSHIPS, Some(&admin()), &chair_from("2022-01-01", None))
        .await;
    assert_eq!(next.status(), StatusCode::CREATED);
    let earlier = app
        .post_json(
            MEMBERSHIPS,
            Some(&admin()),
            &chair_from("2020-01-01", Some("2020-12-31")),
        )
        .await;
    assert_eq!(
        earlier.status(),
        StatusCode::CREATED,
        "a period before the first chair's is free"
    );
    assert_eq!(app.count_rows("memberships").await, before + 2);

    // Stretching the first chair's period again collides with the next chair.
    let stretch = app
        .patch_json(
            &format!("{MEMBERSHIPS}/{}", id(chair)),
            Some(&admin()),
            None,
            &json!({"end_date": null}),
        )
        .await;
    assert_problem(stretch, StatusCode::CONFLICT).await;
    // A second vice-chair collides too; a second ordinary member does not.
    let vice = json!({"member_id": per, "group_id": id(&sg.group), "role": "vice_chair", "start_date": "2021-03-01", "end_date": "2021-03-31"});
    assert_problem(
        app.post_json(MEMBERSHIPS, Some(&admin()), &vice).await,
        StatusCode::CONFLICT,
    )
    .await;
}

async fn concurrent_chairs_for_one_group_end_with_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Arbetsutskott").await;
    let a = app.create_member(json!({"name": "A"})).await;
    let b = app.create_member(json!({"name": "B"})).await;
    let body = |m: &Value| json!({"member_id": id(m), "group_id": id(&group), "role": "chair", "start_date": "2022-01-01"});
    let (first, second) = (body(&a), body(&b));

    let token = admin();
    let (x, y) = tokio::join!(
        app.post_json(MEMBERSHIPS, Some(&token), &first),
        app.post_json(MEMBERSHIPS, Some(&token), &second),
    );

    let mut statuses = [x.status(), y.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    assert_eq!(app.count_rows("memberships").await, 1);
}

async fn a_substitute_sits_only_during_the_period(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = steering_group(&app).await;

    let inside = roster(&app, &sg.group, "2021-06-04").await;
    let before = roster(&app, &sg.group, "2021-04-30").await;
    let after = roster(&app, &sg.group, "2021-09-01").await;

    let has_deputy = |r: &Value| seat_names(r).iter().any(|(_, n)| n == "Nick Björk");
    assert!(has_deputy(&inside));
    assert!(!has_deputy(&before), "not before the period");
    assert!(!has_deputy(&after), "not after it");
    let listed: Value = app
        .get(&format!("{MEMBERSHIPS}?substitute=1"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["status"], 400, "unknown filters are refused");
    let active: Value = app
        .get(
            &format!(
                "{MEMBERSHIPS}?member_id={}&active_on=2021-06-04",
                id(&sg.people["Nick Björk"])
            ),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        active["items"][0]["substitute_for_member_id"],
        sg.people["Anna-Lisa Jarl"]["id"]
    );
    assert_eq!(
        active["items"][0]["note"],
        "ersätter Anna-Lisa Jarl till ny socialchef är utsedd"
    );
}

async fn memberships_filter_by_member_group_party_role_and_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = steering_group(&app).await;
    let other = app.create_group("Tvärgrupp barn och unga").await;
    app.create_membership(json!({"member_id": id(&sg.people["Per Sand"]), "group_id": id(&other), "role": "chair", "start_date": "2020-01-01"})).await;

    let count = |query: String| {
        let app = &app;
        async move {
            let response = app
                .get(&format!("{MEMBERSHIPS}?limit=200&{query}"), None)
                .await;
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            let page: Value = response.json().await.unwrap();
            page["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count(format!("group_id={}", id(&sg.group))).await, 13);
    assert_eq!(count(format!("group_id={}", id(&other))).await, 1);
    assert_eq!(
        count(format!("member_id={}", id(&sg.people["Per Sand"]))).await,
        2
    );
    assert_eq!(
        count(format!(
            "represents_id={}",
            id(&sg.orgs["Uppvidinge kommun"])
        ))
        .await,
        2
    );
    assert_eq!(count("role=chair".into()).await, 2);
    assert_eq!(
        count(format!("group_id={}&active_on=2021-04-30", id(&sg.group))).await,
        12
    );
    assert_eq!(
        count(format!("group_id={}&active_on=2020-12-31", id(&sg.group))).await,
        0
    );
    for bad in ["role=boss", "active_on=2021-13-01", "group_id=nope"] {
        let response = app.get(&format!("{MEMBERSHIPS}?{bad}"), None).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
}

async fn invalid_memberships_are_refused_with_the_field_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let municipality = app.create_municipality("Växjö kommun", "0780").await;
    let member = app.create_member(json!({"name": "Karin Lind"})).await;
    let valid = json!({"member_id": id(&member), "group_id": id(&group), "role": "member", "start_date": "2021-06-04"});
    let with = |field: &str, value: Value| {
        let mut body = valid.clone();
        if value.is_null() {
            body.as_object_mut().unwrap().remove(field);
        } else {
            body[field] = value;
        }
        body
    };
    let unknown = json!(Uuid::now_v7());
    let cases = [
        (
            with("member_id", unknown.clone()),
            "member_id",
            "unknown member",
        ),
        (
            with("group_id", unknown.clone()),
            "group_id",
            "unknown group",
        ),
        (
            with("group_id", json!(id(&municipality))),
            "group_id",
            "a municipality is not a group",
        ),
        (
            with("represents_id", unknown.clone()),
            "represents_id",
            "unknown represented organisation",
        ),
        (
            with("substitute_for_member_id", unknown.clone()),
            "substitute_for_member_id",
            "unknown absent member",
        ),
        (
            with("substitute_for_member_id", json!(id(&member))),
            "substitute_for_member_id",
            "standing in for oneself",
        ),
        (
            with("end_date", json!("2021-06-03")),
            "end_date",
            "ending before it starts",
        ),
        (with("role", json!("boss")), "role", "unknown role"),
        (
            with("start_date", json!("2021-13-01")),
            "start_date",
            "impossible date",
        ),
        (with("start_date", Value::Null), "start_date", "no start"),
        (
            with("member_id", json!("not-a-uuid")),
            "member_id",
            "malformed id",
        ),
        (
            with("note", json!("x".repeat(2001))),
            "note",
            "note too long",
        ),
        (
            with("voting_right", json!("yes")),
            "voting_right",
            "not a boolean",
        ),
        (with("id", json!(Uuid::now_v7())), "id", "mass assignment"),
        (
            with("elected_by_decision_id", unknown.clone()),
            "elected_by_decision_id",
            "unknown electing decision",
        ),
    ];

    for (body, field, case) in cases {
        let response = app.post_json(MEMBERSHIPS, Some(&admin()), &body).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{case}: {problem}");
    }
    assert_eq!(app.count_rows("memberships").await, 0);
    assert_eq!(
        app.count_rows("audit_log").await,
        3,
        "only the three setup creations"
    );

    let created = app.create_membership(valid.clone()).await;
    let path = format!("{MEMBERSHIPS}/{}", id(&created));
    for (patch, field) in [
        (json!({"end_date": "2020-01-01"}), "end_date"),
        (json!({"role": null}), "role"),
        (json!({"group_id": id(&municipality)}), "group_id"),
    ] {
        let response = app.patch_json(&path, Some(&admin()), None, &patch).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "PATCH {patch}");
    }
    let unchanged: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(unchanged, created);
}

async fn secretaries_and_admins_write_memberships_and_everyone_reads_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let member = app.create_member(json!({"name": "Karin Lind"})).await;
    let body = json!({"member_id": id(&member), "group_id": id(&group), "role": "member", "start_date": "2021-06-04"});

    let by_secretary = app
        .post_json(MEMBERSHIPS, Some(&token(&[Role::Secretary])), &body)
        .await;
    assert_eq!(by_secretary.status(), StatusCode::CREATED);
    let seat: Value = by_secretary.json().await.unwrap();
    let path = format!("{MEMBERSHIPS}/{}", id(&seat));

    assert_problem(
        app.post_json(MEMBERSHIPS, None, &body).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.patch_json(&path, None, None, &json!({"note": "x"}))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.delete(&path, None, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for role in [Role::Reporter, Role::Member, Role::Integration] {
        let token = token(&[role]);
        assert_problem(
            app.post_json(MEMBERSHIPS, Some(&token), &body).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_problem(
            app.patch_json(&path, Some(&token), None, &json!({"note": "x"}))
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert_problem(
            app.delete(&path, Some(&token), None).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let unchanged: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(unchanged, seat);

    let mut readers: Vec<Option<String>> = non_admins().into_iter().map(|(_, t)| Some(t)).collect();
    readers.push(None);
    for token in &readers {
        assert_eq!(
            app.get(&path, token.as_deref()).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            app.get(MEMBERSHIPS, token.as_deref()).await.status(),
            StatusCode::OK
        );
        let roster = app
            .get(
                &format!("/api/v1/organisations/{}/roster?on=2021-06-04", id(&group)),
                token.as_deref(),
            )
            .await;
        assert_eq!(roster.status(), StatusCode::OK);
    }

    let patched = app
        .patch_json(
            &path,
            Some(&token(&[Role::Secretary])),
            Some("\"1\""),
            &json!({"end_date": "2021-12-31"}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    assert_problem(
        app.patch_json(
            &path,
            Some(&admin()),
            Some("\"1\""),
            &json!({"note": "stale"}),
        )
        .await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    let deleted = app
        .delete(&path, Some(&token(&[Role::Secretary])), Some("\"2\""))
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let tombstones: Value = app
        .get(
            &format!("{MEMBERSHIPS}?updated_since=2000-01-01T00:00:00Z"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tombstones["items"][0]["archived"], true);
    let listed: Value = app.get(MEMBERSHIPS, None).await.json().await.unwrap();
    assert!(
        listed["items"].as_array().unwrap().is_empty(),
        "archived memberships leave the default list"
    );
    assert_problem(
        app.get(&format!("{MEMBERSHIPS}/{}", Uuid::now_v7()), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn a_roster_needs_an_existing_group_and_a_real_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let municipality = app.create_municipality("Växjö kommun", "0780").await;
    let group = app.create_group("Styrgrupp").await;

    let not_a_group = app
        .get(
            &format!("/api/v1/organisations/{}/roster", id(&municipality)),
            None,
        )
        .await;
    let unknown = app
        .get(
            &format!("/api/v1/organisations/{}/roster", Uuid::now_v7()),
            None,
        )
        .await;
    let bad_date = app
        .get(
            &format!("/api/v1/organisations/{}/roster?on=2021-02-30", id(&group)),
            None,
        )
        .await;
    let today = app
        .get(
            &format!("/api/v1/organisations/{}/roster", id(&group)),
            None,
        )
        .await;

    assert_problem(not_a_group, StatusCode::NOT_FOUND).await;
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
    let problem = assert_problem(bad_date, StatusCode::BAD_REQUEST).await;
    assert_eq!(error_fields(&problem), ["on"]);
    assert_eq!(today.status(), StatusCode::OK);
    let today: Value = today.json().await.unwrap();
    assert!(
        today["on"].as_str().unwrap().starts_with("20"),
        "defaults to today: {today}"
    );
}

crate::on_both_backends!(
    the_roster_lists_the_group_as_it_stood_on_a_date,
    a_role_change_shows_on_the_roster_from_its_date,
    a_group_has_one_chair_and_one_vice_chair_on_any_date,
    concurrent_chairs_for_one_group_end_with_one,
    a_substitute_sits_only_during_the_period,
    memberships_filter_by_member_group_party_role_and_date,
    invalid_memberships_are_refused_with_the_field_named,
    secretaries_and_admins_write_memberships_and_everyone_reads_them,
    a_roster_needs_an_existing_group_and_a_real_date,
);
