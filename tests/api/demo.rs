//! `samverkan seed --demo`: the steering group as of 2021-06-04, ready to query.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

async fn steering_group_id(app: &TestApp) -> String {
    let groups: Value = app
        .get("/api/v1/organisations?kind=group", None)
        .await
        .json()
        .await
        .unwrap();
    groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["short_name"] == "SG")
        .and_then(|g| g["id"].as_str())
        .unwrap()
        .to_owned()
}

fn seats(roster: &Value) -> Vec<(String, String)> {
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

async fn the_demo_models_the_steering_group_of_2021_06_04_and_its_later_vice_chair(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let seeded = samverkan::demo::seed(&app.db).await.expect("seed the demo");

    assert_eq!(
        (seeded.organisations, seeded.members, seeded.memberships),
        (14, 18, 24)
    );
    let sg = steering_group_id(&app).await;
    let june: Value = app
        .get(
            &format!("/api/v1/organisations/{sg}/roster?on=2021-06-04"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let november: Value = app
        .get(
            &format!("/api/v1/organisations/{sg}/roster?on=2021-11-05"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let june = seats(&june);
    let november = seats(&november);
    assert_eq!(
        june.len(),
        18,
        "everyone seated on 2021-06-04, the deputy included: {june:?}"
    );
    assert_eq!(june[0], ("chair".into(), "Anders Ek".into()));
    assert_eq!(june[1], ("vice_chair".into(), "Tova Lind".into()));
    assert!(june.contains(&("deputy".into(), "Nick Björk".into())));
    assert_eq!(
        november[1],
        ("vice_chair".into(), "Maria Berg".into()),
        "elected after Tova Lind"
    );
    assert!(
        !november.contains(&("deputy".into(), "Nick Björk".into())),
        "the stand-in period is over"
    );
    assert_eq!(
        app.count_rows("audit_log").await,
        14 + 18 + 24,
        "the seed is audited like any write"
    );

    let again = samverkan::demo::seed(&app.db).await;
    assert!(again.is_err(), "the demo never mixes with existing data");
    let members: Value = app
        .get("/api/v1/members?limit=200", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(members["items"].as_array().unwrap().len(), 18);
    assert!(
        members["items"][0].get("email").is_none(),
        "demo contact data is protected like real data"
    );
    let response = app.get("/api/v1/members?limit=1", Some(&admin())).await;
    assert_eq!(response.status(), StatusCode::OK);
}

crate::on_both_backends!(the_demo_models_the_steering_group_of_2021_06_04_and_its_later_vice_chair);
