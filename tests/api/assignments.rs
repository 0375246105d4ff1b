//! The assignment overview grouped by assignee, decisions in Swedish search, assignments in a
//! member's export, the paging of the assignment and follow-up lists, how the document
//! describes them, and a decision row that does not decode.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

struct Fixture {
    meeting: Value,
    item: Value,
    tvargrupp: Value,
    karin: Value,
}

async fn fixture(app: &TestApp) -> Fixture {
    let group = app
        .create_organisation(json!({"name": "Styrgrupp", "short_name": "SG", "kind": "group"}))
        .await;
    let tvargrupp = app.create_group("Tvärgrupp barn och unga").await;
    let karin = app
        .create_member(json!({"name": "Karin Lind", "subject": "karin"}))
        .await;
    let response = app
        .post_json(
            "/api/v1/meetings",
            Some(&admin()),
            &json!({"group_id": id(&group), "title": "SG", "status": "held", "public": true,
                    "starts_at": "2021-11-05T08:30:00+01:00", "ends_at": "2021-11-05T11:30:00+01:00"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let meeting: Value = response.json().await.unwrap();
    let response = app
        .post_json(
            &format!("/api/v1/meetings/{}/agenda-items", id(&meeting)),
            Some(&admin()),
            &json!({"number": "6", "title": "Kontaktvägar"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let item: Value = response.json().await.unwrap();
    Fixture {
        meeting,
        item,
        tvargrupp,
        karin,
    }
}

async fn decide(app: &TestApp, f: &Fixture, body: Value) -> Value {
    let mut body = body;
    body["meeting_id"] = json!(id(&f.meeting));
    body["agenda_item_id"] = json!(id(&f.item));
    let response = app
        .post_json("/api/v1/decisions", Some(&admin()), &body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "{body}");
    response.json().await.unwrap()
}

async fn assignments_group_by_assignee_on_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let group_task = decide(&app, &f, json!({
        "title": "Uppdrag kontaktvägar", "kind": "assignment",
        "text": "Bestämdes att ge uppdrag till tvärgrupp barn. Redovisas den 4 februari 2022.",
        "assignees": [{"kind": "organisation", "id": id(&f.tvargrupp)}], "due_date": "2022-02-04"
    }))
    .await;
    let shared = decide(&app, &f, json!({
        "title": "Gemensamt uppdrag", "kind": "assignment", "text": "Tvärgruppen och Karin Lind utreder.",
        "assignees": [{"kind": "organisation", "id": id(&f.tvargrupp)}, {"kind": "member", "id": id(&f.karin)}],
        "due_date": "2021-12-01"
    }))
    .await;

    let grouped: Value = app
        .get("/api/v1/assignments?status=open&group_by=assignee", None)
        .await
        .json()
        .await
        .unwrap();

    let groups = grouped["groups"].as_array().unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Karin Lind", "Tvärgrupp barn och unga"],
        "by name, Swedish order"
    );
    assert_eq!(groups[0]["items"].as_array().unwrap().len(), 1);
    let tvar: Vec<&str> = groups[1]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        tvar,
        [
            shared["reference"].as_str().unwrap(),
            group_task["reference"].as_str().unwrap()
        ],
        "earliest due first"
    );
    let bad = app.get("/api/v1/assignments?group_by=colour", None).await;
    assert_problem(bad, StatusCode::BAD_REQUEST).await;
}

async fn a_swedish_search_finds_decisions_whatever_the_inflection(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let decision = decide(&app, &f, json!({
        "title": "Kontaktvägar", "kind": "decision",
        "text": "Styrgruppen ställer sig bakom de föreslagna kontaktvägarna och handlingsplanen."
    }))
    .await;
    let hidden = decide(
        &app,
        &f,
        json!({
            "title": "Intern kontaktväg", "kind": "decision", "public": false,
            "text": "En kontaktväg som inte publiceras."
        }),
    )
    .await;

    for query in [
        "kontaktväg",
        "KONTAKTVÄGARNA",
        "kontaktvägar",
        "handlingsplan",
    ] {
        let url = format!("/api/v1/search?types=decision&q={}", urlencode(query));
        let public: Value = app.get(&url, None).await.json().await.unwrap();
        let ids: Vec<&str> = public["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [id(&decision)], "anonymous `{query}`");
        let member: Value = app
            .get(&url, Some(&token(&[samverkan::auth::Role::Member])))
            .await
            .json()
            .await
            .unwrap();
        let count = member["items"].as_array().unwrap().len();
        let expected = if query == "handlingsplan" { 1 } else { 2 };
        assert_eq!(count, expected, "member `{query}`: {member}");
    }
    let _ = hidden;
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn a_members_export_holds_the_assignments_given_to_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let task = decide(
        &app,
        &f,
        json!({
            "title": "Utred", "kind": "assignment", "text": "Karin Lind utreder frågan.",
            "assignees": [{"kind": "member", "id": id(&f.karin)}], "due_date": "2022-02-04"
        }),
    )
    .await;

    let own = app
        .get(
            &format!("/api/v1/members/{}/export", id(&f.karin)),
            Some(&token_for("karin", &[], None)),
        )
        .await;
    assert_eq!(own.status(), StatusCode::OK);
    let export: Value = own.json().await.unwrap();
    assert_eq!(export["assignments"][0]["id"], task["id"]);
    let delete = app
        .delete(
            &format!("/api/v1/members/{}", id(&f.karin)),
            Some(&admin()),
            None,
        )
        .await;
    let problem = assert_problem(delete, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("decision"),
        "{problem}"
    );

    let erase = app
        .post_json(
            &format!("/api/v1/members/{}/erase", id(&f.karin)),
            Some(&admin()),
            &json!({}),
        )
        .await;
    assert_eq!(erase.status(), StatusCode::OK);
    let hits = app.rows_mentioning("Karin Lind").await;
    assert!(hits.is_empty(), "her name remains in:\n{}", hits.join("\n"));
    let found: Value = app
        .get("/api/v1/search?q=Karin", Some(&admin()))
        .await
        .json()
        .await
        .unwrap();
    assert!(found["items"].as_array().unwrap().is_empty(), "{found}");
}

async fn three_assignments(app: &TestApp, f: &Fixture) -> Vec<Value> {
    let mut made = Vec::new();
    for title in ["Första", "Andra", "Tredje"] {
        made.push(
            decide(
                app,
                f,
                json!({
                    "title": title, "kind": "assignment", "text": "Tvärgruppen utreder.",
                    "assignees": [{"kind": "organisation", "id": id(&f.tvargrupp)}],
                    "due_date": "2021-11-01"
                }),
            )
            .await,
        );
    }
    made
}

fn item_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

/// Regression: the follow-ups of a meeting took no paging parameters, and the assignment
/// overview no `updated_since`; both are lists and follow the list convention.
async fn the_assignment_and_follow_up_lists_take_limit_cursor_and_updated_since(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let made = three_assignments(&app, &f).await;
    let all: Vec<String> = made.iter().map(|d| id(d).to_owned()).collect();
    let follow_ups = format!("/api/v1/meetings/{}/follow-ups", id(&f.meeting));
    // The future, inside the accepted years (1900-2200).
    let future = "2199-01-01T00:00:00Z";

    for list in ["/api/v1/assignments?status=open", &format!("{follow_ups}?")] {
        let first = json_of(&app, &format!("{list}&limit=2")).await;
        assert_eq!(item_ids(&first), all[..2], "{list}: the first page");
        let cursor = first["next_cursor"].as_str().expect("a next page");
        let second = json_of(&app, &format!("{list}&limit=2&cursor={cursor}")).await;
        assert_eq!(item_ids(&second), all[2..], "{list}: the second page");
        assert_eq!(second["next_cursor"], Value::Null, "{list}: the last page");
        let since = json_of(&app, &format!("{list}&updated_since={future}")).await;
        assert_eq!(
            item_ids(&since),
            Vec::<String>::new(),
            "{list}: nothing changed"
        );
        let changed = json_of(&app, &format!("{list}&updated_since=2000-01-01T00:00:00Z")).await;
        assert_eq!(item_ids(&changed), all, "{list}: everything changed");
        for (query, parameter) in [
            ("limit=0", "limit"),
            ("cursor=zz", "cursor"),
            ("colour=blue", "colour"),
        ] {
            let response = app.get(&format!("{list}&{query}"), None).await;
            let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
            assert_eq!(
                error_fields(&problem),
                [parameter],
                "{list}&{query}: {problem}"
            );
        }
    }

    // The grouped overview groups one page, and says where the next one starts.
    let grouped = json_of(&app, "/api/v1/assignments?group_by=assignee&limit=2").await;
    let groups = grouped["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{grouped}");
    assert_eq!(groups[0]["items"].as_array().unwrap().len(), 2, "{grouped}");
    let cursor = grouped["next_cursor"].as_str().expect("a next page");
    let rest = json_of(
        &app,
        &format!("/api/v1/assignments?group_by=assignee&limit=2&cursor={cursor}"),
    )
    .await;
    assert_eq!(rest["groups"][0]["items"][0]["id"], json!(all[2]), "{rest}");
    assert_eq!(rest["next_cursor"], Value::Null);
}

/// Regression (contract check): `GET /assignments` answered a page where its document described
/// only the groups, and its `group_by` parameter referenced a schema that was never registered.
async fn the_document_describes_both_shapes_of_the_assignment_overview(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let get = &doc["paths"]["/api/v1/assignments"]["get"];
    let shapes = get["responses"]["200"]["content"]["application/json"]["schema"]["oneOf"]
        .as_array()
        .expect("oneOf");
    assert_eq!(shapes.len(), 2, "{shapes:?}");
    assert_eq!(
        shapes[0]["properties"]["items"]["items"]["$ref"],
        "#/components/schemas/DecisionView"
    );
    assert_eq!(shapes[1]["$ref"], "#/components/schemas/AssignmentGroups");
    let groups = &doc["components"]["schemas"]["AssignmentGroups"];
    assert!(groups["properties"]["next_cursor"].is_object(), "{groups}");
    let group_by = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "group_by")
        .expect("group_by");
    assert!(
        group_by["schema"].get("$ref").is_none(),
        "inline: {group_by}"
    );
    for name in ["limit", "cursor", "updated_since"] {
        let follow_ups = &doc["paths"]["/api/v1/meetings/{id}/follow-ups"]["get"]["parameters"];
        assert!(
            follow_ups
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == name),
            "follow-ups take {name}"
        );
    }
    let operations: Vec<(&str, &str, &str)> = vec![
        ("/api/v1/decisions", "get", "list_decisions"),
        ("/api/v1/decisions", "post", "create_decision"),
        ("/api/v1/decisions/{id}", "get", "get_decision"),
        ("/api/v1/decisions/{id}", "patch", "update_decision"),
        ("/api/v1/assignments", "get", "list_assignments"),
        (
            "/api/v1/meetings/{id}/follow-ups",
            "get",
            "list_meeting_follow_ups",
        ),
    ];
    for (path, method, operation_id) in operations {
        assert_eq!(
            doc["paths"][path][method]["operationId"], operation_id,
            "{method} {path}"
        );
    }
    // The enums list the strings the server takes, not the Rust variant names.
    let kinds = &doc["components"]["schemas"]["DecisionKind"]["enum"];
    assert!(
        kinds.as_array().unwrap().contains(&json!("assignment")),
        "{kinds}"
    );
    let statuses = &doc["components"]["schemas"]["FollowUpStatus"]["enum"];
    assert_eq!(statuses, &json!(["open", "reported", "done", "cancelled"]));
    // What the server refuses, the document states: a title is 1–300 characters.
    let title = &doc["components"]["schemas"]["NewDecision"]["properties"]["title"];
    assert_eq!(title["minLength"], 1, "{title}");
    assert_eq!(title["maxLength"], 300, "{title}");
    let refused = app
        .post_json(
            "/api/v1/decisions",
            Some(&admin()),
            &json!({"meeting_id": uuid::Uuid::now_v7(), "agenda_item_id": uuid::Uuid::now_v7(),
                    "kind": "decision", "title": "", "text": "Något."}),
        )
        .await;
    let problem = assert_problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["title"], "{problem}");
}

/// An empty `concerns` means "every party": a row whose `concerns` does not decode fails the
/// read (500) instead of reading as a decision that concerns everyone.
async fn a_decision_row_that_does_not_decode_fails_instead_of_concerning_every_party(
    backend: Backend,
) {
    use sea_orm::ConnectionTrait;
    let app = spawn_app(backend).await;
    let f = fixture(&app).await;
    let decision = decide(
        &app,
        &f,
        json!({
            "title": "Kontaktvägar", "kind": "decision", "text": "Godkänns.",
            "concerns": [id(&f.tvargrupp)]
        }),
    )
    .await;
    app.db
        .execute_unprepared(&format!(
            "UPDATE decisions SET concerns = '\"every party\"' WHERE reference = '{}'",
            decision["reference"].as_str().unwrap()
        ))
        .await
        .expect("corrupt the row");

    for path in [
        format!("/api/v1/decisions/{}", id(&decision)),
        "/api/v1/decisions".to_owned(),
    ] {
        let response = app.get(&path, Some(&admin())).await;
        assert_problem(response, StatusCode::INTERNAL_SERVER_ERROR).await;
    }
}

crate::on_both_backends!(
    assignments_group_by_assignee_on_request,
    a_swedish_search_finds_decisions_whatever_the_inflection,
    a_members_export_holds_the_assignments_given_to_them,
    the_assignment_and_follow_up_lists_take_limit_cursor_and_updated_since,
    the_document_describes_both_shapes_of_the_assignment_overview,
    a_decision_row_that_does_not_decode_fails_instead_of_concerning_every_party,
);
