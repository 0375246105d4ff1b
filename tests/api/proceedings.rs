//! Issue 13: the meeting record as Swedish secretaries keep it — open-ended assignments,
//! funding without an amount, a decision's outcome, reservations and votes.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{decisions::*, helpers::*};

fn assignment(k: &Kronoberg, date: &str, number: &str, title: &str, text: &str) -> Value {
    let mut body = k.body(date, number, "assignment", title, text);
    body["assignees"] = json!([{"kind": "organisation", "id": k.org("Tvärgrupp barn")}]);
    body
}

/// The seeds' assignments that run "löpande" or report to a person are recorded as they are,
/// and the follow-ups of the group's later meetings show the ongoing one while it is open.
async fn open_ended_assignments_are_recorded_and_followed_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let ongoing = decide(
        &app,
        &assignment(
            &k,
            NOVEMBER,
            "6",
            "Uppföljning av Cosmic Link",
            "Hur anslutningen går följs upp löpande.",
        ),
    )
    .await;
    let mut to_person = assignment(
        &k,
        NOVEMBER,
        "9",
        "Nulägesbild av Link",
        "Tas fram och återrapporteras till processledaren.",
    );
    to_person["report_to_member_id"] = json!(k.person("Sofia Lindqvist"));
    let to_person = decide(&app, &to_person).await;
    let mut to_group = assignment(
        &k,
        NOVEMBER,
        "7",
        "Indikatorarbetet",
        "Återrapporteras till tvärgrupp barn.",
    );
    to_group["report_to_group_id"] = json!(k.org("Tvärgrupp barn"));
    let to_group = decide(&app, &to_group).await;

    assert_eq!(ongoing["ongoing"], true);
    assert_eq!(ongoing["follow_up_status"], "open");
    assert_eq!(ongoing["due_date"], Value::Null);
    assert_eq!(ongoing["overdue"], false, "no date: never overdue");
    assert_eq!(to_person["ongoing"], false);
    assert_eq!(
        to_person["report_to_member_id"],
        k.person("Sofia Lindqvist")
    );
    assert_eq!(to_group["report_to_group_id"], k.org("Tvärgrupp barn"));

    let february = get_json(&app, &follow_ups_url(k.meeting(FEBRUARY)), None).await;
    let listed = set_of(page_ids(&february));
    assert!(listed.contains(id(&ongoing)), "ongoing: {february}");
    assert!(!listed.contains(id(&to_person)), "reported to a person");
    let november = get_json(&app, &follow_ups_url(k.meeting(NOVEMBER)), None).await;
    assert!(
        !set_of(page_ids(&november)).contains(id(&ongoing)),
        "not at the meeting that gave it"
    );

    patched(&app, &ongoing, &json!({"follow_up_status": "done"})).await;
    let february = get_json(&app, &follow_ups_url(k.meeting(FEBRUARY)), None).await;
    assert!(!set_of(page_ids(&february)).contains(id(&ongoing)), "done");

    // A date or a meeting given later ends "ongoing".
    let dated = patched(&app, &to_person, &json!({"due_date": "2022-03-01"})).await;
    assert_eq!(dated["ongoing"], false);
    let cleared = patched(&app, &to_group, &json!({"report_to_group_id": null})).await;
    assert_eq!(cleared["ongoing"], true);
}

/// "Co-finance two more years, 2022–2023", with its funders and no amount.
async fn funding_may_name_the_period_and_funders_without_an_amount(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let mut body = k.body(
        JUNE,
        "7",
        "funding",
        "Finansiering processledare",
        "Styrgruppen beslutar att samfinansiera ytterligare två år, 2022-2023.",
    );
    body["period_start"] = json!("2022-01-01");
    body["period_end"] = json!("2023-12-31");
    body["funders"] = json!([k.org("Region Kronoberg"), k.org("Växjö kommun")]);

    let funding = decide(&app, &body).await;
    let read = get_json(&app, &decision_url(&funding), None).await;

    assert_eq!(read["amount_sek"], Value::Null);
    assert_eq!(read["period_start"], "2022-01-01");
    assert_eq!(read["period_end"], "2023-12-31");
    assert_eq!(read["funders"], body["funders"]);
}

/// A proposal sent back (återremiss) after a vote by name, with a reservation.
async fn outcome_reservations_and_votes_are_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let mut body = k.body(
        NOVEMBER,
        "9",
        "decision",
        "Gemensam upphandling",
        "Ärendet återremitteras för vidare beredning.",
    );
    body["outcome"] = json!("referred_back");
    body["reservations"] = json!([{
        "member_id": k.person("Tove Lindmark"),
        "text": "  Jag reserverar mig till förmån för mitt eget förslag.  ",
    }]);
    body["votes"] = json!([
        {"member_id": k.person("Göran Ekvall"), "vote": "yes"},
        {"member_id": k.person("Carl Wiklund"), "vote": "yes"},
        {"member_id": k.person("Tove Lindmark"), "vote": "no"},
        {"member_id": k.person("Magnus Fjällström"), "vote": "abstain"},
    ]);
    body["vote_counts"] = json!({"yes": 2, "no": 1, "abstain": 1});

    let decision = decide(&app, &body).await;
    let read = get_json(&app, &decision_url(&decision), Some(&member_token())).await;

    assert_eq!(read["outcome"], "referred_back");
    assert_eq!(
        read["reservations"],
        json!([{
            "member_id": k.person("Tove Lindmark"),
            "text": "Jag reserverar mig till förmån för mitt eget förslag.",
        }])
    );
    assert_eq!(read["votes"], body["votes"]);
    assert_eq!(read["vote_counts"], body["vote_counts"]);

    let plain = decide(
        &app,
        &k.body(
            NOVEMBER,
            "3",
            "decision",
            "Kontaktvägar",
            "Informationen noteras.",
        ),
    )
    .await;
    assert_eq!(plain["outcome"], "adopted", "the default");
    assert_eq!(plain["reservations"], json!([]));
    assert_eq!(plain["vote_counts"], Value::Null);

    let changed = patched(
        &app,
        &decision,
        &json!({"reservations": [], "votes": [], "vote_counts": null, "outcome": "rejected"}),
    )
    .await;
    assert_eq!(changed["outcome"], "rejected");
    assert_eq!(changed["reservations"], json!([]));
    assert_eq!(changed["vote_counts"], Value::Null);
    let response = app
        .patch_json(
            &decision_url(&decision),
            Some(&member_token()),
            None,
            &json!({"outcome": "adopted"}),
        )
        .await;
    assert_problem(response, StatusCode::FORBIDDEN).await;
    let unchanged = get_json(&app, &decision_url(&decision), Some(&member_token())).await;
    assert_eq!(unchanged["outcome"], "rejected");
}

crate::on_both_backends!(
    open_ended_assignments_are_recorded_and_followed_up,
    funding_may_name_the_period_and_funders_without_an_amount,
    outcome_reservations_and_votes_are_kept,
);
