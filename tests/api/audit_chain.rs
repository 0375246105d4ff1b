//! Issue 12: erasure that reaches every title, text and the audit log (finding 3), and the
//! audit log's chain of seals, checked over HTTP and by `samverkan audit verify`.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::*;

const NAME: &str = "Karin Lindqvist";
const EMAIL: &str = "karin.lindqvist@example.se";
const PHONE: &str = "0470-111 22";

async fn verify(app: &TestApp) -> Value {
    let response = app.get("/api/v1/audit/verify", Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// A member named in a meeting title, an agenda item's title and minutes, a decision, a plan's
/// description, a membership note and an indicator value's note (in other letter cases too).
async fn named_everywhere(app: &TestApp) -> (Value, Value, Value) {
    let group = app.create_group("Styrgrupp").await;
    let karin = app
        .create_member(json!({"name": NAME, "email": EMAIL, "phone": PHONE, "title": "Rektor"}))
        .await;
    app.create_membership(json!({
        "member_id": id(&karin), "group_id": id(&group), "role": "member",
        "start_date": "2021-01-01", "note": format!("kontakt: {EMAIL}")
    }))
    .await;
    let meeting = created(
        app,
        "/api/v1/meetings",
        json!({"group_id": id(&group), "title": format!("Avtackning av {NAME}"),
               "status": "held", "public": true,
               "starts_at": "2021-11-05T09:00:00Z", "ends_at": "2021-11-05T12:00:00Z"}),
    )
    .await;
    let item = created(
        app,
        &format!("/api/v1/meetings/{}/agenda-items", id(&meeting)),
        json!({"number": "8", "title": format!("Val av {NAME} till ordförande"),
               "minutes": format!("{} presenterade sig. Nås på {PHONE}.", NAME.to_uppercase()),
               "conflicts": [{"member_id": id(&karin), "note": format!("{NAME} är part")}]}),
    )
    .await;
    let approval = created(
        app,
        "/api/v1/decisions",
        json!({"meeting_id": id(&meeting), "agenda_item_id": id(&item), "kind": "approval",
               "title": "Handlingsplanen godkänns", "text": "Styrgruppen godkänner planen."}),
    )
    .await;
    created(
        app,
        "/api/v1/decisions",
        json!({"meeting_id": id(&meeting), "agenda_item_id": id(&item), "kind": "election",
               "title": format!("Val av {}", NAME.to_lowercase()),
               "text": format!("Styrgruppen väljer {NAME}."),
               "reservations": [{"member_id": id(&karin),
                                 "text": format!("{NAME} reserverar sig ({EMAIL}).")}]}),
    )
    .await;
    let plan = created(
        app,
        "/api/v1/action-plans",
        json!({"group_id": id(&group), "title": "Handlingsplan",
               "description": format!("Samordnas av {NAME}")}),
    )
    .await;
    // An approved plan whose activity's progress report names her.
    let plan_url = format!("/api/v1/action-plans/{}", id(&plan));
    created(
        app,
        &format!("{plan_url}/revisions"),
        json!({"content": {"sections": [{"key": "s", "title": "Samverkan", "goals": [
            {"key": "g", "title": "Mål", "activities": [{"key": "a", "text": "Kontaktvägar"}]}
        ]}]}}),
    )
    .await;
    let approved = app
        .patch_json(
            &format!("{plan_url}/revisions/1"),
            Some(&admin()),
            None,
            &json!({"status": "approved", "decision_id": id(&approval)}),
        )
        .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let reported = app
        .client
        .put(app.url(&format!("{plan_url}/activities/a/progress")))
        .bearer_auth(admin())
        .json(&json!({"status": "ongoing", "note": format!("{NAME} rapporterar, {PHONE}")}))
        .send()
        .await
        .unwrap();
    assert_eq!(reported.status(), StatusCode::OK);
    let indicator = created(
        app,
        "/api/v1/indicators",
        json!({"code": "BBG-T03", "name": "Sjukdomsfall på grund av våld", "category": "health",
               "kind": "outcome", "unit": "rate_per_1000", "better": "lower"}),
    )
    .await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let response = app
        .client
        .put(app.url(&format!("/api/v1/indicators/{}/values", id(&indicator))))
        .bearer_auth(admin())
        .json(
            &json!({"values": [{"organisation_id": id(&vaxjo), "period": "2021",
                                  "value": 4.2, "note": format!("enligt {NAME}")}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    (karin, meeting, indicator)
}

async fn erasure_reaches_every_title_text_export_and_the_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let (karin, meeting, indicator) = named_everywhere(&app).await;
    // The check sees her before erasure, or it proves nothing.
    let before = app.rows_mentioning("lindqvist").await;
    for table in [
        "audit_texts:",
        "agenda_items:",
        "meetings:",
        "decisions:",
        "search_documents:",
        "activity_progress:",
    ] {
        assert!(
            before.iter().any(|r| r.starts_with(table)),
            "{table} {before:?}"
        );
    }
    // The sealed audit rows themselves hold no free text: it is in `audit_texts`.
    assert!(
        !before.iter().any(|r| r.starts_with("audit_log:")),
        "{before:?}"
    );

    let response = app
        .post_json(
            &format!("/api/v1/members/{}/erase", id(&karin)),
            Some(&admin()),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    for needle in ["lindqvist", EMAIL, PHONE, "rektor"] {
        let hits = app.rows_mentioning(needle).await;
        assert!(
            hits.is_empty(),
            "{needle:?} remains in:\n{}",
            hits.join("\n")
        );
    }
    let meeting_id = id(&meeting);
    let exports = [
        format!("/api/v1/meetings/{meeting_id}/minutes"),
        format!("/api/v1/meetings/{meeting_id}/minutes?lang=en"),
        format!("/api/v1/meetings/{meeting_id}.ics"),
        format!("/api/v1/meetings/{meeting_id}"),
        format!("/api/v1/meetings/{meeting_id}/agenda-items"),
        "/api/v1/meetings.ics".to_owned(),
        "/api/v1/decisions".to_owned(),
        "/api/v1/action-plans".to_owned(),
        "/api/v1/search?q=lindqvist".to_owned(),
        "/api/v1/search?q=ordförande".to_owned(),
        format!("/api/v1/indicators/{}/values", id(&indicator)),
        format!("/api/v1/indicators/{}/values.csv", id(&indicator)),
        "/api/v1/events?after=0&limit=1000".to_owned(),
        "/api/v1/audit?limit=200".to_owned(),
        format!("/api/v1/members/{}/export", id(&karin)),
        "/kolada/v3/data/kpi/BBG-T03".to_owned(),
    ];
    for path in exports {
        let response = app.get(&path, Some(&admin())).await;
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        let body = response.text().await.unwrap().to_lowercase();
        for needle in ["lindqvist", EMAIL, PHONE] {
            assert!(
                !body.contains(&needle.to_lowercase()),
                "{needle} in {path}: {body}"
            );
        }
    }
    // The audit log reads whole, the texts rewritten, and the chain still verifies.
    let audit: Value = app
        .get("/api/v1/audit?entity_type=agenda_item", Some(&admin()))
        .await
        .json()
        .await
        .unwrap();
    let first = &audit["items"][0];
    assert!(
        first["after"]["title"]
            .as_str()
            .unwrap()
            .starts_with("Val av Erased member"),
        "{first}"
    );
    let report = verify(&app).await;
    assert_eq!(report["ok"], true, "{report}");
}

/// Changes the database behind the service's back, with the append-only triggers lifted.
async fn tamper(app: &TestApp, sql: &str) {
    let postgres = app.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    let statements = if postgres {
        vec![
            "ALTER TABLE audit_log DISABLE TRIGGER USER".to_owned(),
            sql.to_owned(),
            "ALTER TABLE audit_log ENABLE TRIGGER USER".to_owned(),
        ]
    } else {
        vec![
            "DROP TRIGGER IF EXISTS audit_log_no_update".to_owned(),
            "DROP TRIGGER IF EXISTS audit_log_no_delete".to_owned(),
            sql.to_owned(),
        ]
    };
    for statement in statements {
        app.db.execute_unprepared(&statement).await.unwrap();
    }
}

async fn the_audit_chain_names_the_first_changed_or_removed_row(backend: Backend) {
    let app = spawn_app(backend).await;
    for (name, code) in [("Växjö kommun", "0780"), ("Ljungby kommun", "0781")] {
        app.create_municipality(name, code).await;
    }
    app.create_group("Styrgrupp").await;
    let report = verify(&app).await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["rows"], 3);
    assert_eq!(report["head"]["id"], 3);
    let audit: Value = app
        .get("/api/v1/audit", Some(&admin()))
        .await
        .json()
        .await
        .unwrap();
    let rows = audit["items"].as_array().unwrap();
    assert_eq!(rows[0]["previous_sha256"], "0".repeat(64));
    assert_eq!(rows[1]["previous_sha256"], rows[0]["sha256"]);
    assert_eq!(report["head"]["sha256"], rows[2]["sha256"]);

    // Only an admin may check.
    for (role, token) in non_admins() {
        let response = app.get("/api/v1/audit/verify", Some(&token)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role:?}");
    }
    let response = app.get("/api/v1/audit/verify", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // A changed row is named, with the reason.
    tamper(&app, "UPDATE audit_log SET action = 'archive' WHERE id = 2").await;
    let report = verify(&app).await;
    assert_eq!(report["ok"], false);
    assert_eq!(
        report["first_broken"],
        json!({"id": 2, "reason": "content"})
    );
    assert_eq!(report["head"]["id"], 1, "the last row that verified");

    // So is the row after a removed one.
    tamper(&app, "DELETE FROM audit_log WHERE id = 2").await;
    let report = verify(&app).await;
    assert_eq!(report["first_broken"], json!({"id": 3, "reason": "link"}));

    // The command line says the same, and fails.
    {
        let url = app.database_url();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_samverkan"))
            .args(["audit", "verify", "--database-url", &url])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(printed["first_broken"], json!({"id": 3, "reason": "link"}));
    }
}

async fn the_command_line_verifies_an_intact_chain(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_group("Styrgrupp").await;
    let url = app.database_url();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_samverkan"))
        .args(["audit", "verify", "--database-url", &url])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["ok"], true);
    assert_eq!(printed["rows"], 1);
}

crate::on_both_backends!(
    erasure_reaches_every_title_text_export_and_the_audit_log,
    the_audit_chain_names_the_first_changed_or_removed_row,
    the_command_line_verifies_an_intact_chain,
);

/// Rows written before the chain existed are split and sealed by the migration that brings it.
async fn the_migration_seals_rows_written_before_it(backend: Backend) {
    use migration::{Migrator, MigratorTrait};
    let database = TestDatabase::create(backend).await;
    let config =
        samverkan::db::DbConfig::new(&database.url, 1, std::time::Duration::from_secs(5)).unwrap();
    let db = config.connect().await.unwrap();
    Migrator::up(&db, Some(15)).await.unwrap();
    let id = "0193b0a4-9a5e-7000-8000-000000000001";
    let id_value = if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        format!("'{id}'")
    } else {
        format!("X'{}'", id.replace('-', ""))
    };
    for (action, after) in [
        (
            "create",
            r#"{"title": "Val av Karin Lindqvist", "version": 1}"#,
        ),
        ("update", r#"{"title": "Val av ordförande", "version": 2}"#),
    ] {
        db.execute_unprepared(&format!(
            "INSERT INTO audit_log (occurred_at, actor, actor_roles, action, entity_type, \
             entity_id, request_id, before, after) VALUES ('2021-11-05 09:00:00+00:00', \
             'a', '[\"admin\"]', '{action}', 'agenda_item', {id_value}, NULL, NULL, '{after}')"
        ))
        .await
        .unwrap();
    }
    Migrator::up(&db, None).await.unwrap();
    let report = samverkan::store::audit::chain::verify(&db).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.rows, 2);
    let texts: Vec<String> = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT text FROM audit_texts ORDER BY text",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get("", "text").unwrap())
        .collect();
    assert_eq!(texts, ["Val av Karin Lindqvist", "Val av ordförande"]);
    // The trigger is back: the sealed rows refuse changes.
    assert!(
        db.execute_unprepared("UPDATE audit_log SET action = 'archive'")
            .await
            .is_err()
    );
}

crate::on_both_backends!(the_migration_seals_rows_written_before_it);
