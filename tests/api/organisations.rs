//! Organisations: the first resource, and the model of every convention.

use std::collections::HashSet;

use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

const ORGS: &str = "/api/v1/organisations";

fn org_path(org: &Value) -> String {
    format!("{ORGS}/{}", org["id"].as_str().unwrap())
}

async fn creating_an_organisation_returns_it_with_etag_and_location(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .post_json(
            ORGS,
            Some(&admin()),
            &json!({
                "name": "  Växjö kommun ",
                "short_name": "Växjö",
                "kind": "municipality",
                "municipality_code": "0780",
                "county_code": "07",
                "website": "https://vaxjo.se",
                "identifiers": [{"scheme": "se-orgnr", "value": "212000-0605"}]
            }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()[header::ETAG], "\"1\"");
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let org: Value = response.json().await.unwrap();
    assert_eq!(location, org_path(&org));
    assert_eq!(
        org["name"], "Växjö kommun",
        "the name is trimmed and keeps å, ä, ö"
    );
    assert_eq!(org["kind"], "municipality");
    assert_eq!(org["municipality_code"], "0780");
    assert_eq!(org["website"], "https://vaxjo.se/");
    assert_eq!(org["identifiers"][0]["scheme"], "se-orgnr");
    assert_eq!(org["archived"], false);
    assert_eq!(org["version"], 1);
    let id: Uuid = org["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(id.get_version_num(), 7, "ids are UUID v7");
    for field in ["created_at", "updated_at"] {
        let at = org[field].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(at).is_ok(),
            "{field} = {at}"
        );
    }

    let fetched: Value = app.get(&location, None).await.json().await.unwrap();
    assert_eq!(fetched, org, "GET returns what POST returned");
}

async fn every_write_needs_an_admin_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.create_municipality("Lessebo kommun", "0761").await;
    let body = json!({"name": "Tingsryds kommun", "kind": "municipality"});

    let unauthenticated = [
        app.post_json(ORGS, None, &body).await,
        app.patch_json(&org_path(&org), None, None, &json!({"name": "X"}))
            .await,
        app.delete(&org_path(&org), None, None).await,
    ];
    for response in unauthenticated {
        let www = response.headers().get(header::WWW_AUTHENTICATE).cloned();
        assert_problem(response, StatusCode::UNAUTHORIZED).await;
        assert!(www.is_some_and(|v| v.to_str().unwrap().starts_with("Bearer")));
    }
    for (role, token) in non_admins() {
        let forbidden = [
            app.post_json(ORGS, Some(&token), &body).await,
            app.patch_json(&org_path(&org), Some(&token), None, &json!({"name": "X"}))
                .await,
            app.delete(&org_path(&org), Some(&token), None).await,
        ];
        for response in forbidden {
            let problem = assert_problem(response, StatusCode::FORBIDDEN).await;
            assert!(
                problem["detail"].as_str().unwrap().contains("admin"),
                "{role:?}: {problem}"
            );
        }
    }

    let after: Value = app.get(&org_path(&org), None).await.json().await.unwrap();
    assert_eq!(after, org, "refused writes change nothing");
    assert_eq!(app.count_rows("organisations").await, 1);
    assert_eq!(
        app.count_rows("audit_log").await,
        1,
        "only the admin's creation is audited"
    );
}

async fn a_forbidden_role_is_refused_before_its_body_is_read(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app
        .post_json(
            ORGS,
            Some(&token(&[samverkan::auth::Role::Member])),
            &json!({"nonsense": 1}),
        )
        .await;

    assert_problem(response, StatusCode::FORBIDDEN).await;
}

async fn every_role_and_anonymous_callers_can_read_organisations(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.create_municipality("Alvesta kommun", "0764").await;

    let mut tokens: Vec<Option<String>> = non_admins().into_iter().map(|(_, t)| Some(t)).collect();
    tokens.push(Some(admin()));
    tokens.push(None);
    for token in tokens {
        let one = app.get(&org_path(&org), token.as_deref()).await;
        assert_eq!(one.status(), StatusCode::OK);
        let list: Value = app.get(ORGS, token.as_deref()).await.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
    }
}

