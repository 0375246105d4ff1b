//! The synthetic record, as rows of the service's own entities (so that a schema change breaks
//! the loader at compile time rather than at load time), made a batch of meetings at a time so
//! that memory stays flat at every size.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use samverkan::{
    domain::{
        EntityType,
        decision::{Assignee, AssigneeKind, DecisionKind, DecisionStatus, FollowUpStatus},
        meeting::{Location, MeetingKind, MeetingStatus, RecordKind},
        organisation::OrganisationKind,
        proceedings::DecisionOutcome,
    },
    entities::{
        agenda_item, change_event, decision, meeting, member, organisation, search_document,
        search_posting,
    },
    store::search::{document_terms, posting_rows},
};
use uuid::Uuid;

use crate::words::{PLACES, Rng, TOPICS};

/// One batch of meetings with everything under them.
#[derive(Default)]
pub struct Batch {
    pub meetings: Vec<meeting::Model>,
    pub items: Vec<agenda_item::Model>,
    pub decisions: Vec<decision::Model>,
    pub search: Vec<search_document::Model>,
    pub postings: Vec<search_posting::Model>,
    pub events: Vec<change_event::Model>,
}

/// Municipalities, groups, years of values per indicator.
pub const MUNICIPALITIES: usize = 290;
const GROUPS: usize = 9;
const MEMBERS: usize = 5_000;
pub const YEARS: i32 = 20;
/// Values per indicator: every municipality, every year.
pub const PER_INDICATOR: usize = MUNICIPALITIES * YEARS as usize;

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

/// The synthetic record for `n` decisions, made in order, and the ids the scenarios pick from
/// (about 2,000 to 5,000 per file, spread over the whole record).
pub struct Generator {
    pub(crate) n: usize,
    pub(crate) rng: Rng,
    pub(crate) now: DateTime<Utc>,
    /// Region, municipalities and groups.
    pub organisations: Vec<organisation::Model>,
    groups: Vec<organisation::Model>,
    pub(crate) municipalities: Vec<Uuid>,
    next_meeting: usize,
    made: usize,
    decisions: Vec<String>,
    meetings: Vec<String>,
    items: Vec<String>,
}

impl Generator {
    /// A generator for `n` decisions, its organisations made.
    pub fn new(n: usize) -> Self {
        let now = Utc::now();
        let organisations = organisations(now);
        let groups = organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::Group)
            .cloned()
            .collect();
        let municipalities = organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::Municipality)
            .map(|o| o.id)
            .collect();
        Generator {
            n,
            rng: Rng::new(0x5a3e_7e4c),
            now,
            organisations,
            groups,
            municipalities,
            next_meeting: 0,
            made: 0,
            decisions: Vec::new(),
            meetings: Vec::new(),
            items: Vec::new(),
        }
    }

    /// The members.
    pub fn members(&mut self) -> Vec<member::Model> {
        let (rng, now, organisations) = (&mut self.rng, self.now, &self.organisations);
        (0..MEMBERS)
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
            .collect()
    }

    /// The next `count` meetings with their items, decisions, search index and events; `None`
    /// once every decision is made. Meetings run from 1990 on, the groups in turn: a group meets
    /// at most once a day, so that references (group, date, item) stay unique.
    pub fn meetings(&mut self, count: usize) -> Option<Batch> {
        let (n, now) = (self.n, self.now);
        let meetings_n = n.div_ceil(10);
        if self.next_meeting >= meetings_n {
            return None;
        }
        let start = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default();
        let mut batch = Batch::default();
        let (every_decision, every_meeting) = ((n / 5000).max(1), (meetings_n / 2000).max(1));
        let every_item = (meetings_n * 5 / 2000).max(1);
        let end = (self.next_meeting + count).min(meetings_n);
        for m in self.next_meeting..end {
            let rng = &mut self.rng;
            let group = &self.groups[m % self.groups.len()];
            let day = start + Duration::days((m / self.groups.len()) as i64);
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
            if m.is_multiple_of(every_meeting) {
                self.meetings.push(meeting.id.to_string());
            }
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
                if (m * 5 + p).is_multiple_of(every_item) {
                    self.items.push(format!("{} {}", item.meeting_id, item.id));
                }
                for b in 0..2 {
                    let k = self.made;
                    if k >= n {
                        break;
                    }
                    self.made += 1;
                    let suffix = if b == 0 { "" } else { "b" };
                    let reference = format!(
                        "{} {} §{}{suffix}",
                        group.short_name.as_deref().unwrap_or("SG"),
                        day,
                        p + 1
                    );
                    let assignment = k % 10 == 9;
                    let concerns: Vec<Uuid> = (0..rng.below(3))
                        .map(|_| self.municipalities[rng.below(self.municipalities.len())])
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
                    let terms = document_terms(&title, &d.text);
                    batch.postings.extend(posting_rows(
                        EntityType::Decision,
                        d.id,
                        true,
                        &terms,
                        &title,
                    ));
                    batch.search.push(search_document::Model {
                        entity_type: EntityType::Decision,
                        entity_id: d.id,
                        parent_id: Some(meeting.id),
                        own_public: true,
                        public: true,
                        terms,
                        title,
                        body: d.text.clone(),
                        updated_at: now,
                    });
                    batch.events.push(change_event::Model {
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
                    if k.is_multiple_of(every_decision) {
                        self.decisions.push(d.id.to_string());
                    }
                    batch.decisions.push(d);
                }
                batch.items.push(item);
            }
            batch.meetings.push(meeting);
        }
        self.next_meeting = end;
        Some(batch)
    }

    /// The ids the scenarios pick from, per file name (decisions, meetings, municipalities,
    /// items as "meeting item", events as sequence numbers).
    pub fn ids(&self) -> Vec<(&'static str, Vec<String>)> {
        let n = self.n;
        vec![
            ("decisions", self.decisions.clone()),
            ("meetings", self.meetings.clone()),
            (
                "municipalities",
                self.municipalities.iter().map(Uuid::to_string).collect(),
            ),
            ("items", self.items.clone()),
            (
                "events",
                (1..=n)
                    .step_by((n / 2000).max(1))
                    .map(|s| s.to_string())
                    .collect(),
            ),
        ]
    }
}
