//! The minutes document, Markdown and HTML, checked against the steering group's meeting of
//! 5 November 2021 and against fields that try to add structure or script.

use super::*;
use chrono::TimeZone;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
}

fn member(name: &str, organisation: &str) -> Attendee {
    Attendee {
        name: name.into(),
        organisation: Some(organisation.into()),
        ..Attendee::default()
    }
}

fn item(number: &str, title: &str, presenters: &[&str], minutes: &str) -> Item {
    Item {
        number: number.into(),
        title: title.into(),
        presenters: presenters.iter().map(|p| p.to_string()).collect(),
        minutes: Some(minutes.into()),
        decisions: Vec::new(),
        conflicts: Vec::new(),
        deferral: None,
        attachments: Vec::new(),
    }
}

/// Modelled on the steering group's meeting of 5 November 2021.
fn november_meeting(lang: Lang) -> Minutes {
    let (chair, process_lead) = match lang {
        Lang::Sv => ("ordförande", "processledare"),
        Lang::En => ("chair", "process lead"),
    };
    let mut decided = item(
        "3",
        "Information inför beslut om kontaktvägar",
        &["Anders Ek", "Sara Lind"],
        "Förslag om att ge tvärgrupp barn och unga i uppgift att ta fram kontaktvägar.",
    );
    decided.decisions.push(DecisionLine {
        reference: "2021:14".into(),
        title: "Kontaktvägar".into(),
        text: "Uppdrag ges till tvärgrupp barn och processledaren.".into(),
        ..Default::default()
    });
    Minutes {
        heading: String::new(),
        title: "Styrgrupp Barnens bästa gäller! i Kronoberg".into(),
        subtitle: None,
        starts_at: utc(2021, 11, 5, 7, 30),
        ends_at: utc(2021, 11, 5, 10, 30),
        all_day: false,
        place: "Digitalt via Teams".into(),
        status_note: None,
        present: vec![
            Attendee {
                role: Some(chair.into()),
                ..member("Anders Ek", "Växjö kommun")
            },
            member("Karin Berg", "Lessebo kommun"),
            Attendee {
                substitute_for: Some("Anna-Lisa Jarl".into()),
                ..member("Nick Björk", "Uppvidinge kommun")
            },
            Attendee {
                remote: true,
                ..member("Mats Sten", "Linnéuniversitetet")
            },
            Attendee {
                note: Some(process_lead.into()),
                ..member("Sara Lind", "Region Kronoberg")
            },
        ],
        absent: vec![
            member("Anna-Lisa Jarl", "Uppvidinge kommun"),
            member("Per Vik", "Polismyndigheten"),
        ],
        guests: ["Lisa Holm", "Omar Said", "Eva Strand"]
            .iter()
            .map(|name| Guest {
                name: name.to_string(),
                organisation: Some("Region Kronoberg".into()),
                items: vec!["8".into()],
            })
            .collect(),
        items: vec![
            item(
                "1",
                "Ordförande hälsar välkommen",
                &["Anders Ek"],
                "Ordförande hälsar alla välkomna.",
            ),
            item(
                "2",
                "Redovisning enkät",
                &["Sara Lind"],
                "Sara går igenom enkätsvaren.\n\n- Mycket finns\n- Inte allt på plats",
            ),
            decided,
            item(
                "4",
                "Kompetens- och utbildningsplan",
                &["Sara Lind"],
                "Det behöver bli tydligt.",
            ),
            item("5", "Barnets plan", &["Karin Berg"], "Arbetet fortskrider."),
            item(
                "6",
                "Forskningen",
                &["Mats Sten"],
                "Se <https://lnu.se/forskning/>.",
            ),
            item(
                "7",
                "Lägesrapport",
                &["Sara Lind"],
                "Spridningskonferenser genomförda.",
            ),
            item(
                "8",
                "Samverkan skola och socialtjänst",
                &["Lisa Holm", "Omar Said", "Eva Strand"],
                "Gästerna berättar om arbetet.",
            ),
        ],
        attachments: vec!["Kallelse 2021-11-05.pdf".into()],
        minutes_taker: Some("Sara Lind".into()),
        signatures: Vec::new(),
        checkers: vec!["Karin Berg".into()],
    }
}