async fn invalid_organisations_are_refused_with_every_field_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        (json!({"kind": "region"}), vec!["name"], "name missing"),
        (
            json!({"name": "", "kind": "region"}),
            vec!["name"],
            "empty name",
        ),
        (
            json!({"name": "x".repeat(201), "kind": "region"}),
            vec!["name"],
            "name of 201 characters",
        ),
        (json!({"name": "Region"}), vec!["kind"], "kind missing"),
        (
            json!({"name": "Region", "kind": "county"}),
            vec!["kind"],
            "unknown kind",
        ),
        (
            json!({"name": "Ö", "kind": "municipality", "municipality_code": "780"}),
            vec!["municipality_code"],
            "three-digit code",
        ),
        (
            json!({"name": "Ö", "kind": "region", "municipality_code": "0780"}),
            vec!["municipality_code"],
            "code on a region",
        ),
        (
            json!({"name": "Ö", "kind": "region", "county_code": "7"}),
            vec!["county_code"],
            "one-digit county",
        ),
        (
            json!({"name": "Ö", "kind": "region", "website": "javascript:alert(1)"}),
            vec!["website"],
            "non-http URL",
        ),
        (
            json!({"name": "Ö", "kind": "region", "identifiers": [{"scheme": "", "value": "1"}]}),
            vec!["identifiers[0].scheme"],
            "empty scheme",
        ),
        (
            json!({"name": "Ö", "kind": "region", "identifiers": [{"scheme": "x"}]}),
            vec!["identifiers[0].value"],
            "identifier without value",
        ),
        (
            json!({"name": "Ö", "kind": "region", "parent_id": "not-a-uuid"}),
            vec!["parent_id"],
            "malformed parent id",
        ),
        (
            json!({"name": "Ö", "kind": "region", "parent_id": Uuid::now_v7()}),
            vec!["parent_id"],
            "unknown parent",
        ),
        (
            json!({"name": 5, "kind": "region"}),
            vec!["name"],
            "number as name",
        ),
        (
            json!({"name": "", "kind": "region", "county_code": "x"}),
            vec!["name", "county_code"],
            "two bad fields",
        ),
    ];

    for (body, fields, case) in cases {
        let response = app.post_json(ORGS, Some(&admin()), &body).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), fields, "{case}: {problem}");
    }
    assert_eq!(app.count_rows("organisations").await, 0);
    assert_eq!(
        app.count_rows("audit_log").await,
        0,
        "failed writes leave no audit row"
    );
    assert_eq!(app.count_rows("change_events").await, 0);
}

async fn server_managed_fields_cannot_be_assigned(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.create_municipality("Älmhults kommun", "0765").await;

    for field in [
        "id",
        "created_at",
        "updated_at",
        "version",
        "organisation_id",
        "status",
    ] {
        let mut body = json!({"name": "Älmhult", "kind": "municipality"});
        body[field] = json!("2020-01-01T00:00:00Z");
        let problem = assert_problem(
            app.post_json(ORGS, Some(&admin()), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_fields(&problem), [field], "POST with {field}");

        let patch = json!({ field: "2020-01-01T00:00:00Z" });
        let response = app
            .patch_json(&org_path(&org), Some(&admin()), None, &patch)
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let after: Value = app.get(&org_path(&org), None).await.json().await.unwrap();
    assert_eq!(after, org);
}

async fn a_duplicate_municipality_code_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let ljungby = app.create_municipality("Ljungby kommun", "0781").await;

    let create = app
        .post_json(
            ORGS,
            Some(&admin()),
            &json!({"name": "Copy", "kind": "municipality", "municipality_code": "0780"}),
        )
        .await;
    let problem = assert_problem(create, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("0780"),
        "{problem}"
    );

    let patch = app
        .patch_json(
            &org_path(&ljungby),
            Some(&admin()),
            None,
            &json!({"municipality_code": "0780"}),
        )
        .await;
    assert_problem(patch, StatusCode::CONFLICT).await;

    let unchanged: Value = app
        .get(&org_path(&ljungby), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged, ljungby);
    assert_eq!(app.count_rows("organisations").await, 2);
    let _ = vaxjo;
}

async fn an_unknown_or_malformed_id_is_not_found_or_bad(backend: Backend) {
    let app = spawn_app(backend).await;
    let missing = format!("{ORGS}/{}", Uuid::now_v7());

    assert_problem(app.get(&missing, None).await, StatusCode::NOT_FOUND).await;
    assert_problem(
        app.patch_json(&missing, Some(&admin()), None, &json!({"name": "X"}))
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
        app.get(&format!("{ORGS}/123"), None).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

async fn patch_changes_only_the_given_fields_and_bumps_the_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let region = app.create_organisation(json!({"name": "Region Kronoberg", "kind": "region", "county_code": "07", "website": "https://regionkronoberg.se"})).await;

    let response = app
        .patch_json(
            &org_path(&region),
            Some(&admin()),
            Some("\"1\""),
            &json!({"short_name": "RK", "website": null}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::ETAG], "\"2\"");
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["short_name"], "RK");
    assert_eq!(
        changed["website"],
        Value::Null,
        "null clears an optional field"
    );
    assert_eq!(changed["name"], "Region Kronoberg", "absent fields stay");
    assert_eq!(changed["county_code"], "07");
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["created_at"], region["created_at"]);
    assert_ne!(changed["updated_at"], region["updated_at"]);

    let null_name = app
        .patch_json(
            &org_path(&region),
            Some(&admin()),
            None,
            &json!({"name": null}),
        )
        .await;
    let problem = assert_problem(null_name, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["name"]);
}

