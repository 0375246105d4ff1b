//! The synthetic record, as rows of the service's own entities (so that a schema change breaks
//! the loader at compile time rather than at load time).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use samverkan::{
    domain::{
        EntityType,
        decision::{Assignee, AssigneeKind, DecisionKind, DecisionStatus, FollowUpStatus},
        indicator::{
            Aggregation, Better, Breakdowns, Category, Gender, IndicatorKind, IndicatorStatus,
            Source, Unit, ValueStatus,
        },
        meeting::{Location, MeetingKind, MeetingStatus, RecordKind},
        organisation::OrganisationKind,
        proceedings::DecisionOutcome,
    },
    entities::{
        agenda_item, change_event, decision, indicator, indicator_value, meeting, member,
        organisation, search_document,
    },
};
use uuid::Uuid;

use crate::words::{PLACES, Rng, TOPICS};

/// Everything the loader writes, and the ids the scenarios pick from (file name, ids).
pub struct Record {
    pub organisations: Vec<organisation::Model>,
    pub members: Vec<member::Model>,
    pub meetings: Vec<meeting::Model>,
    pub items: Vec<agenda_item::Model>,
    pub decisions: Vec<decision::Model>,
    pub search: Vec<search_document::Model>,
    pub indicators: Vec<indicator::Model>,
    pub values: Vec<indicator_value::Model>,
    pub events: Vec<change_event::Model>,
    pub ids: Vec<(&'static str, Vec<String>)>,
}

/// Municipalities, groups, years of values per indicator.
const MUNICIPALITIES: usize = 290;
const GROUPS: usize = 9;
const MEMBERS: usize = 5_000;
const YEARS: i32 = 20;

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, 0).single().unwrap_or_default()
}

