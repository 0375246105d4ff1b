//! Decisions and assignments.
//!
//! The fixture is the steering group of *Barnens bästa gäller!* in Kronoberg and the decisions of
//! its meetings of 2021-06-04 and 2021-11-05 as the seed minutes record them, reporting to the
//! meeting of 2022-02-04 (the people are fictional; the organisations real).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::{Method, Response, StatusCode, header};
use samverkan::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

pub(crate) const DECISIONS: &str = "/api/v1/decisions";
pub(crate) const MEETINGS: &str = "/api/v1/meetings";
const MEMBERSHIPS: &str = "/api/v1/memberships";

pub(crate) use crate::helpers::id;

pub(crate) fn decision_url(decision: &Value) -> String {
    format!("{DECISIONS}/{}", id(decision))
}

pub(crate) fn meeting_url(meeting: &Value) -> String {
    format!("{MEETINGS}/{}", id(meeting))
}

pub(crate) fn follow_ups_url(meeting: &Value) -> String {
    format!("{MEETINGS}/{}/follow-ups", id(meeting))
}

pub(crate) fn secretary() -> String {
    token(&[Role::Secretary])
}

pub(crate) fn member_token() -> String {
    token(&[Role::Member])
}

/// Any request, with an optional token and JSON body.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.expect("request")
}

/// GET as JSON, asserting 200.
pub(crate) async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let response = app.get(path, token).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

/// The ids of a list page's items, in order.
pub(crate) fn page_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {page}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

fn ids_of(records: &[&Value]) -> Vec<String> {
    records.iter().map(|r| id(r).to_owned()).collect()
}

pub(crate) fn set_of(ids: Vec<String>) -> HashSet<String> {
    ids.into_iter().collect()
}