async fn a_patch_that_changes_nothing_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.create_municipality("Markaryds kommun", "0767").await;

    let response = app
        .patch_json(
            &org_path(&org),
            Some(&admin()),
            None,
            &json!({"name": "Markaryds kommun"}),
        )
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let same: Value = response.json().await.unwrap();
    assert_eq!(same["version"], 1);
    assert_eq!(app.count_rows("audit_log").await, 1);
}

async fn get_honours_if_none_match(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.create_municipality("Uppvidinge kommun", "0760").await;
    let path = org_path(&org);

    for (tag, expected) in [
        ("\"1\"", StatusCode::NOT_MODIFIED),
        ("W/\"1\"", StatusCode::NOT_MODIFIED),
        ("*", StatusCode::NOT_MODIFIED),
        ("\"7\", \"1\"", StatusCode::NOT_MODIFIED),
        ("\"2\"", StatusCode::OK),
    ] {
        let response = app
            .client
            .get(app.url(&path))
            .header(header::IF_NONE_MATCH, tag)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "If-None-Match: {tag}");
        assert_eq!(response.headers()[header::ETAG], "\"1\"");
    }
}

async fn a_stale_if_match_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.create_municipality("Tingsryds kommun", "0763").await;
    let path = org_path(&org);
    let first = app
        .patch_json(
            &path,
            Some(&admin()),
            Some("\"1\""),
            &json!({"short_name": "T"}),
        )
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let current: Value = first.json().await.unwrap();

    for tag in ["\"1\"", "W/\"2\"", "\"99\""] {
        let patch = app
            .patch_json(&path, Some(&admin()), Some(tag), &json!({"name": "Stale"}))
            .await;
        assert_problem(patch, StatusCode::PRECONDITION_FAILED).await;
        let delete = app.delete(&path, Some(&admin()), Some(tag)).await;
        assert_problem(delete, StatusCode::PRECONDITION_FAILED).await;
    }

    let after: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(after, current);
    assert_eq!(app.count_rows("audit_log").await, 2);
}

async fn an_if_match_without_an_entity_tag_never_matches(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.create_municipality("Alvesta kommun", "0764").await;
    let path = org_path(&org);
    for value in ["q", "=FJ", "null"] {
        let patch = app
            .patch_json(&path, Some(&admin()), Some(value), &json!({"name": "X"}))
            .await;
        assert_problem(patch, StatusCode::PRECONDITION_FAILED).await;
        let delete = app.delete(&path, Some(&admin()), Some(value)).await;
        assert_problem(delete, StatusCode::PRECONDITION_FAILED).await;
    }
    let after: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(after, org, "a refused precondition changes nothing");
}

async fn two_writers_with_the_same_etag_get_one_success_and_one_412(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.create_municipality("Ljungby kommun", "0781").await;
    let path = org_path(&org);

    let token = admin();
    let (body_a, body_b) = (json!({"short_name": "A"}), json!({"short_name": "B"}));
    let (a, b) = tokio::join!(
        app.patch_json(&path, Some(&token), Some("\"1\""), &body_a),
        app.patch_json(&path, Some(&token), Some("\"1\""), &body_b),
    );

    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);
    let after: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(after["version"], 2);
}