fn organisations(now: DateTime<Utc>) -> Vec<organisation::Model> {
    let org = |i: usize, name: String, kind: OrganisationKind, code: Option<String>| {
        organisation::Model {
            id: Uuid::from_u128(0x1000_0000 + i as u128),
            name_folded: name.to_lowercase(),
            name,
            short_name: (kind == OrganisationKind::Group).then(|| format!("G{i}")),
            kind,
            municipality_code: code,
            county_code: Some("07".into()),
            parent_id: None,
            website: None,
            subtitle: None,
            identifiers: Vec::new().into(),
            archived: false,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    };
    let mut out = vec![org(
        0,
        "Region Kronoberg".into(),
        OrganisationKind::Region,
        None,
    )];
    for i in 1..=MUNICIPALITIES {
        let place = PLACES[i % PLACES.len()];
        out.push(org(
            i,
            format!("{place} kommun {i}"),
            OrganisationKind::Municipality,
            Some(format!("{:04}", 1000 + i)),
        ));
    }
    for g in 0..GROUPS {
        let i = MUNICIPALITIES + 1 + g;
        out.push(org(
            i,
            format!("Styrgrupp {g}"),
            OrganisationKind::Group,
            None,
        ));
    }
    out
}

/// The record for `n` decisions.
pub fn generate(n: usize) -> Record {
    let mut rng = Rng::new(0x5a3e_7e4c);
    let now = Utc::now();
    let organisations = organisations(now);
    let groups: Vec<&organisation::Model> = organisations
        .iter()
        .filter(|o| o.kind == OrganisationKind::Group)
        .collect();
    let municipalities: Vec<Uuid> = organisations
        .iter()
        .filter(|o| o.kind == OrganisationKind::Municipality)
        .map(|o| o.id)
        .collect();
    let members: Vec<member::Model> = (0..MEMBERS)
        .map(|i| {
            let name = format!("Person {i} {}", rng.skewed(PLACES));
            member::Model {
                id: Uuid::from_u128(0x2000_0000 + i as u128),
                name_folded: name.to_lowercase(),
                name,
                title: Some(format!("Samordnare {}", rng.skewed(TOPICS))),
                organisation_id: Some(organisations[rng.below(organisations.len())].id),
                email: None,
                phone: None,
                subject: None,
                erased_at: None,
                archived: false,
                created_at: now,
                updated_at: now,
                version: 1,
            }
        })
        .collect();

    let meetings_n = n.div_ceil(10);
    // Meetings from 1990 on, the groups in turn: a group meets at most once a day, so that
    // references (group, date, item) stay unique (L: about 30 years of daily meetings).
    let start = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default();
    let mut meetings = Vec::with_capacity(meetings_n);
    let mut items = Vec::with_capacity(meetings_n * 5);
    let mut decisions = Vec::with_capacity(n);
    let mut search = Vec::with_capacity(n);
    let mut events = Vec::with_capacity(n);
    for m in 0..meetings_n {
        let group = groups[m % groups.len()];
        let day = start + Duration::days((m / groups.len()) as i64);
        let starts = at(day
            .and_hms_opt(8, 30, 0)
            .unwrap_or_default()
            .and_utc()
            .timestamp());
        let meeting = meeting::Model {
            id: Uuid::from_u128(0x3000_0000_0000 + m as u128),
            group_id: group.id,
            title: format!("{} {}", group.name, day),
            kind: MeetingKind::Ordinary,
            starts_at: starts,
            ends_at: starts + Duration::hours(3),
            all_day: false,
            record_kind: RecordKind::Minutes,
            location: Location {
                name: Some(format!("{} stadshus", rng.skewed(PLACES))),
                ..Location::default()
            }
            .into(),
            status: MeetingStatus::Held,
            chair_id: None,
            minutes_taker_id: None,
            minutes_checkers: Vec::new().into(),
            documents: Vec::new().into(),
            public: true,
            minutes_approved_on: None,
            minutes_approved_in_meeting_id: None,
            archived: false,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        for p in 0..5 {
            let topic = rng.skewed(TOPICS);
            let item = agenda_item::Model {
                id: Uuid::from_u128(0x4000_0000_0000 + (m * 5 + p) as u128),
                meeting_id: meeting.id,
                number: format!("{}", p + 1),
                position: p as i32,
                title: format!("Information om {topic}"),
                presenter_ids: Vec::new().into(),
                guest_ids: Vec::new().into(),
                conflicts: Vec::new().into(),
                deferred: false,
                deferred_to_meeting_id: None,
                deferred_to_item_id: None,
                deferred_from_meeting_id: None,
                deferred_from_item_id: None,
                minutes: Some(rng.sentence(25)),
                public: true,
                archived: false,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            for b in 0..2 {
                let k = decisions.len();
                if k >= n {
                    break;
                }
                let suffix = if b == 0 { "" } else { "b" };
                let reference = format!(
                    "{} {} §{}{suffix}",
                    group.short_name.as_deref().unwrap_or("SG"),
                    day,
                    p + 1
                );
                let assignment = k % 10 == 9;
                let concerns: Vec<Uuid> = (0..rng.below(3))
                    .map(|_| municipalities[rng.below(municipalities.len())])
                    .collect();
                let d = decision::Model {
                    id: Uuid::from_u128(0x5000_0000_0000 + k as u128),
                    meeting_id: meeting.id,
                    agenda_item_id: item.id,
                    reference,
                    title: format!("Beslut om {} i {}", rng.skewed(TOPICS), rng.skewed(PLACES)),
                    text: rng.sentence(30),
                    kind: if assignment {
                        DecisionKind::Assignment
                    } else {
                        DecisionKind::Decision
                    },
                    decided_on: day,
                    status: DecisionStatus::Adopted,
                    supersedes_id: None,
                    revokes_id: None,
                    concerns: concerns.into(),
                    public: true,
                    assignees: if assignment {
                        vec![Assignee {
                            kind: AssigneeKind::Organisation,
                            id: group.id,
                        }]
                    } else {
                        Vec::new()
                    }
                    .into(),
                    due_date: assignment.then(|| day + Duration::days(90)),
                    report_to_meeting_id: None,
                    report_to_member_id: None,
                    report_to_group_id: None,
                    follow_up_status: assignment.then_some(FollowUpStatus::Open),
                    reported_in_decision_id: None,
                    amount_sek: None,
                    period_start: None,
                    period_end: None,
                    funders: Vec::new().into(),
                    outcome: DecisionOutcome::Adopted,
                    reservations: Vec::new().into(),
                    votes: Vec::new().into(),
                    vote_counts: None,
                    minutes_order: migration::order::minutes_order(starts, p as i32),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                let title = format!("{} {}", d.reference, d.title);
                search.push(search_document::Model {
                    entity_type: EntityType::Decision,
                    entity_id: d.id,
                    parent_id: Some(meeting.id),
                    own_public: true,
                    public: true,
                    terms: samverkan::search::terms(&format!("{title}\n{}", d.text)),
                    title,
                    body: d.text.clone(),
                    updated_at: now,
                });
                events.push(change_event::Model {
                    seq: k as i64 + 1,
                    occurred_at: now,
                    entity_type: EntityType::Decision,
                    entity_id: d.id,
                    action: "create".into(),
                    version: 1,
                    event_type: "decision.created".into(),
                    parent_type: Some(EntityType::Meeting),
                    parent_id: Some(meeting.id),
                    concerns: Some(serde_json::json!(d.concerns.0)),
                    group_id: Some(group.id),
                    public: true,
                    data: serde_json::to_value(&d).ok(),
                    position: Some(k as i64 + 1),
                });
                decisions.push(d);
            }
            items.push(item);
        }
        meetings.push(meeting);
    }

    // Indicators of 290 municipalities x 20 years, as many as n values need.
    let per_indicator = MUNICIPALITIES * YEARS as usize;
    let indicators: Vec<indicator::Model> = (0..n.div_ceil(per_indicator))
        .map(|i| indicator::Model {
            id: Uuid::from_u128(0x6000_0000 + i as u128),
            code: format!("BENCH-{i:04}"),
            name: format!("Andel barn med {}", rng.skewed(TOPICS)),
            description: None,
            category: Category::Health,
            kind: IndicatorKind::Outcome,
            unit: Unit::Percent,
            better: Better::Higher,
            decimals: 1,
            aggregation: Aggregation::Mean,
            weight_indicator_id: None,
            source: Source::default().into(),
            breakdowns: Breakdowns::default().into(),
            status: IndicatorStatus::Active,
            adopted_by_decision_id: None,
            retired_by_decision_id: None,
            history: Vec::new().into(),
            created_at: now,
            updated_at: now,
            version: 1,
        })
        .collect();
    let mut values = Vec::with_capacity(n);
    for k in 0..n {
        let ind = &indicators[k / per_indicator];
        let within = k % per_indicator;
        let org = municipalities[within % MUNICIPALITIES];
        let year = 2005 + (within / MUNICIPALITIES) as i32;
        let period_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        values.push(indicator_value::Model {
            id: Uuid::from_u128(0x7000_0000_0000 + k as u128),
            indicator_id: ind.id,
            organisation_id: org,
            period: format!("{}", period_start.year()),
            period_start,
            gender: Gender::Total,
            age_group: String::new(),
            value: Some(40.0 + rng.below(600) as f64 / 10.0),
            suppressed: false,
            status: ValueStatus::Final,
            approximate: false,
            note: None,
            source_ref: None,
            created_at: now,
            updated_at: now,
            version: 1,
        });
    }

    let every = |step: usize, list: Vec<String>| list.into_iter().step_by(step.max(1)).collect();
    let ids = vec![
        (
            "decisions",
            every(
                n / 5000,
                decisions.iter().map(|d| d.id.to_string()).collect(),
            ),
        ),
        (
            "meetings",
            every(
                meetings_n / 2000,
                meetings.iter().map(|m| m.id.to_string()).collect(),
            ),
        ),
        (
            "municipalities",
            municipalities.iter().map(Uuid::to_string).collect(),
        ),
        (
            "items",
            every(
                items.len() / 2000,
                items
                    .iter()
                    .map(|i| format!("{} {}", i.meeting_id, i.id))
                    .collect(),
            ),
        ),
        (
            "indicators",
            indicators.iter().map(|i| i.id.to_string()).collect(),
        ),
        (
            "events",
            every(n / 2000, (1..=n).map(|s| s.to_string()).collect()),
        ),
    ];
    Record {
        organisations,
        members,
        meetings,
        items,
        decisions,
        search,
        indicators,
        values,
        events,
        ids,
    }
}
