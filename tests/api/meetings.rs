//! Meetings: the record, its lifecycle and lock, agenda, attendance, minutes and calendar feeds.
//!
//! The full fixture is the steering group of *Barnens bästa gäller!* at its meeting of
//! 2021-11-05, as the seed minutes record it (the people are fictional; the organisations real).

use std::collections::{HashMap, HashSet};

use icalendar::{Calendar, Component, EventLike, parser};
use reqwest::{Method, Response, StatusCode, header};
use samverkan::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;

const MEETINGS: &str = "/api/v1/meetings";

fn meeting_url(meeting: &Value) -> String {
    format!("{MEETINGS}/{}", id(meeting))
}

fn items_url(meeting: &Value) -> String {
    format!("{MEETINGS}/{}/agenda-items", id(meeting))
}

fn item_url(meeting: &Value, item: &Value) -> String {
    format!("{}/{}", items_url(meeting), id(item))
}

fn attendance_url(meeting: &Value) -> String {
    format!("{MEETINGS}/{}/attendance", id(meeting))
}

fn minutes_url(meeting: &Value) -> String {
    format!("{MEETINGS}/{}/minutes", id(meeting))
}

fn ics_url(meeting: &Value) -> String {
    format!("{MEETINGS}/{}.ics", id(meeting))
}

fn member_token() -> String {
    token(&[Role::Member])
}

fn secretary() -> String {
    token(&[Role::Secretary])
}

/// Any request, with an optional token, JSON body and `Accept`.
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

/// GET with an `Accept` header.
async fn get_accepting(app: &TestApp, path: &str, token: Option<&str>, accept: &str) -> Response {
    let mut request = app.client.get(app.url(path)).header(header::ACCEPT, accept);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("GET")
}

/// PUT /meetings/{id}/attendance with `{"entries": entries}`.
async fn put_attendance(
    app: &TestApp,
    meeting: &Value,
    token: Option<&str>,
    if_match: Option<&str>,
    entries: Value,
) -> Response {
    let mut request = app
        .client
        .put(app.url(&attendance_url(meeting)))
        .json(&json!({ "entries": entries }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(tag) = if_match {
        request = request.header(header::IF_MATCH, tag);
    }
    request.send().await.expect("PUT")
}

/// GET as JSON, asserting 200.
async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let response = app.get(path, token).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

/// GET as text, asserting 200; returns the content type and the body.
async fn get_text(app: &TestApp, path: &str, token: Option<&str>) -> (String, String) {
    let response = app.get(path, token).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    let content_type = content_type(&response);
    (content_type, response.text().await.unwrap())
}

fn etag(response: &Response) -> String {
    response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .expect("an ETag")
        .to_owned()
}

/// POST /meetings as admin; asserts 201.
async fn create_meeting(app: &TestApp, body: Value) -> Value {
    let response = app.post_json(MEETINGS, Some(&admin()), &body).await;
    assert_eq!(response.status(), StatusCode::CREATED, "creating {body}");
    response.json().await.unwrap()
}

/// A plain meeting of `group` from `starts_at` to `ends_at`.
fn meeting_body(group: &Value, title: &str, starts_at: &str, ends_at: &str) -> Value {
    json!({
        "group_id": id(group),
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
    })
}

/// A public meeting of `group` on 2021-11-05 08:30–11:30 in the given status.
async fn meeting_in(app: &TestApp, group: &Value, status: &str) -> Value {
    let mut body = meeting_body(
        group,
        "Styrgruppsmöte",
        "2021-11-05T08:30:00+01:00",
        "2021-11-05T11:30:00+01:00",
    );
    body["status"] = json!(status);
    body["public"] = json!(true);
    create_meeting(app, body).await
}

/// POST an agenda item as admin; asserts 201.
async fn add_item(app: &TestApp, meeting: &Value, body: Value) -> Value {
    let response = app
        .post_json(&items_url(meeting), Some(&admin()), &body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED, "adding {body}");
    response.json().await.unwrap()
}

/// PATCH a meeting as admin.
async fn patch_meeting(app: &TestApp, meeting: &Value, body: Value) -> Response {
    app.patch_json(&meeting_url(meeting), Some(&admin()), None, &body)
        .await
}

/// The agenda as (number, position) in order, as a member sees it.
async fn agenda_order(app: &TestApp, meeting: &Value) -> Vec<(String, i64)> {
    let page = get_json(app, &items_url(meeting), Some(&member_token())).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["number"].as_str().unwrap().to_owned(),
                i["position"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected
        .iter()
        .map(|(n, p)| ((*n).to_owned(), *p))
        .collect()
}

/// The ids of a list page's items.
fn page_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A group with two members seated from 2020-01-01, one who left before the meeting date,
/// one who joins after it, and an outsider with no seat at all.
struct SmallGroup {
    group: Value,
    /// Seated from 2020-01-01, open.
    alma: Value,
    /// Seated from 2020-01-01, open.
    bo: Value,
    /// Seated 2020-01-01 – 2021-10-31.
    former: Value,
    /// Seated from 2021-12-01.
    newcomer: Value,
    /// Never in the group.
    outsider: Value,
}

async fn small_group(app: &TestApp) -> SmallGroup {
    let group = app.create_group("Tvärgrupp barn").await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let seat = |member: &Value, start: &str, end: Option<&str>| {
        json!({
            "member_id": id(member), "group_id": id(&group), "role": "member",
            "represents_id": id(&vaxjo), "start_date": start, "end_date": end,
        })
    };
    let alma = app.create_member(json!({"name": "Alma Ström"})).await;
    let bo = app.create_member(json!({"name": "Bo Fager"})).await;
    let former = app.create_member(json!({"name": "Frida Ros"})).await;
    let newcomer = app.create_member(json!({"name": "Nora Vik"})).await;
    let outsider = app.create_member(json!({"name": "Otto Lund"})).await;
    app.create_membership(seat(&alma, "2020-01-01", None)).await;
    app.create_membership(seat(&bo, "2020-01-01", None)).await;
    app.create_membership(seat(&former, "2020-01-01", Some("2021-10-31")))
        .await;
    app.create_membership(seat(&newcomer, "2021-12-01", None))
        .await;
    SmallGroup {
        group,
        alma,
        bo,
        former,
        newcomer,
        outsider,
    }
}

// --- The meeting of 2021-11-05 ----------------------------------------------------------------

/// (person, title, represents, role, stands in for)
type Seat = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
);

const SEATS: [Seat; 17] = [
    (
        "Göran Ekvall",
        "Kommunchef",
        Some("Växjö kommun"),
        "chair",
        None,
    ),
    (
        "Tove Lindmark",
        "Socialchef",
        Some("Lessebo kommun"),
        "vice_chair",
        None,
    ),
    (
        "Maria Bergholm",
        "Förvaltningschef",
        Some("Alvesta kommun"),
        "member",
        None,
    ),
    (
        "Lena Uddström",
        "Socialchef",
        Some("Uppvidinge kommun"),
        "member",
        None,
    ),
    (
        "Johan Rydberg",
        "Socialchef",
        Some("Markaryds kommun"),
        "member",
        None,
    ),
    (
        "Ingrid Falk",
        "Skolchef",
        Some("Markaryds kommun"),
        "member",
        None,
    ),
    (
        "Roger Dahl",
        "Hälso- och sjukvårdsdirektör",
        Some("Region Kronoberg"),
        "member",
        None,
    ),
    (
        "Rolf Almqvist",
        "Socialchef",
        Some("Älmhults kommun"),
        "member",
        None,
    ),
    (
        "Magnus Fjällström",
        "Verksamhetschef",
        Some("Region Kronoberg"),
        "member",
        None,
    ),
    (
        "Annika Strand",
        "Kommunikationsstrateg",
        Some("Region Kronoberg"),
        "member",
        None,
    ),
    (
        "Hanna Borg",
        "Områdeschef",
        Some("Region Kronoberg"),
        "member",
        None,
    ),
    (
        "Ebba Hallberg",
        "Enhetschef",
        Some("Region Kronoberg"),
        "deputy",
        Some("Hanna Borg"),
    ),
    (
        "Mats Lövgren",
        "Professor",
        Some("Linnéuniversitetet"),
        "researcher",
        None,
    ),
    (
        "Sofia Lindqvist",
        "Processledare",
        None,
        "process_leader",
        None,
    ),
    (
        "Nils Åberg",
        "Socialchef",
        Some("Ljungby kommun"),
        "member",
        None,
    ),
    (
        "Hans Kvist",
        "Lokalpolisområdeschef",
        Some("Polismyndigheten"),
        "member",
        None,
    ),
    (
        "Patrik Grahn",
        "Förvaltningschef",
        Some("Tingsryds kommun"),
        "member",
        None,
    ),
];

/// The three guests for item 8: members of the register, not of the group.
const GUESTS: [(&str, &str); 3] = [
    ("Fredrik Sundin", "Region Kronoberg"),
    ("Jenny Åkesson", "Region Kronoberg"),
    ("Jessica Holmgren", "Växjö kommun"),
];

/// (number, title, presenters, minutes, public)
type AgendaLine = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    bool,
);

const ITEM_8_TITLE: &str = "Överenskommelse gällande utredning av intellektuell \
    funktionsnedsättning och neuropsykiatriska funktionsnedsättningar, NPF";

const AGENDA: [AgendaLine; 9] = [
    (
        "1",
        "Ordförande hälsar välkommen",
        &["Göran Ekvall"],
        "Ordföranden hälsar alla välkomna.",
        true,
    ),
    (
        "2",
        "Redovisning enkät",
        &["Sofia Lindqvist"],
        "Sofia går igenom enkätsvaren av statusanalysen.\n\n- Mycket finns på plats\n- Kronobarnsmodellen är inte färdig",
        true,
    ),
    (
        "3",
        "Information inför beslut om kontaktvägar",
        &["Göran Ekvall", "Sofia Lindqvist"],
        "Bestämdes att ge uppdrag till tvärgrupp barn och processledaren. Redovisas den 4 februari 2022.",
        true,
    ),
    (
        "4",
        "Information om kompetens- och utbildningsplan för medarbetare",
        &["Sofia Lindqvist"],
        "Linnéuniversitetet informerar om en modul om samverkan i grundkurserna.",
        true,
    ),
    (
        "5",
        "Information om kommunikation, budget och ekonomi",
        &["Annika Strand"],
        "600 000 kr tas med till 2022 för kommunikationsstöd och hemsidan.",
        true,
    ),
    (
        "6",
        "Inriktningsbeslut om digitalplattform",
        &["Magnus Fjällström", "Sofia Lindqvist"],
        "Bestämdes att ta inriktningsbeslutet om att ansluta till Cosmic Link.",
        true,
    ),
    (
        "7",
        "Indikatorer och utfallsmått och fortsatt arbete framåt",
        &[],
        "Bestämdes att uppdraget hålls ihop av tvärgrupp barn.",
        true,
    ),
    (
        "8",
        ITEM_8_TITLE,
        &["Fredrik Sundin", "Jenny Åkesson", "Jessica Holmgren"],
        "Fredrik, Jenny och Jessica redovisar förslaget till överenskommelse.",
        true,
    ),
    (
        "9",
        "Nuläge, övrigt",
        &["Sofia Lindqvist"],
        "Sofia deltar på IHI-konferensen 2022.",
        false,
    ),
];

/// (person, status, stands in for, note)
type Presence = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

const ATTENDANCE: [Presence; 17] = [
    ("Göran Ekvall", "present", None, None),
    ("Tove Lindmark", "present", None, None),
    ("Maria Bergholm", "remote", None, None),
    ("Lena Uddström", "present", None, None),
    ("Johan Rydberg", "present", None, None),
    ("Roger Dahl", "present", None, None),
    ("Rolf Almqvist", "present", None, None),
    ("Magnus Fjällström", "present", None, None),
    ("Annika Strand", "present", None, None),
    ("Ebba Hallberg", "present", Some("Hanna Borg"), None),
    ("Mats Lövgren", "present", None, None),
    ("Sofia Lindqvist", "present", None, None),
    ("Nils Åberg", "absent", None, None),
    ("Ingrid Falk", "excused", None, None),
    ("Hans Kvist", "absent", None, None),
    ("Hanna Borg", "absent", None, None),
    ("Patrik Grahn", "absent", None, None),
];

/// The steering group and its meeting of 2021-11-05, recorded in full.
struct November {
    orgs: HashMap<&'static str, Value>,
    people: HashMap<&'static str, Value>,
    meeting: Value,
    /// Items 1–9 in order (9 is not public).
    items: Vec<Value>,
}

impl November {
    fn person(&self, name: &str) -> &str {
        id(&self.people[name])
    }
}

async fn the_meeting_of_2021_11_05(app: &TestApp) -> November {
    let region = app
        .create_organisation(
            json!({"name": "Region Kronoberg", "kind": "region", "county_code": "07"}),
        )
        .await;
    let group = app
        .create_organisation(json!({
            "name": "Styrgrupp Barnens bästa gäller! i Kronoberg", "short_name": "SG",
            "kind": "group", "parent_id": id(&region)
        }))
        .await;
    let mut orgs = HashMap::from([("Region Kronoberg", region)]);
    for (name, code) in [
        ("Växjö kommun", "0780"),
        ("Lessebo kommun", "0761"),
        ("Alvesta kommun", "0764"),
        ("Uppvidinge kommun", "0760"),
        ("Markaryds kommun", "0767"),
        ("Älmhults kommun", "0765"),
        ("Ljungby kommun", "0781"),
        ("Tingsryds kommun", "0763"),
    ] {
        orgs.insert(name, app.create_municipality(name, code).await);
    }
    orgs.insert(
        "Polismyndigheten",
        app.create_organisation(json!({"name": "Polismyndigheten", "kind": "agency"}))
            .await,
    );
    orgs.insert(
        "Linnéuniversitetet",
        app.create_organisation(json!({"name": "Linnéuniversitetet", "kind": "university"}))
            .await,
    );

    let mut people = HashMap::new();
    for (name, title, _, _, _) in SEATS {
        people.insert(
            name,
            app.create_member(json!({"name": name, "title": title}))
                .await,
        );
    }
    for (name, _) in GUESTS {
        people.insert(
            name,
            app.create_member(json!({"name": name, "title": "Utvecklingsledare"}))
                .await,
        );
    }
    for (name, _, represents, role, substitute_for) in SEATS {
        let mut body = json!({
            "member_id": id(&people[name]),
            "group_id": id(&group),
            "role": role,
            "start_date": "2020-01-01",
        });
        if let Some(org) = represents {
            body["represents_id"] = json!(id(&orgs[org]));
        }
        if let Some(absent) = substitute_for {
            body["substitute_for_member_id"] = json!(id(&people[absent]));
        }
        app.create_membership(body).await;
    }

    let meeting = create_meeting(
        app,
        json!({
            "group_id": id(&group),
            "title": "Styrgrupp Barnens bästa gäller! i Kronoberg",
            "kind": "ordinary",
            "starts_at": "2021-11-05T08:30:00+01:00",
            "ends_at": "2021-11-05T11:30:00+01:00",
            "location": {
                "name": "Digitalt via Teams",
                "online": true,
                "online_url": "https://teams.example.org/l/meetup-join/styrgrupp"
            },
            "status": "held",
            "public": true,
            "chair_id": id(&people["Göran Ekvall"]),
            "minutes_taker_id": id(&people["Sofia Lindqvist"]),
            "minutes_checkers": [id(&people["Tove Lindmark"])],
            "documents": [{
                "title": "Kallelse 2021-11-05",
                "url": "https://dokument.example.org/styrgrupp/2021-11-05/kallelse.pdf",
                "kind": "invitation"
            }],
        }),
    )
    .await;

    let mut items = Vec::new();
    for (number, title, presenters, minutes, public) in AGENDA {
        let presenter_ids: Vec<&str> = presenters.iter().map(|p| id(&people[p])).collect();
        let guest_ids: Vec<&str> = if number == "8" {
            GUESTS.iter().map(|(g, _)| id(&people[g])).collect()
        } else {
            Vec::new()
        };
        items.push(
            add_item(
                app,
                &meeting,
                json!({
                    "number": number, "title": title, "presenter_ids": presenter_ids,
                    "guest_ids": guest_ids, "minutes": minutes, "public": public,
                }),
            )
            .await,
        );
    }

    let mut entries: Vec<Value> = ATTENDANCE
        .iter()
        .map(|(name, status, substitute_for, note)| {
            json!({
                "member_id": id(&people[name]),
                "status": status,
                "substitute_for_member_id": substitute_for.map(|a| id(&people[a])),
                "note": note,
            })
        })
        .collect();
    for (name, org) in GUESTS {
        entries.push(json!({
            "member_id": id(&people[name]),
            "status": "present",
            "guest": true,
            "represents_id": id(&orgs[org]),
            "agenda_item_ids": [id(&items[7])],
        }));
    }
    let response = put_attendance(app, &meeting, Some(&admin()), None, json!(entries)).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "recording the attendance"
    );
    let meeting = get_json(app, &meeting_url(&meeting), Some(&admin())).await;

    November {
        orgs,
        people,
        meeting,
        items,
    }
}