/// POST /decisions as admin; asserts 201 and returns the record.
pub(crate) async fn decide(app: &TestApp, body: &Value) -> Value {
    let response = app.post_json(DECISIONS, Some(&admin()), body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "deciding {body}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// PATCH /decisions/{id} as admin.
async fn patch_decision(app: &TestApp, decision: &Value, body: &Value) -> Response {
    app.patch_json(&decision_url(decision), Some(&admin()), None, body)
        .await
}

/// PATCH /decisions/{id} as admin; asserts 200 and returns the record.
pub(crate) async fn patched(app: &TestApp, decision: &Value, body: &Value) -> Value {
    let response = patch_decision(app, decision, body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "patching with {body}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// POST /meetings as admin; asserts 201.
pub(crate) async fn create_meeting(
    app: &TestApp,
    group: &Value,
    starts_at: &str,
    ends_at: &str,
    status: &str,
) -> Value {
    let body = json!({
        "group_id": id(group),
        "title": "Styrgrupp Barnens bästa gäller! i Kronoberg",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "status": status,
        "public": true,
    });
    let response = app.post_json(MEETINGS, Some(&admin()), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "creating {body}");
    response.json().await.unwrap()
}

/// PATCH a meeting as admin; asserts 200.
async fn move_meeting(app: &TestApp, meeting: &Value, body: Value) {
    let response = app
        .patch_json(&meeting_url(meeting), Some(&admin()), None, &body)
        .await;
    assert_eq!(response.status(), StatusCode::OK, "meeting to {body}");
}

/// POST an agenda item as admin; asserts 201.
pub(crate) async fn add_item(app: &TestApp, meeting: &Value, number: &str, title: &str) -> Value {
    let body = json!({"number": number, "title": title});
    let response = app
        .post_json(
            &format!("{}/agenda-items", meeting_url(meeting)),
            Some(&admin()),
            &body,
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "adding {body}");
    response.json().await.unwrap()
}

// --- The fixture ------------------------------------------------------------------------------

pub(crate) const JUNE: &str = "2021-06-04";
pub(crate) const NOVEMBER: &str = "2021-11-05";
pub(crate) const FEBRUARY: &str = "2022-02-04";

const MUNICIPALITIES: [(&str, &str); 5] = [
    ("Växjö kommun", "0780"),
    ("Lessebo kommun", "0761"),
    ("Alvesta kommun", "0764"),
    ("Ljungby kommun", "0781"),
    ("Uppvidinge kommun", "0760"),
];

/// (meeting date, number, title)
const AGENDA: [(&str, &str, &str); 11] = [
    (JUNE, "4", "Reviderad handlingsplan"),
    (JUNE, "5", "Underlag till beslut till politiken"),
    (JUNE, "6", "Internat 15-16 september"),
    (JUNE, "7", "Finansiering processledare"),
    (NOVEMBER, "3", "Information inför beslut om kontaktvägar"),
    (NOVEMBER, "6", "Inriktningsbeslut om digitalplattform"),
    (
        NOVEMBER,
        "7",
        "Indikatorer och utfallsmått och fortsatt arbete framåt",
    ),
    (NOVEMBER, "9", "Nuläge, övrigt"),
    (FEBRUARY, "1", "Redovisning av uppdraget om kontaktvägar"),
    (FEBRUARY, "2", "Digital plattform, uppföljning"),
    (FEBRUARY, "3", "Övrigt"),
];

/// The steering group (short name SG), the cross-sector working group, the parties, a few
/// people, and the meetings of 2021-06-04, 2021-11-05 (both held) and 2022-02-04 (planned).
pub(crate) struct Kronoberg {
    pub(crate) orgs: HashMap<&'static str, Value>,
    pub(crate) people: HashMap<&'static str, Value>,
    pub(crate) sg: Value,
    pub(crate) meetings: HashMap<&'static str, Value>,
    pub(crate) items: HashMap<(&'static str, &'static str), Value>,
}

impl Kronoberg {
    pub(crate) fn org(&self, name: &str) -> &str {
        id(&self.orgs[name])
    }

    pub(crate) fn person(&self, name: &str) -> &str {
        id(&self.people[name])
    }

    pub(crate) fn meeting(&self, date: &str) -> &Value {
        &self.meetings[date]
    }

    /// A minimal decision under item `number` of the meeting of `date`.
    pub(crate) fn body(
        &self,
        date: &str,
        number: &str,
        kind: &str,
        title: &str,
        text: &str,
    ) -> Value {
        let item = self
            .items
            .iter()
            .find(|((d, n), _)| *d == date && *n == number)
            .map(|(_, item)| item)
            .unwrap_or_else(|| panic!("no item {number} on {date}"));
        json!({
            "meeting_id": id(self.meeting(date)),
            "agenda_item_id": id(item),
            "kind": kind,
            "title": title,
            "text": text,
        })
    }
}

pub(crate) async fn kronoberg(app: &TestApp) -> Kronoberg {
    let region = app
        .create_organisation(
            json!({"name": "Region Kronoberg", "kind": "region", "county_code": "07"}),
        )
        .await;
    let sg = app
        .create_organisation(json!({
            "name": "Styrgrupp Barnens bästa gäller! i Kronoberg", "short_name": "SG",
            "kind": "group", "parent_id": id(&region)
        }))
        .await;
    let tvargrupp = app
        .create_organisation(json!({
            "name": "Tvärgrupp barn och unga", "short_name": "TG", "kind": "group",
            "parent_id": id(&region)
        }))
        .await;
    let mut orgs = HashMap::from([("Region Kronoberg", region), ("Tvärgrupp barn", tvargrupp)]);
    for (name, code) in MUNICIPALITIES {
        orgs.insert(name, app.create_municipality(name, code).await);
    }
    orgs.insert(
        "Linnéuniversitetet",
        app.create_organisation(json!({"name": "Linnéuniversitetet", "kind": "university"}))
            .await,
    );

    let mut people = HashMap::new();
    for (name, title) in [
        ("Göran Ekvall", "Kommunchef"),
        ("Sofia Lindqvist", "Processledare"),
        ("Magnus Fjällström", "Verksamhetschef"),
        ("Tove Lindmark", "Socialchef"),
        ("Carl Wiklund", "Förvaltningschef"),
    ] {
        people.insert(
            name,
            app.create_member(json!({"name": name, "title": title}))
                .await,
        );
    }

    let mut meetings = HashMap::new();
    for (date, starts_at, ends_at, status) in [
        (
            JUNE,
            "2021-06-04T08:30:00+02:00",
            "2021-06-04T09:30:00+02:00",
            "held",
        ),
        (
            NOVEMBER,
            "2021-11-05T08:30:00+01:00",
            "2021-11-05T11:30:00+01:00",
            "held",
        ),
        (
            FEBRUARY,
            "2022-02-04T08:30:00+01:00",
            "2022-02-04T11:30:00+01:00",
            "planned",
        ),
    ] {
        meetings.insert(
            date,
            create_meeting(app, &sg, starts_at, ends_at, status).await,
        );
    }
    let mut items = HashMap::new();
    for (date, number, title) in AGENDA {
        items.insert(
            (date, number),
            add_item(app, &meetings[date], number, title).await,
        );
    }
    Kronoberg {
        orgs,
        people,
        sg,
        meetings,
        items,
    }
}

/// The decisions the seeds record, as taken.
struct Seeded {
    /// 2021-06-04 §5: the parties decide in their own bodies by November 2021 (assignment).
    politics: Value,
    /// 2021-06-04 §7: co-financing 2022–2023 (funding).
    funding: Value,
    /// 2021-11-05 §3: contact routes, to the cross-sector group, reporting on 2022-02-04.
    contact_routes: Value,
    /// 2021-11-05 §6: the direction to join Cosmic Link (position).
    cosmic_link: Value,
    /// 2021-11-05 §7: the cross-sector group holds the indicator work together.
    indicator_mandate: Value,
    /// 2021-11-05 §7b: the indicators are changed.
    indicators: Value,
}

const POLITICS_TEXT: &str = "Respektive kommun och Region Kronoberg avgör själva på vilken \
    politisk nivå beslut ska tas. Beslut ska ha tagits i nämnd/styrelse/fullmäktige senast i \
    november 2021.";
const FUNDING_TEXT: &str = "Styrgruppen beslutar att samfinansiera ytterligare två år, 2022-2023.";
const CONTACT_ROUTES_TEXT: &str = "Bestämdes att ge uppdrag till tvärgrupp barn och \
    processledaren att lägga fram förslag på kontaktvägar in till och mellan verksamheterna i \
    länet. Redovisas på styrgruppsmötet den 4 februari 2022.";
const COSMIC_LINK_TEXT: &str = "Bestämdes att ta inriktningsbeslutet om att ansluta till \
    Cosmic Link och följa upp hur det går löpande.";
const MANDATE_TEXT: &str = "Bestämdes att uppdraget hålls ihop av tvärgrupp barn som har \
    mandat att tillsätta relevant kompetens för uppdraget.";
const INDICATORS_TEXT: &str = "Bestämdes också att indikatorerna ska ändras. Suicid tas bort \
    och antal sjukdomsfall på grund av våld döps om till våldsutsatthet.";

/// The municipalities and the region, as organisation ids.
fn parties(k: &Kronoberg) -> Vec<&str> {
    let mut ids: Vec<&str> = MUNICIPALITIES.iter().map(|(n, _)| k.org(n)).collect();
    ids.push(k.org("Region Kronoberg"));
    ids
}

async fn record_the_seeds(app: &TestApp, k: &Kronoberg) -> Seeded {
    let mut politics = k.body(
        JUNE,
        "5",
        "assignment",
        "Beslut i nämnd, styrelse eller fullmäktige",
        POLITICS_TEXT,
    );
    politics["assignees"] = json!(
        parties(k)
            .iter()
            .map(|o| json!({"kind": "organisation", "id": o}))
            .collect::<Vec<_>>()
    );
    politics["due_date"] = json!("2021-11-30");

    let mut funding = k.body(
        JUNE,
        "7",
        "funding",
        "Fortsatt finansiering av processledare",
        FUNDING_TEXT,
    );
    // The seeds give no sum: the amount is illustrative.
    funding["amount_sek"] = json!(1_800_000);
    funding["period_start"] = json!("2022-01-01");
    funding["period_end"] = json!("2023-12-31");
    funding["funders"] = json!(parties(k));

    let mut contact_routes = k.body(
        NOVEMBER,
        "3",
        "assignment",
        "Uppdrag om kontaktvägar",
        CONTACT_ROUTES_TEXT,
    );
    contact_routes["assignees"] = json!([
        {"kind": "organisation", "id": k.org("Tvärgrupp barn")},
        {"kind": "member", "id": k.person("Sofia Lindqvist")},
    ]);
    contact_routes["report_to_meeting_id"] = json!(id(k.meeting(FEBRUARY)));

    let mut cosmic_link = k.body(
        NOVEMBER,
        "6",
        "position",
        "Inriktningsbeslut om digital plattform",
        COSMIC_LINK_TEXT,
    );
    cosmic_link["concerns"] = json!(
        MUNICIPALITIES
            .iter()
            .map(|(n, _)| k.org(n))
            .collect::<Vec<_>>()
    );

    let indicator_mandate = k.body(
        NOVEMBER,
        "7",
        "decision",
        "Uppföljningen hålls ihop av tvärgrupp barn",
        MANDATE_TEXT,
    );
    let indicators = k.body(
        NOVEMBER,
        "7",
        "decision",
        "Ändrade indikatorer",
        INDICATORS_TEXT,
    );

    Seeded {
        politics: decide(app, &politics).await,
        funding: decide(app, &funding).await,
        contact_routes: decide(app, &contact_routes).await,
        cosmic_link: decide(app, &cosmic_link).await,
        indicator_mandate: decide(app, &indicator_mandate).await,
        indicators: decide(app, &indicators).await,
    }
}

// --- The seeds, recorded ----------------------------------------------------------------------

async fn the_decisions_of_june_and_november_2021_are_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;

    let s = record_the_seeds(&app, &k).await;

    for (decision, reference, decided_on, kind) in [
        (&s.politics, "SG 2021-06-04 §5", JUNE, "assignment"),
        (&s.funding, "SG 2021-06-04 §7", JUNE, "funding"),
        (
            &s.contact_routes,
            "SG 2021-11-05 §3",
            NOVEMBER,
            "assignment",
        ),
        (&s.cosmic_link, "SG 2021-11-05 §6", NOVEMBER, "position"),
        (
            &s.indicator_mandate,
            "SG 2021-11-05 §7",
            NOVEMBER,
            "decision",
        ),
        (&s.indicators, "SG 2021-11-05 §7b", NOVEMBER, "decision"),
    ] {
        assert_eq!(decision["reference"], reference, "{decision}");
        assert_eq!(decision["decided_on"], decided_on, "{reference}");
        assert_eq!(decision["kind"], kind, "{reference}");
        assert_eq!(decision["status"], "adopted", "{reference}");
        assert_eq!(decision["public"], true, "{reference}: public by default");
        assert_eq!(decision["version"], 1, "{reference}");
        assert_eq!(decision["supersedes_id"], Value::Null, "{reference}");
        let stored = get_json(&app, &decision_url(decision), None).await;
        assert_eq!(&stored, decision, "{reference}: read back as recorded");
    }

    // Co-financing 2022–2023, with its period and funders.
    let f = &s.funding;
    assert_eq!(f["text"], FUNDING_TEXT);
    assert_eq!(f["amount_sek"], 1_800_000);
    assert_eq!(f["period_start"], "2022-01-01");
    assert_eq!(f["period_end"], "2023-12-31");
    assert_eq!(f["funders"], json!(parties(&k)));
    assert_eq!(f["concerns"], json!([]), "every party");
    assert_eq!(f["assignees"], json!([]));
    assert_eq!(f["follow_up_status"], Value::Null, "not an assignment");
    assert_eq!(f["overdue"], false);

    // The contact routes: given to the cross-sector group and the process leader, reporting to
    // the meeting of 2022-02-04.
    let c = &s.contact_routes;
    assert_eq!(c["text"], CONTACT_ROUTES_TEXT);
    assert_eq!(
        c["assignees"],
        json!([
            {"kind": "organisation", "id": k.org("Tvärgrupp barn")},
            {"kind": "member", "id": k.person("Sofia Lindqvist")},
        ])
    );
    assert_eq!(c["report_to_meeting_id"], id(k.meeting(FEBRUARY)));
    assert_eq!(c["due_date"], Value::Null);
    assert_eq!(c["follow_up_status"], "open", "open by default");
    assert_eq!(c["overdue"], false, "no due date: never overdue");
    assert_eq!(c["amount_sek"], Value::Null);

    // Cosmic Link concerns the municipalities; the indicator changes are a decision of their own.
    assert_eq!(s.cosmic_link["text"], COSMIC_LINK_TEXT);
    assert_eq!(s.cosmic_link["concerns"].as_array().unwrap().len(), 5);
    assert_eq!(s.cosmic_link["follow_up_status"], Value::Null);
    assert_eq!(s.indicators["text"], INDICATORS_TEXT);
    assert_eq!(
        s.indicators["agenda_item_id"],
        s.indicator_mandate["agenda_item_id"]
    );

    // The politics assignment, due by the end of November 2021.
    assert_eq!(s.politics["due_date"], "2021-11-30");
    assert_eq!(s.politics["assignees"].as_array().unwrap().len(), 6);

    // The list of a meeting, in the order taken; and of a group over a period.
    let november = get_json(
        &app,
        &format!("{DECISIONS}?meeting_id={}", id(k.meeting(NOVEMBER))),
        Some(&member_token()),
    )
    .await;
    assert_eq!(
        page_ids(&november),
        ids_of(&[
            &s.contact_routes,
            &s.cosmic_link,
            &s.indicator_mandate,
            &s.indicators
        ])
    );
    let june = get_json(
        &app,
        &format!(
            "{DECISIONS}?group_id={}&from=2021-06-01&to=2021-06-30",
            id(&k.sg)
        ),
        None,
    )
    .await;
    assert_eq!(page_ids(&june), ids_of(&[&s.politics, &s.funding]));
}

async fn the_list_filters_by_group_kind_assignee_and_dates(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let s = record_the_seeds(&app, &k).await;
    let list = |query: String| {
        let app = &app;
        async move { page_ids(&get_json(app, &format!("{DECISIONS}?{query}"), None).await) }
    };

    let cases = [
        (
            list("kind=funding".into()).await,
            ids_of(&[&s.funding]),
            "kind",
        ),
        (
            list("kind=assignment".into()).await,
            ids_of(&[&s.politics, &s.contact_routes]),
            "kind=assignment",
        ),
        (
            list("status=adopted&kind=decision".into()).await,
            ids_of(&[&s.indicator_mandate, &s.indicators]),
            "status and kind",
        ),
        (
            list(format!("assignee_id={}", k.person("Sofia Lindqvist"))).await,
            ids_of(&[&s.contact_routes]),
            "a member assignee",
        ),
        (
            list(format!("assignee_id={}", k.org("Ljungby kommun"))).await,
            ids_of(&[&s.politics]),
            "an organisation assignee",
        ),
        (
            list("follow_up_status=open".into()).await,
            ids_of(&[&s.politics, &s.contact_routes]),
            "follow_up_status",
        ),
        (
            list("due_before=2021-12-01".into()).await,
            ids_of(&[&s.politics]),
            "due_before",
        ),
        (
            list("due_before=2021-11-30".into()).await,
            Vec::new(),
            "due_before is strict",
        ),
        (
            list(format!("from={NOVEMBER}&to={NOVEMBER}")).await,
            ids_of(&[
                &s.contact_routes,
                &s.cosmic_link,
                &s.indicator_mandate,
                &s.indicators,
            ]),
            "from and to are inclusive",
        ),
        (
            list(format!("group_id={}", k.org("Tvärgrupp barn"))).await,
            Vec::new(),
            "a group without meetings",
        ),
        (
            list("limit=2".into()).await,
            ids_of(&[&s.politics, &s.funding]),
            "limit",
        ),
    ];
    for (listed, expected, case) in cases {
        assert_eq!(listed, expected, "{case}");
    }

    for (query, parameter) in [
        ("kind=party", "kind"),
        ("status=pending", "status"),
        ("due_before=soon", "due_before"),
        ("concerns=not-a-uuid", "concerns"),
        ("overdue=maybe", "overdue"),
        ("limit=0", "limit"),
        ("updated_since=yesterday", "updated_since"),
        ("colour=blue", "colour"),
    ] {
        let response = app.get(&format!("{DECISIONS}?{query}"), None).await;
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), [parameter], "{query}: {problem}");
    }
}

// --- The follow-up loop -----------------------------------------------------------------------

async fn the_follow_ups_of_february_2022_list_what_must_be_reported(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let s = record_the_seeds(&app, &k).await;
    let mut on_the_day = k.body(
        NOVEMBER,
        "9",
        "assignment",
        "Nulägesbild av Link",
        "Processledaren tar fram ett nuläge kring vilka kommuner som är med i Link.",
    );
    on_the_day["assignees"] = json!([{"kind": "member", "id": k.person("Sofia Lindqvist")}]);
    on_the_day["due_date"] = json!(FEBRUARY);
    let on_the_day = decide(&app, &on_the_day).await;
    let mut the_day_after = k.body(
        NOVEMBER,
        "9",
        "assignment",
        "Kommunikationsstöd",
        "Processledaren tar upp frågan om kommunikationsstöd i tvärgrupp barn.",
    );
    the_day_after["assignees"] = json!([{"kind": "organisation", "id": k.org("Tvärgrupp barn")}]);
    the_day_after["due_date"] = json!("2022-02-05");
    let the_day_after = decide(&app, &the_day_after).await;
    let february = k.meeting(FEBRUARY);

    let before = get_json(&app, &follow_ups_url(february), Some(&secretary())).await;
    let listed = set_of(page_ids(&before));
    let politics_done = patched(&app, &s.politics, &json!({"follow_up_status": "done"})).await;
    let after = get_json(&app, &follow_ups_url(february), Some(&secretary())).await;

    assert_eq!(
        listed,
        set_of(ids_of(&[&s.contact_routes, &s.politics, &on_the_day])),
        "reporting to the meeting, or open and due on or before its date: {before}"
    );
    for absent in [&s.funding, &s.cosmic_link, &s.indicators, &the_day_after] {
        assert!(
            !listed.contains(id(absent)),
            "{} is not a follow-up",
            absent["title"]
        );
    }
    let contact = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == s.contact_routes["id"])
        .unwrap();
    assert_eq!(contact["reference"], "SG 2021-11-05 §3", "its origin");
    assert_eq!(contact["assignees"], s.contact_routes["assignees"]);
    assert_eq!(politics_done["follow_up_status"], "done");
    assert_eq!(
        set_of(page_ids(&after)),
        set_of(ids_of(&[&s.contact_routes, &on_the_day])),
        "a done assignment is no longer followed up by its due date"
    );

    // The meeting of 2021-11-05 had nothing to follow up: the politics were due after it.
    let november = get_json(&app, &follow_ups_url(k.meeting(NOVEMBER)), None).await;
    assert_eq!(page_ids(&november), Vec::<String>::new());
    let missing = app
        .get(&format!("{MEETINGS}/{}/follow-ups", Uuid::now_v7()), None)
        .await;
    assert_problem(missing, StatusCode::NOT_FOUND).await;
}

