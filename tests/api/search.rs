//! Full-text search in Swedish: every inflection finds the same records, ranked the same on
//! SQLite and PostgreSQL, and only what the caller may read is found.

use reqwest::StatusCode;
use samverkan::auth::Role;
use serde_json::{Value, json};

use crate::helpers::*;

const SEARCH: &str = "/api/v1/search";
const MEETINGS: &str = "/api/v1/meetings";

fn member_token() -> String {
    token(&[Role::Member])
}

/// `/api/v1/search` with the given query parameters, percent-encoded.
fn search_path(params: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    format!("{SEARCH}?{}", query.finish())
}

/// GET /search, asserting 200; returns the page.
async fn search(app: &TestApp, params: &[(&str, &str)], token: Option<&str>) -> Value {
    let path = search_path(params);
    let response = app.get(&path, token).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

/// The hits of a page as `(title, score)`, in order.
fn ranking(page: &Value) -> Vec<(String, i64)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            (
                hit["title"].as_str().unwrap().to_owned(),
                hit["score"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The ids of a page's hits, in order.
fn hit_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_owned())
        .collect()
}

fn ids(records: &[&Value]) -> Vec<String> {
    records.iter().map(|r| id(r).to_owned()).collect()
}

/// A held meeting of `group`, public or not.
async fn meeting(app: &TestApp, group: &Value, starts_at: &str, public: bool) -> Value {
    let ends_at = starts_at.replace("T08:30", "T11:30");
    let body = json!({
        "group_id": id(group), "title": "Styrgruppsmöte", "starts_at": starts_at,
        "ends_at": ends_at, "status": "held", "public": public,
    });
    let response = app.post_json(MEETINGS, Some(&admin()), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "creating {body}");
    response.json().await.unwrap()
}

/// An agenda item, added as admin.
async fn item(
    app: &TestApp,
    meeting: &Value,
    number: &str,
    title: &str,
    minutes: &str,
    public: bool,
) -> Value {
    let body = json!({"number": number, "title": title, "minutes": minutes, "public": public});
    let response = app
        .post_json(
            &format!("{MEETINGS}/{}/agenda-items", id(meeting)),
            Some(&admin()),
            &body,
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "adding {body}");
    response.json().await.unwrap()
}

fn item_path(item: &Value) -> String {
    format!(
        "{MEETINGS}/{}/agenda-items/{}",
        item["meeting_id"].as_str().unwrap(),
        id(item)
    )
}

/// A public meeting whose items speak of contact routes, the action plan and Växjö in several
/// inflections, one non-public item among them; and a non-public meeting about a retreat.
struct Agenda {
    /// Title "Kontaktvägar"; "kontaktvägarna", "kontaktväg" and "Växjö" in the minutes.
    contact_routes: Value,
    /// Title "Handlingsplanen 2022"; "Handlingsplan" and "kontaktvägar" in the minutes.
    action_plan: Value,
    /// Title "Rapport från Växjö"; "VÄXJÖ", "handlingsplanen", "handlingsplanerna".
    report: Value,
    /// Title "Övrigt"; "Kontaktväg", "kontaktvägar", "kontaktvägarna".
    other: Value,
    /// Not public; "Kontaktvägar" once.
    internal: Value,
    /// The non-public meeting.
    retreat_meeting: Value,
    /// Public item of the non-public meeting; "Internatet" in title and minutes.
    retreat: Value,
    /// Non-public item of the non-public meeting; "internatet" in the title.
    retreat_budget: Value,
}

async fn agenda(app: &TestApp) -> Agenda {
    let group = app.create_group("Styrgrupp Barnens bästa gäller!").await;
    let held = meeting(app, &group, "2021-11-05T08:30:00+01:00", true).await;
    let contact_routes = item(
        app,
        &held,
        "1",
        "Kontaktvägar",
        "Kontaktvägarna mellan skola & socialtjänst ses över. En ny kontaktväg prövas i Växjö.",
        true,
    )
    .await;
    let action_plan = item(
        app,
        &held,
        "2",
        "Handlingsplanen 2022",
        "Handlingsplan för barn och unga; kontaktvägar till elevhälsan.",
        true,
    )
    .await;
    let report = item(
        app,
        &held,
        "3",
        "Rapport från Växjö",
        "VÄXJÖ kommun redovisar arbetet med handlingsplanen och handlingsplanerna.",
        true,
    )
    .await;
    let other = item(
        app,
        &held,
        "4",
        "Övrigt",
        "Kontaktväg, kontaktvägar och kontaktvägarna diskuterades.",
        true,
    )
    .await;
    let internal = item(
        app,
        &held,
        "5",
        "Intern genomgång",
        "Kontaktvägar för orosanmälningar.",
        false,
    )
    .await;
    let retreat_meeting = meeting(app, &group, "2021-12-10T08:30:00+01:00", false).await;
    let retreat = item(
        app,
        &retreat_meeting,
        "1",
        "Internatet i Ljungby",
        "Planering av internatet.",
        true,
    )
    .await;
    let retreat_budget = item(
        app,
        &retreat_meeting,
        "2",
        "Budget för internatet",
        "",
        false,
    )
    .await;
    Agenda {
        contact_routes,
        action_plan,
        report,
        other,
        internal,
        retreat_meeting,
        retreat,
        retreat_budget,
    }
}

fn pairs(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected
        .iter()
        .map(|(title, score)| ((*title).to_owned(), *score))
        .collect()
}

async fn every_inflection_finds_the_same_items_in_the_same_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = agenda(&app).await;
    let member = member_token();

    // Equal scores are ordered by type, then id: the same on both databases.
    let mut tied = [&a.action_plan, &a.internal];
    tied.sort_by_key(|r| id(r).to_owned());
    let mut contact_order = ids(&[&a.contact_routes, &a.other]);
    contact_order.extend(ids(&tied));
    for q in [
        "kontaktvägar",
        "kontaktvägarna",
        "kontaktväg",
        "KONTAKTVÄGEN",
    ] {
        let page = search(&app, &[("q", q)], Some(&member)).await;
        assert_eq!(hit_ids(&page), contact_order, "q={q}: {page}");
        let scores: Vec<i64> = ranking(&page).into_iter().map(|(_, s)| s).collect();
        assert_eq!(scores, [5, 3, 1, 1], "q={q}: {page}");
        assert_eq!(page["next_cursor"], Value::Null);
    }
    for q in ["handlingsplanen", "Handlingsplan", "handlingsplaner"] {
        let page = search(&app, &[("q", q)], Some(&member)).await;
        assert_eq!(
            ranking(&page),
            pairs(&[("Handlingsplanen 2022", 4), ("Rapport från Växjö", 2)]),
            "q={q}"
        );
    }
    for q in ["växjö", "VÄXJÖ", "Växjö"] {
        let page = search(&app, &[("q", q)], Some(&member)).await;
        assert_eq!(
            ranking(&page),
            pairs(&[("Rapport från Växjö", 4), ("Kontaktvägar", 1)]),
            "q={q}"
        );
    }

    // Every word must match; the scores add up.
    let both = search(&app, &[("q", "kontaktvägen Växjö")], Some(&member)).await;
    assert_eq!(ranking(&both), pairs(&[("Kontaktvägar", 6)]));
    // The rarest word leads the lookup wherever it stands in the query; a repeated word counts
    // once.
    let reversed = search(
        &app,
        &[("q", "Växjö kontaktvägen kontaktvägar")],
        Some(&member),
    )
    .await;
    assert_eq!(ranking(&reversed), pairs(&[("Kontaktvägar", 6)]));
    let none = search(&app, &[("q", "kontaktväg internat")], Some(&member)).await;
    assert_eq!(none["items"], json!([]));

    // The hit: its type, ids, title, and the text around the match with the words marked.
    let top = search(&app, &[("q", "kontaktvägar"), ("limit", "1")], None).await;
    assert_eq!(
        top["items"],
        json!([{
            "type": "agenda_item",
            "id": a.contact_routes["id"],
            "parent_id": a.contact_routes["meeting_id"],
            "title": "Kontaktvägar",
            "snippet": "<mark>Kontaktvägarna</mark> mellan skola &amp; socialtjänst ses över. \
                        En ny <mark>kontaktväg</mark> prövas i Växjö.",
            "score": 5,
        }])
    );
    let vaxjo = search(&app, &[("q", "växjö")], None).await;
    assert_eq!(vaxjo["items"][0]["id"], a.report["id"]);
    assert_eq!(
        vaxjo["items"][0]["snippet"],
        "<mark>VÄXJÖ</mark> kommun redovisar arbetet med handlingsplanen och handlingsplanerna."
    );

    // Types filter the hits: no decision mentions these words.
    let decisions = search(
        &app,
        &[("q", "kontaktväg"), ("types", "decision")],
        Some(&member),
    )
    .await;
    assert_eq!(decisions["items"], json!([]));
    let listed = search(
        &app,
        &[("q", "kontaktväg"), ("types", "decision, agenda_item")],
        Some(&member),
    )
    .await;
    assert_eq!(hit_ids(&listed), contact_order);
    let two = search(&app, &[("q", "kontaktväg"), ("limit", "2")], Some(&member)).await;
    assert_eq!(hit_ids(&two), contact_order[..2]);
}