/// The Swedish minutes as the seeds state them, one fact per string.
const SWEDISH_FACTS: &[&str] = &[
    "# Mötesanteckningar – Styrgrupp Barnens bästa gäller! i Kronoberg",
    "**Tid:** Fredagen den 5 november 2021 kl. 08:30–11:30",
    "**Plats:** Digitalt via Teams",
    "**Närvarande:**",
    "- Göran Ekvall, Växjö kommun (ordförande)",
    "- Tove Lindmark, Lessebo kommun (vice ordförande)",
    "- Maria Bergholm, Alvesta kommun (deltog på distans)",
    "- Lena Uddström, Uppvidinge kommun\n",
    "- Johan Rydberg, Markaryds kommun\n",
    "- Roger Dahl, Region Kronoberg\n",
    "- Rolf Almqvist, Älmhults kommun\n",
    "- Magnus Fjällström, Region Kronoberg\n",
    "- Annika Strand, Region Kronoberg\n",
    "- Ebba Hallberg, Region Kronoberg (ersättare; ersätter Hanna Borg)",
    "- Mats Lövgren, Linnéuniversitetet (forskare)",
    "- Sofia Lindqvist (processledare)",
    "**Frånvarande:**",
    "- Nils Åberg, Ljungby kommun\n",
    "- Ingrid Falk, Markaryds kommun (anmält förhinder)",
    "- Hans Kvist, Polismyndigheten\n",
    "- Hanna Borg, Region Kronoberg\n",
    "- Patrik Grahn, Tingsryds kommun\n",
    "**Gäster:**",
    "- Fredrik Sundin, Region Kronoberg (punkt 8)",
    "- Jenny Åkesson, Region Kronoberg (punkt 8)",
    "- Jessica Holmgren, Växjö kommun (punkt 8)",
    "## 1. Ordförande hälsar välkommen\n\n**Föredragande:** Göran Ekvall\n\nOrdföranden hälsar alla välkomna.",
    "## 2. Redovisning enkät\n\n**Föredragande:** Sofia Lindqvist\n\nSofia går igenom enkätsvaren av statusanalysen.\n\n- Mycket finns på plats\n- Kronobarnsmodellen är inte färdig",
    "## 3. Information inför beslut om kontaktvägar\n\n**Föredragande:** Göran Ekvall, Sofia Lindqvist\n\nBestämdes att ge uppdrag",
    "## 4. Information om kompetens- och utbildningsplan för medarbetare\n\n**Föredragande:** Sofia Lindqvist\n\nLinnéuniversitetet informerar",
    "## 5. Information om kommunikation, budget och ekonomi\n\n**Föredragande:** Annika Strand\n\n600 000 kr tas med till 2022",
    "## 6. Inriktningsbeslut om digitalplattform\n\n**Föredragande:** Magnus Fjällström, Sofia Lindqvist\n\nBestämdes att ta inriktningsbeslutet",
    "## 7. Indikatorer och utfallsmått och fortsatt arbete framåt\n\nBestämdes att uppdraget hålls ihop av tvärgrupp barn.",
    "**Föredragande:** Fredrik Sundin, Jenny Åkesson, Jessica Holmgren\n\nFredrik, Jenny och Jessica redovisar förslaget till överenskommelse.",
    "**Vid anteckningarna:** Sofia Lindqvist",
    "**Justeras:** Tove Lindmark",
];

fn position_of(document: &str, needle: &str) -> usize {
    document
        .find(needle)
        .unwrap_or_else(|| panic!("missing {needle:?} in\n{document}"))
}

