//! Members: people, their protected contact data, erasure and export.

use std::collections::HashSet;

use reqwest::{Response, StatusCode, header};
use samverkan::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

const MEMBERS: &str = "/api/v1/members";

const ALL_ROLES: [Role; 5] = [
    Role::Admin,
    Role::Secretary,
    Role::Reporter,
    Role::Member,
    Role::Integration,
];

fn member_path(member: &Value) -> String {
    format!("{MEMBERS}/{}", id(member))
}

/// GET as admin, asserting 200.
async fn read(app: &TestApp, path: &str) -> Value {
    let response = app.get(path, Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

/// Whether the response forbids caches to store it.
fn is_no_store(response: &Response) -> bool {
    response
        .headers()
        .get(header::CACHE_CONTROL)
        .is_some_and(|v| v.to_str().unwrap().contains("no-store"))
}

/// The item of a list page with this id.
fn item<'a>(page: &'a Value, record: &Value) -> &'a Value {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == record["id"])
        .unwrap_or_else(|| panic!("{} not in {page}", record["id"]))
}

fn item_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| id(m).to_owned())
        .collect()
}

/// A member with every kind of personal data.
fn anna() -> Value {
    json!({
        "name": "Anna Andersson",
        "title": "Förvaltningschef",
        "email": "anna.andersson@example.se",
        "phone": "+46 470-123 45",
        "subject": "anna-login"
    })
}

async fn post_with_key(app: &TestApp, key: &str, body: &Value) -> Response {
    app.client
        .post(app.url(MEMBERS))
        .bearer_auth(admin())
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

// --- The role matrix ---------------------------------------------------------------------

async fn admins_and_secretaries_may_create_change_and_delete_members(backend: Backend) {
    let app = spawn_app(backend).await;

    for role in [Role::Admin, Role::Secretary] {
        let token = token(&[role]);

        let created = app
            .post_json(MEMBERS, Some(&token), &json!({"name": "Per Sand"}))
            .await;
        assert_eq!(created.status(), StatusCode::CREATED, "{role:?} POST");
        let member: Value = created.json().await.unwrap();
        let changed = app
            .patch_json(
                &member_path(&member),
                Some(&token),
                None,
                &json!({"title": "Socialchef"}),
            )
            .await;
        assert_eq!(changed.status(), StatusCode::OK, "{role:?} PATCH");
        let deleted = app.delete(&member_path(&member), Some(&token), None).await;
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT, "{role:?} DELETE");
    }

    assert_eq!(app.count_rows("members").await, 2);
    assert_eq!(
        app.count_rows("audit_log").await,
        6,
        "a creation, a change and an archive for each role"
    );
}

async fn other_roles_and_anonymous_callers_cannot_write_members(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let path = member_path(&member);
    let new = json!({"name": "Per Sand"});
    let change = json!({"title": "Kommunchef"});
    let audit_rows = app.count_rows("audit_log").await;

    let anonymous = [
        ("POST", app.post_json(MEMBERS, None, &new).await),
        ("PATCH", app.patch_json(&path, None, None, &change).await),
        ("DELETE", app.delete(&path, None, None).await),
    ];
    for (method, response) in anonymous {
        let www = response.headers().get(header::WWW_AUTHENTICATE).cloned();
        assert_problem(response, StatusCode::UNAUTHORIZED).await;
        assert!(
            www.is_some_and(|v| v.to_str().unwrap().starts_with("Bearer")),
            "anonymous {method}"
        );
    }
    for role in [Role::Reporter, Role::Member, Role::Integration] {
        let token = token(&[role]);
        let refused = [
            ("POST", app.post_json(MEMBERS, Some(&token), &new).await),
            (
                "PATCH",
                app.patch_json(&path, Some(&token), None, &change).await,
            ),
            ("DELETE", app.delete(&path, Some(&token), None).await),
        ];
        for (method, response) in refused {
            let problem = assert_problem(response, StatusCode::FORBIDDEN).await;
            assert!(
                problem["detail"].as_str().unwrap().contains("secretary"),
                "{role:?} {method}: {problem}"
            );
        }
    }

    assert_eq!(
        read(&app, &path).await,
        member,
        "refused writes change nothing"
    );
    assert_eq!(app.count_rows("members").await, 1);
    assert_eq!(app.count_rows("audit_log").await, audit_rows);
}

async fn only_an_admin_may_erase_a_member(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let erase = format!("{}/erase", member_path(&member));
    let audit_rows = app.count_rows("audit_log").await;

    let anonymous = app.post_json(&erase, None, &json!({})).await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    for (role, token) in non_admins() {
        let response = app.post_json(&erase, Some(&token), &json!({})).await;
        let problem = assert_problem(response, StatusCode::FORBIDDEN).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("admin"),
            "{role:?}: {problem}"
        );
    }
    assert_eq!(read(&app, &member_path(&member)).await, member);
    assert_eq!(app.count_rows("audit_log").await, audit_rows);

    let erased = app.post_json(&erase, Some(&admin()), &json!({})).await;
    assert_eq!(erased.status(), StatusCode::OK);
}

async fn only_an_admin_or_the_person_themself_may_export(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let export = format!("{}/export", member_path(&member));

    assert_problem(app.get(&export, None).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        app.get(&export, Some(&admin())).await.status(),
        StatusCode::OK
    );
    for (role, token) in non_admins() {
        let response = app.get(&export, Some(&token)).await;
        let problem = assert_problem(response, StatusCode::FORBIDDEN).await;
        assert!(problem["detail"].is_string(), "{role:?}: {problem}");
    }
    for role in ALL_ROLES {
        let own = token_for("anna-login", &[role], None);
        let response = app.get(&export, Some(&own)).await;
        assert_eq!(response.status(), StatusCode::OK, "the person as {role:?}");
    }
    let own_without_roles = token_for("anna-login", &[], None);
    assert_eq!(
        app.get(&export, Some(&own_without_roles)).await.status(),
        StatusCode::OK,
        "the person themself needs no role"
    );
}