async fn delete_archives_and_keeps_the_record_readable(backend: Backend) {
    let app = spawn_app(backend).await;
    let kept = app.create_municipality("Växjö kommun", "0780").await;
    let gone = app.create_municipality("Lessebo kommun", "0761").await;

    let response = app
        .delete(&org_path(&gone), Some(&admin()), Some("\"1\""))
        .await;

    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let archived: Value = app.get(&org_path(&gone), None).await.json().await.unwrap();
    assert_eq!(archived["archived"], true);
    assert_eq!(archived["version"], 2);
    let list: Value = app.get(ORGS, None).await.json().await.unwrap();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [kept["id"].as_str().unwrap()],
        "archived organisations leave the default list"
    );
    let all: Value = app
        .get(&format!("{ORGS}?include_archived=true"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);

    let again = app.delete(&org_path(&gone), Some(&admin()), None).await;
    assert_eq!(
        again.status(),
        StatusCode::NO_CONTENT,
        "deleting twice is harmless"
    );
    assert_eq!(
        app.count_rows("audit_log").await,
        3,
        "two creations and one archive"
    );

    let restored = app
        .patch_json(
            &org_path(&gone),
            Some(&admin()),
            None,
            &json!({"archived": false}),
        )
        .await;
    assert_eq!(restored.status(), StatusCode::OK);
}

async fn lists_filter_by_kind_parent_code_and_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let region = app
        .create_organisation(
            json!({"name": "Region Kronoberg", "kind": "region", "county_code": "07"}),
        )
        .await;
    let steering = app.create_organisation(json!({"name": "Styrgrupp Barnens bästa gäller", "short_name": "SG", "kind": "group", "parent_id": region["id"]})).await;
    app.create_organisation(json!({"name": "Arbetsutskottet", "short_name": "AU", "kind": "group", "parent_id": steering["id"]})).await;
    app.create_municipality("Älmhults kommun", "0765").await;
    app.create_municipality("Växjö kommun", "0780").await;
    app.create_organisation(json!({"name": "100% Procent_test", "kind": "ngo"}))
        .await;

    let names = |query: &'static str| {
        let app = &app;
        async move {
            let response = app.get(&format!("{ORGS}?{query}"), None).await;
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            let page: Value = response.json().await.unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };

    assert_eq!(
        names("kind=group").await,
        ["Styrgrupp Barnens bästa gäller", "Arbetsutskottet"]
    );
    assert_eq!(
        names("kind=municipality&municipality_code=0780").await,
        ["Växjö kommun"]
    );
    assert_eq!(
        names(Box::leak(
            format!("parent_id={}", region["id"].as_str().unwrap()).into_boxed_str()
        ))
        .await,
        ["Styrgrupp Barnens bästa gäller"]
    );
    assert_eq!(
        names("q=%C3%84LMHULT").await,
        ["Älmhults kommun"],
        "case-insensitive with Ä"
    );
    assert_eq!(
        names("q=b%C3%A4sta").await,
        ["Styrgrupp Barnens bästa gäller"]
    );
    assert_eq!(names("q=%25").await, ["100% Procent_test"], "% is literal");
    assert_eq!(names("q=1_0").await, Vec::<String>::new(), "_ is literal");
    assert_eq!(
        names("q=%27%20OR%201%3D1--").await,
        Vec::<String>::new(),
        "injection is a literal match"
    );
}

async fn two_hundred_and_fifty_organisations_page_without_duplicates_or_gaps(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut created = HashSet::new();
    for i in 0..250 {
        let org = app
            .create_organisation(json!({"name": format!("Förening {i:03}"), "kind": "ngo"}))
            .await;
        created.insert(org["id"].as_str().unwrap().to_owned());
    }

    let mut seen = Vec::new();
    let mut next = format!("{ORGS}?limit=60&kind=ngo");
    let mut pages = 0;
    loop {
        let response = app.get(&next, None).await;
        assert_eq!(response.status(), StatusCode::OK);
        let link = response
            .headers()
            .get(header::LINK)
            .map(|v| v.to_str().unwrap().to_owned());
        let page: Value = response.json().await.unwrap();
        pages += 1;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                let link = link.expect("a Link header when there is a next page");
                assert!(link.ends_with("rel=\"next\""), "{link}");
                assert!(
                    link.contains(cursor) && link.contains("kind=ngo") && link.contains("limit=60"),
                    "{link}"
                );
                next = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned();
            }
            None => {
                assert!(link.is_none(), "no Link on the last page");
                break;
            }
        }
    }

    assert_eq!(pages, 5);
    assert_eq!(seen.len(), 250, "none missed");
    assert_eq!(
        seen.iter().cloned().collect::<HashSet<_>>(),
        created,
        "no duplicates, none missed"
    );
    let default: Value = app.get(ORGS, None).await.json().await.unwrap();
    assert_eq!(
        default["items"].as_array().unwrap().len(),
        50,
        "default page size"
    );
}