async fn the_meeting_of_2021_11_05_is_recorded_in_full(backend: Backend) {
    let app = spawn_app(backend).await;

    let nov = the_meeting_of_2021_11_05(&app).await;

    let view = &nov.meeting;
    assert_eq!(view["status"], "held");
    assert_eq!(view["public"], true);
    assert_eq!(view["local"]["starts_at"], "2021-11-05T08:30:00+01:00");
    assert_eq!(view["local"]["ends_at"], "2021-11-05T11:30:00+01:00");
    assert_eq!(view["local"]["time_zone"], "Europe/Stockholm");
    assert_eq!(view["starts_at"], "2021-11-05T07:30:00Z");
    assert_eq!(view["location"]["name"], "Digitalt via Teams");
    assert_eq!(view["location"]["online"], true);
    assert_eq!(view["chair_id"], nov.person("Göran Ekvall"));
    assert_eq!(view["minutes_taker_id"], nov.person("Sofia Lindqvist"));
    assert_eq!(
        view["minutes_checkers"],
        json!([nov.person("Tove Lindmark")])
    );
    assert_eq!(view["documents"][0]["kind"], "invitation");
    let counts = &view["attendance"];
    // Eleven members in the room (the three guests are counted as guests), one remote.
    assert_eq!(counts["present"], 11, "{counts}");
    assert_eq!(counts["remote"], 1, "{counts}");
    assert_eq!(counts["absent"], 4, "{counts}");
    assert_eq!(counts["excused"], 1, "{counts}");
    assert_eq!(counts["substitutes"], 1, "{counts}");
    assert_eq!(counts["guests"], 3, "{counts}");
    let unrepresented: Vec<&str> = counts["unrepresented"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        unrepresented,
        ["Ljungby kommun", "Polismyndigheten", "Tingsryds kommun"],
        "Markaryd sent one of its two and Region Kronoberg a deputy: both represented"
    );
    assert_eq!(
        counts["unrepresented"][1]["id"],
        id(&nov.orgs["Polismyndigheten"])
    );

    // The attendance list, with names and whom each represents.
    let attendance = get_json(&app, &attendance_url(view), None).await;
    let entries = attendance["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 20);
    let ebba = entries
        .iter()
        .find(|e| e["name"] == "Ebba Hallberg")
        .unwrap();
    assert_eq!(ebba["substitute_for_member_id"], nov.person("Hanna Borg"));
    assert_eq!(ebba["substitute_for_name"], "Hanna Borg");
    assert_eq!(ebba["represents_name"], "Region Kronoberg");
    let guests: Vec<&Value> = entries.iter().filter(|e| e["guest"] == true).collect();
    assert_eq!(guests.len(), 3);
    for guest in guests {
        assert_eq!(guest["agenda_item_ids"], json!([id(&nov.items[7])]));
        assert!(guest.get("email").is_none(), "no contact data: {guest}");
    }
    assert_eq!(attendance["summary"], view["attendance"]);

    // The minutes in Swedish, in the seeds' order.
    let (md_type, md) = get_text(&app, &minutes_url(view), Some(&member_token())).await;
    assert!(md_type.starts_with("text/markdown"), "{md_type}");
    for fact in SWEDISH_FACTS {
        assert!(md.contains(fact), "missing {fact:?} in\n{md}");
    }
    assert!(
        md.contains(&format!("## 8. {ITEM_8_TITLE}")),
        "item 8 heading in\n{md}"
    );
    let order = [
        "# Mötesanteckningar – Styrgrupp",
        "**Tid:**",
        "**Plats:**",
        "**Närvarande:**",
        "**Frånvarande:**",
        "**Gäster:**",
        "## 1. ",
        "## 2. ",
        "## 3. ",
        "## 4. ",
        "## 5. ",
        "## 6. ",
        "## 7. ",
        "## 8. ",
        "## 9. Nuläge, övrigt",
        "**Vid anteckningarna:**",
        "**Justeras:**",
    ];
    let positions: Vec<usize> = order.iter().map(|n| position_of(&md, n)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "sections out of order in\n{md}"
    );
    let absent_section = &md[position_of(&md, "**Frånvarande:**")..position_of(&md, "**Gäster:**")];
    for name in [
        "Nils Åberg",
        "Ingrid Falk",
        "Hans Kvist",
        "Hanna Borg",
        "Patrik Grahn",
    ] {
        assert!(absent_section.contains(name), "{name} under Frånvarande");
    }
    assert!(!absent_section.contains("Ebba Hallberg"));

    // In English.
    let (_, en) = get_text(&app, &format!("{}?lang=en", minutes_url(view)), None).await;
    for fact in [
        "**Time:** Friday 5 November 2021, 08:30–11:30",
        "**Present:**",
        "**Absent:**",
        "**Guests:**",
        "- Göran Ekvall, Växjö kommun (chair)",
        "(deputy; substituting for Hanna Borg)",
        "- Fredrik Sundin, Region Kronoberg (item 8)",
        "**Minutes taken by:** Sofia Lindqvist",
    ] {
        assert!(en.contains(fact), "missing {fact:?} in\n{en}");
    }

    // As HTML, with the same names.
    let response = get_accepting(&app, &minutes_url(view), None, "text/html").await;
    assert_eq!(response.status(), StatusCode::OK);
    let html_type = content_type(&response);
    assert!(html_type.starts_with("text/html"), "{html_type}");
    let html = response.text().await.unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<html lang=\"sv\">"));
    for (name, _, _, _, _) in SEATS {
        assert!(html.contains(name), "{name} in\n{html}");
    }
    for (name, _) in GUESTS {
        assert!(html.contains(name), "{name} in\n{html}");
    }
    assert!(html.contains("Fredagen den 5 november 2021 kl. 08:30–11:30"));

    // Markdown on request; JSON is not on offer.
    let response = get_accepting(&app, &minutes_url(view), None, "text/markdown").await;
    assert!(content_type_of_ok(response).starts_with("text/markdown"));
    let refused = get_accepting(&app, &minutes_url(view), None, "application/json").await;
    let problem = assert_problem(refused, StatusCode::NOT_ACCEPTABLE).await;
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("not-acceptable"),
        "{problem}"
    );

    // The non-public item 9 is in the member's minutes only.
    let (_, anonymous) = get_text(&app, &minutes_url(view), None).await;
    assert!(anonymous.contains("## 8. "), "{anonymous}");
    assert!(!anonymous.contains("Nuläge, övrigt"), "{anonymous}");
    assert!(!anonymous.contains("IHI-konferensen"), "{anonymous}");
    assert!(md.contains("## 9. Nuläge, övrigt\n\n**Föredragande:** Sofia Lindqvist"));
    assert!(md.contains("IHI-konferensen"));
}

fn content_type_of_ok(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::OK, "{}", response.url());
    content_type(&response)
}

// --- The status lifecycle --------------------------------------------------------------------

async fn every_allowed_status_move_is_made(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let to_hold = meeting_in(&app, &group, "planned").await;
    let to_cancel = meeting_in(&app, &group, "planned").await;
    let approved_on_a_date = meeting_in(&app, &group, "held").await;
    let approved_at_next = meeting_in(&app, &group, "held").await;
    let next_meeting = meeting_in(&app, &group, "held").await;

    let held = patch_meeting(&app, &to_hold, json!({"status": "held"})).await;
    let cancelled = patch_meeting(&app, &to_cancel, json!({"status": "cancelled"})).await;
    let approved = patch_meeting(
        &app,
        &approved_on_a_date,
        json!({"status": "minutes_approved", "minutes_approved_on": "2021-12-03"}),
    )
    .await;
    let approved_in = patch_meeting(
        &app,
        &approved_at_next,
        json!({
            "status": "minutes_approved", "minutes_approved_on": "2022-02-04",
            "minutes_approved_in_meeting_id": id(&next_meeting)
        }),
    )
    .await;

    for (response, status) in [
        (held, "held"),
        (cancelled, "cancelled"),
        (approved, "minutes_approved"),
        (approved_in, "minutes_approved"),
    ] {
        assert_eq!(response.status(), StatusCode::OK, "to {status}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], status);
        assert_eq!(body["version"], 2);
        assert_eq!(body["locked"], status == "minutes_approved");
    }
    let approved = get_json(&app, &meeting_url(&approved_on_a_date), None).await;
    assert_eq!(approved["minutes_approved_on"], "2021-12-03");
    assert_eq!(approved["minutes_approved_in_meeting_id"], Value::Null);
    let approved_in = get_json(&app, &meeting_url(&approved_at_next), None).await;
    assert_eq!(approved_in["minutes_approved_on"], "2022-02-04");
    assert_eq!(
        approved_in["minutes_approved_in_meeting_id"],
        id(&next_meeting)
    );
    assert_eq!(approved_in["locked"], true);
}

async fn every_other_status_move_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let cases = [
        (
            "planned",
            json!({"status": "minutes_approved", "minutes_approved_on": "2021-12-03"}),
            "planned → minutes_approved skips held",
        ),
        ("held", json!({"status": "planned"}), "held → planned"),
        ("held", json!({"status": "cancelled"}), "held → cancelled"),
        (
            "cancelled",
            json!({"status": "planned"}),
            "cancelled → planned",
        ),
        ("cancelled", json!({"status": "held"}), "cancelled → held"),
    ];

    for (from, patch, case) in cases {
        let meeting = meeting_in(&app, &group, from).await;
        let audit_before = app.count_rows("audit_log").await;

        let response = patch_meeting(&app, &meeting, patch).await;

        let problem = assert_problem(response, StatusCode::CONFLICT).await;
        assert!(
            problem["type"].as_str().unwrap().ends_with("conflict"),
            "{case}: {problem}"
        );
        let after = get_json(&app, &meeting_url(&meeting), None).await;
        assert_eq!(after["status"], from, "{case}: status unchanged");
        assert_eq!(after["version"], 1, "{case}: version unchanged");
        assert_eq!(
            app.count_rows("audit_log").await,
            audit_before,
            "{case}: nothing audited"
        );
    }
}

async fn approving_minutes_needs_the_date_and_a_meeting_is_never_created_approved(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let held = meeting_in(&app, &group, "held").await;
    let meetings_before = app.count_rows("meetings").await;

    let without_date = patch_meeting(&app, &held, json!({"status": "minutes_approved"})).await;
    let problem = assert_problem(without_date, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["minutes_approved_on"], "{problem}");
    assert_eq!(
        get_json(&app, &meeting_url(&held), None).await["status"],
        "held"
    );

    for (body, case) in [
        (
            json!({"status": "minutes_approved"}),
            "approved, without a date",
        ),
        (
            json!({"status": "minutes_approved", "minutes_approved_on": "2021-12-03"}),
            "approved, with a date",
        ),
    ] {
        let mut new = meeting_body(
            &group,
            "Styrgruppsmöte",
            "2021-11-05T08:30:00+01:00",
            "2021-11-05T11:30:00+01:00",
        );
        new.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        let response = app.post_json(MEETINGS, Some(&admin()), &new).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(!error_fields(&problem).is_empty(), "{case}: {problem}");
    }
    assert_eq!(app.count_rows("meetings").await, meetings_before);
}

async fn only_a_planned_meeting_can_be_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let planned = meeting_in(&app, &group, "planned").await;
    let held = meeting_in(&app, &group, "held").await;
    let cancelled = meeting_in(&app, &group, "cancelled").await;

    let deleted = app
        .delete(&meeting_url(&planned), Some(&admin()), Some("\"1\""))
        .await;
    let refused_held = app.delete(&meeting_url(&held), Some(&admin()), None).await;
    let refused_cancelled = app
        .delete(&meeting_url(&cancelled), Some(&admin()), None)
        .await;

    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(refused_held, StatusCode::CONFLICT).await;
    assert_problem(refused_cancelled, StatusCode::CONFLICT).await;
    let archived = get_json(&app, &meeting_url(&planned), Some(&admin())).await;
    assert_eq!(archived["archived"], true);
    assert_eq!(archived["status"], "planned");
    let list = get_json(
        &app,
        &format!("{MEETINGS}?group_id={}", id(&group)),
        Some(&admin()),
    )
    .await;
    let listed = page_ids(&list);
    assert!(!listed.contains(&id(&planned).to_owned()), "list hides it");
    assert!(listed.contains(&id(&held).to_owned()));
    assert!(listed.contains(&id(&cancelled).to_owned()));
    let with_archived = get_json(
        &app,
        &format!("{MEETINGS}?group_id={}&include_archived=true", id(&group)),
        Some(&admin()),
    )
    .await;
    assert!(page_ids(&with_archived).contains(&id(&planned).to_owned()));
    for meeting in [&held, &cancelled] {
        assert_eq!(
            get_json(&app, &meeting_url(meeting), None).await["archived"],
            false
        );
    }
}