async fn me_answers_with_the_callers_own_member_record_and_memberships(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    app.create_member(json!({"name": "Per Sand", "subject": "per-login"}))
        .await;
    let group = app.create_group("Styrgrupp").await;
    let seat = app
        .create_membership(json!({
            "member_id": id(&member), "group_id": id(&group),
            "role": "member", "start_date": "2021-01-01"
        }))
        .await;

    assert_problem(app.get("/api/v1/me", None).await, StatusCode::UNAUTHORIZED).await;
    let stranger = token_for("nobody-here", &[Role::Member], None);
    assert_problem(
        app.get("/api/v1/me", Some(&stranger)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let response = app
        .get(
            "/api/v1/me",
            Some(&token_for("anna-login", &[Role::Integration], None)),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(is_no_store(&response));
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["member"]["id"], member["id"]);
    assert_eq!(me["member"]["email"], "anna.andersson@example.se");
    assert_eq!(me["member"]["subject"], "anna-login");
    let memberships = me["memberships"].as_array().unwrap();
    assert_eq!(memberships.len(), 1, "{me}");
    assert_eq!(memberships[0]["id"], seat["id"]);
}

async fn everyone_may_read_members(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;

    let mut tokens: Vec<Option<String>> = ALL_ROLES.iter().map(|r| Some(token(&[*r]))).collect();
    tokens.push(None);
    for token in tokens {
        let one = app.get(&member_path(&member), token.as_deref()).await;
        assert_eq!(one.status(), StatusCode::OK);
        let one: Value = one.json().await.unwrap();
        assert_eq!(one["name"], "Anna Andersson");
        let list = app.get(MEMBERS, token.as_deref()).await;
        assert_eq!(list.status(), StatusCode::OK);
        let list: Value = list.json().await.unwrap();
        assert_eq!(item_ids(&list), [id(&member)]);
    }
}

async fn an_unknown_member_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let missing = format!("{MEMBERS}/{}", Uuid::now_v7());

    assert_problem(app.get(&missing, None).await, StatusCode::NOT_FOUND).await;
    assert_problem(
        app.patch_json(&missing, Some(&admin()), None, &json!({"title": "X"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.delete(&missing, Some(&admin()), None).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.post_json(&format!("{missing}/erase"), Some(&admin()), &json!({}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("{missing}/export"), Some(&admin())).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("{MEMBERS}/123"), None).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

// --- Contact data --------------------------------------------------------------------------

async fn contact_data_is_absent_for_anonymous_integration_and_reporter_callers(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;

    let callers = [
        ("anonymous", None),
        ("integration", Some(token(&[Role::Integration]))),
        ("reporter", Some(token(&[Role::Reporter]))),
    ];
    for (who, token) in callers {
        let one = app.get(&member_path(&member), token.as_deref()).await;
        assert!(!is_no_store(&one), "{who}: GET one is cacheable");
        let one: Value = one.json().await.unwrap();
        let list = app.get(MEMBERS, token.as_deref()).await;
        assert!(!is_no_store(&list), "{who}: the list is cacheable");
        let list: Value = list.json().await.unwrap();
        for (what, record) in [("GET one", &one), ("list", item(&list, &member))] {
            let object = record.as_object().unwrap();
            for key in ["email", "phone", "subject"] {
                assert!(
                    !object.contains_key(key),
                    "{who} {what}: `{key}` must be absent in {record}"
                );
            }
            assert_eq!(record["name"], "Anna Andersson", "{who} {what}");
            assert_eq!(record["title"], "Förvaltningschef", "{who} {what}");
        }
    }
}

async fn contact_data_is_shown_to_admin_secretary_member_and_the_person_themself(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;

    let callers = [
        ("admin", token(&[Role::Admin])),
        ("secretary", token(&[Role::Secretary])),
        ("member", token(&[Role::Member])),
        (
            "the person themself",
            token_for("anna-login", &[Role::Integration], None),
        ),
    ];
    for (who, token) in callers {
        let one = app.get(&member_path(&member), Some(&token)).await;
        assert!(is_no_store(&one), "{who}: GET one sends no-store");
        let one: Value = one.json().await.unwrap();
        let list = app.get(MEMBERS, Some(&token)).await;
        assert!(is_no_store(&list), "{who}: the list sends no-store");
        let list: Value = list.json().await.unwrap();
        for (what, record) in [("GET one", &one), ("list", item(&list, &member))] {
            assert_eq!(record["email"], "anna.andersson@example.se", "{who} {what}");
            assert_eq!(record["phone"], "+46 470-123 45", "{who} {what}");
            assert_eq!(record["subject"], "anna-login", "{who} {what}");
        }
    }
}

async fn the_person_themself_sees_only_their_own_contact_data_in_the_list(backend: Backend) {
    let app = spawn_app(backend).await;
    let anna = app.create_member(anna()).await;
    let per = app
        .create_member(json!({"name": "Per Sand", "email": "per.sand@example.se"}))
        .await;

    let own = token_for("anna-login", &[Role::Reporter], None);
    let list: Value = app.get(MEMBERS, Some(&own)).await.json().await.unwrap();

    assert_eq!(item(&list, &anna)["email"], "anna.andersson@example.se");
    assert!(
        !item(&list, &per).as_object().unwrap().contains_key("email"),
        "{list}"
    );
    let other = app.get(&member_path(&per), Some(&own)).await;
    assert!(!is_no_store(&other));
    let other: Value = other.json().await.unwrap();
    assert!(!other.as_object().unwrap().contains_key("email"), "{other}");
}

async fn a_missing_email_is_null_for_those_who_may_see_contact_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(json!({"name": "Per Sand"})).await;

    let seen = read(&app, &member_path(&member)).await;

    let object = seen.as_object().unwrap();
    for key in ["email", "phone", "subject"] {
        assert_eq!(object.get(key), Some(&Value::Null), "`{key}` in {seen}");
    }
}

// --- Validation ----------------------------------------------------------------------------

async fn invalid_members_are_refused_with_the_field_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (json!({"title": "Socialchef"}), vec!["name"], "name missing"),
        (json!({"name": ""}), vec!["name"], "empty name"),
        (json!({"name": "   "}), vec!["name"], "blank name"),
        (
            json!({"name": "x".repeat(201)}),
            vec!["name"],
            "name of 201 characters",
        ),
        (json!({"name": 5}), vec!["name"], "number as name"),
        (
            json!({"name": "Anna", "title": "x".repeat(201)}),
            vec!["title"],
            "title of 201 characters",
        ),
        (
            json!({"name": "Anna", "email": "anna"}),
            vec!["email"],
            "e-mail without @",
        ),
        (
            json!({"name": "Anna", "email": "anna@kronoberg"}),
            vec!["email"],
            "e-mail without a dotted domain",
        ),
        (
            json!({"name": "Anna", "phone": "call me"}),
            vec!["phone"],
            "phone in words",
        ),
        (
            json!({"name": "Anna", "organisation_id": Uuid::now_v7()}),
            vec!["organisation_id"],
            "unknown employer",
        ),
        (
            json!({"name": "Anna", "organisation_id": "not-a-uuid"}),
            vec!["organisation_id"],
            "malformed employer id",
        ),
        (
            json!({"name": "", "email": "anna", "phone": "call me"}),
            vec!["name", "email", "phone"],
            "three bad fields",
        ),
    ];

    for (body, fields, case) in cases {
        let response = app.post_json(MEMBERS, Some(&admin()), &body).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), fields, "{case}: {problem}");
    }
    assert_eq!(app.count_rows("members").await, 0);
    assert_eq!(app.count_rows("audit_log").await, 0, "nothing audited");
    assert_eq!(app.count_rows("change_events").await, 0);
}

async fn server_managed_fields_cannot_be_assigned(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let audit_rows = app.count_rows("audit_log").await;

    for (field, value) in [
        ("id", json!(Uuid::now_v7())),
        ("erased", json!(true)),
        ("archived", json!(true)),
        ("created_at", json!("2020-01-01T00:00:00Z")),
        ("updated_at", json!("2020-01-01T00:00:00Z")),
        ("version", json!(7)),
    ] {
        let mut body = json!({"name": "Per Sand"});
        body[field] = value.clone();
        let problem = assert_problem(
            app.post_json(MEMBERS, Some(&admin()), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_fields(&problem), [field], "POST with {field}");

        let patch = json!({ field: value });
        let problem = assert_problem(
            app.patch_json(&member_path(&member), Some(&admin()), None, &patch)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_fields(&problem), [field], "PATCH with {field}");
    }

    assert_eq!(read(&app, &member_path(&member)).await, member);
    assert_eq!(app.count_rows("members").await, 1);
    assert_eq!(app.count_rows("audit_log").await, audit_rows);
}

async fn invalid_changes_are_refused_with_the_field_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let audit_rows = app.count_rows("audit_log").await;

    let cases = [
        (json!({"name": null}), "name", "null name"),
        (json!({"name": ""}), "name", "empty name"),
        (json!({"name": "x".repeat(201)}), "name", "long name"),
        (json!({"email": "anna@kronoberg"}), "email", "bad e-mail"),
        (json!({"phone": "call me"}), "phone", "bad phone"),
        (
            json!({"organisation_id": Uuid::now_v7()}),
            "organisation_id",
            "unknown employer",
        ),
        (
            json!({"organisation_id": "x"}),
            "organisation_id",
            "malformed employer id",
        ),
    ];
    for (patch, field, case) in cases {
        let response = app
            .patch_json(&member_path(&member), Some(&admin()), None, &patch)
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{case}: {problem}");
    }

    assert_eq!(read(&app, &member_path(&member)).await, member);
    assert_eq!(app.count_rows("audit_log").await, audit_rows);
}

async fn a_login_subject_belongs_to_one_member_only(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_member(anna()).await;
    let per = app
        .create_member(json!({"name": "Per Sand", "subject": "per-login"}))
        .await;
    let audit_rows = app.count_rows("audit_log").await;

    let create = app
        .post_json(
            MEMBERS,
            Some(&admin()),
            &json!({"name": "Anna Kopia", "subject": "anna-login"}),
        )
        .await;
    assert_problem(create, StatusCode::CONFLICT).await;
    let patch = app
        .patch_json(
            &member_path(&per),
            Some(&admin()),
            None,
            &json!({"subject": "anna-login"}),
        )
        .await;
    assert_problem(patch, StatusCode::CONFLICT).await;

    assert_eq!(read(&app, &member_path(&per)).await, per);
    assert_eq!(app.count_rows("members").await, 2);
    assert_eq!(app.count_rows("audit_log").await, audit_rows);
}

// --- PATCH and conditional requests --------------------------------------------------------

async fn patch_changes_the_title_and_bumps_the_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;

    let response = app
        .patch_json(
            &member_path(&member),
            Some(&admin()),
            Some("\"1\""),
            &json!({"title": "Socialchef", "phone": null}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::ETAG], "\"2\"");
    assert!(is_no_store(&response));
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["title"], "Socialchef");
    assert_eq!(changed["phone"], Value::Null, "null clears");
    assert_eq!(
        changed["email"], "anna.andersson@example.se",
        "absent stays"
    );
    assert_eq!(changed["name"], "Anna Andersson");
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["created_at"], member["created_at"]);
    assert_eq!(read(&app, &member_path(&member)).await, changed);

    let same = app
        .patch_json(
            &member_path(&member),
            Some(&admin()),
            None,
            &json!({"title": "Socialchef"}),
        )
        .await;
    let same: Value = same.json().await.unwrap();
    assert_eq!(same["version"], 2, "a change to nothing writes nothing");
    assert_eq!(app.count_rows("audit_log").await, 2);
}

