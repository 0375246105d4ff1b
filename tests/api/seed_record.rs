//! Issue 13, done when: the steering group's meetings of 2021-11-05 and 2021-12-03
//! (`../shared/seeds/`) recorded completely through the API as its secretary would, with
//! fictional people: every attendee, absence and guest, every item with its presenters and text,
//! the decisions and assignments, the deferred item, the material as attachments, the forum and
//! the retreat as all-day meetings; signed off by the chair and the checkers; the November
//! minutes approved at the December meeting; and both exported as Markdown, HTML and PDF that
//! read like the originals.
//!
//! The seeds list two December attendees among the absent as well (a copy-paste slip in the
//! original); a member attends once, so they are recorded as present.

use std::collections::HashMap;

use reqwest::{StatusCode, header};
use samverkan::auth::Role;
use serde_json::{Value, json};

use crate::{
    decisions::{create_meeting, decide, get_json, id, kronoberg, meeting_url},
    helpers::{Backend, TestApp, admin, spawn_app, token_for},
    minutes_pdf::{in_order, pdftotext},
    on_both_backends,
};

const SUBTITLE: &str = "Tillsammans skapar vi en trygg och säker uppväxt för VARJE barn genom \
                        främjande, tidiga och samordnade insatser";

/// (key, fictional name, organisation, role in the steering group)
const PEOPLE: [(&str, &str, &str, &str); 20] = [
    ("chair", "Arvid Ekholm", "Växjö kommun", "chair"),
    ("lessebo", "Tuva Lindell", "Lessebo kommun", "member"),
    ("alvesta", "Maja Pettersson", "Alvesta kommun", "member"),
    ("uppvidinge", "Alva Jarl", "Uppvidinge kommun", "member"),
    ("markaryd", "Jonas Rydén", "Markaryds kommun", "member"),
    ("markaryd2", "Rakel Tornberg", "Markaryds kommun", "deputy"),
    ("region", "Rolf Nyström", "Region Kronoberg", "member"),
    ("almhult", "Rune Jansson", "Älmhults kommun", "member"),
    ("hsv", "Mattias Frid", "Region Kronoberg", "member"),
    ("vaxjo", "Ramona Mustafić", "Växjö kommun", "member"),
    ("lnu", "Mats Andrén", "Linnéuniversitetet", "researcher"),
    (
        "lnu2",
        "Angela Thelander",
        "Linnéuniversitetet",
        "researcher",
    ),
    ("rss", "Annika Malmgren", "Region Kronoberg", "member"),
    ("region2", "Kristina Hallberg", "Region Kronoberg", "member"),
    (
        "process",
        "Erika Lindgren",
        "Region Kronoberg",
        "process_leader",
    ),
    ("ljungby", "Nils Jönsson", "Ljungby kommun", "member"),
    ("police", "Hans Sjödin", "Polismyndigheten", "member"),
    ("region3", "Hanna Sundberg", "Region Kronoberg", "member"),
    ("tingsryd", "Patrik Grimberg", "Tingsryds kommun", "member"),
    (
        "communicator",
        "Åsa Kallin",
        "Region Kronoberg",
        "communicator",
    ),
];

/// The guests of 2021-11-05, item 8.
const GUESTS: [(&str, &str); 3] = [
    ("Fredrik Warg", "Region Kronoberg"),
    ("Jenny Lundin", "Växjö kommun"),
    ("Jessica Rosén", "Region Kronoberg"),
];

/// (number, title, presenters, minutes)
type Item = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
);