// --- The lock after approval ----------------------------------------------------------------

async fn approved_minutes_lock_the_meeting_its_agenda_and_attendance(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = small_group(&app).await;
    let meeting = meeting_in(&app, &sg.group, "held").await;
    let item = add_item(&app, &meeting, json!({"number": "1", "title": "Välkommen"})).await;
    let recorded = put_attendance(
        &app,
        &meeting,
        Some(&admin()),
        None,
        json!([{"member_id": id(&sg.alma), "status": "present"}]),
    )
    .await;
    assert_eq!(recorded.status(), StatusCode::OK);
    let approved = patch_meeting(
        &app,
        &meeting,
        json!({"status": "minutes_approved", "minutes_approved_on": "2021-12-03"}),
    )
    .await;
    assert_eq!(approved.status(), StatusCode::OK);
    let record_before = (
        get_json(&app, &meeting_url(&meeting), Some(&admin())).await,
        get_json(&app, &items_url(&meeting), Some(&admin())).await,
        get_json(&app, &attendance_url(&meeting), Some(&admin())).await,
    );
    let rows_before = (
        app.count_rows("agenda_items").await,
        app.count_rows("attendance").await,
        app.count_rows("audit_log").await,
    );

    let attempts = [
        (
            patch_meeting(&app, &meeting, json!({"title": "Nytt namn"})).await,
            "PATCH the meeting",
        ),
        (
            patch_meeting(&app, &meeting, json!({"status": "held"})).await,
            "PATCH the status back",
        ),
        (
            app.post_json(
                &items_url(&meeting),
                Some(&admin()),
                &json!({"number": "2", "title": "Övrigt"}),
            )
            .await,
            "POST an agenda item",
        ),
        (
            app.patch_json(
                &item_url(&meeting, &item),
                Some(&admin()),
                None,
                &json!({"minutes": "Ändrad text"}),
            )
            .await,
            "PATCH an agenda item",
        ),
        (
            app.delete(&item_url(&meeting, &item), Some(&admin()), None)
                .await,
            "DELETE an agenda item",
        ),
        (
            put_attendance(
                &app,
                &meeting,
                Some(&secretary()),
                None,
                json!([{"member_id": id(&sg.bo), "status": "present"}]),
            )
            .await,
            "PUT the attendance",
        ),
        (
            app.delete(&meeting_url(&meeting), Some(&admin()), None)
                .await,
            "DELETE the meeting",
        ),
    ];

    for (response, case) in attempts {
        let problem = assert_problem(response, StatusCode::CONFLICT).await;
        assert!(
            problem["type"].as_str().unwrap().ends_with("locked"),
            "{case}: {problem}"
        );
    }
    let record_after = (
        get_json(&app, &meeting_url(&meeting), Some(&admin())).await,
        get_json(&app, &items_url(&meeting), Some(&admin())).await,
        get_json(&app, &attendance_url(&meeting), Some(&admin())).await,
    );
    assert_eq!(record_after, record_before, "the record is unchanged");
    assert_eq!(record_after.0["locked"], true);
    assert_eq!(
        (
            app.count_rows("agenda_items").await,
            app.count_rows("attendance").await,
            app.count_rows("audit_log").await,
        ),
        rows_before
    );
}

// --- Attendance -----------------------------------------------------------------------------

async fn every_attendance_rule_is_a_422_naming_the_entry(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = small_group(&app).await;
    let meeting = meeting_in(&app, &sg.group, "held").await;
    let other = meeting_in(&app, &sg.group, "held").await;
    let item = add_item(
        &app,
        &meeting,
        json!({"number": "1", "title": "Barnets plan"}),
    )
    .await;
    let elsewhere = add_item(&app, &other, json!({"number": "1", "title": "Annat"})).await;
    let recorded = put_attendance(
        &app,
        &meeting,
        Some(&admin()),
        None,
        json!([
            {"member_id": id(&sg.alma), "status": "present"},
            {"member_id": id(&sg.bo), "status": "excused"},
        ]),
    )
    .await;
    assert_eq!(recorded.status(), StatusCode::OK);
    let before = get_json(&app, &attendance_url(&meeting), Some(&admin())).await;
    let alma = json!({"member_id": id(&sg.alma), "status": "present"});
    let nobody = Uuid::now_v7().to_string();

    let cases = [
        (
            json!({"member_id": nobody, "status": "present"}),
            "entries[1].member_id",
            "an unknown member",
        ),
        (
            json!({"member_id": id(&sg.alma), "status": "remote"}),
            "entries[1].member_id",
            "a member twice",
        ),
        (
            json!({"member_id": id(&sg.former), "status": "present"}),
            "entries[1].member_id",
            "a member whose seat ended before the meeting",
        ),
        (
            json!({"member_id": id(&sg.newcomer), "status": "present"}),
            "entries[1].member_id",
            "a member whose seat starts after the meeting",
        ),
        (
            json!({"member_id": id(&sg.outsider), "status": "present"}),
            "entries[1].member_id",
            "a non-guest never in the group",
        ),
        (
            json!({"member_id": id(&sg.outsider), "status": "present",
                   "substitute_for_member_id": id(&sg.former)}),
            "entries[1].substitute_for_member_id",
            "a substitute for someone no longer in the group",
        ),
        (
            json!({"member_id": id(&sg.outsider), "status": "present",
                   "substitute_for_member_id": nobody}),
            "entries[1].substitute_for_member_id",
            "a substitute for an unknown member",
        ),
        (
            json!({"member_id": id(&sg.outsider), "status": "present",
                   "substitute_for_member_id": id(&sg.alma)}),
            "entries[1].substitute_for_member_id",
            "a substitute for someone who is also present",
        ),
        (
            json!({"member_id": id(&sg.outsider), "status": "present", "guest": true,
                   "agenda_item_ids": [id(&elsewhere)]}),
            "entries[1].agenda_item_ids",
            "a guest for another meeting's item",
        ),
        (
            json!({"member_id": id(&sg.outsider), "status": "present", "guest": true}),
            "entries[1].agenda_item_ids",
            "a guest with no agenda items",
        ),
        (
            json!({"member_id": id(&sg.bo), "status": "present", "represents_id": nobody}),
            "entries[1].represents_id",
            "an unknown organisation represented",
        ),
        (
            json!({"member_id": id(&sg.bo), "status": "asleep"}),
            "entries[1].status",
            "a status that does not exist",
        ),
    ];

    for (entry, field, case) in cases {
        let audit_before = app.count_rows("audit_log").await;

        let response = put_attendance(
            &app,
            &meeting,
            Some(&admin()),
            None,
            json!([alma.clone(), entry]),
        )
        .await;

        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["errors"][0]["field"], field, "{case}: {problem}");
        let after = get_json(&app, &attendance_url(&meeting), Some(&admin())).await;
        assert_eq!(after, before, "{case}: the list is unchanged");
        assert_eq!(
            app.count_rows("audit_log").await,
            audit_before,
            "{case}: nothing audited"
        );
    }

    // A guest for this meeting's own item is fine, and so is a substitute for an absentee.
    let fine = put_attendance(
        &app,
        &meeting,
        Some(&admin()),
        None,
        json!([
            alma,
            {"member_id": id(&sg.bo), "status": "absent"},
            {"member_id": id(&sg.newcomer), "status": "present",
             "substitute_for_member_id": id(&sg.bo)},
            {"member_id": id(&sg.outsider), "status": "present", "guest": true,
             "agenda_item_ids": [id(&item)]},
        ]),
    )
    .await;
    assert_eq!(fine.status(), StatusCode::OK);
}

async fn a_put_replaces_the_whole_attendance_list_and_bumps_the_version(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = small_group(&app).await;
    let meeting = meeting_in(&app, &sg.group, "held").await;
    let item = add_item(
        &app,
        &meeting,
        json!({"number": "1", "title": "Barnets plan"}),
    )
    .await;
    let version = get_json(&app, &meeting_url(&meeting), None).await["version"]
        .as_i64()
        .unwrap();
    assert_eq!(version, 1, "adding an item leaves the meeting's version");

    let first = put_attendance(
        &app,
        &meeting,
        Some(&secretary()),
        Some("\"1\""),
        json!([
            {"member_id": id(&sg.alma), "status": "present"},
            {"member_id": id(&sg.bo), "status": "remote", "note": "med från tåget"},
            {"member_id": id(&sg.outsider), "status": "present", "guest": true,
             "agenda_item_ids": [id(&item)]},
        ]),
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(etag(&first), "\"2\"");
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["version"], 2);
    assert_eq!(first["entries"].as_array().unwrap().len(), 3);

    let second = put_attendance(
        &app,
        &meeting,
        Some(&admin()),
        Some("\"2\""),
        json!([{"member_id": id(&sg.bo), "status": "excused"}]),
    )
    .await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(etag(&second), "\"3\"");

    let list = get_json(&app, &attendance_url(&meeting), None).await;
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "only the second list remains: {list}");
    assert_eq!(entries[0]["member_id"], id(&sg.bo));
    assert_eq!(entries[0]["status"], "excused");
    assert_eq!(entries[0]["name"], "Bo Fager");
    assert_eq!(entries[0]["note"], Value::Null);
    assert_eq!(list["version"], 3);
    let view = app.get(&meeting_url(&meeting), None).await;
    assert_eq!(etag(&view), "\"3\"");
    let view: Value = view.json().await.unwrap();
    assert_eq!(view["version"], 3);
    assert_eq!(view["attendance"]["excused"], 1);
    assert_eq!(view["attendance"]["present"], 0);
    assert_eq!(app.count_rows("attendance").await, 1);

    let stale = put_attendance(
        &app,
        &meeting,
        Some(&admin()),
        Some("\"2\""),
        json!([{"member_id": id(&sg.alma), "status": "present"}]),
    )
    .await;
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let unchanged = get_json(&app, &attendance_url(&meeting), None).await;
    assert_eq!(unchanged, list, "a stale If-Match changes nothing");
}

// --- Agenda ---------------------------------------------------------------------------------