async fn an_open_assignment_past_its_due_date_is_overdue(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let s = record_the_seeds(&app, &k).await;
    let mut late = k.body(
        NOVEMBER,
        "9",
        "assignment",
        "Kontaktvägar i kallelser",
        "Kontaktvägar (kallelser) arbetas vidare med i tvärgrupp barn.",
    );
    late["assignees"] = json!([{"kind": "organisation", "id": k.org("Tvärgrupp barn")}]);
    late["due_date"] = json!("2021-12-10");
    let late = decide(&app, &late).await;
    let mut far_ahead = k.body(
        NOVEMBER,
        "9",
        "assignment",
        "Långsiktig uppföljning",
        "Tvärgrupp barn följer upp indikatorerna.",
    );
    far_ahead["assignees"] = json!([{"kind": "organisation", "id": k.org("Tvärgrupp barn")}]);
    far_ahead["due_date"] = json!("2099-12-31");
    let far_ahead = decide(&app, &far_ahead).await;

    let done = patched(&app, &late, &json!({"follow_up_status": "done"})).await;
    let overdue_list = get_json(
        &app,
        "/api/v1/assignments?status=open&overdue=true",
        Some(&member_token()),
    )
    .await;
    let decisions_overdue = get_json(&app, &format!("{DECISIONS}?overdue=true"), None).await;
    let not_overdue = get_json(&app, &format!("{DECISIONS}?overdue=false"), None).await;
    let open = get_json(&app, "/api/v1/assignments?status=open", None).await;

    assert_eq!(
        get_json(&app, &decision_url(&s.politics), None).await["overdue"],
        true,
        "open and due 2021-11-30"
    );
    assert_eq!(late["overdue"], true, "open and past due when taken");
    assert_eq!(done["overdue"], false, "done is never overdue");
    assert_eq!(far_ahead["overdue"], false);
    assert_eq!(s.contact_routes["overdue"], false, "no due date");
    assert_eq!(s.funding["overdue"], false, "not an assignment");
    assert_eq!(page_ids(&overdue_list), ids_of(&[&s.politics]));
    assert_eq!(page_ids(&decisions_overdue), ids_of(&[&s.politics]));
    let not_overdue = set_of(page_ids(&not_overdue));
    assert!(!not_overdue.contains(id(&s.politics)));
    for d in [&late, &far_ahead, &s.contact_routes, &s.funding] {
        assert!(not_overdue.contains(id(d)), "{} is not overdue", d["title"]);
    }
    assert_eq!(
        page_ids(&open),
        ids_of(&[&s.politics, &s.contact_routes, &far_ahead]),
        "assignments only, open only"
    );
    let by_assignee = get_json(
        &app,
        &format!(
            "/api/v1/assignments?assignee_id={}",
            k.org("Tvärgrupp barn")
        ),
        None,
    )
    .await;
    assert_eq!(
        page_ids(&by_assignee),
        ids_of(&[&s.contact_routes, &late, &far_ahead])
    );
}

// --- Supersede and revoke ---------------------------------------------------------------------