const NOVEMBER_ITEMS: [Item; 11] = [
    (
        "1",
        "Ordförande hälsar välkommen",
        &["chair"],
        "Ordförande Arvid Ekholm hälsar alla välkomna.",
    ),
    (
        "2",
        "Redovisning enkät",
        &["process"],
        "Erika går igenom enkätsvaren av den statusanalys som har genomförts. Mycket finns men ännu är inte allt på plats – Kronobarnsmodellen är inte färdig. Kontaktvägar och lokala strukturer för kontakt behöver tas fram.\n\nUppföljning med jämna mellanrum efterlyses, gärna med mer skalade svar än ja och nej. Det behövs beskrivning av mått på rörelse i processen.",
    ),
    (
        "3",
        "Information inför beslut om kontaktvägar",
        &["chair", "process"],
        "Förslag ligger om att ge tvärgrupp barn och unga samt processledaren i uppgift att lägga fram förslag på hur kontaktvägar in till verksamheterna i länet samt mellan verksamheterna skulle kunna se ut inom ramen för Kronobarnsmodellen.",
    ),
    (
        "4",
        "Information om kompetens- och utbildningsplan för medarbetare",
        &["process"],
        "Det behöver bli tydligt hur kontaktvägarna mellan verksamheterna ska se ut samt börja titta på tillitsbygge och samverkanskunskap.\n\nLinnéuniversitetet har lyft frågan om att redan i grundkurser ha en mindre modul om samverkan.",
    ),
    (
        "5",
        "Information om kommunikation, budget och ekonomi",
        &["rss"],
        "Kommunikationsstödet har inte gått att få till så som det var tänkt. 600 000 kr tas med till 2022 och kan användas för resurs i form av person och/eller för att bygga hemsidan.",
    ),
    (
        "6",
        "Inriktningsbeslut om digitalplattform",
        &["hsv", "process"],
        "Ett förslag har tagits fram som innebär att samtliga kommuner åtar sig att ansluta sig till Cosmic Link och att koppla på elevhälsomodulen.",
    ),
    (
        "7",
        "Indikatorer och utfallsmått och fortsatt arbete framåt",
        &[],
        "Ett underlag har tagits fram med förslag på indikatorer som kan utgöra en baslinje. Konstateras att tandhälsa bättre följs vid 3 år, 6 år och 12 år. Suicid ska tas bort och antal sjukdomsfall pga. våld ska döpas om till våldsutsatthet.\n\nStyrgruppen tydliggör att tvärgrupp barn är och ska vara den primära resursen.",
    ),
    (
        "8",
        "Överenskommelse gällande utredning av intellektuell funktionsnedsättning och neuropsykiatriska funktionsnedsättningar, NPF",
        &[],
        "Gästerna redovisar hur de har tagit fram förslag till överenskommelse. Styrgruppen tackar för ett väl utfört arbete och konstaterar att överenskommelsen har blivit överflödig. Underlaget kan ligga som grund för fortsatt arbete.",
    ),
    (
        "9",
        "Nuläge, övrigt",
        &[],
        "- Kontaktvägar (kallelser) kommer jobbas vidare med i tvärgrupp barn.\n- Digital lösning – arbetet fortskrider.\n- Spridningskonferenser genomförda eller på gång runt om i länet (BUP klinikdag 21/10, Lessebo 26/10 m.fl.).",
    ),
    ("10", "Information kring arbete inför internatet", &[], ""),
    (
        "11",
        "Mötet avslutas",
        &["chair"],
        "Arvid Ekholm avslutar mötet och önskar alla en trevlig helg.",
    ),
];