const SV_FACTS: &[&str] = &[
    "# Styrgrupp Barnens bästa gäller! i Kronoberg",
    "**Tid:** Fredagen den 5 november 2021 kl. 08:30–11:30",
    "**Plats:** Digitalt via Teams",
    "**Närvarande:**",
    "- Anders Ek, Växjö kommun (ordförande)",
    "- Karin Berg, Lessebo kommun\n",
    "- Nick Björk, Uppvidinge kommun (ersätter Anna-Lisa Jarl)",
    "- Mats Sten, Linnéuniversitetet (deltog på distans)",
    "- Sara Lind, Region Kronoberg (processledare)",
    "**Frånvarande:**",
    "- Anna-Lisa Jarl, Uppvidinge kommun",
    "- Per Vik, Polismyndigheten",
    "**Gäster:**",
    "- Lisa Holm, Region Kronoberg (punkt 8)",
    "- Omar Said, Region Kronoberg (punkt 8)",
    "- Eva Strand, Region Kronoberg (punkt 8)",
    "## 1. Ordförande hälsar välkommen\n\n**Föredragande:** Anders Ek\n\nOrdförande hälsar alla välkomna.",
    "## 2. Redovisning enkät\n\n**Föredragande:** Sara Lind\n\nSara går igenom enkätsvaren.\n\n- Mycket finns",
    "## 3. Information inför beslut om kontaktvägar\n\n**Föredragande:** Anders Ek, Sara Lind",
    "**Beslut:** 2021:14 – Kontaktvägar: Uppdrag ges till tvärgrupp barn och processledaren.",
    "## 4. Kompetens- och utbildningsplan\n\n**Föredragande:** Sara Lind",
    "## 5. Barnets plan\n\n**Föredragande:** Karin Berg",
    "## 6. Forskningen\n\n**Föredragande:** Mats Sten",
    "## 7. Lägesrapport\n\n**Föredragande:** Sara Lind",
    "## 8. Samverkan skola och socialtjänst\n\n**Föredragande:** Lisa Holm, Omar Said, Eva Strand",
    "**Bilaga:** Kallelse 2021-11-05.pdf\n\n**Vid anteckningarna:** Sara Lind",
    "**Justeras:** Karin Berg",
];

#[test]
fn swedish_markdown_states_every_fact() {
    let md = markdown(&november_meeting(Lang::Sv), Lang::Sv);
    for fact in SV_FACTS {
        assert!(md.contains(fact), "missing {fact:?} in\n{md}");
    }
    assert!(md.starts_with("# Styrgrupp"));
    assert!(md.ends_with("**Justeras:** Karin Berg\n"));
}

#[test]
fn english_markdown_states_every_fact() {
    let md = markdown(&november_meeting(Lang::En), Lang::En);
    for fact in [
        "**Time:** Friday 5 November 2021, 08:30–11:30",
        "**Place:** Digitalt via Teams",
        "**Present:**",
        "- Anders Ek, Växjö kommun (chair)",
        "- Nick Björk, Uppvidinge kommun (substituting for Anna-Lisa Jarl)",
        "- Mats Sten, Linnéuniversitetet (remote)",
        "**Absent:**",
        "- Per Vik, Polismyndigheten",
        "**Guests:**",
        "- Lisa Holm, Region Kronoberg (item 8)",
        "- Eva Strand, Region Kronoberg (item 8)",
        "## 1. Ordförande hälsar välkommen\n\n**Presenter:** Anders Ek",
        "## 3. Information inför beslut om kontaktvägar\n\n**Presenters:** Anders Ek, Sara Lind",
        "**Decision:** 2021:14 – Kontaktvägar: Uppdrag ges",
        "**Minutes taken by:** Sara Lind",
        "**Checked by:** Karin Berg",
    ] {
        assert!(md.contains(fact), "missing {fact:?} in\n{md}");
    }
}

#[test]
fn summer_times_are_in_swedish_summer_time() {
    let mut m = november_meeting(Lang::Sv);
    m.starts_at = utc(2021, 6, 4, 6, 30);
    m.ends_at = utc(2021, 6, 4, 7, 30);
    assert!(markdown(&m, Lang::Sv).contains("Fredagen den 4 juni 2021 kl. 08:30–09:30"));
    assert!(markdown(&m, Lang::En).contains("Friday 4 June 2021, 08:30–09:30"));
}

#[test]
fn a_guest_at_several_items_lists_them_all() {
    let mut m = november_meeting(Lang::Sv);
    m.guests[0].items = vec!["3".into(), "8".into()];
    assert!(markdown(&m, Lang::Sv).contains("- Lisa Holm, Region Kronoberg (punkterna 3, 8)"));
    assert!(markdown(&m, Lang::En).contains("- Lisa Holm, Region Kronoberg (items 3, 8)"));
}