async fn updated_since_returns_changes_with_tombstones_in_change_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let old = app.create_municipality("Uppvidinge kommun", "0760").await;
    let archived = app.create_municipality("Lessebo kommun", "0761").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let since = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let new = app.create_municipality("Tingsryds kommun", "0763").await;
    app.delete(&org_path(&archived), Some(&admin()), None).await;
    app.patch_json(
        &org_path(&old),
        Some(&admin()),
        None,
        &json!({"short_name": "Uppv"}),
    )
    .await;

    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("updated_since", &since.to_rfc3339())
        .append_pair("limit", "2")
        .finish();
    let first: Value = app
        .get(&format!("{ORGS}?{query}"), None)
        .await
        .json()
        .await
        .unwrap();
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let second: Value = app
        .get(&format!("{ORGS}?{query}&cursor={cursor}"), None)
        .await
        .json()
        .await
        .unwrap();

    let changed: Vec<(String, bool)> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_owned(),
                o["archived"].as_bool().unwrap(),
            )
        })
        .collect();
    let id = |o: &Value| o["id"].as_str().unwrap().to_owned();
    assert_eq!(
        changed,
        [(id(&new), false), (id(&archived), true), (id(&old), false)],
        "in change order, with the tombstone"
    );
    assert!(second["next_cursor"].is_null());

    let plain_cursor = app.get(&format!("{ORGS}?cursor={cursor}"), None).await;
    assert_problem(plain_cursor, StatusCode::BAD_REQUEST).await;
    let space_offset = since
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap())
        .to_rfc3339()
        .replace('+', "%20");
    let unencoded = app
        .get(&format!("{ORGS}?updated_since={space_offset}"), None)
        .await;
    assert_eq!(
        unencoded.status(),
        StatusCode::OK,
        "an unencoded + in the offset is read as +"
    );
}

async fn a_parent_cannot_be_the_organisation_itself_or_a_descendant(backend: Backend) {
    let app = spawn_app(backend).await;
    let region = app
        .create_organisation(json!({"name": "Region Kronoberg", "kind": "region"}))
        .await;
    let steering = app
        .create_organisation(
            json!({"name": "Styrgrupp", "kind": "group", "parent_id": region["id"]}),
        )
        .await;
    let committee = app
        .create_organisation(
            json!({"name": "Arbetsutskott", "kind": "group", "parent_id": steering["id"]}),
        )
        .await;

    for parent in [&region, &committee] {
        let response = app
            .patch_json(
                &org_path(&region),
                Some(&admin()),
                None,
                &json!({"parent_id": parent["id"]}),
            )
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), ["parent_id"]);
    }
    let after: Value = app
        .get(&org_path(&region), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["parent_id"], Value::Null);
}

crate::on_both_backends!(
    creating_an_organisation_returns_it_with_etag_and_location,
    every_write_needs_an_admin_token,
    a_forbidden_role_is_refused_before_its_body_is_read,
    every_role_and_anonymous_callers_can_read_organisations,
    invalid_organisations_are_refused_with_every_field_named,
    server_managed_fields_cannot_be_assigned,
    a_duplicate_municipality_code_is_a_conflict,
    an_unknown_or_malformed_id_is_not_found_or_bad,
    patch_changes_only_the_given_fields_and_bumps_the_version,
    a_patch_that_changes_nothing_writes_nothing,
    get_honours_if_none_match,
    a_stale_if_match_is_refused_and_changes_nothing,
    an_if_match_without_an_entity_tag_never_matches,
    two_writers_with_the_same_etag_get_one_success_and_one_412,
    delete_archives_and_keeps_the_record_readable,
    lists_filter_by_kind_parent_code_and_name,
    two_hundred_and_fifty_organisations_page_without_duplicates_or_gaps,
    updated_since_returns_changes_with_tombstones_in_change_order,
    a_parent_cannot_be_the_organisation_itself_or_a_descendant,
);

async fn head_answers_like_get_without_a_body(backend: Backend) {
    let app = spawn_app(backend).await;
    let org = app.create_municipality("Växjö kommun", "0780").await;

    let response = app
        .client
        .head(app.url(&org_path(&org)))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::ETAG], "\"1\"");
    assert!(response.bytes().await.unwrap().is_empty());
    let missing = app
        .client
        .head(app.url(&format!("{ORGS}/{}", Uuid::now_v7())))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

crate::on_both_backends!(head_answers_like_get_without_a_body);