const DECEMBER_ITEMS: [Item; 8] = [
    (
        "1",
        "Ordförande hälsar välkommen",
        &["chair"],
        "Ordförande Arvid Ekholm hälsar alla välkomna.",
    ),
    (
        "2",
        "Dialog gällande avtalet mellan RK och Växjö kommun",
        &["hsv"],
        "Förtydligande om att det handlar om ett politiskt avtal. Hälso- och sjukvården har ett länsövergripande ansvar; beslutet finns i handlingarna (bilagan).",
    ),
    (
        "3",
        "Information från processledare",
        &["process"],
        "Nuläge kring den digitala lösningen, kontaktvägar samt kommunikationsfrågan lyfts. Från januari kommer det finnas en kommunikatör kopplad till processen.",
    ),
    (
        "4",
        "Uppföljning och revidering av handlingsplan",
        &["process"],
        "En revidering av den länsgemensamma handlingsplanen har genomförts. Uppdaterad handlingsplan ligger i Netpublicator och på hemsidan.",
    ),
    (
        "5",
        "Information om utredning kring en ev. flytt av Barnens bästa till programkontoret för nära vård",
        &["rss"],
        "I Region Kronoberg utreds en eventuell flytt till programorganisationen för omställningen till god nära vård från och med 1 mars 2022.",
    ),
    (
        "6",
        "Inspel till kommunalt forum 14 januari",
        &["chair"],
        "Viktigt att paketera arbetet för politiken så det blir tydligt vad arbetet innebär.",
    ),
    (
        "7",
        "Inspel till internat 17-18 mars 2022",
        &["rss"],
        "Kosta Boda Art Hotel är bokat. Skicka inspel till Annika: annika.malmgren@example.se.",
    ),
    (
        "8",
        "Mötet avslutas",
        &["chair"],
        "Arvid Ekholm avslutar mötet och önskar alla en god juletid.",
    ),
];

/// (person, status, note) for each meeting.
const NOVEMBER_ATTENDANCE: [(&str, &str); 19] = [
    ("chair", "present"),
    ("lessebo", "present"),
    ("alvesta", "present"),
    ("uppvidinge", "present"),
    ("markaryd", "present"),
    ("region", "present"),
    ("almhult", "present"),
    ("hsv", "present"),
    ("vaxjo", "present"),
    ("lnu", "present"),
    ("lnu2", "present"),
    ("rss", "present"),
    ("region2", "present"),
    ("process", "present"),
    ("ljungby", "absent"),
    ("markaryd2", "absent"),
    ("police", "absent"),
    ("region3", "absent"),
    ("tingsryd", "absent"),
];

const DECEMBER_ATTENDANCE: [(&str, &str); 20] = [
    ("chair", "present"),
    ("vaxjo", "present"),
    ("lessebo", "present"),
    ("uppvidinge", "present"),
    ("region", "present"),
    ("tingsryd", "present"),
    ("hsv", "present"),
    ("markaryd", "present"),
    ("markaryd2", "present"),
    ("ljungby", "present"),
    ("lnu2", "present"),
    ("lnu", "present"),
    ("rss", "present"),
    ("region2", "present"),
    ("process", "present"),
    ("communicator", "present"),
    ("police", "absent"),
    ("region3", "absent"),
    ("almhult", "absent"),
    ("alvesta", "absent"),
];

struct Record<'a> {
    app: &'a TestApp,
    people: HashMap<&'static str, String>,
    guests: Vec<String>,
    orgs: HashMap<String, String>,
    sg: String,
}