async fn audit_of(app: &TestApp, decision: &Value) -> Vec<Value> {
    let page = get_json(
        app,
        &format!(
            "/api/v1/audit?entity_type=decision&entity_id={}",
            id(decision)
        ),
        Some(&admin()),
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

async fn a_later_decision_supersedes_or_revokes_an_earlier_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let s = record_the_seeds(&app, &k).await;
    let mut internat = k.body(
        JUNE,
        "6",
        "decision",
        "Internatet hålls fysiskt",
        "Internatet den 15-16 september hålls fysiskt.",
    );
    internat["concerns"] = json!([]);
    let internat = decide(&app, &internat).await;
    let mut precise = k.body(
        FEBRUARY,
        "2",
        "position",
        "Inriktningsbeslut om digital plattform, preciserat",
        "Samtliga kommuner ansluter till Cosmic Link och kopplar på elevhälsomodulen.",
    );
    precise["supersedes_id"] = json!(id(&s.cosmic_link));
    let mut revoke = k.body(
        FEBRUARY,
        "3",
        "decision",
        "Internatet hålls inte fysiskt",
        "Beslutet om ett fysiskt internat upphävs.",
    );
    revoke["revokes_id"] = json!(id(&internat));

    let superseding = decide(&app, &precise).await;
    let revoking = decide(&app, &revoke).await;

    assert_eq!(superseding["supersedes_id"], id(&s.cosmic_link));
    assert_eq!(superseding["status"], "adopted");
    assert_eq!(superseding["decided_on"], FEBRUARY);
    assert_eq!(superseding["reference"], "SG 2022-02-04 §2");
    let old = get_json(&app, &decision_url(&s.cosmic_link), None).await;
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["version"], 2);
    assert_eq!(old["text"], COSMIC_LINK_TEXT, "the wording stands");
    assert_eq!(revoking["revokes_id"], id(&internat));
    let revoked = get_json(&app, &decision_url(&internat), None).await;
    assert_eq!(revoked["status"], "revoked");
    let listed = get_json(&app, &format!("{DECISIONS}?status=superseded"), None).await;
    assert_eq!(page_ids(&listed), ids_of(&[&s.cosmic_link]));
    let listed = get_json(&app, &format!("{DECISIONS}?status=revoked"), None).await;
    assert_eq!(page_ids(&listed), ids_of(&[&internat]));

    // Both sides are in the audit log.
    let old_log = audit_of(&app, &s.cosmic_link).await;
    let actions: Vec<&str> = old_log
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update"], "{old_log:?}");
    assert_eq!(old_log[1]["before"]["status"], "adopted");
    assert_eq!(old_log[1]["after"]["status"], "superseded");
    let new_log = audit_of(&app, &superseding).await;
    assert_eq!(new_log.len(), 1);
    assert_eq!(new_log[0]["action"], "create");
    assert_eq!(
        new_log[0]["after"]["supersedes_id"],
        id(&s.cosmic_link),
        "{new_log:?}"
    );
    let revoked_log = audit_of(&app, &internat).await;
    assert_eq!(revoked_log.last().unwrap()["after"]["status"], "revoked");
    assert_eq!(audit_of(&app, &revoking).await.len(), 1);

    // What is no longer adopted cannot be superseded or revoked again.
    let rows_before = (
        app.count_rows("decisions").await,
        app.count_rows("audit_log").await,
    );
    let again = |field: &str, target: &Value| {
        let mut body = k.body(FEBRUARY, "2", "decision", "Igen", "Ett beslut till.");
        body[field] = json!(id(target));
        body
    };
    for (body, case) in [
        (
            again("supersedes_id", &s.cosmic_link),
            "supersede superseded",
        ),
        (again("revokes_id", &s.cosmic_link), "revoke superseded"),
        (again("supersedes_id", &internat), "supersede revoked"),
        (again("revokes_id", &internat), "revoke revoked"),
    ] {
        let response = app.post_json(DECISIONS, Some(&admin()), &body).await;
        let problem = assert_problem(response, StatusCode::CONFLICT).await;
        assert!(
            problem["type"].as_str().unwrap().ends_with("conflict"),
            "{case}: {problem}"
        );
    }
    assert_eq!(
        (
            app.count_rows("decisions").await,
            app.count_rows("audit_log").await,
        ),
        rows_before,
        "nothing written"
    );
    // Nor is a superseded decision's wording changed.
    let response = patch_decision(&app, &s.cosmic_link, &json!({"text": "Ändrad."})).await;
    assert_problem(response, StatusCode::CONFLICT).await;
    assert_eq!(
        get_json(&app, &decision_url(&s.cosmic_link), None).await,
        old
    );
}

// --- Elections --------------------------------------------------------------------------------

async fn roster(app: &TestApp, group: &Value, on: &str) -> Value {
    get_json(
        app,
        &format!("/api/v1/organisations/{}/roster?on={on}", id(group)),
        None,
    )
    .await
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

fn seat(role: &str, name: &str) -> (String, String) {
    (role.to_owned(), name.to_owned())
}

async fn an_election_ends_the_old_seat_and_fills_the_new_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    // As on 2020-02-07: "Therese Linnér valdes som ny vice ordförande efter Carsten Wulf".
    let sit = |name: &str, role: &str, org: &str| {
        json!({
            "member_id": k.person(name), "group_id": id(&k.sg), "role": role,
            "represents_id": k.org(org), "start_date": "2019-01-01",
        })
    };
    app.create_membership(sit("Göran Ekvall", "chair", "Växjö kommun"))
        .await;
    let old_vice = app
        .create_membership(sit("Carl Wiklund", "vice_chair", "Alvesta kommun"))
        .await;
    app.create_membership(sit("Tove Lindmark", "member", "Lessebo kommun"))
        .await;
    let meeting = create_meeting(
        &app,
        &k.sg,
        "2020-02-07T08:30:00+01:00",
        "2020-02-07T09:30:00+01:00",
        "held",
    )
    .await;
    let item = add_item(&app, &meeting, "4", "Val av vice ordförande").await;
    let election = |ends: &[&str]| {
        json!({
            "meeting_id": id(&meeting),
            "agenda_item_id": id(&item),
            "kind": "election",
            "title": "Val av vice ordförande",
            "text": "Tove Lindmark valdes som ny vice ordförande efter Carl Wiklund.",
            "elects": [{
                "member_id": k.person("Tove Lindmark"), "role": "vice_chair",
                "represents_id": k.org("Lessebo kommun"),
            }],
            "ends_membership_ids": ends,
        })
    };
    let before = seats(&roster(&app, &k.sg, "2020-02-06").await);

    // Electing a second vice-chair without ending the first collides, and nothing is written.
    let rows_before = (
        app.count_rows("decisions").await,
        app.count_rows("memberships").await,
        app.count_rows("audit_log").await,
    );
    let collision = app
        .post_json(DECISIONS, Some(&admin()), &election(&[]))
        .await;
    assert_problem(collision, StatusCode::CONFLICT).await;
    assert_eq!(
        (
            app.count_rows("decisions").await,
            app.count_rows("memberships").await,
            app.count_rows("audit_log").await,
        ),
        rows_before,
        "the election is one transaction"
    );

    let decision = decide(&app, &election(&[id(&old_vice)])).await;
    let on_the_day = roster(&app, &k.sg, "2020-02-07").await;
    let the_day_before = seats(&roster(&app, &k.sg, "2020-02-06").await);

    assert_eq!(decision["kind"], "election");
    assert_eq!(decision["reference"], "SG 2020-02-07 §4");
    assert_eq!(before[1], seat("vice_chair", "Carl Wiklund"));
    assert_eq!(the_day_before, before, "the past roster is unchanged");
    let after = seats(&on_the_day);
    assert_eq!(after[1], seat("vice_chair", "Tove Lindmark"), "{after:?}");
    assert!(
        !after.iter().any(|(_, name)| name == "Carl Wiklund"),
        "the old vice-chair's seat has ended: {after:?}"
    );
    assert!(
        after.contains(&seat("member", "Tove Lindmark")),
        "Tove keeps her seat for Lessebo: {after:?}"
    );
    let ended = get_json(&app, &format!("{MEMBERSHIPS}/{}", id(&old_vice)), None).await;
    assert_eq!(
        ended["end_date"], "2020-02-06",
        "the day before the decision"
    );
    let new_seat_id = on_the_day["entries"][1]["membership_id"].as_str().unwrap();
    let new_seat = get_json(&app, &format!("{MEMBERSHIPS}/{new_seat_id}"), None).await;
    assert_eq!(new_seat["elected_by_decision_id"], id(&decision));
    assert_eq!(new_seat["start_date"], "2020-02-07");
    assert_eq!(new_seat["role"], "vice_chair");
    assert_eq!(new_seat["represents_id"], k.org("Lessebo kommun"));
    assert_eq!(new_seat["group_id"], id(&k.sg));
}

// --- The lock after approval ------------------------------------------------------------------