async fn only_what_the_caller_may_read_is_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = agenda(&app).await;
    let member = member_token();
    let kontaktvag = [("q", "kontaktväg")];

    let anonymous = search(&app, &kontaktvag, None).await;
    assert_eq!(
        hit_ids(&anonymous),
        ids(&[&a.contact_routes, &a.other, &a.action_plan]),
        "a non-public item is not found anonymously"
    );
    for role in [Role::Integration, Role::Reporter] {
        let page = search(&app, &kontaktvag, Some(&token(&[role]))).await;
        assert_eq!(hit_ids(&page), hit_ids(&anonymous), "{role:?}");
    }
    for role in [Role::Admin, Role::Secretary, Role::Member] {
        let page = search(&app, &kontaktvag, Some(&token(&[role]))).await;
        assert!(
            hit_ids(&page).contains(&id(&a.internal).to_owned()),
            "{role:?} finds the non-public item"
        );
    }

    // Items of a non-public meeting: members only, until the meeting is made public, and then
    // only those items that are public themselves.
    let internat = [("q", "internatet")];
    let retreat_items = ids(&[&a.retreat, &a.retreat_budget]);
    assert_eq!(
        hit_ids(&search(&app, &internat, Some(&member)).await),
        retreat_items
    );
    assert_eq!(search(&app, &internat, None).await["items"], json!([]));

    let meeting_path = format!("{MEETINGS}/{}", id(&a.retreat_meeting));
    let made_public = app
        .patch_json(
            &meeting_path,
            Some(&admin()),
            None,
            &json!({"public": true}),
        )
        .await;
    assert_eq!(made_public.status(), StatusCode::OK);
    assert_eq!(
        hit_ids(&search(&app, &internat, None).await),
        ids(&[&a.retreat])
    );
    assert_eq!(
        hit_ids(&search(&app, &internat, Some(&member)).await),
        retreat_items
    );

    let hidden_again = app
        .patch_json(
            &meeting_path,
            Some(&admin()),
            None,
            &json!({"public": false}),
        )
        .await;
    assert_eq!(hidden_again.status(), StatusCode::OK);
    assert_eq!(search(&app, &internat, None).await["items"], json!([]));
    assert_eq!(
        hit_ids(&search(&app, &internat, Some(&member)).await),
        retreat_items
    );
}