impl Record<'_> {
    fn person(&self, key: &str) -> &str {
        &self.people[key]
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> Value {
        let response = self
            .app
            .client
            .request(method.clone(), self.app.url(path))
            .bearer_auth(admin())
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A held meeting of the steering group with its roles, agenda and attendance.
    async fn meeting(
        &self,
        day: &str,
        hours: (&str, &str),
        items: &[Item],
        attendance: &[(&str, &str)],
        checkers: [&str; 2],
    ) -> (Value, HashMap<&'static str, String>) {
        let (starts, ends) = hours;
        let meeting = self
            .send(reqwest::Method::POST, "/api/v1/meetings", &json!({
                "group_id": self.sg, "title": "Styrgrupp för Barnens bästa gäller! i Kronoberg",
                "starts_at": format!("{day}T{starts}:00+01:00"), "ends_at": format!("{day}T{ends}:00+01:00"),
                "status": "held", "public": true, "record_kind": "notes",
                "location": {"name": "Digitalt via Teams", "online": true},
                "chair_id": self.person("chair"), "minutes_taker_id": self.person("process"),
                "minutes_checkers": [self.person(checkers[0]), self.person(checkers[1])],
            }))
            .await;
        let guests: Vec<&str> = self.guests.iter().map(String::as_str).collect();
        let agenda: Vec<Value> = items
            .iter()
            .map(|(number, title, presenters, minutes)| {
                let presenters: Vec<&str> = presenters.iter().map(|p| self.person(p)).collect();
                let guests = if *number == "8" && items.len() == 11 {
                    guests.clone()
                } else {
                    vec![]
                };
                json!({"number": number, "title": title, "presenter_ids": presenters,
                       "guest_ids": guests, "minutes": (!minutes.is_empty()).then_some(minutes)})
            })
            .collect();
        let url = meeting_url(&meeting);
        let agenda = self
            .send(
                reqwest::Method::PUT,
                &format!("{url}/agenda"),
                &json!({"items": agenda}),
            )
            .await;
        let numbers: HashMap<&'static str, String> = items
            .iter()
            .zip(agenda["items"].as_array().unwrap())
            .map(|((number, ..), item)| (*number, id(item).to_owned()))
            .collect();
        let mut entries: Vec<Value> = attendance
            .iter()
            .map(|(who, status)| json!({"member_id": self.person(who), "status": status}))
            .collect();
        if items.len() == 11 {
            for (guest, (_, org)) in self.guests.iter().zip(GUESTS) {
                entries.push(
                    json!({"member_id": guest, "status": "present", "guest": true,
                    "represents_id": self.orgs[org], "agenda_item_ids": [numbers["8"]]}),
                );
            }
        }
        self.send(
            reqwest::Method::PUT,
            &format!("{url}/attendance"),
            &json!({"entries": entries}),
        )
        .await;
        (
            self.app.get(&url, None).await.json().await.unwrap(),
            numbers,
        )
    }

    /// A file attached to a record as the secretary uploads it.
    async fn attach(&self, owner: (&str, &str), filename: &str) {
        let response = self
            .app
            .client
            .post(self.app.url("/api/v1/attachments"))
            .query(&[
                ("owner_type", owner.0),
                ("owner_id", owner.1),
                ("filename", filename),
            ])
            .header(header::CONTENT_TYPE, "application/pdf")
            .bearer_auth(admin())
            .body(format!("%PDF-1.7\n% {filename}\n").into_bytes())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{filename}");
    }
}

async fn fixture(app: &TestApp) -> Record<'_> {
    let k = kronoberg(app).await;
    let mut orgs: HashMap<String, String> = k
        .orgs
        .iter()
        .map(|(n, o)| (n.to_string(), id(o).to_owned()))
        .collect();
    for (name, code) in [
        ("Markaryds kommun", "0767"),
        ("Älmhults kommun", "0765"),
        ("Tingsryds kommun", "0763"),
    ] {
        orgs.insert(
            name.into(),
            id(&app.create_municipality(name, code).await).to_owned(),
        );
    }
    let police = app
        .create_organisation(json!({"name": "Polismyndigheten", "kind": "agency"}))
        .await;
    orgs.insert("Polismyndigheten".into(), id(&police).to_owned());
    let mut record = Record {
        app,
        people: HashMap::new(),
        guests: Vec::new(),
        orgs,
        sg: id(&k.sg).to_owned(),
    };
    let sg = format!("/api/v1/organisations/{}", record.sg);
    record
        .send(reqwest::Method::PATCH, &sg, &json!({"subtitle": SUBTITLE}))
        .await;
    for (key, name, org, role) in PEOPLE {
        let member = app.create_member(json!({"name": name})).await;
        app.create_membership(
            json!({"member_id": id(&member), "group_id": record.sg, "role": role,
            "represents_id": record.orgs[org], "start_date": "2020-01-01"}),
        )
        .await;
        record.people.insert(key, id(&member).to_owned());
    }
    for (name, _) in GUESTS {
        record
            .guests
            .push(id(&app.create_member(json!({"name": name})).await).to_owned());
    }
    record
}