async fn approved_minutes_lock_decisions_but_not_their_follow_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    // A meeting taken through its whole lifecycle: planned, held, minutes approved.
    let december = create_meeting(
        &app,
        &k.sg,
        "2021-12-03T08:30:00+01:00",
        "2021-12-03T10:00:00+01:00",
        "planned",
    )
    .await;
    let item = add_item(&app, &december, "2", "Digital lösning").await;
    let mut link_status = json!({
        "meeting_id": id(&december),
        "agenda_item_id": id(&item),
        "kind": "assignment",
        "title": "Nuläge Cosmic Link",
        "text": "Processledaren redovisar vilka kommuner som är med i Link.",
        "assignees": [{"kind": "member", "id": k.person("Sofia Lindqvist")}],
        "due_date": "2022-01-31",
        "report_to_meeting_id": id(k.meeting(FEBRUARY)),
    });
    let assignment = decide(&app, &link_status).await;
    let mut position = link_status.clone();
    for field in ["assignees", "due_date", "report_to_meeting_id"] {
        position.as_object_mut().unwrap().remove(field);
    }
    position["kind"] = json!("position");
    position["text"] = json!("Arbetet med den digitala lösningen fortskrider.");
    let position = decide(&app, &position).await;
    move_meeting(&app, &december, json!({"status": "held"})).await;
    move_meeting(
        &app,
        &december,
        json!({"status": "minutes_approved", "minutes_approved_on": "2022-02-04"}),
    )
    .await;
    let reported_in = decide(
        &app,
        &k.body(
            FEBRUARY,
            "2",
            "information",
            "Redovisning Cosmic Link",
            "Processledaren redovisade nuläget kring Link.",
        ),
    )
    .await;
    let record_before = get_json(&app, &decision_url(&assignment), Some(&admin())).await;
    let rows_before = (
        app.count_rows("decisions").await,
        app.count_rows("audit_log").await,
    );

    let nobody = Uuid::now_v7().to_string();
    let locked_patches = [
        json!({"text": "Ändrad lydelse."}),
        json!({"title": "Ny rubrik"}),
        json!({"concerns": [k.org("Växjö kommun")]}),
        json!({"public": false}),
        json!({"due_date": "2022-03-31"}),
        json!({"report_to_meeting_id": null}),
        json!({"text": "Ändrad lydelse.", "follow_up_status": "done"}),
    ];
    for patch in &locked_patches {
        let response = patch_decision(&app, &assignment, patch).await;
        let problem = assert_problem(response, StatusCode::CONFLICT).await;
        assert!(
            problem["type"].as_str().unwrap().ends_with("locked"),
            "{patch}: {problem}"
        );
    }
    let response = patch_decision(&app, &position, &json!({"text": "Ändrad."})).await;
    let problem = assert_problem(response, StatusCode::CONFLICT).await;
    assert!(problem["type"].as_str().unwrap().ends_with("locked"));
    link_status["title"] = json!("Ett beslut till");
    let added = app.post_json(DECISIONS, Some(&admin()), &link_status).await;
    let problem = assert_problem(added, StatusCode::CONFLICT).await;
    assert!(
        problem["type"].as_str().unwrap().ends_with("locked"),
        "no decision is added to an approved meeting: {problem}"
    );
    assert_eq!(
        get_json(&app, &decision_url(&assignment), Some(&admin())).await,
        record_before,
        "unchanged"
    );
    assert_eq!(
        (
            app.count_rows("decisions").await,
            app.count_rows("audit_log").await,
        ),
        rows_before,
        "nothing written"
    );

    // The follow-up goes on.
    let reported = patched(
        &app,
        &assignment,
        &json!({"follow_up_status": "reported", "reported_in_decision_id": id(&reported_in)}),
    )
    .await;
    assert_eq!(reported["follow_up_status"], "reported");
    assert_eq!(reported["reported_in_decision_id"], id(&reported_in));
    assert_eq!(reported["version"], 2);
    assert_eq!(reported["text"], record_before["text"]);
    let done = patched(&app, &assignment, &json!({"follow_up_status": "done"})).await;
    assert_eq!(done["follow_up_status"], "done");
    assert_eq!(done["version"], 3);
    let unknown = patch_decision(
        &app,
        &assignment,
        &json!({"reported_in_decision_id": nobody}),
    )
    .await;
    let problem = assert_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["reported_in_decision_id"]);

    // A correction is a new decision that supersedes the locked one.
    let mut correction = k.body(
        FEBRUARY,
        "2",
        "position",
        "Den digitala lösningen, rättelse",
        "Arbetet med den digitala lösningen fortskrider enligt plan.",
    );
    correction["supersedes_id"] = json!(id(&position));
    decide(&app, &correction).await;
    let superseded = get_json(&app, &decision_url(&position), None).await;
    assert_eq!(superseded["status"], "superseded");
    assert_eq!(superseded["text"], position["text"]);

    // Nor is a decision taken at a cancelled meeting.
    let cancelled = create_meeting(
        &app,
        &k.sg,
        "2022-01-14T08:30:00+01:00",
        "2022-01-14T10:00:00+01:00",
        "planned",
    )
    .await;
    let cancelled_item = add_item(&app, &cancelled, "1", "Inställt").await;
    move_meeting(&app, &cancelled, json!({"status": "cancelled"})).await;
    let count = app.count_rows("decisions").await;
    let response = app
        .post_json(
            DECISIONS,
            Some(&admin()),
            &json!({
                "meeting_id": id(&cancelled), "agenda_item_id": id(&cancelled_item),
                "kind": "decision", "title": "Inget", "text": "Mötet ställdes in.",
            }),
        )
        .await;
    let problem = assert_problem(response, StatusCode::CONFLICT).await;
    assert!(
        problem["type"].as_str().unwrap().ends_with("conflict"),
        "{problem}"
    );
    assert_eq!(app.count_rows("decisions").await, count);
}

// --- What a municipality pulls ----------------------------------------------------------------

fn latest_change(page: &Value) -> DateTime<Utc> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            DateTime::parse_from_rfc3339(d["updated_at"].as_str().unwrap())
                .unwrap()
                .with_timezone(&Utc)
        })
        .max()
        .unwrap()
}

async fn a_municipality_pulls_the_decisions_that_concern_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let s = record_the_seeds(&app, &k).await;
    let vaxjo = k.org("Växjö kommun");
    let mut ljungby_only = k.body(
        FEBRUARY,
        "2",
        "information",
        "Elevhälsomodulen i Ljungby",
        "Ljungby kommun kopplar på elevhälsomodulen under våren 2022.",
    );
    ljungby_only["concerns"] = json!([k.org("Ljungby kommun")]);
    let ljungby_only = decide(&app, &ljungby_only).await;
    let mut vaxjo_and_region = k.body(
        NOVEMBER,
        "9",
        "information",
        "Avtalet mellan Växjö kommun och Region Kronoberg",
        "Det behöver bli tydligt vad i avtalet som stör arbetet med Kronobarnsmodellen.",
    );
    vaxjo_and_region["concerns"] = json!([vaxjo, k.org("Region Kronoberg")]);
    let vaxjo_and_region = decide(&app, &vaxjo_and_region).await;
    let diariet = token_for(
        "vaxjo-diariet",
        &[Role::Integration],
        Some(Uuid::parse_str(vaxjo).unwrap()),
    );

    let first_pull = get_json(
        &app,
        &format!("{DECISIONS}?concerns={vaxjo}"),
        Some(&diariet),
    )
    .await;

    assert_eq!(
        page_ids(&first_pull),
        ids_of(&[
            &s.politics,
            &s.funding,
            &s.contact_routes,
            &s.cosmic_link,
            &s.indicator_mandate,
            &s.indicators,
            &vaxjo_and_region,
        ]),
        "concerning Växjö or every party; not Ljungby's"
    );
    let ljungby = get_json(
        &app,
        &format!("{DECISIONS}?concerns={}", k.org("Ljungby kommun")),
        Some(&diariet),
    )
    .await;
    let ljungby = set_of(page_ids(&ljungby));
    assert!(ljungby.contains(id(&ljungby_only)));
    assert!(ljungby.contains(id(&s.cosmic_link)));
    assert!(!ljungby.contains(id(&vaxjo_and_region)));

    // The next pull brings only what changed since the last one.
    let all = get_json(&app, DECISIONS, Some(&admin())).await;
    let pulled_at = (latest_change(&all) + Duration::microseconds(1))
        .to_rfc3339_opts(SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let changed = patched(&app, &s.politics, &json!({"follow_up_status": "done"})).await;
    let mut corrected = k.body(
        FEBRUARY,
        "1",
        "decision",
        "Indikatorer, rättelse",
        "Indikatorn tandhälsa följs vid 3, 6 och 12 års ålder.",
    );
    corrected["supersedes_id"] = json!(id(&s.indicators));
    let corrected = decide(&app, &corrected).await;
    let mut not_ours = k.body(
        FEBRUARY,
        "3",
        "information",
        "Ljungby",
        "Ny socialchef i Ljungby kommun.",
    );
    not_ours["concerns"] = json!([k.org("Ljungby kommun")]);
    let not_ours = decide(&app, &not_ours).await;

    let second_pull = get_json(
        &app,
        &format!("{DECISIONS}?concerns={vaxjo}&updated_since={pulled_at}"),
        Some(&diariet),
    )
    .await;
    let everyone = get_json(
        &app,
        &format!("{DECISIONS}?updated_since={pulled_at}"),
        Some(&diariet),
    )
    .await;

    assert_eq!(
        page_ids(&second_pull),
        ids_of(&[&changed, &s.indicators, &corrected]),
        "in the order changed: the follow-up, the superseded decision, its correction"
    );
    let items = second_pull["items"].as_array().unwrap();
    assert_eq!(items[0]["follow_up_status"], "done");
    assert_eq!(items[1]["status"], "superseded");
    assert_eq!(items[2]["supersedes_id"], id(&s.indicators));
    assert_eq!(
        set_of(page_ids(&everyone)),
        set_of(ids_of(&[&changed, &s.indicators, &corrected, &not_ours]))
    );
}