async fn agenda_numbers_are_unique_and_positions_stay_dense(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = small_group(&app).await;
    let meeting = meeting_in(&app, &sg.group, "planned").await;
    let other = meeting_in(&app, &sg.group, "planned").await;
    let one = add_item(&app, &meeting, json!({"number": "1", "title": "Välkommen"})).await;
    let two = add_item(&app, &meeting, json!({"number": "2", "title": "Enkät"})).await;
    let three = add_item(&app, &meeting, json!({"number": "3", "title": "Övrigt"})).await;
    assert_eq!(
        agenda_order(&app, &meeting).await,
        pairs(&[("1", 1), ("2", 2), ("3", 3)])
    );
    add_item(
        &app,
        &other,
        json!({"number": "1", "title": "Samma nummer, annat möte"}),
    )
    .await;

    // A taken number.
    let items_before = app.count_rows("agenda_items").await;
    let taken = app
        .post_json(
            &items_url(&meeting),
            Some(&admin()),
            &json!({"number": "2", "title": "Dubblett"}),
        )
        .await;
    assert_problem(taken, StatusCode::CONFLICT).await;
    let renumbered = app
        .patch_json(
            &item_url(&meeting, &three),
            Some(&admin()),
            None,
            &json!({"number": "1"}),
        )
        .await;
    assert_problem(renumbered, StatusCode::CONFLICT).await;
    assert_eq!(app.count_rows("agenda_items").await, items_before);

    // Inserting at the top moves the others down.
    let opening = add_item(
        &app,
        &meeting,
        json!({"number": "0", "title": "Mötets öppnande", "position": 1}),
    )
    .await;
    assert_eq!(opening["position"], 1);
    assert_eq!(
        agenda_order(&app, &meeting).await,
        pairs(&[("0", 1), ("1", 2), ("2", 3), ("3", 4)])
    );

    // Moving the last item to second place.
    let moved = app
        .patch_json(
            &item_url(&meeting, &three),
            Some(&admin()),
            None,
            &json!({"position": 2}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_eq!(
        agenda_order(&app, &meeting).await,
        pairs(&[("0", 1), ("3", 2), ("1", 3), ("2", 4)])
    );

    // Removing one closes the gap.
    let removed = app
        .delete(&item_url(&meeting, &one), Some(&admin()), None)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        agenda_order(&app, &meeting).await,
        pairs(&[("0", 1), ("3", 2), ("2", 3)])
    );
    // Its number is free again.
    add_item(
        &app,
        &meeting,
        json!({"number": "1", "title": "Välkommen igen"}),
    )
    .await;
    assert_eq!(
        agenda_order(&app, &meeting).await,
        pairs(&[("0", 1), ("3", 2), ("2", 3), ("1", 4)])
    );

    // An item is found only through its own meeting.
    let through_other = app.get(&item_url(&other, &two), Some(&admin())).await;
    assert_problem(through_other, StatusCode::NOT_FOUND).await;
    let patched_through_other = app
        .patch_json(
            &item_url(&other, &two),
            Some(&admin()),
            None,
            &json!({"title": "Fel möte"}),
        )
        .await;
    assert_problem(patched_through_other, StatusCode::NOT_FOUND).await;
    let own = get_json(&app, &item_url(&meeting, &two), None).await;
    assert_eq!(own["title"], "Enkät");
}

async fn bad_agenda_items_are_422(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = small_group(&app).await;
    let meeting = meeting_in(&app, &sg.group, "planned").await;
    let item = add_item(&app, &meeting, json!({"number": "1", "title": "Välkommen"})).await;
    let nobody = Uuid::now_v7().to_string();
    let items_before = app.count_rows("agenda_items").await;
    let audit_before = app.count_rows("audit_log").await;

    let cases = [
        (
            json!({"number": "2", "title": "Enkät", "presenter_ids": [nobody]}),
            "presenter_ids[0]",
            "an unknown presenter",
        ),
        (
            json!({"number": "2", "title": "Enkät", "presenter_ids": [id(&sg.alma)],
                   "guest_ids": [nobody]}),
            "guest_ids[0]",
            "an unknown guest",
        ),
        (
            json!({"number": "2", "title": ""}),
            "title",
            "an empty title",
        ),
        (
            json!({"number": "2", "title": "   "}),
            "title",
            "a blank title",
        ),
        (
            json!({"number": "", "title": "Enkät"}),
            "number",
            "an empty number",
        ),
        (
            json!({"number": "2", "title": "Enkät", "position": 0}),
            "position",
            "position 0",
        ),
    ];
    for (body, field, case) in cases {
        let response = app
            .post_json(&items_url(&meeting), Some(&admin()), &body)
            .await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{case}: {problem}");
    }
    let patched = app
        .patch_json(
            &item_url(&meeting, &item),
            Some(&admin()),
            None,
            &json!({"presenter_ids": [nobody]}),
        )
        .await;
    let problem = assert_problem(patched, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["presenter_ids[0]"]);
    assert_eq!(app.count_rows("agenda_items").await, items_before);
    assert_eq!(app.count_rows("audit_log").await, audit_before);
}

// --- Calendar -------------------------------------------------------------------------------

fn parse_calendar(text: &str) -> Calendar {
    text.parse()
        .unwrap_or_else(|e| panic!("not a calendar ({e}):\n{text}"))
}

/// The events of a feed by UID.
fn events(text: &str) -> HashMap<String, icalendar::Event> {
    parse_calendar(text)
        .events()
        .map(|e| (e.get_uid().expect("a UID").to_owned(), e.clone()))
        .collect()
}

fn uid(meeting: &Value) -> String {
    format!("{}@samverkan", id(meeting))
}

/// GET an .ics document, asserting 200 and text/calendar.
async fn get_ics(app: &TestApp, path: &str, token: Option<&str>) -> String {
    let (content_type, body) = get_text(app, path, token).await;
    assert!(
        content_type.starts_with("text/calendar"),
        "{path}: {content_type}"
    );
    body
}

fn assert_local_start(event: &icalendar::Event, expected: &str) {
    let start = event.properties().get("DTSTART").expect("DTSTART");
    assert_eq!(start.value(), expected);
    assert_eq!(
        start.params().get("TZID").map(icalendar::Parameter::value),
        Some("Europe/Stockholm")
    );
}

async fn the_calendar_feed_is_valid_icalendar_in_stockholm_time(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let other_group = app.create_group("Tvärgrupp barn").await;
    let public = |mut body: Value| {
        body["public"] = json!(true);
        body
    };
    let winter = create_meeting(
        &app,
        public(meeting_body(
            &group,
            "Styrgruppsmöte",
            "2021-11-05T08:30:00+01:00",
            "2021-11-05T11:30:00+01:00",
        )),
    )
    .await;
    let summer = create_meeting(
        &app,
        public(meeting_body(
            &group,
            "Styrgruppsmöte juni",
            "2021-06-04T08:30:00+02:00",
            "2021-06-04T10:00:00+02:00",
        )),
    )
    .await;
    let private = create_meeting(
        &app,
        meeting_body(
            &group,
            "Beredning",
            "2021-09-10T13:00:00+02:00",
            "2021-09-10T14:00:00+02:00",
        ),
    )
    .await;
    let elsewhere = create_meeting(
        &app,
        public(meeting_body(
            &other_group,
            "Tvärgruppsmöte",
            "2021-11-10T09:00:00+01:00",
            "2021-11-10T12:00:00+01:00",
        )),
    )
    .await;
    let mut cancelled_body = public(meeting_body(
        &group,
        "Decembermöte",
        "2021-12-03T08:30:00+01:00",
        "2021-12-03T11:30:00+01:00",
    ));
    cancelled_body["location"] = json!({"name": "Bolmen", "address": "Nygatan 20, Växjö"});
    let cancelled = create_meeting(&app, cancelled_body).await;
    let cancel = patch_meeting(&app, &cancelled, json!({"status": "cancelled"})).await;
    assert_eq!(cancel.status(), StatusCode::OK);

    let anonymous = get_ics(&app, "/api/v1/meetings.ics", None).await;
    let as_member = get_ics(&app, "/api/v1/meetings.ics", Some(&member_token())).await;

    let seen = events(&anonymous);
    let uids: HashSet<String> = seen.keys().cloned().collect();
    let expected: HashSet<String> = [&winter, &summer, &elsewhere, &cancelled]
        .into_iter()
        .map(uid)
        .collect();
    assert_eq!(uids, expected, "one VEVENT per public meeting");
    assert_eq!(parse_calendar(&anonymous).events().count(), 4);
    let member_uids: HashSet<String> = events(&as_member).keys().cloned().collect();
    assert_eq!(member_uids.len(), 5);
    assert!(member_uids.contains(&uid(&private)), "a member sees it");

    // Local times with TZID, in winter and in summer.
    assert_local_start(&seen[&uid(&winter)], "20211105T083000");
    assert_local_start(&seen[&uid(&summer)], "20210604T083000");
    let end = seen[&uid(&winter)].properties().get("DTEND").unwrap();
    assert_eq!(end.value(), "20211105T113000");
    assert_eq!(seen[&uid(&winter)].get_summary(), Some("Styrgruppsmöte"));
    assert_eq!(
        seen[&uid(&winter)].get_url(),
        Some(format!("{}{}", app.address, meeting_url(&winter)).as_str())
    );

    // Exactly one VTIMEZONE, for Europe/Stockholm.
    let unfolded = parser::unfold(&anonymous);
    let raw = parser::read_calendar(&unfolded).unwrap();
    let zones: Vec<&parser::Component<'_>> = raw
        .components
        .iter()
        .filter(|c| c.name == "VTIMEZONE")
        .collect();
    assert_eq!(zones.len(), 1);
    assert_eq!(
        zones[0].find_prop("TZID").unwrap().val.as_str(),
        "Europe/Stockholm"
    );

    // A cancelled meeting says so; the others do not.
    let cancelled_event = &seen[&uid(&cancelled)];
    assert_eq!(
        cancelled_event.get_status(),
        Some(icalendar::EventStatus::Cancelled)
    );
    assert_eq!(
        cancelled_event.get_location(),
        Some("Bolmen, Nygatan 20, Växjö")
    );
    assert_ne!(
        seen[&uid(&winter)].get_status(),
        Some(icalendar::EventStatus::Cancelled)
    );
    assert_eq!(cancelled_event.get_sequence(), Some(1));

    // Filters.
    let by_group = get_ics(
        &app,
        &format!("/api/v1/meetings.ics?group_id={}", id(&other_group)),
        None,
    )
    .await;
    assert_eq!(
        events(&by_group).keys().cloned().collect::<Vec<_>>(),
        [uid(&elsewhere)]
    );
    let november = get_ics(
        &app,
        "/api/v1/meetings.ics?from=2021-11-01T00:00:00%2B01:00&to=2021-11-06T00:00:00%2B01:00",
        Some(&member_token()),
    )
    .await;
    assert_eq!(
        events(&november).keys().cloned().collect::<Vec<_>>(),
        [uid(&winter)]
    );
    let autumn_of_group = get_ics(
        &app,
        &format!(
            "/api/v1/meetings.ics?group_id={}&from=2021-09-01T00:00:00%2B02:00",
            id(&group)
        ),
        Some(&member_token()),
    )
    .await;
    let autumn: HashSet<String> = events(&autumn_of_group).keys().cloned().collect();
    assert_eq!(
        autumn,
        [&private, &winter, &cancelled]
            .into_iter()
            .map(uid)
            .collect::<HashSet<_>>()
    );
    let bad = app.get("/api/v1/meetings.ics?from=yesterday", None).await;
    assert_problem(bad, StatusCode::BAD_REQUEST).await;

    // One meeting: public to anyone, a non-public one only to members.
    let single = get_ics(&app, &ics_url(&winter), None).await;
    assert_eq!(
        events(&single).keys().cloned().collect::<Vec<_>>(),
        [uid(&winter)]
    );
    let hidden = app.get(&ics_url(&private), None).await;
    assert_problem(hidden, StatusCode::NOT_FOUND).await;
    let shown = get_ics(&app, &ics_url(&private), Some(&member_token())).await;
    assert_eq!(events(&shown).len(), 1);
}

async fn the_uid_stays_and_the_sequence_grows_with_every_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let meeting = meeting_in(&app, &group, "planned").await;
    let sequence_and_uid = async |path: &str| {
        let text = get_ics(&app, path, None).await;
        let calendar = parse_calendar(&text);
        let event = calendar.events().next().expect("an event").clone();
        (
            event.get_sequence(),
            event.get_uid().unwrap().to_owned(),
            event.get_summary().unwrap().to_owned(),
        )
    };

    let first = sequence_and_uid(&ics_url(&meeting)).await;
    let again = sequence_and_uid(&ics_url(&meeting)).await;
    let renamed = patch_meeting(
        &app,
        &meeting,
        json!({"title": "Styrgruppsmöte, nytt namn"}),
    )
    .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let after_rename = sequence_and_uid(&ics_url(&meeting)).await;
    let moved = patch_meeting(
        &app,
        &meeting,
        json!({"starts_at": "2021-11-05T09:00:00+01:00"}),
    )
    .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let after_move = sequence_and_uid("/api/v1/meetings.ics").await;

    assert_eq!(first.0, Some(0));
    assert_eq!(first, again, "two fetches give the same event");
    assert_eq!(after_rename.1, uid(&meeting));
    assert_eq!(after_rename.1, first.1, "the UID survives a new title");
    assert_eq!(after_rename.2, "Styrgruppsmöte, nytt namn");
    assert_eq!(after_rename.0, Some(1));
    assert_eq!(after_move.1, first.1);
    assert_eq!(after_move.0, Some(2));
    let text = get_ics(&app, &ics_url(&meeting), None).await;
    let calendar = parse_calendar(&text);
    let event = calendar.events().next().unwrap();
    assert_local_start(event, "20211105T090000");
}