/// Signs the minutes as the chair and both checkers, each with their own login.
async fn sign_off(r: &Record<'_>, meeting: &Value, signatories: [&str; 3]) {
    let url = format!("{}/minutes/signatures", meeting_url(meeting));
    let sha = get_json(r.app, &url, None).await["content_sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    for who in signatories {
        let sub = format!("login-{who}");
        r.send(
            reqwest::Method::PATCH,
            &format!("/api/v1/members/{}", r.person(who)),
            &json!({"subject": sub}),
        )
        .await;
        let signed = r
            .app
            .post_json(
                &url,
                Some(&token_for(&sub, &[Role::Member], None)),
                &json!({"sha256": sha}),
            )
            .await;
        assert_eq!(signed.status(), StatusCode::CREATED, "{who} signs");
    }
    assert_eq!(get_json(r.app, &url, None).await["signed_off"], true);
}

/// The minutes in each format; the PDF as `pdftotext` reads it (when poppler is installed).
async fn exported(app: &TestApp, meeting: &Value) -> (String, String, Option<String>) {
    let url = app.url(&format!("{}/minutes", meeting_url(meeting)));
    let get = |accept: &'static str| app.client.get(&url).header(header::ACCEPT, accept).send();
    let markdown = get("text/markdown").await.unwrap().text().await.unwrap();
    // SAMVERKAN_KEEP_MINUTES=DIR keeps each Markdown to read by eye.
    if let Ok(dir) = std::env::var("SAMVERKAN_KEEP_MINUTES") {
        std::fs::write(format!("{dir}/{}.md", id(meeting)), &markdown).unwrap();
    }
    let html = get("text/html").await.unwrap().text().await.unwrap();
    let pdf = get("application/pdf").await.unwrap().bytes().await.unwrap();
    let text = pdftotext().map(|tool| {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("minutes.pdf");
        std::fs::write(&file, &pdf).unwrap();
        let out = std::process::Command::new(tool)
            .args(["-enc", "UTF-8"])
            .arg(&file)
            .arg("-")
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    });
    (markdown, html, text)
}