async fn changed_and_deleted_items_are_found_as_they_now_are(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = agenda(&app).await;
    let member = member_token();

    let changed = app
        .patch_json(
            &item_path(&a.action_plan),
            Some(&admin()),
            None,
            &json!({"minutes": "Handlingsplan för barn och unga; nya samverkansrutiner."}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let routines = search(&app, &[("q", "samverkansrutin")], Some(&member)).await;
    assert_eq!(hit_ids(&routines), ids(&[&a.action_plan]));
    let contact = search(&app, &[("q", "kontaktvägar")], Some(&member)).await;
    assert_eq!(
        hit_ids(&contact),
        ids(&[&a.contact_routes, &a.other, &a.internal]),
        "the old minutes no longer match"
    );

    let hidden = app
        .patch_json(
            &item_path(&a.contact_routes),
            Some(&admin()),
            None,
            &json!({"public": false}),
        )
        .await;
    assert_eq!(hidden.status(), StatusCode::OK);
    let anonymous = search(&app, &[("q", "kontaktvägar")], None).await;
    assert_eq!(hit_ids(&anonymous), ids(&[&a.other]));

    let deleted = app.delete(&item_path(&a.other), Some(&admin()), None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let after = search(&app, &[("q", "kontaktvägarna")], Some(&member)).await;
    assert_eq!(
        hit_ids(&after),
        ids(&[&a.contact_routes, &a.internal]),
        "a deleted item is not found"
    );
}

async fn an_erased_member_is_not_found_by_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Tvärgrupp barn och unga").await;
    let alma = app.create_member(json!({"name": "Alma Ström"})).await;
    let held = meeting(&app, &group, "2021-11-05T08:30:00+01:00", true).await;
    let report = item(
        &app,
        &held,
        "1",
        "Lägesrapport",
        "Alma Ström redogör för kontaktvägarna.",
        true,
    )
    .await;
    let member = member_token();
    for q in ["Ström", "alma ström"] {
        let page = search(&app, &[("q", q)], Some(&member)).await;
        assert_eq!(hit_ids(&page), ids(&[&report]), "before erasure, q={q}");
    }

    let erased = app
        .post_json(
            &format!("/api/v1/members/{}/erase", id(&alma)),
            Some(&admin()),
            &json!({}),
        )
        .await;
    assert_eq!(erased.status(), StatusCode::OK);

    for q in ["Ström", "Alma"] {
        let page = search(&app, &[("q", q)], Some(&admin())).await;
        assert_eq!(page["items"], json!([]), "after erasure, q={q}");
    }
    let page = search(&app, &[("q", "kontaktväg")], Some(&member)).await;
    assert_eq!(hit_ids(&page), ids(&[&report]), "the rest is still found");
    let snippet = page["items"][0]["snippet"].as_str().unwrap();
    assert!(
        snippet.starts_with("Erased member") && !snippet.contains("Ström"),
        "{snippet}"
    );
    let index_rows: Vec<String> = app
        .rows_mentioning("ström")
        .await
        .into_iter()
        .filter(|row| row.starts_with("search_documents:"))
        .collect();
    assert!(index_rows.is_empty(), "{index_rows:?}");
}

/// A query parameter: name and value.
type Param<'a> = (&'a str, &'a str);

async fn bad_search_parameters_are_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "a".repeat(201);
    let cases: [(&[Param<'_>], &str, &str); 11] = [
        (&[], "q", "q is required"),
        (&[("q", "")], "q", "q is empty"),
        (&[("q", long.as_str())], "q", "q is over 200 characters"),
        (&[("q", "?! – …")], "q", "q has no word"),
        (
            &[("q", "växjö"), ("types", "meeting")],
            "types",
            "unknown type",
        ),
        (&[("q", "växjö"), ("types", "")], "types", "empty types"),
        (
            &[("q", "växjö"), ("types", "decision,,agenda_item")],
            "types",
            "an empty type in the list",
        ),
        (&[("q", "växjö"), ("limit", "0")], "limit", "limit 0"),
        (
            &[("q", "växjö"), ("limit", "101")],
            "limit",
            "limit over 100",
        ),
        (
            &[("q", "växjö"), ("limit", "tio")],
            "limit",
            "limit not a number",
        ),
        (
            &[("q", "växjö"), ("sort", "score")],
            "sort",
            "unknown parameter",
        ),
    ];
    for (params, field, case) in cases {
        let response = app.get(&search_path(params), Some(&member_token())).await;
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), [field], "{case}: {problem}");
    }
    let longest = "ö".repeat(200);
    let fits = search(&app, &[("q", &longest)], None).await;
    assert_eq!(
        fits["items"],
        json!([]),
        "200 characters (not bytes) are fine"
    );
}

crate::on_both_backends!(
    every_inflection_finds_the_same_items_in_the_same_order,
    only_what_the_caller_may_read_is_found,
    changed_and_deleted_items_are_found_as_they_now_are,
    an_erased_member_is_not_found_by_name,
    bad_search_parameters_are_400,
);
