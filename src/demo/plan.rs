//! The county's joint action plan: revision 1 sent out for consultation and approved on
//! 2021-06-04, revision 2 approved on 2021-12-03 with the decisions and indicators of
//! 2021-11-05 behind its activities, published, and progress reported since.

use serde_json::{Value, json};

use super::{api::Api, meetings::Refs};
use crate::startup::StartupError;

fn activity(key: &str, text: &str, due: &str, responsible: &[&str]) -> Value {
    json!({"key": key, "text": text, "due": due, "status": "planned", "responsible_ids": responsible})
}

/// Revision 1, as approved on 2021-06-04.
fn first(refs: &Refs) -> Result<Value, StartupError> {
    let region = refs.get("org:region")?;
    let tvargrupp = refs.get("org:tvargrupp")?;
    let lnu = refs.get("org:lnu")?;
    Ok(json!({"sections": [
        {"key": "modell", "title": "Kronobarnsmodellen i verksamheterna", "goals": [
            {"key": "praxis", "title": "Praxismodellen och barnets plan används i hela länet", "activities": [
                activity("praxismodell", "Praxismodellen införs i kommunernas och regionens verksamheter", "2021-H2", &[tvargrupp]),
                activity("barnets-plan", "Barnets plan tas fram och prövas i tre kommuner", "2021-H2", &[tvargrupp]),
            ]},
            {"key": "kompetens", "title": "Medarbetare har kunskap om samverkan", "activities": [
                activity("utbildning", "Verksamhetsnära utbildningsmaterial, steg 1", "2021-H2", &[region]),
                activity("spridning", "Spridningskonferenser i varje kommun", "2021-H2", &[tvargrupp]),
            ]},
        ]},
        {"key": "styrning", "title": "Gemensam styrning och uppföljning", "goals": [
            {"key": "uppfoljning", "title": "Arbetet följs upp med gemensamma mått", "activities": [
                activity("indikatorer", "Process- och resultatindikatorer tas fram", "2021-H2", &[lnu]),
                activity("internat", "Internat för styrgruppen", "2021-09", &[region]),
            ]},
        ]},
    ]}))
}

/// Revision 2: the contact routes, the digital platform and the changed indicators added;
/// the retreat done.
fn second(refs: &Refs) -> Result<Value, StartupError> {
    let mut content = first(refs)?;
    let tvargrupp = refs.get("org:tvargrupp")?;
    let region = refs.get("org:region")?;
    let mut contact = activity(
        "kontaktvagar",
        "Kontaktvägar in till och mellan verksamheterna föreslås",
        "2022-02",
        &[tvargrupp],
    );
    contact["decision_ids"] = json!([refs.get("decision:contact-routes")?]);
    let mut platform = activity(
        "digital-plattform",
        "Samtliga kommuner ansluter till Cosmic Link med elevhälsomodulen",
        "2022-H2",
        &[region],
    );
    platform["decision_ids"] = json!([refs.get("decision:cosmic-link")?]);
    if let Some(activities) = content["sections"][0]["goals"][0]["activities"].as_array_mut() {
        activities.extend([contact, platform]);
    }
    let goal = &mut content["sections"][1]["goals"][0];
    goal["activities"][0]["text"] =
        json!("Indikatorer för tandhälsa, våldsutsatthet och utveckling och omsorg följs årligen");
    goal["activities"][0]["due"] = json!("2022-H1");
    goal["activities"][0]["decision_ids"] = json!([refs.get("decision:indicators")?]);
    goal["activities"][0]["indicator_ids"] = json!([
        refs.get("indicator:dental")?,
        refs.get("indicator:violence")?,
        refs.get("indicator:preschool")?,
    ]);
    goal["activities"][1]["text"] = json!("Internat för styrgruppen 17–18 mars 2022");
    goal["activities"][1]["due"] = json!("2022-03");
    Ok(content)
}