// --- Roles ----------------------------------------------------------------------------------

/// Asserts 401 for an anonymous caller and 403 for reporter, member and integration, with
/// nothing written.
async fn assert_writers_only(app: &TestApp, method: Method, path: &str, body: Option<&Value>) {
    let rows_before = (
        app.count_rows("meetings").await,
        app.count_rows("agenda_items").await,
        app.count_rows("attendance").await,
        app.count_rows("audit_log").await,
    );
    let anonymous = send(app, method.clone(), path, None, body).await;
    assert_problem(anonymous, StatusCode::UNAUTHORIZED).await;
    for role in [Role::Reporter, Role::Member, Role::Integration] {
        let response = send(app, method.clone(), path, Some(&token(&[role])), body).await;
        let status = response.status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} as {role:?}");
        assert_problem(response, StatusCode::FORBIDDEN).await;
    }
    let rows_after = (
        app.count_rows("meetings").await,
        app.count_rows("agenda_items").await,
        app.count_rows("attendance").await,
        app.count_rows("audit_log").await,
    );
    assert_eq!(rows_after, rows_before, "{method} {path}: nothing written");
}

async fn only_admin_and_secretary_write_meetings(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = small_group(&app).await;
    let writers = [("admin", admin()), ("secretary", secretary())];
    let new = meeting_body(
        &sg.group,
        "Styrgruppsmöte",
        "2021-11-05T08:30:00+01:00",
        "2021-11-05T11:30:00+01:00",
    );

    // POST /meetings
    assert_writers_only(&app, Method::POST, MEETINGS, Some(&new)).await;
    for (who, token) in &writers {
        let response = app.post_json(MEETINGS, Some(token), &new).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{who} creates");
    }

    let meeting = meeting_in(&app, &sg.group, "planned").await;
    // PATCH /meetings/{id}
    let rename = json!({"title": "Nytt namn"});
    assert_writers_only(&app, Method::PATCH, &meeting_url(&meeting), Some(&rename)).await;
    for (who, token) in &writers {
        let response = app
            .patch_json(&meeting_url(&meeting), Some(token), None, &rename)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{who} changes");
    }

    // DELETE /meetings/{id}
    assert_writers_only(&app, Method::DELETE, &meeting_url(&meeting), None).await;
    for (who, token) in &writers {
        let doomed = meeting_in(&app, &sg.group, "planned").await;
        let response = app.delete(&meeting_url(&doomed), Some(token), None).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{who} deletes");
    }

    // POST /meetings/{id}/agenda-items
    let item_body = json!({"number": "9", "title": "Övrigt"});
    assert_writers_only(&app, Method::POST, &items_url(&meeting), Some(&item_body)).await;
    for (n, (who, token)) in writers.iter().enumerate() {
        let response = app
            .post_json(
                &items_url(&meeting),
                Some(token),
                &json!({"number": (n + 1).to_string(), "title": "Punkt"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "{who} adds an item");
    }

    // PATCH and DELETE /meetings/{id}/agenda-items/{item_id}
    let item = add_item(&app, &meeting, json!({"number": "5", "title": "Enkät"})).await;
    let minutes = json!({"minutes": "Genomgång av enkäten."});
    assert_writers_only(
        &app,
        Method::PATCH,
        &item_url(&meeting, &item),
        Some(&minutes),
    )
    .await;
    assert_writers_only(&app, Method::DELETE, &item_url(&meeting, &item), None).await;
    for (n, (who, token)) in writers.iter().enumerate() {
        let response = app
            .patch_json(&item_url(&meeting, &item), Some(token), None, &minutes)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{who} changes an item");
        let doomed = add_item(
            &app,
            &meeting,
            json!({"number": format!("7.{n}"), "title": "Strykes"}),
        )
        .await;
        let response = app
            .delete(&item_url(&meeting, &doomed), Some(token), None)
            .await;
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "{who} removes an item"
        );
    }

    // PUT /meetings/{id}/attendance
    let entries = json!({"entries": [{"member_id": id(&sg.alma), "status": "present"}]});
    assert_writers_only(&app, Method::PUT, &attendance_url(&meeting), Some(&entries)).await;
    for (who, token) in &writers {
        let response = put_attendance(
            &app,
            &meeting,
            Some(token),
            None,
            entries["entries"].clone(),
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{who} records attendance"
        );
    }
}

async fn only_public_meetings_and_items_are_read_by_everyone(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = small_group(&app).await;
    let open = meeting_in(&app, &sg.group, "held").await;
    let open_item = add_item(&app, &open, json!({"number": "1", "title": "Välkommen"})).await;
    let closed_item = add_item(
        &app,
        &open,
        json!({"number": "2", "title": "Personalärende", "minutes": "Sekretess.", "public": false}),
    )
    .await;
    let closed = create_meeting(
        &app,
        meeting_body(
            &sg.group,
            "Beredning",
            "2021-11-12T08:30:00+01:00",
            "2021-11-12T09:30:00+01:00",
        ),
    )
    .await;
    assert_eq!(closed["public"], false, "not public by default");
    let closed_meeting_item =
        add_item(&app, &closed, json!({"number": "1", "title": "Budget"})).await;
    for meeting in [&open, &closed] {
        let response = put_attendance(
            &app,
            meeting,
            Some(&admin()),
            None,
            json!([{"member_id": id(&sg.alma), "status": "present"}]),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    let outsiders: Vec<(&str, Option<String>)> = vec![
        ("anonymous", None),
        ("reporter", Some(token(&[Role::Reporter]))),
        ("integration", Some(token(&[Role::Integration]))),
    ];
    let insiders = [
        ("admin", admin()),
        ("secretary", secretary()),
        ("member", member_token()),
    ];

    for (who, token) in &outsiders {
        let token = token.as_deref();
        let list = get_json(&app, MEETINGS, token).await;
        assert_eq!(page_ids(&list), [id(&open)], "{who}: public meetings only");
        get_json(&app, &meeting_url(&open), token).await;
        let agenda = get_json(&app, &items_url(&open), token).await;
        assert_eq!(
            page_ids(&agenda),
            [id(&open_item)],
            "{who}: public items only"
        );
        get_json(&app, &item_url(&open, &open_item), token).await;
        get_json(&app, &attendance_url(&open), token).await;
        let (_, minutes) = get_text(&app, &minutes_url(&open), token).await;
        assert!(!minutes.contains("Personalärende"), "{who}: {minutes}");
        get_ics(&app, &ics_url(&open), token).await;
        for path in [
            meeting_url(&closed),
            items_url(&closed),
            item_url(&closed, &closed_meeting_item),
            item_url(&open, &closed_item),
            attendance_url(&closed),
            minutes_url(&closed),
            ics_url(&closed),
        ] {
            let response = app.get(&path, token).await;
            let problem = assert_problem(response, StatusCode::NOT_FOUND).await;
            assert_eq!(problem["detail"], "no such resource", "{who}: {path}");
        }
        let missing = app
            .get(&format!("{MEETINGS}/{}", Uuid::now_v7()), token)
            .await;
        assert_problem(missing, StatusCode::NOT_FOUND).await;
    }

    for (who, token) in &insiders {
        let token = Some(token.as_str());
        let list = get_json(&app, MEETINGS, token).await;
        let listed = page_ids(&list);
        assert_eq!(listed.len(), 2, "{who}: {list}");
        assert!(listed.contains(&id(&closed).to_owned()), "{who}");
        let agenda = get_json(&app, &items_url(&open), token).await;
        assert_eq!(
            page_ids(&agenda),
            [id(&open_item), id(&closed_item)],
            "{who}: every item"
        );
        get_json(&app, &item_url(&open, &closed_item), token).await;
        get_json(&app, &meeting_url(&closed), token).await;
        get_json(&app, &items_url(&closed), token).await;
        let attendance = get_json(&app, &attendance_url(&closed), token).await;
        assert_eq!(attendance["entries"][0]["name"], "Alma Ström", "{who}");
        let (_, minutes) = get_text(&app, &minutes_url(&closed), token).await;
        assert!(minutes.contains("## 1. Budget"), "{who}: {minutes}");
        let (_, minutes) = get_text(&app, &minutes_url(&open), token).await;
        assert!(minutes.contains("## 2. Personalärende"), "{who}: {minutes}");
        get_ics(&app, &ics_url(&closed), token).await;
    }
}

// --- Bad input ------------------------------------------------------------------------------

async fn bad_meetings_are_422_with_nothing_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let vaxjo = app.create_municipality("Växjö kommun", "0780").await;
    let good = meeting_body(
        &group,
        "Styrgruppsmöte",
        "2021-11-05T08:30:00+01:00",
        "2021-11-05T11:30:00+01:00",
    );
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let nobody = Uuid::now_v7().to_string();
    let cases = [
        (
            with("group_id", json!(nobody)),
            "group_id",
            "an unknown group",
        ),
        (
            with("group_id", json!(id(&vaxjo))),
            "group_id",
            "a municipality is not a group",
        ),
        (
            with("ends_at", json!("2021-11-05T08:00:00+01:00")),
            "ends_at",
            "ending before it starts",
        ),
        (
            with("ends_at", json!("2021-11-05T08:30:00+01:00")),
            "ends_at",
            "ending as it starts",
        ),
        (
            with("ends_at", json!("2021-11-08T08:30:01+01:00")),
            "ends_at",
            "longer than 72 hours",
        ),
        (with("title", json!("")), "title", "an empty title"),
        (
            with("kind", json!("party")),
            "kind",
            "a kind that does not exist",
        ),
        (
            with("starts_at", json!("2021-11-05T08:30:00")),
            "starts_at",
            "a start without an offset",
        ),
        (
            with("chair_id", json!(nobody)),
            "chair_id",
            "an unknown chair",
        ),
        (
            with("minutes_checkers", json!([nobody])),
            "minutes_checkers[0]",
            "an unknown checker",
        ),
        (
            with(
                "documents",
                json!([{"title": "Kallelse", "url": "not a url", "kind": "invitation"}]),
            ),
            "documents[0].url",
            "a document url that is not one",
        ),
        (
            with(
                "documents",
                json!([{"title": "Kallelse", "url": "javascript:alert(1)", "kind": "invitation"}]),
            ),
            "documents[0].url",
            "a document url that is not http(s)",
        ),
        (
            with("id", json!(Uuid::now_v7())),
            "id",
            "an id chosen by the client",
        ),
    ];
    let meetings_before = app.count_rows("meetings").await;
    let audit_before = app.count_rows("audit_log").await;

    for (body, field, case) in cases {
        let response = app.post_json(MEETINGS, Some(&admin()), &body).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{case}: {problem}");
    }

    assert_eq!(app.count_rows("meetings").await, meetings_before);
    assert_eq!(app.count_rows("audit_log").await, audit_before);

    // The same rules on a change.
    let meeting = create_meeting(&app, good.clone()).await;
    let audit_before = app.count_rows("audit_log").await;
    for (patch, field) in [
        (json!({"ends_at": "2021-11-05T07:00:00+01:00"}), "ends_at"),
        (json!({"title": null}), "title"),
        (json!({"chair_id": nobody}), "chair_id"),
        (json!({"group_id": id(&group)}), "group_id"),
    ] {
        let response = patch_meeting(&app, &meeting, patch.clone()).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(error_fields(&problem), [field], "{patch}: {problem}");
    }
    assert_eq!(app.count_rows("audit_log").await, audit_before);
    assert_eq!(
        get_json(&app, &meeting_url(&meeting), Some(&admin())).await["version"],
        1
    );
}

async fn bad_list_filters_are_400(backend: Backend) {
    let app = spawn_app(backend).await;

    for (query, parameter) in [
        ("status=bogus", "status"),
        ("kind=party", "kind"),
        ("from=yesterday", "from"),
        ("to=2021-11-05T25:00:00Z", "to"),
        ("group_id=not-a-uuid", "group_id"),
    ] {
        let response = app
            .get(&format!("{MEETINGS}?{query}"), Some(&admin()))
            .await;
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), [parameter], "{query}: {problem}");
    }
}

