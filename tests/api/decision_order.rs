//! Issue 13: decisions are listed in the order of the minutes (meeting start, agenda position,
//! then as taken), page after page, and follow the agenda when it is reordered.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{decisions::*, helpers::*};

async fn references(app: &TestApp, query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut url = format!("{DECISIONS}?{query}&limit=2");
    loop {
        let page = get_json(app, &url, None).await;
        out.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["reference"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{DECISIONS}?{query}&limit=2&cursor={cursor}"),
            None => return out,
        }
    }
}

async fn decisions_are_listed_in_the_order_of_the_minutes(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    // Taken out of order: the February item first, then November 9, 6, 6b, 3; June 5.
    for (date, number, title) in [
        (FEBRUARY, "1", "Kontaktvägar redovisade"),
        (NOVEMBER, "9", "Nuläge"),
        (NOVEMBER, "6", "Cosmic Link"),
        (NOVEMBER, "6", "Uppföljning av Cosmic Link"),
        (NOVEMBER, "3", "Kontaktvägar"),
        (JUNE, "5", "Underlag till politiken"),
    ] {
        decide(&app, &k.body(date, number, "decision", title, "Beslutas.")).await;
    }

    let all = references(&app, &format!("group_id={}", id(&k.sg))).await;

    assert_eq!(
        all,
        [
            "SG 2021-06-04 §5",
            "SG 2021-11-05 §3",
            "SG 2021-11-05 §6",
            "SG 2021-11-05 §6b",
            "SG 2021-11-05 §9",
            "SG 2022-02-04 §1",
        ]
    );

    // Item 9 moves to the top of the November agenda: its decision follows.
    let item = &k.items[&(NOVEMBER, "9")];
    let url = format!(
        "{}/agenda-items/{}",
        meeting_url(k.meeting(NOVEMBER)),
        id(item)
    );
    let response = app
        .patch_json(&url, Some(&admin()), None, &json!({"position": 1}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let november = references(&app, &format!("meeting_id={}", id(k.meeting(NOVEMBER)))).await;
    assert_eq!(
        november,
        [
            "SG 2021-11-05 §9",
            "SG 2021-11-05 §3",
            "SG 2021-11-05 §6",
            "SG 2021-11-05 §6b"
        ]
    );

    // A meeting moved to a later date takes its decisions with it, in the order of the list and
    // in their references (`meeting_day.rs`).
    let moved =
        json!({"starts_at": "2022-03-01T08:30:00+01:00", "ends_at": "2022-03-01T10:00:00+01:00"});
    let response = app
        .patch_json(&meeting_url(k.meeting(JUNE)), Some(&admin()), None, &moved)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let all = references(&app, &format!("group_id={}", id(&k.sg))).await;
    assert_eq!(
        all.last().map(String::as_str),
        Some("SG 2022-03-01 §5"),
        "{all:?}"
    );

    // A cursor of another list is refused, not misread.
    let meetings: Value = get_json(&app, "/api/v1/meetings?limit=1", None).await;
    let foreign = meetings["next_cursor"].as_str().unwrap();
    let response = app
        .get(&format!("{DECISIONS}?limit=1&cursor={foreign}"), None)
        .await;
    assert_problem(response, StatusCode::BAD_REQUEST).await;
}

async fn minutes_orders(app: &TestApp) -> Vec<(String, i64)> {
    use sea_orm::ConnectionTrait;
    app.db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT reference, minutes_order FROM decisions ORDER BY reference",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.try_get("", "reference").unwrap(),
                row.try_get("", "minutes_order").unwrap(),
            )
        })
        .collect()
}

/// Migration 19 fills the order of decisions taken before it exactly as the service keeps it.
async fn the_migration_orders_decisions_taken_before_it(backend: Backend) {
    use migration::{Migrator, MigratorTrait};
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    for (date, number) in [(NOVEMBER, "9"), (NOVEMBER, "3"), (JUNE, "5")] {
        decide(
            &app,
            &k.body(date, number, "decision", "Beslut", "Beslutas."),
        )
        .await;
    }
    let kept = minutes_orders(&app).await;
    assert!(kept.iter().all(|(_, order)| *order != 0), "{kept:?}");

    Migrator::down(&app.db, Some(1)).await.unwrap();
    Migrator::up(&app.db, None).await.unwrap();

    assert_eq!(minutes_orders(&app).await, kept);
}

crate::on_both_backends!(
    decisions_are_listed_in_the_order_of_the_minutes,
    the_migration_orders_decisions_taken_before_it,
);