/// The plan and its first revision, through consultation (`plan`).
pub(super) async fn draft(api: &Api, refs: &mut Refs) -> Result<(), StartupError> {
    let plan = api
        .create(
            "/api/v1/action-plans",
            &json!({"group_id": refs.get("org:sg")?,
                "title": "Länsgemensam handlingsplan för Barnens bästa gäller! i Kronoberg",
                "description": "Hur länets parter tillsammans inför Kronobarnsmodellen."}),
        )
        .await?;
    let revisions = format!("/api/v1/action-plans/{plan}/revisions");
    api.post(
        &revisions,
        &json!({"content": first(refs)?, "change_summary": "Reviderad efter pandemiåret och remissen av praxismodellen.",
            "valid_from": "2021-06-04"}),
    )
    .await?;
    api.patch(
        &format!("{revisions}/1"),
        &json!({"status": "consultation", "consultation_deadline": "2021-05-14"}),
    )
    .await?;
    for (org, on, summary) in [
        (
            "ljungby",
            "2021-05-10",
            "Ställer sig bakom planen; vill se en tidplan för barnets plan.",
        ),
        (
            "alvesta",
            "2021-05-12",
            "Tillstyrker; betonar skolans roll i spridningen.",
        ),
        (
            "polisen",
            "2021-05-14",
            "Inga invändningar; vill delta i arbetet med kontaktvägar.",
        ),
    ] {
        api.post(
            &format!("{revisions}/1/responses"),
            &json!({"organisation_id": refs.get(&format!("org:{org}"))?, "received_on": on, "summary": summary}),
        )
        .await?;
    }
    refs.insert("plan".into(), plan);
    Ok(())
}

/// Approves revision `number` by decision `decision`.
pub(super) async fn approve(
    api: &Api,
    refs: &Refs,
    number: u32,
    decision: &str,
) -> Result<(), StartupError> {
    let plan = refs.get("plan")?;
    api.post(
        &format!("/api/v1/action-plans/{plan}/revisions/{number}/approval"),
        &json!({"decision_id": refs.get(&format!("decision:{decision}"))?}),
    )
    .await?;
    Ok(())
}

/// Revision 2 drafted from revision 1 with the decisions of 2021-11-05.
pub(super) async fn revise(api: &Api, refs: &Refs) -> Result<(), StartupError> {
    let plan = refs.get("plan")?;
    api.post(
        &format!("/api/v1/action-plans/{plan}/revisions"),
        &json!({"content": second(refs)?, "valid_from": "2021-12-03",
            "change_summary": "Kontaktvägar och digital plattform tillagda; indikatorerna enligt beslut 2021-11-05."}),
    )
    .await?;
    Ok(())
}

/// Revision 2 published, and where the activities stand.
pub(super) async fn follow_up(api: &Api, refs: &Refs) -> Result<(), StartupError> {
    let plan = refs.get("plan")?;
    api.post(
        &format!("/api/v1/action-plans/{plan}/revisions/2/publications"),
        &json!({"channel": "document_portal", "published_at": "2021-12-06",
            "url": "https://dokument.example.se/barnens-basta/handlingsplan-2021-12-03.pdf"}),
    )
    .await?;
    for (key, status, percent, on, note) in [
        (
            "praxismodell",
            "ongoing",
            70,
            "2021-12-03",
            "Infört i sju av åtta kommuner.",
        ),
        (
            "barnets-plan",
            "ongoing",
            50,
            "2021-12-03",
            "Prövas i Ljungby, Lessebo och Växjö.",
        ),
        (
            "spridning",
            "done",
            100,
            "2021-11-30",
            "Spridningskonferenser hållna i alla kommuner.",
        ),
        (
            "kontaktvagar",
            "ongoing",
            30,
            "2021-12-03",
            "Tvärgruppen har börjat kartlägga kontaktvägarna.",
        ),
        (
            "digital-plattform",
            "ongoing",
            20,
            "2021-12-03",
            "Fem kommuner anslutna till Cosmic Link.",
        ),
    ] {
        api.put(
            &format!("/api/v1/action-plans/{plan}/activities/{key}/progress"),
            &json!({"status": status, "percent": percent, "progress_on": on, "note": note}),
        )
        .await?;
    }
    Ok(())
}