#[test]
fn empty_sections_are_left_out_but_time_place_and_present_stay() {
    let mut m = november_meeting(Lang::Sv);
    m.present.clear();
    m.absent.clear();
    m.guests.clear();
    m.items.clear();
    m.attachments.clear();
    m.minutes_taker = None;
    m.checkers.clear();
    m.status_note = Some("Inställt".into());
    let md = markdown(&m, Lang::Sv);
    assert_eq!(
        md,
        "# Styrgrupp Barnens bästa gäller! i Kronoberg\n\n*Inställt*\n\n\
             **Tid:** Fredagen den 5 november 2021 kl. 08:30–11:30\n\n\
             **Plats:** Digitalt via Teams\n\n**Närvarande:** –\n"
    );
}

#[test]
fn a_decision_the_items_text_already_states_is_given_by_its_title() {
    let mut m = november_meeting(Lang::Sv);
    let item = m
        .items
        .iter_mut()
        .find(|i| i.number == "3")
        .expect("item 3");
    item.minutes = Some(
        "Förslaget presenteras.\n\nUppdrag ges till tvärgrupp barn\noch processledaren".into(),
    );
    let md = markdown(&m, Lang::Sv);
    assert!(md.contains("**Beslut:** 2021:14 – Kontaktvägar\n"), "{md}");
    assert_eq!(md.matches("Uppdrag ges till").count(), 1, "{md}");
}

#[test]
fn several_decisions_become_a_list() {
    let mut m = november_meeting(Lang::Sv);
    m.items[0].decisions = vec![
        DecisionLine {
            reference: "2021:15".into(),
            text: "Första".into(),
            ..Default::default()
        },
        DecisionLine {
            reference: String::new(),
            text: "Andra".into(),
            ..Default::default()
        },
    ];
    assert!(markdown(&m, Lang::Sv).contains("**Beslut:**\n\n- 2021:15: Första\n- Andra\n"));
}

#[test]
fn plain_fields_cannot_add_markdown_structure() {
    let mut m = november_meeting(Lang::Sv);
    m.present[1].name = "*Anna* #1".into();
    m.present[2].name = "- [klick](javascript:x) `kod` <b>\n# Rubrik".into();
    m.absent[0].name = "1. Lista".into();
    m.title = "_Titel_ | x".into();
    for item in &mut m.items {
        item.minutes = None;
    }
    let md = markdown(&m, Lang::Sv);
    assert!(md.contains("- \\*Anna\\* \\#1, Lessebo kommun\n"), "{md}");
    assert!(md.contains("- 1\\. Lista"), "{md}");

    let parser = Parser::new_ext(&md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    let (mut headings, mut list_depth) = (0, 0);
    for event in parser {
        match event {
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::List(None)) => {
                list_depth += 1;
                assert_eq!(list_depth, 1, "nested list in\n{md}");
            }
            Event::End(TagEnd::List(_)) => list_depth -= 1,
            Event::Start(
                Tag::Emphasis
                | Tag::Link { .. }
                | Tag::Table(_)
                | Tag::HtmlBlock
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::List(Some(_)),
            )
            | Event::Code(_)
            | Event::Rule
            | Event::Html(_)
            | Event::InlineHtml(_) => panic!("plain field added {event:?} in\n{md}"),
            _ => {}
        }
    }
    assert_eq!(headings, 1 + m.items.len());

    let html = html(&m, Lang::Sv);
    assert!(html.contains("*Anna* #1, Lessebo kommun"), "{html}");
    assert!(!html.contains("<em>Anna</em>"));
    assert!(html.contains("<h1>_Titel_ | x</h1>"), "{html}");
}

#[test]
fn html_is_a_complete_document_with_every_fact() {
    let html = html(&november_meeting(Lang::Sv), Lang::Sv);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(
        html.contains("<title>Styrgrupp Barnens bästa gäller! i Kronoberg – 2021-11-05</title>")
    );
    assert!(html.trim_end().ends_with("</html>"));
    for fact in [
        "<h1>Styrgrupp Barnens bästa gäller! i Kronoberg</h1>",
        "<strong>Tid:</strong> Fredagen den 5 november 2021 kl. 08:30–11:30",
        "<strong>Plats:</strong> Digitalt via Teams",
        "<li>Anders Ek, Växjö kommun (ordförande)</li>",
        "<li>Nick Björk, Uppvidinge kommun (ersätter Anna-Lisa Jarl)</li>",
        "<li>Mats Sten, Linnéuniversitetet (deltog på distans)</li>",
        "<strong>Frånvarande:</strong>",
        "<li>Per Vik, Polismyndigheten</li>",
        "<li>Lisa Holm, Region Kronoberg (punkt 8)</li>",
        "<li>Omar Said, Region Kronoberg (punkt 8)</li>",
        "<li>Eva Strand, Region Kronoberg (punkt 8)</li>",
        "<h2>1. Ordförande hälsar välkommen</h2>\n<p><strong>Föredragande:</strong> Anders Ek</p>",
        "<h2>8. Samverkan skola och socialtjänst</h2>\n<p><strong>Föredragande:</strong> Lisa Holm, Omar Said, Eva Strand</p>",
        "<li>Mycket finns</li>",
        "<a href=\"https://lnu.se/forskning/\">https://lnu.se/forskning/</a>",
        "<strong>Beslut:</strong> 2021:14 – Kontaktvägar: Uppdrag ges",
        "<strong>Vid anteckningarna:</strong> Sara Lind",
        "<strong>Justeras:</strong> Karin Berg",
    ] {
        assert!(html.contains(fact), "missing {fact:?} in\n{html}");
    }
    let en = super::html(&november_meeting(Lang::En), Lang::En);
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("<strong>Time:</strong> Friday 5 November 2021, 08:30–11:30"));
    assert!(en.contains("<li>Lisa Holm, Region Kronoberg (item 8)</li>"));
}