async fn a_stale_if_match_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let path = member_path(&member);
    let current: Value = app
        .patch_json(&path, Some(&admin()), Some("\"1\""), &json!({"title": "A"}))
        .await
        .json()
        .await
        .unwrap();

    let patch = app
        .patch_json(&path, Some(&admin()), Some("\"1\""), &json!({"title": "B"}))
        .await;
    assert_problem(patch, StatusCode::PRECONDITION_FAILED).await;
    let delete = app.delete(&path, Some(&admin()), Some("\"1\"")).await;
    assert_problem(delete, StatusCode::PRECONDITION_FAILED).await;

    assert_eq!(read(&app, &path).await, current);
    assert_eq!(app.count_rows("audit_log").await, 2);
}

async fn get_with_the_current_etag_is_not_modified(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let path = member_path(&member);
    app.patch_json(&path, Some(&admin()), None, &json!({"title": "A"}))
        .await;

    for (tag, expected) in [
        ("\"2\"", StatusCode::NOT_MODIFIED),
        ("\"1\"", StatusCode::OK),
    ] {
        let response = app
            .client
            .get(app.url(&path))
            .header(header::IF_NONE_MATCH, tag)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "If-None-Match: {tag}");
        assert_eq!(response.headers()[header::ETAG], "\"2\"");
    }
}

// --- DELETE --------------------------------------------------------------------------------

async fn deleting_an_unreferenced_member_archives_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;

    let response = app
        .delete(&member_path(&member), Some(&admin()), Some("\"1\""))
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let archived = read(&app, &member_path(&member)).await;
    assert_eq!(archived["archived"], true);
    assert_eq!(archived["version"], 2);
    assert_eq!(
        archived["name"], "Anna Andersson",
        "archiving is not erasing"
    );
    assert_eq!(app.count_rows("members").await, 1);
}

async fn a_member_holding_a_membership_cannot_be_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let group = app.create_group("Styrgrupp").await;
    app.create_membership(json!({
        "member_id": id(&member), "group_id": id(&group),
        "role": "member", "start_date": "2021-01-01"
    }))
    .await;
    let audit_rows = app.count_rows("audit_log").await;

    let response = app
        .delete(&member_path(&member), Some(&admin()), None)
        .await;

    let problem = assert_problem(response, StatusCode::CONFLICT).await;
    assert!(problem["detail"].is_string(), "{problem}");
    assert_eq!(read(&app, &member_path(&member)).await, member);
    assert_eq!(app.count_rows("audit_log").await, audit_rows);
}