// --- Visibility -------------------------------------------------------------------------------

async fn non_public_decisions_are_read_by_insiders_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let s = record_the_seeds(&app, &k).await;
    let mut closed = k.body(
        NOVEMBER,
        "9",
        "assignment",
        "Förhandling om avtalet",
        "Ordföranden för samtal med Region Kronoberg om det särskilda avtalet.",
    );
    closed["public"] = json!(false);
    closed["assignees"] = json!([{"kind": "member", "id": k.person("Göran Ekvall")}]);
    closed["report_to_meeting_id"] = json!(id(k.meeting(FEBRUARY)));
    let closed = decide(&app, &closed).await;
    assert_eq!(closed["public"], false);
    let november = k.meeting(NOVEMBER);
    let minutes_url = format!("{}/minutes", meeting_url(november));

    let outsiders = [
        ("anonymous", None),
        ("integration", Some(token(&[Role::Integration]))),
        ("reporter", Some(token(&[Role::Reporter]))),
    ];
    let insiders = [
        ("member", member_token()),
        ("secretary", secretary()),
        ("admin", admin()),
    ];

    for (who, token) in &outsiders {
        let token = token.as_deref();
        let list = set_of(page_ids(&get_json(&app, DECISIONS, token).await));
        assert_eq!(list.len(), 6, "{who}: the public ones");
        assert!(!list.contains(id(&closed)), "{who}: list");
        let by_id = app.get(&decision_url(&closed), token).await;
        assert_problem(by_id, StatusCode::NOT_FOUND).await;
        let follow_ups =
            page_ids(&get_json(&app, &follow_ups_url(k.meeting(FEBRUARY)), token).await);
        assert!(
            !follow_ups.contains(&id(&closed).to_owned()),
            "{who}: follow-ups"
        );
        let assignments = page_ids(&get_json(&app, "/api/v1/assignments", token).await);
        assert!(
            !assignments.contains(&id(&closed).to_owned()),
            "{who}: assignments"
        );
        let minutes = app.get(&minutes_url, token).await.text().await.unwrap();
        assert!(!minutes.contains("särskilda avtalet"), "{who}: {minutes}");
        assert!(minutes.contains("SG 2021-11-05 §3"), "{who}: {minutes}");
        get_json(&app, &decision_url(&s.contact_routes), token).await;
    }
    for (who, token) in &insiders {
        let token = Some(token.as_str());
        let list = set_of(page_ids(&get_json(&app, DECISIONS, token).await));
        assert_eq!(list.len(), 7, "{who}: every decision");
        assert!(list.contains(id(&closed)), "{who}: list");
        let by_id = get_json(&app, &decision_url(&closed), token).await;
        assert_eq!(by_id, closed, "{who}");
        let follow_ups =
            page_ids(&get_json(&app, &follow_ups_url(k.meeting(FEBRUARY)), token).await);
        assert!(
            follow_ups.contains(&id(&closed).to_owned()),
            "{who}: follow-ups"
        );
        let minutes = app.get(&minutes_url, token).await.text().await.unwrap();
        assert!(minutes.contains("särskilda avtalet"), "{who}: {minutes}");
    }
}

