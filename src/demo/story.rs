//! The demo in the order it happened: people and meetings, the decisions of each meeting and
//! what followed from them, files, sign-off, approval of each minutes at the next meeting, and
//! an integrator's webhook.

use serde_json::json;

use super::{
    api::Api,
    indicators,
    meetings::{self, Refs},
    people::{self, Ids},
    plan,
};
use crate::startup::StartupError;

/// The held meetings, their day, and their chair and checkers; each is approved at the next.
const SIGNED: [(&str, &str, [&str; 3]); 4] = [
    ("feb2020", "2020-02-07", ["chair", "lessebo", "region"]),
    ("jun2021", "2021-06-04", ["chair", "vaxjo", "almhult"]),
    ("nov2021", "2021-11-05", ["chair", "lessebo", "hsv"]),
    ("dec2021", "2021-12-03", ["chair", "uppvidinge", "lnu"]),
];

/// Writes the whole demo; answers the steering group's id.
pub(super) async fn tell(api: &Api) -> Result<String, StartupError> {
    let ids = people::create(api).await?;
    let sg = ids.org("sg")?.to_owned();
    let mut refs = Refs::new(&ids);
    let meetings = meetings::load()?;
    meetings.create(api, &mut refs, &sg).await?;
    indicators::before_november(api, &mut refs).await?;
    plan::draft(api, &mut refs).await?;

    meetings.decide(api, &mut refs, "feb2020").await?;
    meetings.decide(api, &mut refs, "jun2021").await?;
    plan::approve(api, &refs, 1, "plan-2021").await?;
    meetings.decide(api, &mut refs, "nov2021").await?;
    indicators::november_changes(api, &mut refs).await?;
    // Item 10, "flyttas till nästa tillfälle": to the meeting planned for 2022-02-04, whose
    // agenda then closes with item 4.
    let deferred = refs.get("item:nov2021/10")?;
    let nov = refs.get("meeting:nov2021")?;
    let feb = refs.get("meeting:feb2022")?.to_owned();
    api.post(
        &format!("/api/v1/meetings/{nov}/agenda-items/{deferred}/defer"),
        &json!({"to_meeting_id": feb, "number": "3"}),
    )
    .await?;
    api.post(
        &format!("/api/v1/meetings/{feb}/agenda-items"),
        &json!({"number": "4", "title": "Mötet avslutas", "presenter_ids": [ids.person("chair")?]}),
    )
    .await?;
    plan::revise(api, &refs).await?;
    meetings.decide(api, &mut refs, "dec2021").await?;
    plan::approve(api, &refs, 2, "plan-2022").await?;
    plan::follow_up(api, &refs).await?;
    attachments(api, &refs).await?;
    indicators::values(api, &refs).await?;

    for (meeting, _, signatories) in SIGNED {
        let subjects: Vec<String> = signatories.iter().map(|k| Ids::subject(k)).collect();
        api.sign_off(refs.get(&format!("meeting:{meeting}"))?, &subjects)
            .await?;
    }
    for pair in SIGNED.windows(2) {
        let ((approved, ..), (at, on, _)) = (pair[0], pair[1]);
        let at_id = refs.get(&format!("meeting:{at}"))?;
        api.patch(
            &format!(
                "/api/v1/meetings/{}",
                refs.get(&format!("meeting:{approved}"))?
            ),
            &json!({"status": "minutes_approved", "minutes_approved_on": on,
                "minutes_approved_in_meeting_id": at_id}),
        )
        .await?;
    }
    api.post(
        "/api/v1/webhooks",
        &json!({"url": "http://127.0.0.1:8099/samverkan",
            "types": ["decision", "meeting.minutes_approved"], "active": false,
            "description": "Regionens intranät (demo: inaktiv; en mottagare på port 8099 kan ta emot)"}),
    )
    .await?;
    Ok(sg)
}

/// The material of the meetings as files: the NPF proposal of 2021-11-05, the revised plan
/// of 2021-12-03 (its own document, as the API renders it) and the minutes of 2020-02-07 as
/// read at the next meeting.
async fn attachments(api: &Api, refs: &Refs) -> Result<(), StartupError> {
    let npf = "# Förslag till överenskommelse om utredning av intellektuell \
               funktionsnedsättning och NPF\n\nDemodokument: förslaget som redovisades för \
               styrgruppen den 5 november 2021 under punkt 8.\n";
    api.attach(
        ("agenda_item", refs.get("item:nov2021/8")?),
        "Förslag till överenskommelse NPF.md",
        "text/markdown",
        npf.as_bytes().to_vec(),
    )
    .await?;
    let plan = refs.get("plan")?;
    let document = api
        .document(
            &format!("/api/v1/action-plans/{plan}/revisions/2/document"),
            "text/markdown",
        )
        .await?;
    api.attach(
        ("agenda_item", refs.get("item:dec2021/4")?),
        "Handlingsplan reviderad 2021-12-03.md",
        "text/markdown",
        document,
    )
    .await?;
    Ok(())
}