#[test]
fn script_in_minutes_text_or_a_name_is_shown_as_text() {
    let mut m = november_meeting(Lang::Sv);
    m.items[0].minutes = Some("Före <script>alert(1)</script> efter".into());
    m.items[1].minutes = Some("<script>\nalert(2)\n</script>".into());
    m.items[2].minutes = Some("<div onclick=\"x()\">\n\n<img src=x onerror=alert(3)>".into());
    m.present[0].name = "<script>alert(4)</script>".into();
    m.title = "</title><script>alert(5)</script>".into();
    let html = html(&m, Lang::Sv);
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<div"), "{html}");
    assert!(
        html.contains("Före &lt;script&gt;alert(1)&lt;/script&gt; efter"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;\nalert(2)"), "{html}");
    assert!(html.contains("<li>&lt;script&gt;alert(4)&lt;/script&gt;, Växjö kommun"));
    assert!(
        html.contains("<title>&lt;/title&gt;&lt;script&gt;alert(5)"),
        "{html}"
    );
    assert_eq!(html.matches("<title>").count(), 1);
}

#[test]
fn javascript_links_lose_their_href_and_keep_their_text() {
    let mut m = november_meeting(Lang::Sv);
    m.items[0].minutes = Some(
        "[x](javascript:alert(1)) [y](<JaVa\tScript:alert(2)>) \
             [z](&#106;avascript:alert(3)) ![bild](data:text/html,hej) \
             [ok](https://example.org/a:b) [rel](protokoll/2021.pdf) <mailto:a@b.se>"
            .into(),
    );
    let html = html(&m, Lang::Sv);
    assert!(!html.to_lowercase().contains("javascript"), "{html}");
    assert!(!html.contains("data:"), "{html}");
    assert!(html.contains("<p>x y z bild "), "{html}");
    assert!(
        html.contains("<a href=\"https://example.org/a:b\">ok</a>"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"protokoll/2021.pdf\">rel</a>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"mailto:a@b.se\">"), "{html}");
}

#[test]
fn an_unclosed_fence_in_one_item_does_not_swallow_the_next_in_html() {
    let mut m = november_meeting(Lang::Sv);
    m.items[0].minutes = Some("```\nkod".into());
    let html = html(&m, Lang::Sv);
    assert!(html.contains("<h2>2. Redovisning enkät</h2>"), "{html}");
}

#[test]
fn reservations_votes_assignments_and_conflicts_are_written_out() {
    use crate::domain::proceedings::{DecisionOutcome, VoteCounts};
    let mut m = november_meeting(Lang::Sv);
    m.items[2].conflicts = vec![("Karin Berg".into(), None)];
    m.items[2].decisions[0].proceedings = super::Proceedings {
        outcome: Some(DecisionOutcome::ReferredBack),
        reservations: vec![(
            "Sara Lind".into(),
            Some("Till förmån för eget förslag.".into()),
        )],
        vote_counts: Some(VoteCounts {
            yes: 5,
            no: 2,
            abstain: 1,
        }),
        responsible: vec!["Tvärgrupp barn".into()],
        report_to: Some("Styrgruppens möte 2022-02-04".into()),
        ..Default::default()
    };

    let md = markdown(&m, Lang::Sv);

    for line in [
        "**Jäv:**\n\n- Karin Berg anmälde jäv och deltog inte i ärendet",
        "- Återremitterades.",
        "- Ansvarig: Tvärgrupp barn",
        "- Återrapporteras till: Styrgruppens möte 2022-02-04",
        "- Omröstning: 5 ja, 2 nej, 1 avstår.",
        "- Reservation: Sara Lind: Till förmån för eget förslag.",
    ] {
        assert!(md.contains(line), "{line:?} in {md}");
    }
}