async fn the_list_filters_and_orders_by_start(backend: Backend) {
    let app = spawn_app(backend).await;
    let group = app.create_group("Styrgrupp").await;
    let other = app.create_group("Tvärgrupp barn").await;
    let december = meeting_in(&app, &group, "planned").await;
    let patched = patch_meeting(
        &app,
        &december,
        json!({"starts_at": "2021-12-03T08:30:00+01:00", "ends_at": "2021-12-03T11:30:00+01:00"}),
    )
    .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let november = meeting_in(&app, &group, "held").await;
    let mut retreat = meeting_body(
        &group,
        "Internat",
        "2022-03-10T09:00:00+01:00",
        "2022-03-11T15:00:00+01:00",
    );
    retreat["kind"] = json!("retreat");
    let retreat = create_meeting(&app, retreat).await;
    let elsewhere = meeting_in(&app, &other, "planned").await;
    let list = |query: String| {
        let app = &app;
        async move { page_ids(&get_json(app, &format!("{MEETINGS}?{query}"), Some(&admin())).await) }
    };

    assert_eq!(
        list(format!("group_id={}", id(&group))).await,
        [id(&november), id(&december), id(&retreat)],
        "ordered by start"
    );
    assert_eq!(list("status=held".into()).await, [id(&november)]);
    assert_eq!(list("kind=retreat".into()).await, [id(&retreat)]);
    assert_eq!(
        list(format!(
            "group_id={}&from=2021-11-06T00:00:00%2B01:00&to=2022-01-01T00:00:00Z",
            id(&group)
        ))
        .await,
        [id(&december)]
    );
    assert_eq!(
        list(format!("group_id={}", id(&other))).await,
        [id(&elsewhere)]
    );
}