async fn a_member_stood_in_for_cannot_be_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let absent = app.create_member(anna()).await;
    let substitute = app.create_member(json!({"name": "Per Sand"})).await;
    let group = app.create_group("Styrgrupp").await;
    app.create_membership(json!({
        "member_id": id(&substitute), "group_id": id(&group), "role": "member",
        "start_date": "2021-01-01", "substitute_for_member_id": id(&absent)
    }))
    .await;
    let audit_rows = app.count_rows("audit_log").await;

    let response = app
        .delete(&member_path(&absent), Some(&admin()), None)
        .await;

    assert_problem(response, StatusCode::CONFLICT).await;
    assert_eq!(read(&app, &member_path(&absent)).await, absent);
    assert_eq!(app.count_rows("audit_log").await, audit_rows);
}

// --- Erasure -------------------------------------------------------------------------------

/// Karin with her chair seat, and Per who stands in for her, as the tests of erasure need.
struct Karin {
    karin: Value,
    substitute: Value,
    group: Value,
    chair: Value,
    stand_in: Value,
}

async fn karin_and_her_substitute(app: &TestApp) -> Karin {
    let employer = app.create_municipality("Växjö kommun", "0780").await;
    let response = post_with_key(
        app,
        "create-member-0001",
        &json!({
            "name": "Karin Lindqvist",
            "title": "Socialchef",
            "email": "karin.lindqvist@example.se",
            "phone": "+46 470 111 22",
            "subject": "karin-login",
            "organisation_id": id(&employer)
        }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let karin: Value = response.json().await.unwrap();
    let substitute = app
        .create_member(
            json!({"name": "Per Sand", "title": "Enhetschef", "organisation_id": id(&employer)}),
        )
        .await;
    let group = app.create_group("Styrgrupp Barnens bästa gäller!").await;
    let chair = app
        .create_membership(json!({
            "member_id": id(&karin), "group_id": id(&group), "role": "chair",
            "represents_id": id(&employer), "start_date": "2021-01-01"
        }))
        .await;
    let stand_in = app
        .create_membership(json!({
            "member_id": id(&substitute), "group_id": id(&group), "role": "member",
            "represents_id": id(&employer), "start_date": "2021-01-01",
            "substitute_for_member_id": id(&karin),
            "note": "ersätter Karin Lindqvist till ny socialchef är utsedd"
        }))
        .await;
    Karin {
        karin,
        substitute,
        group,
        chair,
        stand_in,
    }
}

/// A meeting in which a member took part: chair and present, a conflict of interest on one
/// item, a reservation against a decision, an assignment, and her signature on the minutes.
struct HerRecord {
    meeting: String,
    item: String,
    decision: String,
    assignment: String,
}

async fn her_part_in_a_meeting(app: &TestApp, her: &Value, group: &Value) -> HerRecord {
    let created = async |path: String, body: Value| -> Value {
        let response = app.post_json(&path, Some(&admin()), &body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {text}");
        serde_json::from_str(&text).unwrap()
    };
    let meeting = created(
        "/api/v1/meetings".into(),
        json!({"group_id": id(group), "title": "Styrgruppsmöte", "status": "held",
               "starts_at": "2021-06-04T09:00:00Z", "ends_at": "2021-06-04T12:00:00Z",
               "chair_id": id(her)}),
    )
    .await;
    let meeting_path = format!("/api/v1/meetings/{}", id(&meeting));
    let item = created(
        format!("{meeting_path}/agenda-items"),
        json!({"number": "3", "title": "Upphandling",
               "conflicts": [{"member_id": id(her), "note": "Jäv"}]}),
    )
    .await;
    let decision = created(
        "/api/v1/decisions".into(),
        json!({"meeting_id": id(&meeting), "agenda_item_id": id(&item), "kind": "decision",
               "title": "Upphandling", "text": "Styrgruppen beslutar att upphandla.",
               "reservations": [{"member_id": id(her), "text": "Reserverar sig."}]}),
    )
    .await;
    let assignment = created(
        "/api/v1/decisions".into(),
        json!({"meeting_id": id(&meeting), "agenda_item_id": id(&item), "kind": "assignment",
               "title": "Redovisning", "text": "Ordföranden redovisar.",
               "due_date": "2021-09-01",
               "assignees": [{"kind": "member", "id": id(her)}]}),
    )
    .await;
    let attendance = app
        .client
        .put(app.url(&format!("{meeting_path}/attendance")))
        .bearer_auth(admin())
        .json(&json!({"entries": [{"member_id": id(her), "status": "present"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(attendance.status(), StatusCode::OK);
    let signatures = format!("{meeting_path}/minutes/signatures");
    let content = read(app, &signatures).await["content_sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let her_login = token_for(her["subject"].as_str().unwrap(), &[Role::Member], None);
    let signed = app
        .post_json(&signatures, Some(&her_login), &json!({"sha256": content}))
        .await;
    let status = signed.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        signed.text().await.unwrap()
    );
    HerRecord {
        meeting: id(&meeting).to_owned(),
        item: id(&item).to_owned(),
        decision: id(&decision).to_owned(),
        assignment: id(&assignment).to_owned(),
    }
}

impl HerRecord {
    async fn read(&self, app: &TestApp) -> Vec<Value> {
        let meeting = format!("/api/v1/meetings/{}", self.meeting);
        let mut parts = Vec::new();
        for path in [
            meeting.clone(),
            format!("{meeting}/attendance"),
            format!("{meeting}/agenda-items/{}", self.item),
            format!("/api/v1/decisions/{}", self.decision),
            format!("/api/v1/decisions/{}", self.assignment),
            format!("{meeting}/minutes/signatures"),
        ] {
            parts.push(read(app, &path).await);
        }
        parts
    }

    fn assert_kept(&self, before: &[Value], after: &[Value], her: &str) {
        let [meeting, attendance, item, decision, assignment, signatures] = after else {
            panic!("six parts");
        };
        assert_eq!(meeting["chair_id"], her, "{meeting}");
        let entries = attendance["entries"].as_array().unwrap();
        assert_eq!(
            entries.len(),
            before[1]["entries"].as_array().unwrap().len()
        );
        assert!(
            entries.iter().any(|e| e["member_id"] == her),
            "{attendance}"
        );
        assert_eq!(item["conflicts"], before[2]["conflicts"], "{item}");
        assert_eq!(item["conflicts"][0]["member_id"], her);
        assert_eq!(decision["reservations"].as_array().unwrap().len(), 1);
        assert_eq!(decision["reservations"][0]["member_id"], her, "{decision}");
        assert_eq!(decision["text"], before[3]["text"]);
        assert_eq!(
            assignment["assignees"], before[4]["assignees"],
            "{assignment}"
        );
        let signed =
            |s: &Value| -> usize { s["signatures"].as_array().map_or(0, |list| list.len()) };
        assert_eq!(signed(signatures), 1, "{signatures}");
        assert_eq!(signed(signatures), signed(&before[5]));
    }
}

async fn erasure_leaves_no_trace_and_keeps_every_reference(backend: Backend) {
    let app = spawn_app(backend).await;
    let Karin {
        karin,
        substitute,
        group,
        chair,
        stand_in,
    } = karin_and_her_substitute(&app).await;
    assert_eq!(
        app.count_rows("idempotency_keys").await,
        1,
        "the creation's response is stored for replays"
    );
    let before = app.rows_mentioning("Lindqvist").await;
    assert!(
        before.iter().any(|row| row.starts_with("members:")),
        "the search must see her before erasure, or it proves nothing: {before:?}"
    );
    let roster_path = format!("/api/v1/organisations/{}/roster?on=2021-06-04", id(&group));
    let roster_before = read(&app, &roster_path).await;
    let memberships_before = app.count_rows("memberships").await;
    let members_before = app.count_rows("members").await;
    let record = her_part_in_a_meeting(&app, &karin, &group).await;
    let tables = [
        "meetings",
        "agenda_items",
        "decisions",
        "attendance",
        "minutes_signatures",
        "memberships",
        "members",
        "actors",
    ];
    let mut counts_before = Vec::new();
    for table in tables {
        counts_before.push(app.count_rows(table).await);
    }
    assert!(
        counts_before[2..5].iter().all(|n| *n > 0),
        "decisions, attendance and signatures to keep: {counts_before:?}"
    );
    let record_before = record.read(&app).await;
    let last_audit_row = read(
        &app,
        "/api/v1/audit?updated_since=2000-01-01T00:00:00Z&limit=200",
    )
    .await["items"]
        .as_array()
        .unwrap()
        .len();

    let response = app
        .post_json(
            &format!("{}/erase", member_path(&karin)),
            Some(&admin()),
            &json!({}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let erase_request = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let erased: Value = response.json().await.unwrap();
    let mut counts_after = Vec::new();
    for table in tables {
        counts_after.push(app.count_rows(table).await);
    }
    assert_eq!(
        counts_after, counts_before,
        "no row of {tables:?} is added or removed by the erasure"
    );
    // The audit log grows by the erasure's own rows only.
    let audit = read(
        &app,
        "/api/v1/audit?updated_since=2000-01-01T00:00:00Z&limit=200",
    )
    .await;
    let new_rows = &audit["items"].as_array().unwrap()[last_audit_row..];
    assert!(!new_rows.is_empty());
    for row in new_rows {
        assert_eq!(row["request_id"], erase_request.as_str(), "{row}");
    }
    assert!(
        new_rows
            .iter()
            .any(|r| r["action"] == "erase" && r["entity_id"] == karin["id"]),
        "{new_rows:?}"
    );
    // Her part in the record is still there, under her id: present, declared a conflict,
    // reserved herself, holds the assignment, signed the minutes.
    let record_after = record.read(&app).await;
    record.assert_kept(&record_before, &record_after, id(&karin));
    let pseudonym = erased["name"].as_str().unwrap().to_owned();
    assert!(pseudonym.starts_with("Erased member "), "{erased}");
    for key in ["title", "email", "phone", "subject"] {
        assert_eq!(erased[key], Value::Null, "`{key}` in {erased}");
    }
    assert_eq!(erased["erased"], true);
    assert_eq!(erased["archived"], false);
    assert_eq!(erased["id"], karin["id"]);
    assert_eq!(erased["organisation_id"], karin["organisation_id"]);
    assert_eq!(read(&app, &member_path(&karin)).await, erased);

    for needle in [
        "Lindqvist",
        "karin.lindqvist@example.se",
        "karin-login",
        "470 111 22",
    ] {
        let hits = app.rows_mentioning(needle).await;
        assert!(
            hits.is_empty(),
            "{needle:?} remains in:\n{}",
            hits.join("\n")
        );
    }
    // The substitute's note names the post ("till ny socialchef är utsedd"), not her title.
    let title_hits: Vec<String> = app
        .rows_mentioning("Socialchef")
        .await
        .into_iter()
        .filter(|row| !row.to_lowercase().contains("ny socialchef"))
        .collect();
    assert!(
        title_hits.is_empty(),
        "her title remains in:\n{}",
        title_hits.join("\n")
    );

    assert_eq!(app.count_rows("memberships").await, memberships_before);
    assert_eq!(app.count_rows("members").await, members_before);
    let chair_after = read(&app, &format!("/api/v1/memberships/{}", id(&chair))).await;
    assert_eq!(chair_after["member_id"], karin["id"]);
    assert_eq!(chair_after["role"], "chair");
    let stand_in_after = read(&app, &format!("/api/v1/memberships/{}", id(&stand_in))).await;
    assert_eq!(stand_in_after["member_id"], substitute["id"]);
    assert_eq!(stand_in_after["substitute_for_member_id"], karin["id"]);
    assert_eq!(
        stand_in_after["note"],
        format!("ersätter {pseudonym} till ny socialchef är utsedd"),
        "the note names the pseudonym"
    );

    let roster_after = read(&app, &roster_path).await;
    let entries = roster_after["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        roster_before["entries"].as_array().unwrap().len(),
        "{roster_after}"
    );
    let her_seat = entries
        .iter()
        .find(|e| e["membership_id"] == chair["id"])
        .expect("her seat is still in the roster");
    assert_eq!(her_seat["member"]["id"], karin["id"]);
    assert_eq!(her_seat["member"]["name"], pseudonym);
    assert_eq!(her_seat["title"], Value::Null);
    let his_seat = entries
        .iter()
        .find(|e| e["membership_id"] == stand_in["id"])
        .expect("the substitute's seat is still in the roster");
    assert_eq!(his_seat["substitute_for"]["id"], karin["id"]);
    assert_eq!(his_seat["substitute_for"]["name"], pseudonym);
}

async fn erasing_twice_changes_nothing_and_an_erased_member_cannot_be_changed(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let erase = format!("{}/erase", member_path(&member));
    let first: Value = app
        .post_json(&erase, Some(&admin()), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let audit_rows = app.count_rows("audit_log").await;

    let again = app.post_json(&erase, Some(&admin()), &json!({})).await;

    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, first, "the same pseudonym and version");
    assert_eq!(app.count_rows("audit_log").await, audit_rows);

    let patch = app
        .patch_json(
            &member_path(&member),
            Some(&admin()),
            None,
            &json!({"name": "Anna Andersson"}),
        )
        .await;
    assert_problem(patch, StatusCode::CONFLICT).await;
    assert_eq!(read(&app, &member_path(&member)).await, first);
    assert_eq!(app.count_rows("audit_log").await, audit_rows);
}

async fn audit_entries_of_members_never_hold_personal_data(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let path = member_path(&member);
    app.patch_json(
        &path,
        Some(&admin()),
        None,
        &json!({"title": "Socialchef", "email": "anna.a@example.se", "phone": "0470 (12) 34"}),
    )
    .await;
    let before_erasure = read(&app, "/api/v1/audit?entity_type=member").await;
    app.post_json(&format!("{path}/erase"), Some(&admin()), &json!({}))
        .await;

    let after_erasure = read(&app, "/api/v1/audit?entity_type=member").await;

    assert_eq!(
        after_erasure["items"].as_array().unwrap().len(),
        3,
        "create, update, erase: {after_erasure}"
    );
    for (when, log) in [("before", before_erasure), ("after", after_erasure)] {
        let text = log.to_string().to_lowercase();
        for personal in [
            "anna andersson",
            "andersson",
            "förvaltningschef",
            "socialchef",
            "anna.andersson@example.se",
            "anna.a@example.se",
            "470-123 45",
            "(12) 34",
            "anna-login",
        ] {
            assert!(
                !text.contains(personal),
                "{personal:?} in the audit log {when} erasure: {log}"
            );
        }
    }
}

async fn erasure_scrubs_her_name_from_notes_in_any_letter_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let Karin {
        karin, substitute, ..
    } = karin_and_her_substitute(&app).await;
    let other_group = app.create_group("Arbetsutskottet").await;
    let deputy = app
        .create_membership(json!({
            "member_id": id(&substitute), "group_id": id(&other_group), "role": "deputy",
            "start_date": "2021-01-01", "note": "ersätter KARIN LINDQVIST vid förhinder"
        }))
        .await;
    let before = app.rows_mentioning("karin lindqvist vid").await;
    assert!(
        before.iter().any(|row| row.starts_with("memberships:")),
        "the search must see the note before erasure: {before:?}"
    );

    let response = app
        .post_json(
            &format!("{}/erase", member_path(&karin)),
            Some(&admin()),
            &json!({}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let hits = app.rows_mentioning("Lindqvist").await;
    assert!(hits.is_empty(), "her name remains in:\n{}", hits.join("\n"));
    let note = read(&app, &format!("/api/v1/memberships/{}", id(&deputy))).await;
    assert!(
        note["note"]
            .as_str()
            .unwrap()
            .starts_with("ersätter Erased member "),
        "{note}"
    );
}

async fn erasure_drops_stored_replays_that_name_her(backend: Backend) {
    let app = spawn_app(backend).await;
    let karin = app
        .create_member(json!({"name": "Karin Lindqvist", "subject": "karin-login"}))
        .await;
    let successor = app.create_member(json!({"name": "Per Sand"})).await;
    let group = app.create_group("Styrgrupp").await;
    let seat = app
        .client
        .post(app.url("/api/v1/memberships"))
        .bearer_auth(admin())
        .header("Idempotency-Key", "seat-0001")
        .json(&json!({
            "member_id": id(&successor), "group_id": id(&group), "role": "member",
            "start_date": "2021-06-04", "note": "tar över efter Karin Lindqvist"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(seat.status(), StatusCode::CREATED);
    assert_eq!(app.count_rows("idempotency_keys").await, 1);

    let response = app
        .post_json(
            &format!("{}/erase", member_path(&karin)),
            Some(&admin()),
            &json!({}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let hits = app.rows_mentioning("Lindqvist").await;
    assert!(hits.is_empty(), "her name remains in:\n{}", hits.join("\n"));
}

async fn erasure_leaves_no_trace_of_her_login_in_what_she_wrote(backend: Backend) {
    let app = spawn_app(backend).await;
    let karin = app
        .create_member(json!({"name": "Karin Lindqvist", "subject": "karin-login"}))
        .await;
    let her_token = token_for("karin-login", &[Role::Secretary], None);
    let written = app
        .client
        .post(app.url(MEMBERS))
        .bearer_auth(&her_token)
        .header("Idempotency-Key", "new-member-0001")
        .json(&json!({"name": "Per Sand"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        written.status(),
        StatusCode::CREATED,
        "she writes as secretary"
    );
    let before = app.rows_mentioning("karin-login").await;
    assert!(
        before.iter().any(|row| row.starts_with("members:")),
        "the search must see her login before erasure: {before:?}"
    );
    let audit_rows = app.count_rows("audit_log").await;

    let response = app
        .post_json(
            &format!("{}/erase", member_path(&karin)),
            Some(&admin()),
            &json!({}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let hits = app.rows_mentioning("karin-login").await;
    assert!(
        hits.is_empty(),
        "her login remains in:\n{}",
        hits.join("\n")
    );
    assert_eq!(
        app.count_rows("audit_log").await,
        audit_rows + 1,
        "her writes stay audited (under a pseudonym), and the erasure is audited"
    );
}

// --- Export --------------------------------------------------------------------------------

async fn export_holds_the_member_their_memberships_and_who_stands_in_for_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let Karin {
        karin,
        chair,
        stand_in,
        ..
    } = karin_and_her_substitute(&app).await;

    let response = app
        .get(&format!("{}/export", member_path(&karin)), Some(&admin()))
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(is_no_store(&response));
    let export: Value = response.json().await.unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(export["exported_at"].as_str().unwrap()).is_ok(),
        "{export}"
    );
    assert_eq!(export["member"]["id"], karin["id"]);
    assert_eq!(export["member"]["name"], "Karin Lindqvist");
    assert_eq!(export["member"]["email"], "karin.lindqvist@example.se");
    assert_eq!(export["member"]["phone"], "+46 470 111 22");
    assert_eq!(export["member"]["subject"], "karin-login");
    let held = export["memberships"].as_array().unwrap();
    assert_eq!(held.len(), 1, "{export}");
    assert_eq!(held[0]["id"], chair["id"]);
    assert_eq!(held[0]["role"], "chair");
    let stood_in_for = export["stood_in_for_by"].as_array().unwrap();
    assert_eq!(stood_in_for.len(), 1, "{export}");
    assert_eq!(stood_in_for[0]["id"], stand_in["id"]);
    assert_eq!(stood_in_for[0]["substitute_for_member_id"], karin["id"]);

    let own = app
        .get(
            &format!("{}/export", member_path(&karin)),
            Some(&token_for("karin-login", &[Role::Member], None)),
        )
        .await;
    assert_eq!(own.status(), StatusCode::OK);
    let own: Value = own.json().await.unwrap();
    assert_eq!(own["member"], export["member"]);
    assert_eq!(own["memberships"], export["memberships"]);
}

// --- Lists ---------------------------------------------------------------------------------

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let response = app.get(&format!("{MEMBERS}?{query}"), None).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let page: Value = response.json().await.unwrap();
    let mut names: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

async fn q_finds_names_case_insensitively_with_swedish_letters(backend: Backend) {
    let app = spawn_app(backend).await;
    for name in ["Åsa Öberg", "Anna Berg", "Östen Lund", "100% Procent_test"] {
        app.create_member(json!({ "name": name })).await;
    }

    assert_eq!(names(&app, "q=%C3%B6berg").await, ["Åsa Öberg"], "öberg");
    assert_eq!(names(&app, "q=%C3%85SA").await, ["Åsa Öberg"], "ÅSA");
    assert_eq!(names(&app, "q=%C3%96STEN").await, ["Östen Lund"], "ÖSTEN");
    assert_eq!(
        names(&app, "q=berg").await,
        ["Anna Berg", "Åsa Öberg"],
        "berg"
    );
    assert_eq!(
        names(&app, "q=%25").await,
        ["100% Procent_test"],
        "% is literal"
    );
    assert_eq!(
        names(&app, "q=1_0").await,
        Vec::<String>::new(),
        "_ is literal"
    );
}

async fn lists_filter_by_employer(backend: Backend) {
    let app = spawn_app(backend).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let ljungby = app.create_municipality("Ljungby kommun", "0781").await;
    app.create_member(json!({"name": "Anna Andersson", "organisation_id": id(&vaxjo)}))
        .await;
    app.create_member(json!({"name": "Per Sand", "organisation_id": id(&vaxjo)}))
        .await;
    app.create_member(json!({"name": "Nils Jonsson", "organisation_id": id(&ljungby)}))
        .await;
    app.create_member(json!({"name": "Hans Sjö"})).await;

    assert_eq!(
        names(&app, &format!("organisation_id={}", id(&vaxjo))).await,
        ["Anna Andersson", "Per Sand"]
    );
    assert_eq!(
        names(&app, &format!("organisation_id={}", id(&ljungby))).await,
        ["Nils Jonsson"]
    );
    assert_eq!(
        names(&app, &format!("organisation_id={}&q=per", id(&vaxjo))).await,
        ["Per Sand"]
    );
}

async fn archived_members_are_listed_only_when_asked_for(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_member(json!({"name": "Anna Andersson"})).await;
    let gone = app.create_member(json!({"name": "Per Sand"})).await;
    app.delete(&member_path(&gone), Some(&admin()), None).await;

    assert_eq!(names(&app, "").await, ["Anna Andersson"]);
    assert_eq!(
        names(&app, "include_archived=true").await,
        ["Anna Andersson", "Per Sand"]
    );
}

async fn updated_since_lists_changes_with_archived_members_as_tombstones(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_member(json!({"name": "Anna Andersson"})).await;
    let gone = app.create_member(json!({"name": "Per Sand"})).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let since = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    app.delete(&member_path(&gone), Some(&admin()), None).await;
    let new = app.create_member(json!({"name": "Nils Jonsson"})).await;

    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("updated_since", &since.to_rfc3339())
        .finish();
    let page: Value = app
        .get(&format!("{MEMBERS}?{query}"), None)
        .await
        .json()
        .await
        .unwrap();

    let changed: Vec<(String, bool)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (id(m).to_owned(), m["archived"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        changed,
        [(id(&gone).to_owned(), true), (id(&new).to_owned(), false)],
        "in change order, with the tombstone: {page}"
    );
}

async fn paging_by_two_over_five_members_yields_each_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut created = HashSet::new();
    for name in ["Anna", "Per", "Nils", "Hans", "Tova"] {
        let member = app.create_member(json!({ "name": name })).await;
        created.insert(id(&member).to_owned());
    }

    let mut seen = Vec::new();
    let mut next = format!("{MEMBERS}?limit=2");
    let mut pages = 0;
    loop {
        let response = app.get(&next, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{next}");
        let page: Value = response.json().await.unwrap();
        pages += 1;
        assert!(page["items"].as_array().unwrap().len() <= 2, "{page}");
        seen.extend(item_ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => next = format!("{MEMBERS}?limit=2&cursor={cursor}"),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }

    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 5, "no duplicates: {seen:?}");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), created);
}

// --- The contract (regressions of the schemathesis findings) ------------------------------

/// The served document's operation at `path` / `method`.
async fn operation(app: &TestApp, path: &str, method: &str) -> Value {
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    doc["paths"][path][method].clone()
}

async fn a_deleted_member_stays_readable_and_the_document_says_so(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let erase = format!("{}/erase", member_path(&member));
    assert_eq!(
        app.post_json(&erase, Some(&admin()), &json!({}))
            .await
            .status(),
        StatusCode::OK
    );

    let deleted = app
        .delete(&member_path(&member), Some(&admin()), None)
        .await;

    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(read(&app, &member_path(&member)).await["archived"], true);
    let export = read(&app, &format!("{}/export", member_path(&member))).await;
    assert_eq!(export["member"]["archived"], true);
    for (path, method) in [
        ("/api/v1/members/{id}", "delete"),
        ("/api/v1/members/{id}", "get"),
        ("/api/v1/memberships/{id}", "delete"),
        ("/api/v1/memberships/{id}", "get"),
    ] {
        let operation = operation(&app, path, method).await;
        let text = format!("{} {}", operation["summary"], operation["description"]).to_lowercase();
        assert!(
            text.contains("readable") && text.contains("by design"),
            "{method} {path} must say that an archived record stays readable: {text}"
        );
    }
}

async fn the_document_states_the_checks_of_member_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("NewMember", "name"),
        ("NewMember", "title"),
        ("NewMember", "email"),
        ("NewMember", "phone"),
        ("NewMember", "subject"),
        ("MemberPatch", "name"),
        ("MemberPatch", "email"),
        ("MemberPatch", "phone"),
        ("NewMembership", "note"),
        ("MembershipPatch", "note"),
    ] {
        assert!(
            schemas[schema]["properties"][field]["pattern"].is_string(),
            "{schema}.{field} states its check: {}",
            schemas[schema]["properties"][field]
        );
    }
    // An empty e-mail, which the schema now forbids, is still refused.
    let member = app.create_member(anna()).await;
    let response = app
        .patch_json(
            &member_path(&member),
            Some(&admin()),
            None,
            &json!({"email": ""}),
        )
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["email"]);
}

async fn every_operation_of_members_memberships_and_audit_is_named_and_described(backend: Backend) {
    let app = spawn_app(backend).await;
    let lists = [
        ("/api/v1/members", "get", "list_members", Some("MemberView")),
        (
            "/api/v1/memberships",
            "get",
            "list_memberships",
            Some("MembershipView"),
        ),
        (
            "/api/v1/audit",
            "get",
            "list_audit_entries",
            Some("AuditEntry"),
        ),
    ];
    let others = [
        ("/api/v1/members", "post", "create_member"),
        ("/api/v1/members/{id}", "get", "get_member"),
        ("/api/v1/members/{id}", "patch", "update_member"),
        ("/api/v1/members/{id}", "delete", "archive_member"),
        ("/api/v1/members/{id}/erase", "post", "erase_member"),
        ("/api/v1/members/{id}/export", "get", "export_member"),
        ("/api/v1/me", "get", "get_me"),
        ("/api/v1/memberships", "post", "create_membership"),
        ("/api/v1/memberships/{id}", "get", "get_membership"),
        ("/api/v1/memberships/{id}", "patch", "update_membership"),
        ("/api/v1/memberships/{id}", "delete", "archive_membership"),
        ("/api/v1/organisations/{id}/roster", "get", "get_roster"),
    ];
    let all = lists
        .iter()
        .map(|(path, method, id, _)| (*path, *method, *id))
        .chain(others);
    for (path, method, id) in all {
        let operation = operation(&app, path, method).await;
        assert_eq!(operation["operationId"], id, "{method} {path}");
        for (status, response) in operation["responses"].as_object().unwrap() {
            assert!(
                response["description"].is_string(),
                "{method} {path} {status} has a description"
            );
        }
        let names: Vec<&str> = operation["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
            .unwrap_or_default();
        if method == "post" && path != "/api/v1/members/{id}/erase" {
            assert!(
                names.contains(&"Idempotency-Key"),
                "{method} {path}: {names:?}"
            );
        }
        if matches!(method, "patch" | "delete") || path.ends_with("/erase") {
            assert!(names.contains(&"If-Match"), "{method} {path}: {names:?}");
        }
    }
    for (path, method, _, item) in lists {
        let operation = operation(&app, path, method).await;
        let names: Vec<&str> = operation["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        for paging in ["limit", "cursor", "updated_since"] {
            assert!(names.contains(&paging), "{path} takes {paging}");
        }
        let items = &operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
            ["items"]["items"]["$ref"];
        let item = item.unwrap();
        assert_eq!(
            items,
            &json!(format!("#/components/schemas/{item}")),
            "{path}"
        );
    }
}

async fn erasing_with_a_stale_if_match_is_refused_and_erases_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let member = app.create_member(anna()).await;
    let erase = app
        .client
        .post(app.url(&format!("{}/erase", member_path(&member))))
        .bearer_auth(admin())
        .header(header::IF_MATCH, "\"7\"")
        .send()
        .await
        .unwrap();

    assert_problem(erase, StatusCode::PRECONDITION_FAILED).await;
    let unchanged = read(&app, &member_path(&member)).await;
    assert_eq!(unchanged["name"], "Anna Andersson");
    assert_eq!(unchanged["erased"], false);
}

async fn the_document_spells_stored_enums_as_the_server_does(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    let roles: Vec<&str> = samverkan::domain::membership::MembershipRole::ALL
        .iter()
        .map(|r| r.as_str())
        .collect();
    assert_eq!(schemas["MembershipRole"]["enum"], json!(roles));
    assert!(roles.contains(&"vice_chair"));
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(schemas["Role"]["enum"], json!(roles));
    let actions: Vec<&str> = samverkan::domain::audit::Action::ALL
        .iter()
        .map(|a| a.as_str())
        .collect();
    assert_eq!(schemas["Action"]["enum"], json!(actions));
    let types: Vec<&str> = samverkan::domain::EntityType::ALL
        .iter()
        .map(|t| t.as_str())
        .collect();
    assert_eq!(schemas["EntityType"]["enum"], json!(types));
}

crate::on_both_backends!(
    admins_and_secretaries_may_create_change_and_delete_members,
    other_roles_and_anonymous_callers_cannot_write_members,
    only_an_admin_may_erase_a_member,
    only_an_admin_or_the_person_themself_may_export,
    me_answers_with_the_callers_own_member_record_and_memberships,
    everyone_may_read_members,
    an_unknown_member_is_not_found,
    contact_data_is_absent_for_anonymous_integration_and_reporter_callers,
    contact_data_is_shown_to_admin_secretary_member_and_the_person_themself,
    the_person_themself_sees_only_their_own_contact_data_in_the_list,
    a_missing_email_is_null_for_those_who_may_see_contact_data,
    invalid_members_are_refused_with_the_field_named,
    server_managed_fields_cannot_be_assigned,
    invalid_changes_are_refused_with_the_field_named,
    a_login_subject_belongs_to_one_member_only,
    patch_changes_the_title_and_bumps_the_version,
    a_stale_if_match_is_refused_and_changes_nothing,
    get_with_the_current_etag_is_not_modified,
    deleting_an_unreferenced_member_archives_it,
    a_member_holding_a_membership_cannot_be_deleted,
    a_member_stood_in_for_cannot_be_deleted,
    erasure_leaves_no_trace_and_keeps_every_reference,
    erasing_twice_changes_nothing_and_an_erased_member_cannot_be_changed,
    erasure_scrubs_her_name_from_notes_in_any_letter_case,
    erasure_drops_stored_replays_that_name_her,
    erasure_leaves_no_trace_of_her_login_in_what_she_wrote,
    audit_entries_of_members_never_hold_personal_data,
    export_holds_the_member_their_memberships_and_who_stands_in_for_them,
    q_finds_names_case_insensitively_with_swedish_letters,
    lists_filter_by_employer,
    archived_members_are_listed_only_when_asked_for,
    updated_since_lists_changes_with_archived_members_as_tombstones,
    paging_by_two_over_five_members_yields_each_once,
    a_deleted_member_stays_readable_and_the_document_says_so,
    the_document_states_the_checks_of_member_fields,
    every_operation_of_members_memberships_and_audit_is_named_and_described,
    erasing_with_a_stale_if_match_is_refused_and_erases_nothing,
    the_document_spells_stored_enums_as_the_server_does,
);