/// The text of an HTML document as a reader sees it.
fn html_text(html: &str) -> String {
    let tags = regex::Regex::new(r"<[^>]+>").unwrap();
    tags.replace_all(html, "")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// Each fact is in the Markdown, in the HTML's text and (in order) in the PDF's text.
fn assert_reads(markdown: &str, html: &str, pdf: Option<&str>, facts: &[&str]) {
    let html = html_text(html);
    for fact in facts {
        assert!(
            markdown.contains(fact),
            "Markdown lacks {fact:?}:\n{markdown}"
        );
        let plain = fact
            .trim_start_matches('#')
            .trim_start()
            .replace("**", "")
            .replace('\\', "");
        assert!(html.contains(&plain), "HTML lacks {plain:?}:\n{html}");
    }
    if let Some(pdf) = pdf {
        in_order(markdown, pdf).unwrap_or_else(|missing| panic!("PDF lacks {missing}:\n{pdf}"));
    }
}

/// The two meetings recorded completely, signed off, approved, exported.
async fn the_seed_meetings_are_recorded_completely_and_read_like_the_originals(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = fixture(&app).await;
    let february = create_meeting(
        &app,
        &json!({"id": r.sg}),
        "2022-02-04T08:30:00+01:00",
        "2022-02-04T11:30:00+01:00",
        "planned",
    )
    .await;
    let (november, items) = r
        .meeting(
            "2021-11-05",
            ("08:30", "11:30"),
            &NOVEMBER_ITEMS,
            &NOVEMBER_ATTENDANCE,
            ["lessebo", "hsv"],
        )
        .await;
    let (december, december_items) = r
        .meeting(
            "2021-12-03",
            ("08:30", "09:30"),
            &DECEMBER_ITEMS,
            &DECEMBER_ATTENDANCE,
            ["uppvidinge", "lnu"],
        )
        .await;
    let decision = |number: &str, kind: &str, title: &str, text: &str| {
        json!({"meeting_id": id(&november), "agenda_item_id": items[number], "kind": kind,
               "title": title, "text": text})
    };
    // §3: the contact routes, reported at the meeting of 4 February 2022.
    let mut contact = decision(
        "3",
        "assignment",
        "Uppdrag om kontaktvägar",
        "Bestämdes att ge uppdrag till tvärgrupp barn och processledaren. Redovisas på styrgruppsmötet den 4 februari 2022.",
    );
    contact["assignees"] = json!([{"kind": "organisation", "id": r.orgs["Tvärgrupp barn"]},
                                  {"kind": "member", "id": r.person("process")}]);
    contact["report_to_meeting_id"] = json!(id(&february));
    let contact = decide(&app, &contact).await;
    // §5: the process leader takes the question to the cross-sector group (no date: ongoing).
    let mut support = decision(
        "5",
        "assignment",
        "Behov av kommunikationsstöd",
        "Erika tar upp frågan i tvärgrupp barn om vilken typ av stöd som efterfrågas.",
    );
    support["assignees"] = json!([{"kind": "member", "id": r.person("process")}]);
    decide(&app, &support).await;
    // §6: the direction, and the status report due at the December meeting.
    decide(&app, &decision("6", "position", "Inriktningsbeslut om digital plattform",
        "Bestämdes att ta inriktningsbeslutet om att ansluta till Cosmic Link och följa upp hur det går löpande.")).await;
    let mut link = decision(
        "6",
        "assignment",
        "Nuläge Cosmic Link",
        "Erika återkommer med hur kontakten mellan kommuner och regionen behöver se ut samt ett nuläge kring vilka kommuner som är med i Link.",
    );
    link["assignees"] = json!([{"kind": "member", "id": r.person("process")}]);
    link["report_to_meeting_id"] = json!(id(&december));
    decide(&app, &link).await;
    // §7: the mandate, the changed indicators, and feedback to a person.
    decide(&app, &decision("7", "decision", "Uppföljningen hålls ihop av tvärgrupp barn",
        "Bestämdes att uppdraget hålls ihop av tvärgrupp barn som har mandat att tillsätta relevant kompetens för uppdraget.")).await;
    decide(
        &app,
        &decision(
            "7",
            "decision",
            "Ändrade indikatorer",
            "Bestämdes också att indikatorerna ska ändras.",
        ),
    )
    .await;
    let mut feedback = decision(
        "7",
        "assignment",
        "Fler indikatorer",
        "Mattias Frid återkopplar kring fler indikatorer till Mats Andrén.",
    );
    feedback["assignees"] = json!([{"kind": "member", "id": r.person("hsv")}]);
    feedback["report_to_member_id"] = json!(r.person("lnu"));
    decide(&app, &feedback).await;
    // §10: "Flyttas till nästa tillfälle", to a meeting not yet scheduled.
    r.send(
        reqwest::Method::POST,
        &format!(
            "{}/agenda-items/{}/defer",
            meeting_url(&november),
            items["10"]
        ),
        &json!({}),
    )
    .await;
    r.attach(
        ("agenda_item", &items["8"]),
        "Förslag till överenskommelse NPF.pdf",
    )
    .await;

    // December: the revised plan approved (its document attached), the material of item 2, the
    // forum and the retreat as all-day events.
    decide(&app, &json!({"meeting_id": id(&december), "agenda_item_id": december_items["4"],
        "kind": "approval", "title": "Reviderad handlingsplan", "text": "Styrgruppen godkänner revideringen."})).await;
    r.attach(
        ("agenda_item", &december_items["2"]),
        "HSN protokoll 2021-09 punkt 2.pdf",
    )
    .await;
    r.attach(
        ("agenda_item", &december_items["4"]),
        "Handlingsplan reviderad 2021-12-03.pdf",
    )
    .await;
    for (title, kind, day, last, place) in [
        (
            "Kommunalt forum",
            "extra",
            "2022-01-14",
            "2022-01-14",
            "Växjö",
        ),
        (
            "Internat",
            "retreat",
            "2022-03-17",
            "2022-03-18",
            "Kosta Boda Art Hotel",
        ),
    ] {
        r.send(reqwest::Method::POST, "/api/v1/meetings", &json!({"group_id": r.sg, "title": title,
            "kind": kind, "all_day": true, "starts_at": format!("{day}T00:00:00+01:00"),
            "ends_at": format!("{last}T00:00:00+01:00"), "public": true, "location": {"name": place}})).await;
    }
    let calendar = app
        .get("/api/v1/meetings.ics?from=2022-01-01", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        calendar.contains("DTSTART;VALUE=DATE:20220317")
            && calendar.contains("DTEND;VALUE=DATE:20220319"),
        "{calendar}"
    );

    sign_off(&r, &november, ["chair", "lessebo", "hsv"]).await;
    sign_off(&r, &december, ["chair", "uppvidinge", "lnu"]).await;
    // The November minutes are approved at the December meeting; the signatures still hold.
    r.send(
        reqwest::Method::PATCH,
        &meeting_url(&november),
        &json!({"status": "minutes_approved",
        "minutes_approved_on": "2021-12-03", "minutes_approved_in_meeting_id": id(&december)}),
    )
    .await;

    let (markdown, html, pdf) = exported(&app, &november).await;
    assert_reads(
        &markdown,
        &html,
        pdf.as_deref(),
        &[
            "# Mötesanteckningar – Styrgrupp för Barnens bästa gäller! i Kronoberg",
            SUBTITLE,
            "**Tid:** Fredagen den 5 november 2021 kl. 08:30–11:30",
            "**Plats:** Digitalt via Teams",
            "Arvid Ekholm, Växjö kommun (ordförande)",
            "Erika Lindgren, Region Kronoberg (processledare)",
            "Fredrik Warg, Region Kronoberg (punkt 8)",
            "Patrik Grimberg, Tingsryds kommun",
            "## 3. Information inför beslut om kontaktvägar",
            "**Föredragande:** Arvid Ekholm, Erika Lindgren",
            "SG 2021-11-05 §3 – Uppdrag om kontaktvägar: Bestämdes att ge uppdrag",
            "2022-02-04",
            "SG 2021-11-05 §6 – Inriktningsbeslut om digital plattform",
            "SG 2021-11-05 §7b – Ändrade indikatorer",
            "Mats Andrén",
            "**Bilaga:** Förslag till överenskommelse NPF.pdf",
            "## 10. Information kring arbete inför internatet",
            "Justerade",
            "Godkända 2021-12-03",
        ],
    );
    assert!(
        markdown.contains("Tuva Lindell (justerare)")
            && markdown.contains("Mattias Frid (justerare)"),
        "{markdown}"
    );
    assert!(
        !markdown.contains("Rakel Tornberg, Markaryds kommun (punkt"),
        "absent, not a guest"
    );

    let (markdown, html, pdf) = exported(&app, &december).await;
    assert_reads(
        &markdown,
        &html,
        pdf.as_deref(),
        &[
            "**Tid:** Fredagen den 3 december 2021 kl. 08:30–09:30",
            "Åsa Kallin, Region Kronoberg (kommunikatör)",
            "Hans Sjödin, Polismyndigheten",
            "**Bilaga:** HSN protokoll 2021-09 punkt 2.pdf",
            "## 4. Uppföljning och revidering av handlingsplan",
            "SG 2021-12-03 §4 – Reviderad handlingsplan: Styrgruppen godkänner revideringen.",
            "**Bilaga:** Handlingsplan reviderad 2021-12-03.pdf",
            "## 7. Inspel till internat 17-18 mars 2022",
            "Justerade",
        ],
    );

    // What was decided is followed up: February lists the contact routes, December the status
    // report; the files are there to read.
    let follow_ups = get_json(
        &app,
        &format!("{}/follow-ups", meeting_url(&february)),
        None,
    )
    .await;
    assert!(
        follow_ups.to_string().contains(id(&contact)),
        "{follow_ups}"
    );
    let files = get_json(&app, "/api/v1/attachments?owner_type=agenda_item", None).await;
    assert_eq!(files["items"].as_array().unwrap().len(), 3, "{files}");
}

on_both_backends!(the_seed_meetings_are_recorded_completely_and_read_like_the_originals);