/// A decision is no more public than its meeting: what a closed meeting decided stays closed,
/// as its agenda, minutes and search hits do.
async fn the_decisions_of_a_closed_meeting_are_read_by_insiders_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let response = app
        .post_json(
            MEETINGS,
            Some(&admin()),
            &json!({
                "group_id": id(&k.sg),
                "title": "Arbetsutskottet bereder",
                "starts_at": "2021-10-15T08:30:00+02:00",
                "ends_at": "2021-10-15T09:30:00+02:00",
                "status": "held",
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let closed_meeting: Value = response.json().await.unwrap();
    assert_eq!(closed_meeting["public"], false, "not public by default");
    let item = add_item(&app, &closed_meeting, "1", "Budget 2022").await;
    let decision = decide(
        &app,
        &json!({
            "meeting_id": id(&closed_meeting), "agenda_item_id": id(&item),
            "kind": "decision", "title": "Budgetförslag",
            "text": "Arbetsutskottet föreslår att 600 000 kr tas med till 2022.",
        }),
    )
    .await;
    assert_eq!(decision["public"], true, "the decision's own default");

    for (who, token) in [
        ("anonymous", None),
        ("integration", Some(token(&[Role::Integration]))),
        ("reporter", Some(token(&[Role::Reporter]))),
    ] {
        let token = token.as_deref();
        assert_problem(
            app.get(&meeting_url(&closed_meeting), token).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        let by_id = app.get(&decision_url(&decision), token).await;
        assert_eq!(
            by_id.status(),
            StatusCode::NOT_FOUND,
            "{who} reads a decision of a meeting hidden from them"
        );
        let listed = page_ids(&get_json(&app, DECISIONS, token).await);
        assert!(
            !listed.contains(&id(&decision).to_owned()),
            "{who} lists a decision of a meeting hidden from them"
        );
    }
    for token in [member_token(), secretary(), admin()] {
        get_json(&app, &decision_url(&decision), Some(&token)).await;
    }
}

/// A member's export lists the assignments given to them; erasing them scrubs their name from
/// decisions, locked ones included.
async fn a_members_export_lists_their_assignments_and_erasure_scrubs_decisions(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let s = record_the_seeds(&app, &k).await;
    let magnus = &k.people["Magnus Fjällström"];
    let mut feedback = k.body(
        NOVEMBER,
        "7",
        "assignment",
        "Fler indikatorer",
        "Magnus Fjällström återkopplar kring fler indikatorer till forskargruppen.",
    );
    feedback["assignees"] = json!([{"kind": "member", "id": id(magnus)}]);
    feedback["due_date"] = json!("2021-12-17");
    let feedback = decide(&app, &feedback).await;
    assert_eq!(feedback["reference"], "SG 2021-11-05 §7c");
    move_meeting(
        &app,
        k.meeting(NOVEMBER),
        json!({"status": "minutes_approved", "minutes_approved_on": "2021-12-03"}),
    )
    .await;
    let export_url = format!("/api/v1/members/{}/export", id(magnus));
    let sofia_export = get_json(
        &app,
        &format!("/api/v1/members/{}/export", k.person("Sofia Lindqvist")),
        Some(&admin()),
    )
    .await;

    let export = get_json(&app, &export_url, Some(&admin())).await;
    let erased = app
        .post_json(
            &format!("/api/v1/members/{}/erase", id(magnus)),
            Some(&admin()),
            &json!({}),
        )
        .await;

    assert_eq!(
        page_ids(&json!({"items": export["assignments"]})),
        ids_of(&[&feedback])
    );
    assert_eq!(
        page_ids(&json!({"items": sofia_export["assignments"]})),
        ids_of(&[&s.contact_routes]),
        "an assignment shared with the cross-sector group"
    );
    assert_eq!(erased.status(), StatusCode::OK);
    let pseudonym = erased.json::<Value>().await.unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let after = get_json(&app, &decision_url(&feedback), None).await;
    assert_eq!(
        after["text"],
        format!("{pseudonym} återkopplar kring fler indikatorer till forskargruppen.")
    );
    assert_eq!(
        after["assignees"], feedback["assignees"],
        "the reference stays"
    );
    let hits = app.rows_mentioning("Fjällström").await;
    assert!(hits.is_empty(), "the name remains in:\n{}", hits.join("\n"));
}

/// References are unique, also when two meetings on one day would give the same one: a group
/// that meets twice in a day, or two working committees both called "AU".
async fn references_stay_unique_when_short_names_and_dates_coincide(backend: Backend) {
    let app = spawn_app(backend).await;
    let au = app
        .create_organisation(
            json!({"name": "Arbetsutskott Barnens bästa", "short_name": "AU", "kind": "group"}),
        )
        .await;
    let other_au = app
        .create_organisation(
            json!({"name": "Arbetsutskott Folkhälsa", "short_name": "AU", "kind": "group"}),
        )
        .await;
    let cases = [
        (&au, "13:00", "the first meeting"),
        (&au, "15:00", "the same group's second meeting that day"),
        (&other_au, "13:00", "another group also called AU"),
    ];
    let mut references = HashSet::new();

    for (group, at, case) in cases {
        let meeting = create_meeting(
            &app,
            group,
            &format!("2021-11-05T{at}:00+01:00"),
            &format!("2021-11-05T{at}:30+01:00"),
            "held",
        )
        .await;
        let item = add_item(&app, &meeting, "1", "Beredning").await;
        let response = app
            .post_json(
                DECISIONS,
                Some(&admin()),
                &json!({
                    "meeting_id": id(&meeting), "agenda_item_id": id(&item),
                    "kind": "decision", "title": "Beredning",
                    "text": "Ärendet bereds vidare till styrgruppen.",
                }),
            )
            .await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{case}: {body}");
        let decision: Value = serde_json::from_str(&body).unwrap();
        let reference = decision["reference"].as_str().unwrap().to_owned();
        assert!(
            reference.starts_with("AU 2021-11-05"),
            "{case}: {reference}"
        );
        assert!(
            references.insert(reference.clone()),
            "{case}: {reference} again"
        );
    }
    assert!(references.contains("AU 2021-11-05 §1"), "{references:?}");
}

// --- Roles ------------------------------------------------------------------------------------

/// Anonymous → 401; reporter, member and integration → 403; nothing written.
async fn assert_writers_only(app: &TestApp, method: Method, path: &str, body: &Value) {
    let rows_before = (
        app.count_rows("decisions").await,
        app.count_rows("audit_log").await,
    );
    let anonymous = send(app, method.clone(), path, None, Some(body)).await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    for role in [Role::Reporter, Role::Member, Role::Integration] {
        let response = send(app, method.clone(), path, Some(&token(&[role])), Some(body)).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{method} {path} as {role:?}"
        );
        assert_problem(response, StatusCode::FORBIDDEN).await;
    }
    assert_eq!(
        (
            app.count_rows("decisions").await,
            app.count_rows("audit_log").await,
        ),
        rows_before,
        "{method} {path}: nothing written"
    );
}

async fn only_admin_and_secretary_write_decisions(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let s = record_the_seeds(&app, &k).await;
    let new = k.body(
        FEBRUARY,
        "3",
        "information",
        "Spridningskonferenser",
        "Spridningskonferenser genomförda eller på gång runt om i länet.",
    );
    let follow_up = json!({"follow_up_status": "reported"});
    let writers = [
        ("admin", admin(), "reported"),
        ("secretary", secretary(), "done"),
    ];

    assert_writers_only(&app, Method::POST, DECISIONS, &new).await;
    assert_writers_only(
        &app,
        Method::PATCH,
        &decision_url(&s.contact_routes),
        &follow_up,
    )
    .await;

    let mut references = Vec::new();
    for (who, token, follow_up) in &writers {
        let response = app.post_json(DECISIONS, Some(token), &new).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{who} decides");
        assert!(response.headers().contains_key(header::LOCATION), "{who}");
        let created: Value = response.json().await.unwrap();
        references.push(created["reference"].as_str().unwrap().to_owned());
        let response = app
            .patch_json(
                &decision_url(&s.contact_routes),
                Some(token),
                None,
                &json!({"follow_up_status": follow_up}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{who} follows up");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["follow_up_status"], *follow_up, "{who}");
    }
    assert_eq!(references, ["SG 2022-02-04 §3", "SG 2022-02-04 §3b"]);
    let log = audit_of(&app, &s.contact_routes).await;
    let roles: Vec<&Value> = log.iter().map(|e| &e["actor_roles"]).collect();
    assert_eq!(
        roles,
        [&json!(["admin"]), &json!(["admin"]), &json!(["secretary"])]
    );
}

// --- Bad input --------------------------------------------------------------------------------

async fn bad_decisions_are_422_with_nothing_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    let s = record_the_seeds(&app, &k).await;
    let vice = app
        .create_membership(json!({
            "member_id": k.person("Carl Wiklund"), "group_id": id(&k.sg), "role": "vice_chair",
            "represents_id": k.org("Alvesta kommun"), "start_date": "2019-01-01",
        }))
        .await;
    let good = k.body(
        FEBRUARY,
        "1",
        "decision",
        "Kontaktvägar",
        "Förslaget om kontaktvägar godkänns.",
    );
    let with = |pairs: &[(&str, Value)]| {
        let mut body = good.clone();
        for (field, value) in pairs {
            body[*field] = value.clone();
        }
        body
    };
    let assignee = json!([{"kind": "organisation", "id": k.org("Tvärgrupp barn")}]);
    let nobody = json!(Uuid::now_v7());
    let other_meetings_item = &k.items[&(NOVEMBER, "3")];
    let cases = [
        (
            with(&[("agenda_item_id", json!(id(other_meetings_item)))]),
            "agenda_item_id",
            "an agenda item of another meeting",
        ),
        (
            with(&[("agenda_item_id", nobody.clone())]),
            "agenda_item_id",
            "an unknown agenda item",
        ),
        (
            with(&[("meeting_id", nobody.clone())]),
            "meeting_id",
            "an unknown meeting",
        ),
        (
            with(&[
                ("kind", json!("assignment")),
                ("due_date", json!("2022-03-01")),
            ]),
            "assignees",
            "an assignment without assignees",
        ),
        (
            with(&[
                ("kind", json!("assignment")),
                ("assignees", assignee.clone()),
                ("outcome", json!("rejected")),
            ]),
            "outcome",
            "an assignment given by a rejected decision",
        ),
        (
            with(&[
                ("kind", json!("assignment")),
                ("assignees", assignee.clone()),
                ("report_to_member_id", json!(k.person("Tove Lindmark"))),
                ("report_to_group_id", json!(k.org("Tvärgrupp barn"))),
            ]),
            "report_to_group_id",
            "reporting to a member and a group at once",
        ),
        (
            with(&[
                ("kind", json!("assignment")),
                ("assignees", assignee.clone()),
                ("report_to_member_id", nobody.clone()),
            ]),
            "report_to_member_id",
            "reporting to an unknown member",
        ),
        (
            with(&[("report_to_group_id", json!(k.org("Tvärgrupp barn")))]),
            "report_to_group_id",
            "a group to report to on a decision that is no assignment",
        ),
        (
            with(&[(
                "reservations",
                json!([
                    {"member_id": k.person("Tove Lindmark")},
                    {"member_id": k.person("Tove Lindmark"), "text": "Jag reserverar mig."},
                ]),
            )]),
            "reservations[1].member_id",
            "a member reserving twice",
        ),
        (
            with(&[("reservations", json!([{"member_id": nobody.clone()}]))]),
            "reservations[0].member_id",
            "a reservation by an unknown member",
        ),
        (
            with(&[
                (
                    "votes",
                    json!([{"member_id": k.person("Tove Lindmark"), "vote": "yes"}]),
                ),
                ("vote_counts", json!({"yes": 2, "no": 0, "abstain": 0})),
            ]),
            "vote_counts.yes",
            "counts that do not match the votes by name",
        ),
        (
            with(&[
                ("kind", json!("assignment")),
                ("assignees", assignee.clone()),
                ("report_to_meeting_id", nobody.clone()),
            ]),
            "report_to_meeting_id",
            "reporting to an unknown meeting",
        ),
        (
            with(&[("kind", json!("funding")), ("amount_sek", json!(-600_000))]),
            "amount_sek",
            "a negative amount",
        ),
        (
            with(&[
                ("kind", json!("funding")),
                ("amount_sek", json!(600_000)),
                ("period_start", json!("2023-01-01")),
                ("period_end", json!("2022-12-31")),
            ]),
            "period_end",
            "a period ending before it starts",
        ),
        (
            with(&[("amount_sek", json!(600_000))]),
            "amount_sek",
            "an amount on a decision that is not funding",
        ),
        (
            with(&[
                ("kind", json!("funding")),
                ("amount_sek", json!(600_000)),
                ("funders", json!([nobody.clone()])),
            ]),
            "funders[0]",
            "an unknown funder",
        ),
        (
            with(&[(
                "elects",
                json!([{"member_id": k.person("Tove Lindmark"), "role": "vice_chair"}]),
            )]),
            "elects",
            "elects on a decision that is not an election",
        ),
        (
            with(&[("ends_membership_ids", json!([id(&vice)]))]),
            "ends_membership_ids",
            "ending a seat by a decision that is not an election",
        ),
        (
            with(&[
                ("kind", json!("election")),
                (
                    "elects",
                    json!([{"member_id": nobody.clone(), "role": "vice_chair"}]),
                ),
            ]),
            "elects[0].member_id",
            "electing an unknown member",
        ),
        (
            with(&[
                ("kind", json!("election")),
                ("ends_membership_ids", json!([nobody.clone()])),
            ]),
            "ends_membership_ids[0]",
            "ending an unknown seat",
        ),
        (
            with(&[("due_date", json!("2022-03-01"))]),
            "due_date",
            "a due date on a decision that asks nobody to act",
        ),
        (
            with(&[
                ("kind", json!("assignment")),
                ("due_date", json!("2022-03-01")),
                (
                    "assignees",
                    json!([{"kind": "member", "id": nobody.clone()}]),
                ),
            ]),
            "assignees[0].id",
            "an unknown assignee member",
        ),
        (
            with(&[
                ("kind", json!("assignment")),
                ("due_date", json!("2022-03-01")),
                (
                    "assignees",
                    json!([{"kind": "person", "id": k.person("Sofia Lindqvist")}]),
                ),
            ]),
            "assignees[0].kind",
            "an assignee of no known kind",
        ),
        (
            with(&[("concerns", json!([nobody.clone()]))]),
            "concerns[0]",
            "an unknown organisation concerned",
        ),
        (
            with(&[("supersedes_id", nobody.clone())]),
            "supersedes_id",
            "superseding an unknown decision",
        ),
        (
            with(&[
                ("supersedes_id", json!(id(&s.cosmic_link))),
                ("revokes_id", json!(id(&s.indicators))),
            ]),
            "revokes_id",
            "superseding and revoking at once",
        ),
        (with(&[("text", json!(""))]), "text", "an empty text"),
        (with(&[("text", json!("  \n "))]), "text", "a blank text"),
        (with(&[("title", json!(""))]), "title", "an empty title"),
        (with(&[("kind", json!("verdict"))]), "kind", "a bad kind"),
        (
            with(&[("reference", json!("SG 2022-02-04 §1"))]),
            "reference",
            "a reference chosen by the client",
        ),
        (
            with(&[("status", json!("adopted"))]),
            "status",
            "a status set by the client",
        ),
        (
            with(&[("decided_on", json!(FEBRUARY))]),
            "decided_on",
            "a date set by the client",
        ),
        (
            with(&[("id", nobody.clone())]),
            "id",
            "an id chosen by the client",
        ),
        (
            with(&[("due_date", json!("2022-02-30"))]),
            "due_date",
            "a date that does not exist",
        ),
    ];
    let decisions_before = app.count_rows("decisions").await;
    let audit_before = app.count_rows("audit_log").await;
    let memberships_before = app.count_rows("memberships").await;

    for (body, field, case) in cases {
        let response = app.post_json(DECISIONS, Some(&admin()), &body).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{case}: {problem}");
    }
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("text");
    let response = app.post_json(DECISIONS, Some(&admin()), &missing).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        error_fields(&problem),
        ["text"],
        "a missing text: {problem}"
    );

    assert_eq!(app.count_rows("decisions").await, decisions_before);
    assert_eq!(app.count_rows("audit_log").await, audit_before);
    assert_eq!(app.count_rows("memberships").await, memberships_before);
    let vice_after = get_json(&app, &format!("{MEMBERSHIPS}/{}", id(&vice)), None).await;
    assert_eq!(vice_after["end_date"], Value::Null, "no seat ended");

    // The same rules on a change.
    let patches = [
        (&s.cosmic_link, json!({"text": null}), "text"),
        (&s.cosmic_link, json!({"text": ""}), "text"),
        (&s.cosmic_link, json!({"title": ""}), "title"),
        (&s.cosmic_link, json!({"public": null}), "public"),
        (
            &s.cosmic_link,
            json!({"concerns": [nobody.clone()]}),
            "concerns[0]",
        ),
        (&s.cosmic_link, json!({"status": "revoked"}), "status"),
        (&s.cosmic_link, json!({"reference": "SG 1"}), "reference"),
        (&s.cosmic_link, json!({"kind": "decision"}), "kind"),
        (&s.cosmic_link, json!({"amount_sek": 1}), "amount_sek"),
        (
            &s.cosmic_link,
            json!({"follow_up_status": "done"}),
            "follow_up_status",
        ),
        (
            &s.contact_routes,
            json!({"follow_up_status": "finished"}),
            "follow_up_status",
        ),
        (&s.contact_routes, json!({"outcome": "rejected"}), "outcome"),
        (&s.contact_routes, json!({"outcome": null}), "outcome"),
        (
            &s.cosmic_link,
            json!({"vote_counts": {"yes": -1, "no": 0, "abstain": 0}}),
            "vote_counts.yes",
        ),
        (
            &s.contact_routes,
            json!({"report_to_meeting_id": nobody.clone()}),
            "report_to_meeting_id",
        ),
    ];
    for (decision, patch, field) in patches {
        let response = patch_decision(&app, decision, &patch).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{patch}: {problem}");
    }
    assert_eq!(app.count_rows("audit_log").await, audit_before);
    for decision in [&s.cosmic_link, &s.contact_routes] {
        assert_eq!(
            &get_json(&app, &decision_url(decision), None).await,
            decision,
            "unchanged"
        );
    }
    let unknown = patch_decision(
        &app,
        &json!({"id": Uuid::now_v7()}),
        &json!({"text": "Finns inte."}),
    )
    .await;
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
}

// --- The minutes ------------------------------------------------------------------------------

async fn the_minutes_list_each_items_decisions_with_their_references(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = kronoberg(&app).await;
    record_the_seeds(&app, &k).await;
    let url = format!("{}/minutes", meeting_url(k.meeting(NOVEMBER)));

    let markdown = app.get(&url, Some(&member_token())).await;
    assert_eq!(markdown.status(), StatusCode::OK);
    let markdown = markdown.text().await.unwrap();
    let html = app
        .client
        .get(app.url(&url))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    let html = html.text().await.unwrap();

    let facts = [
        format!("**Beslut:** SG 2021-11-05 §3 – Uppdrag om kontaktvägar: {CONTACT_ROUTES_TEXT}"),
        format!(
            "**Beslut:** SG 2021-11-05 §6 – Inriktningsbeslut om digital plattform: {COSMIC_LINK_TEXT}"
        ),
        format!(
            "**Beslut:**\n\n- SG 2021-11-05 §7 – Uppföljningen hålls ihop av tvärgrupp barn: {MANDATE_TEXT}\n- SG 2021-11-05 §7b – Ändrade indikatorer: {INDICATORS_TEXT}"
        ),
    ];
    for fact in &facts {
        assert!(
            markdown.contains(fact.as_str()),
            "missing {fact:?} in\n{markdown}"
        );
    }
    let order: Vec<usize> = [
        "## 3. Information inför beslut om kontaktvägar",
        "SG 2021-11-05 §3 – ",
        "## 6. Inriktningsbeslut om digitalplattform",
        "SG 2021-11-05 §6 – ",
        "## 7. Indikatorer",
        "SG 2021-11-05 §7 – ",
        "SG 2021-11-05 §7b – ",
        "## 9. Nuläge, övrigt",
    ]
    .iter()
    .map(|needle| {
        markdown
            .find(needle)
            .unwrap_or_else(|| panic!("missing {needle:?} in\n{markdown}"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "{order:?}\n{markdown}"
    );
    let item_9 = &markdown[markdown.find("## 9.").unwrap()..];
    assert!(!item_9.contains("**Beslut:**"), "no decision under §9");
    assert!(
        !markdown.contains("SG 2021-06-04"),
        "only this meeting's decisions"
    );
    assert!(
        html.contains(&format!(
            "<strong>Beslut:</strong> SG 2021-11-05 §3 – Uppdrag om kontaktvägar: {CONTACT_ROUTES_TEXT}"
        )),
        "{html}"
    );
}

crate::on_both_backends!(
    the_decisions_of_june_and_november_2021_are_recorded,
    the_list_filters_by_group_kind_assignee_and_dates,
    the_follow_ups_of_february_2022_list_what_must_be_reported,
    an_open_assignment_past_its_due_date_is_overdue,
    a_later_decision_supersedes_or_revokes_an_earlier_one,
    an_election_ends_the_old_seat_and_fills_the_new_one,
    approved_minutes_lock_decisions_but_not_their_follow_up,
    a_municipality_pulls_the_decisions_that_concern_it,
    non_public_decisions_are_read_by_insiders_only,
    the_decisions_of_a_closed_meeting_are_read_by_insiders_only,
    references_stay_unique_when_short_names_and_dates_coincide,
    a_members_export_lists_their_assignments_and_erasure_scrubs_decisions,
    only_admin_and_secretary_write_decisions,
    bad_decisions_are_422_with_nothing_written,
    the_minutes_list_each_items_decisions_with_their_references,
);