async fn sharp_edges_of_substitutes_approval_dates_deletion_and_hidden_items(backend: Backend) {
    let app = spawn_app(backend).await;
    let g = small_group(&app).await;
    let meeting = meeting_in(&app, &g.group, "held").await;

    // One absent member has at most one substitute.
    let twice = put_attendance(&app, &meeting, Some(&admin()), None, json!([
        {"member_id": id(&g.alma), "status": "absent"},
        {"member_id": id(&g.outsider), "status": "present", "substitute_for_member_id": id(&g.alma)},
        {"member_id": id(&g.newcomer), "status": "present", "substitute_for_member_id": id(&g.alma)},
    ]))
    .await;
    let problem = assert_problem(twice, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        error_fields(&problem),
        ["entries[2].substitute_for_member_id"],
        "{problem}"
    );

    // Minutes cannot be approved before the meeting was held.
    let early = patch_meeting(
        &app,
        &meeting,
        json!({"status": "minutes_approved", "minutes_approved_on": "2021-11-04"}),
    )
    .await;
    let problem = assert_problem(early, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error_fields(&problem), ["minutes_approved_on"]);

    // A guest's hidden item is not named to callers who may not see it.
    let hidden = add_item(
        &app,
        &meeting,
        json!({"number": "9", "title": "Personalärende", "public": false}),
    )
    .await;
    let shown = add_item(
        &app,
        &meeting,
        json!({"number": "8", "title": "Kontaktvägar"}),
    )
    .await;
    let ok = put_attendance(&app, &meeting, Some(&admin()), None, json!([
        {"member_id": id(&g.outsider), "status": "present", "guest": true, "agenda_item_ids": [id(&hidden), id(&shown)]},
    ]))
    .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let public_view = get_json(&app, &attendance_url(&meeting), None).await;
    assert_eq!(
        public_view["entries"][0]["agenda_item_ids"],
        json!([id(&shown)])
    );
    let member_view = get_json(&app, &attendance_url(&meeting), Some(&member_token())).await;
    assert_eq!(
        member_view["entries"][0]["agenda_item_ids"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A deleted meeting's own calendar entry says it is cancelled, so calendars drop it.
    let planned = meeting_in(&app, &g.group, "planned").await;
    let deleted = app
        .delete(&meeting_url(&planned), Some(&admin()), None)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let text = get_ics(&app, &ics_url(&planned), Some(&member_token())).await;
    let calendar = parse_calendar(&text);
    let event = calendar
        .components
        .iter()
        .find_map(|c| c.as_event())
        .expect("an event");
    assert_eq!(event.get_status(), Some(icalendar::EventStatus::Cancelled));
}

async fn a_members_meetings_show_in_their_export_block_deletion_and_yield_to_erasure(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let g = small_group(&app).await;
    let meeting = meeting_in(&app, &g.group, "held").await;
    let item = add_item(
        &app,
        &meeting,
        json!({
            "number": "1", "title": "Lägesrapport", "presenter_ids": [id(&g.alma)],
            "minutes": "Alma Ström redogör för läget."
        }),
    )
    .await;
    let put = put_attendance(&app, &meeting, Some(&admin()), None, json!([
        {"member_id": id(&g.alma), "status": "present", "note": "Alma Ström gick efter punkt 1."},
        {"member_id": id(&g.bo), "status": "present"},
    ]))
    .await;
    assert_eq!(put.status(), StatusCode::OK);

    let export = get_json(
        &app,
        &format!("/api/v1/members/{}/export", id(&g.alma)),
        Some(&admin()),
    )
    .await;
    assert_eq!(export["attendance"][0]["meeting_id"], meeting["id"]);
    assert_eq!(export["attendance"][0]["status"], "present");
    assert_eq!(export["agenda_items"][0]["agenda_item_id"], item["id"]);
    assert_eq!(export["agenda_items"][0]["roles"], json!(["presenter"]));

    let blocked = app
        .delete(
            &format!("/api/v1/members/{}", id(&g.outsider)),
            Some(&admin()),
            None,
        )
        .await;
    assert_eq!(
        blocked.status(),
        StatusCode::NO_CONTENT,
        "an unreferenced member can go"
    );
    let referenced = app
        .delete(
            &format!("/api/v1/members/{}", id(&g.bo)),
            Some(&admin()),
            None,
        )
        .await;
    let problem = assert_problem(referenced, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("attendance"),
        "{problem}"
    );

    let erased = app
        .post_json(
            &format!("/api/v1/members/{}/erase", id(&g.alma)),
            Some(&admin()),
            &json!({}),
        )
        .await;
    assert_eq!(erased.status(), StatusCode::OK);
    let hits = app.rows_mentioning("Alma Ström").await;
    assert!(hits.is_empty(), "her name remains in:\n{}", hits.join("\n"));
    let (_, minutes) = get_text(&app, &minutes_url(&meeting), Some(&member_token())).await;
    assert!(minutes.contains("Erased member"), "{minutes}");
    assert!(!minutes.contains("Alma"), "{minutes}");
}

// --- The list convention and the contract ----------------------------------------------------

/// The agenda follows the list convention: `limit` and `cursor` page it in agenda order (with
/// `Link: rel="next"`), and `updated_since` returns the changed items with removed ones as
/// tombstones. It used to refuse `limit` with a 400.
async fn the_agenda_pages_with_limit_cursor_and_updated_since(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = small_group(&app).await;
    let meeting = meeting_in(&app, &sg.group, "planned").await;
    let mut items = Vec::new();
    for n in 1..=5 {
        let body = json!({"number": n.to_string(), "title": format!("Punkt {n}")});
        items.push(add_item(&app, &meeting, body).await);
    }
    let ids = |range: std::ops::Range<usize>| -> Vec<String> {
        items[range].iter().map(|i| id(i).to_owned()).collect()
    };
    let url = items_url(&meeting);
    let member = member_token();

    let response = app.get(&format!("{url}?limit=2"), Some(&member)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let link = response
        .headers()
        .get(header::LINK)
        .and_then(|v| v.to_str().ok())
        .expect("a Link header")
        .to_owned();
    assert!(link.contains("rel=\"next\""), "{link}");
    let first: Value = response.json().await.unwrap();
    assert_eq!(page_ids(&first), ids(0..2));
    let cursor = first["next_cursor"].as_str().expect("a next cursor");
    let second = get_json(
        &app,
        &format!("{url}?limit=2&cursor={cursor}"),
        Some(&member),
    )
    .await;
    assert_eq!(page_ids(&second), ids(2..4));
    let cursor = second["next_cursor"].as_str().expect("a next cursor");
    let last = get_json(
        &app,
        &format!("{url}?limit=2&cursor={cursor}"),
        Some(&member),
    )
    .await;
    assert_eq!(page_ids(&last), ids(4..5));
    assert_eq!(last["next_cursor"], Value::Null);

    for bad in ["limit=0", "limit=201", "cursor=zz", "sort=position"] {
        let response = app.get(&format!("{url}?{bad}"), Some(&member)).await;
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }

    let since = items[4]["updated_at"].as_str().unwrap().to_owned();
    let removed = app
        .delete(&item_url(&meeting, &items[0]), Some(&admin()), None)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let live = get_json(&app, &url, Some(&member)).await;
    assert_eq!(page_ids(&live), ids(1..5));
    let changes = get_json(&app, &format!("{url}?updated_since={since}"), Some(&member)).await;
    let tombstone = changes["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == items[0]["id"])
        .expect("the removed item as a tombstone");
    assert_eq!(tombstone["archived"], json!(true));
    // The others moved up a place: they changed too.
    assert_eq!(page_ids(&changes).len(), 5, "{changes}");
}

/// Only GET is served on `/meetings/{id}.ics`: other methods are a 405 naming the allowed ones,
/// not a 400 from `/meetings/{id}` reading `<uuid>.ics` as an id.
async fn other_methods_on_a_meeting_calendar_are_405(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = small_group(&app).await;
    let meeting = meeting_in(&app, &sg.group, "planned").await;
    for method in [Method::PATCH, Method::DELETE, Method::PUT, Method::POST] {
        let response = send(
            &app,
            method.clone(),
            &ics_url(&meeting),
            Some(&admin()),
            Some(&json!({})),
        )
        .await;
        let allow = response
            .headers()
            .get(header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
        assert!(allow.contains("GET"), "{method}: Allow {allow}");
    }
    let unknown = format!("{MEETINGS}/{}.ics", Uuid::now_v7());
    let response = send(
        &app,
        Method::PATCH,
        &unknown,
        Some(&admin()),
        Some(&json!({})),
    )
    .await;
    assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    let (content_type, _) = get_text(&app, &ics_url(&meeting), Some(&admin())).await;
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
}

/// An agenda item's `position` is a JSON Schema integer, so `2.0` is the place 2; a fraction is
/// refused. Creating on a meeting that does not exist is a 404 (as documented), and a keyed
/// retry of a creation answers from the first attempt.
async fn agenda_positions_take_integral_numbers_and_creation_is_idempotent(backend: Backend) {
    let app = spawn_app(backend).await;
    let sg = small_group(&app).await;
    let meeting = meeting_in(&app, &sg.group, "planned").await;
    add_item(&app, &meeting, json!({"number": "1", "title": "Välkommen"})).await;
    add_item(&app, &meeting, json!({"number": "2", "title": "Övrigt"})).await;
    let moved = add_item(
        &app,
        &meeting,
        json!({"number": "3", "title": "Enkät", "position": 2.0}),
    )
    .await;
    assert_eq!(moved["position"], json!(2));
    let patched = app
        .patch_json(
            &item_url(&meeting, &moved),
            Some(&admin()),
            None,
            &json!({"position": 1.0}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    assert_eq!(
        agenda_order(&app, &meeting).await,
        pairs(&[("3", 1), ("1", 2), ("2", 3)])
    );
    let fraction = app
        .post_json(
            &items_url(&meeting),
            Some(&admin()),
            &json!({"number": "4", "title": "X", "position": 1.5}),
        )
        .await;
    assert_problem(fraction, StatusCode::UNPROCESSABLE_ENTITY).await;

    let nowhere = format!("{MEETINGS}/{}/agenda-items", Uuid::now_v7());
    let response = app
        .post_json(
            &nowhere,
            Some(&admin()),
            &json!({"number": "1", "title": "X"}),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND).await;

    let body = json!({"number": "9", "title": "Nästa möte"});
    let keyed = || {
        app.client
            .post(app.url(&items_url(&meeting)))
            .bearer_auth(admin())
            .header("Idempotency-Key", "agenda-9")
            .json(&body)
    };
    let first = keyed().send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let location = first.headers().get(header::LOCATION).cloned();
    let created: Value = first.json().await.unwrap();
    let again = keyed().send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    assert_eq!(again.headers().get(header::LOCATION).cloned(), location);
    let replayed: Value = again.json().await.unwrap();
    assert_eq!(replayed["id"], created["id"]);
    assert_eq!(agenda_order(&app, &meeting).await.len(), 4);
}

/// The document states what the server enforces on meetings and agenda items, with one
/// operation id per operation and every media type of the documents described.
async fn the_document_states_the_meeting_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = get_json(&app, "/api/v1/openapi.json", None).await;
    let paths = &doc["paths"];
    let op = |path: &str, method: &str| paths[path][method].clone();
    for (path, method, operation_id) in [
        ("/api/v1/meetings", "get", "list_meetings"),
        ("/api/v1/meetings", "post", "create_meeting"),
        ("/api/v1/meetings/{id}", "get", "get_meeting"),
        ("/api/v1/meetings/{id}", "patch", "update_meeting"),
        ("/api/v1/meetings/{id}", "delete", "archive_meeting"),
        (
            "/api/v1/meetings/{id}/agenda-items",
            "get",
            "list_agenda_items",
        ),
        (
            "/api/v1/meetings/{id}/agenda-items",
            "post",
            "create_agenda_item",
        ),
        (
            "/api/v1/meetings/{id}/agenda-items/{item_id}",
            "get",
            "get_agenda_item",
        ),
        (
            "/api/v1/meetings/{id}/agenda-items/{item_id}",
            "patch",
            "update_agenda_item",
        ),
        (
            "/api/v1/meetings/{id}/agenda-items/{item_id}",
            "delete",
            "archive_agenda_item",
        ),
        ("/api/v1/meetings/{id}/attendance", "get", "get_attendance"),
        (
            "/api/v1/meetings/{id}/attendance",
            "put",
            "replace_attendance",
        ),
        (
            "/api/v1/meetings/{id}/minutes",
            "get",
            "get_meeting_minutes",
        ),
        ("/api/v1/meetings.ics", "get", "get_meetings_calendar"),
        ("/api/v1/meetings/{id}.ics", "get", "get_meeting_calendar"),
        ("/api/v1/search", "get", "search"),
    ] {
        let operation = op(path, method);
        assert_eq!(
            operation["operationId"],
            json!(operation_id),
            "{method} {path}"
        );
        for (status, response) in operation["responses"].as_object().unwrap() {
            assert!(
                response["description"].is_string(),
                "{method} {path} {status}"
            );
        }
    }
    let params = |operation: &Value| -> Vec<String> {
        operation["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let agenda = op("/api/v1/meetings/{id}/agenda-items", "get");
    for name in ["limit", "cursor", "updated_since"] {
        assert!(
            params(&agenda).contains(&name.to_owned()),
            "agenda list lacks {name}"
        );
    }
    let create = op("/api/v1/meetings/{id}/agenda-items", "post");
    assert!(params(&create).contains(&"Idempotency-Key".to_owned()));
    assert!(create["responses"]["404"].is_object(), "no documented 404");
    let schemas = &doc["components"]["schemas"];
    let new_item = &schemas["NewAgendaItem"]["properties"];
    assert_eq!(new_item["title"]["minLength"], json!(1));
    assert!(new_item["title"]["pattern"].is_string());
    assert!(new_item["number"]["pattern"].is_string());
    assert_eq!(new_item["position"]["minimum"], json!(1));
    assert_eq!(
        schemas["NewMeeting"]["properties"]["title"]["minLength"],
        json!(1)
    );
    let minutes = op("/api/v1/meetings/{id}/minutes", "get");
    let content = &minutes["responses"]["200"]["content"];
    assert!(content["text/markdown"].is_object() && content["text/html"].is_object());
    let lang = minutes["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "lang")
        .expect("lang");
    assert!(
        lang["schema"].get("$ref").is_none(),
        "an unregistered $ref: {lang}"
    );
    let feed = op("/api/v1/meetings.ics", "get");
    assert!(feed["responses"]["200"]["content"]["text/calendar"].is_object());
    let search = op("/api/v1/search", "get");
    let types = search["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "types")
        .expect("types");
    assert!(types["schema"]["pattern"].is_string());
    assert_eq!(
        search["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["items"]
            ["items"]["$ref"],
        json!("#/components/schemas/SearchHit")
    );
}

crate::on_both_backends!(
    the_agenda_pages_with_limit_cursor_and_updated_since,
    other_methods_on_a_meeting_calendar_are_405,
    agenda_positions_take_integral_numbers_and_creation_is_idempotent,
    the_document_states_the_meeting_rules,
    a_members_meetings_show_in_their_export_block_deletion_and_yield_to_erasure,
    sharp_edges_of_substitutes_approval_dates_deletion_and_hidden_items,
    the_meeting_of_2021_11_05_is_recorded_in_full,
    every_allowed_status_move_is_made,
    every_other_status_move_is_refused,
    approving_minutes_needs_the_date_and_a_meeting_is_never_created_approved,
    only_a_planned_meeting_can_be_deleted,
    approved_minutes_lock_the_meeting_its_agenda_and_attendance,
    every_attendance_rule_is_a_422_naming_the_entry,
    a_put_replaces_the_whole_attendance_list_and_bumps_the_version,
    agenda_numbers_are_unique_and_positions_stay_dense,
    bad_agenda_items_are_422,
    the_calendar_feed_is_valid_icalendar_in_stockholm_time,
    the_uid_stays_and_the_sequence_grows_with_every_change,
    only_admin_and_secretary_write_meetings,
    only_public_meetings_and_items_are_read_by_everyone,
    bad_meetings_are_422_with_nothing_written,
    bad_list_filters_are_400,
    the_list_filters_and_orders_by_start,
);
