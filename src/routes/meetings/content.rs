//! The minutes' content assembled from the record (who was there, the items, their decisions
//! and what the minutes say about them), and its PDF; the handlers in [`super::minutes`] and
//! [`super::signoff`] render and sign it.

use std::collections::HashMap;

use actix_web::web;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    domain::{
        meeting::{AttendanceStatus, Location, MeetingStatus, RecordKind},
        membership::MembershipRole,
        proceedings::Vote,
    },
    entities::{agenda_item, attendance, decision, meeting},
    error::{ApiError, ApiResult},
    minutes::{self, Attendee, DecisionLine, Guest, Item, Lang, Minutes, Proceedings},
    store::{
        attachments, decisions, meetings as store, members, memberships, organisations, visibility,
    },
};

fn role_note(role: MembershipRole, lang: Lang) -> Option<&'static str> {
    use MembershipRole::*;
    let (sv, en) = match role {
        Chair => ("ordförande", "chair"),
        ViceChair => ("vice ordförande", "vice-chair"),
        ProcessLeader => ("processledare", "process leader"),
        Secretary => ("sekreterare", "secretary"),
        Communicator => ("kommunikatör", "communicator"),
        Researcher => ("forskare", "researcher"),
        Adjunct => ("adjungerad", "adjunct"),
        Deputy => ("ersättare", "deputy"),
        Member => return None,
    };
    Some(if lang == Lang::Sv { sv } else { en })
}

/// The minutes as PDF/A-2b, laid out off the request's worker.
pub(super) async fn pdf_of(
    doc: &Minutes,
    lang: Lang,
    as_of: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Vec<u8>> {
    let markdown = minutes::markdown(doc, lang);
    let title = format!(
        "{} {}",
        doc.title,
        crate::domain::time::swedish_date(doc.starts_at)
    );
    web::block(move || minutes::pdf(&markdown, &title, lang, as_of))
        .await
        .map_err(|e| ApiError::Internal(Box::new(e)))?
        .map_err(|e| ApiError::Internal(e.into()))
}

/// The minutes' content as the record holds it, without the sign-off and approval lines.
pub(super) async fn assemble(
    db: &DatabaseConnection,
    meeting: &meeting::Model,
    sees_all: bool,
    lang: Lang,
) -> ApiResult<Minutes> {
    let rows: Vec<attendance::Model> = store::attendance_of(db, meeting.id).await?;
    let items = store::agenda_of(db, meeting.id, sees_all).await?;
    let seats: HashMap<Uuid, MembershipRole> =
        memberships::running_on(db, meeting.group_id, store::meeting_date(meeting))
            .await?
            .into_iter()
            .map(|s| (s.member_id, s.role))
            .collect();
    let checkers: &[Uuid] = &meeting.minutes_checkers;
    let mut people_ids: Vec<Uuid> = rows.iter().map(|r| r.member_id).collect();
    people_ids.extend(rows.iter().filter_map(|r| r.substitute_for_member_id));
    people_ids.extend(meeting.minutes_taker_id);
    people_ids.extend(checkers.iter().copied());
    for item in &items {
        people_ids.extend(item.presenter_ids.iter().copied());
    }
    let people: HashMap<Uuid, String> = members::get_many(db, people_ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let name = |id: &Uuid| people.get(id).cloned().unwrap_or_default();
    let orgs: HashMap<Uuid, String> =
        organisations::get_many(db, rows.iter().filter_map(|r| r.represents_id).collect())
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
    let numbers: HashMap<Uuid, String> = items.iter().map(|i| (i.id, i.number.clone())).collect();
    let decision_rows = decisions::of_meeting(db, meeting.id, sees_all).await?;
    let decision_ids: Vec<Uuid> = decision_rows.iter().map(|d| d.id).collect();
    let mut decided_under: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for d in &decision_rows {
        decided_under
            .entry(d.agenda_item_id)
            .or_default()
            .push(d.id);
    }
    let mut named: Vec<Uuid> = Vec::new();
    for item in &items {
        named.extend(item.conflicts.iter().map(|c| c.member_id));
    }
    for d in &decision_rows {
        named.extend(d.reservations.iter().map(|r| r.member_id));
        named.extend(d.votes.iter().map(|v| v.member_id));
        named.extend(d.assignees.iter().map(|a| a.id));
        named.extend(d.report_to_member_id);
        named.extend(d.report_to_group_id);
    }
    let names = decisions::assignee_names(db, named).await?;
    let named = |id: &Uuid| names.get(id).cloned().unwrap_or_default();
    let mut dated: Vec<Uuid> = decision_rows
        .iter()
        .filter_map(|d| d.report_to_meeting_id)
        .collect();
    dated.extend(items.iter().filter_map(|i| i.deferred_to_meeting_id));
    dated.extend(items.iter().filter_map(|i| i.deferred_from_meeting_id));
    let from_items: HashMap<Uuid, String> = store::items_by_id(
        db,
        items
            .iter()
            .filter_map(|i| i.deferred_from_item_id)
            .collect(),
    )
    .await?
    .into_iter()
    .map(|i| (i.id, i.number))
    .collect();
    // The date of another meeting is named only to those who may see that meeting.
    let report_meetings: HashMap<Uuid, chrono::NaiveDate> = store::get_many(db, dated)
        .await?
        .iter()
        .filter(|m| sees_all || visibility::meeting(m))
        .map(|m| (m.id, store::meeting_date(m)))
        .collect();
    let mut decided: HashMap<Uuid, Vec<DecisionLine>> = HashMap::new();
    for d in decision_rows {
        let proceedings = proceedings_of(&d, &named, &report_meetings, lang);
        decided
            .entry(d.agenda_item_id)
            .or_default()
            .push(DecisionLine {
                reference: d.reference,
                title: d.title,
                text: d.text,
                proceedings,
            });
    }

    let attendee = |r: &attendance::Model| {
        let role = if meeting.chair_id == Some(r.member_id) {
            role_note(MembershipRole::Chair, lang)
        } else {
            seats
                .get(&r.member_id)
                .and_then(|role| role_note(*role, lang))
        };
        let excused = match lang {
            Lang::Sv => "anmält förhinder",
            Lang::En => "sent apologies",
        };
        Attendee {
            name: name(&r.member_id),
            organisation: r.represents_id.and_then(|o| orgs.get(&o).cloned()),
            role: role.map(str::to_owned),
            substitute_for: r.substitute_for_member_id.map(|a| name(&a)),
            remote: r.status == AttendanceStatus::Remote,
            note: if r.status == AttendanceStatus::Excused {
                Some(
                    r.note
                        .clone()
                        .map_or(excused.to_owned(), |n| format!("{excused}; {n}")),
                )
            } else {
                r.note.clone()
            },
        }
    };
    let present = rows
        .iter()
        .filter(|r| !r.guest && r.status.took_part())
        .map(attendee)
        .collect();
    let absent = rows
        .iter()
        .filter(|r| !r.guest && !r.status.took_part())
        .map(attendee)
        .collect();
    let guests = rows
        .iter()
        .filter(|r| r.guest)
        .map(|r| Guest {
            name: name(&r.member_id),
            organisation: r.represents_id.and_then(|o| orgs.get(&o).cloned()),
            items: r
                .agenda_item_ids
                .iter()
                .filter_map(|i| numbers.get(i).cloned())
                .collect(),
        })
        .collect();
    let mut owners: Vec<Uuid> = vec![meeting.id];
    owners.extend(items.iter().map(|i| i.id));
    owners.extend(decision_ids);
    let mut files = attachments::names_by_owner(db, owners).await?;
    let items = items
        .into_iter()
        .map(|item| Item {
            attachments: {
                let mut names = files.remove(&item.id).unwrap_or_default();
                for d in decided_under.remove(&item.id).unwrap_or_default() {
                    names.extend(files.remove(&d).unwrap_or_default());
                }
                names
            },
            decisions: decided.remove(&item.id).unwrap_or_default(),
            presenters: item.presenter_ids.iter().map(name).collect(),
            conflicts: item
                .conflicts
                .iter()
                .map(|c| (named(&c.member_id), c.note.clone()))
                .collect(),
            deferral: deferral_note(&item, &report_meetings, &from_items, lang),
            number: item.number,
            title: item.title,
            minutes: item.minutes,
        })
        .collect();
    let location: &Location = &meeting.location;
    let mut place = location.describe();
    if place.is_empty() && location.online {
        place = match lang {
            Lang::Sv => "Digitalt".into(),
            Lang::En => "Online".into(),
        };
    }
    // The content that is signed: the sign-off and approval lines are added by
    // [`super::signoff::document`].
    let status_note = match (meeting.status, lang) {
        (MeetingStatus::Cancelled, Lang::Sv) => Some("Mötet är inställt".to_owned()),
        (MeetingStatus::Cancelled, Lang::En) => Some("The meeting is cancelled".to_owned()),
        _ => None,
    };
    Ok(Minutes {
        heading: match (meeting.record_kind, lang) {
            (RecordKind::Notes, Lang::Sv) => "Mötesanteckningar",
            (RecordKind::Notes, Lang::En) => "Meeting notes",
            (RecordKind::Minutes, Lang::Sv) => "Protokoll",
            (RecordKind::Minutes, Lang::En) => "Minutes",
        }
        .to_owned(),
        title: meeting.title.clone(),
        subtitle: organisations::get_many(db, vec![meeting.group_id])
            .await?
            .into_iter()
            .next()
            .and_then(|group| group.subtitle),
        starts_at: meeting.starts_at,
        ends_at: meeting.ends_at,
        all_day: meeting.all_day,
        place,
        status_note,
        present,
        absent,
        guests,
        items,
        attachments: files.remove(&meeting.id).unwrap_or_default(),
        minutes_taker: meeting.minutes_taker_id.map(|id| name(&id)),
        checkers: checkers.iter().map(name).collect(),
        signatures: Vec::new(),
    })
}

/// What the minutes say under a decision, with names looked up.
fn proceedings_of(
    d: &decision::Model,
    named: &impl Fn(&Uuid) -> String,
    report_meetings: &HashMap<Uuid, chrono::NaiveDate>,
    lang: Lang,
) -> Proceedings {
    let mut votes_by_name: [Vec<String>; 3] = Default::default();
    for v in d.votes.iter() {
        let at = match v.vote {
            Vote::Yes => 0,
            Vote::No => 1,
            Vote::Abstain => 2,
        };
        votes_by_name[at].push(named(&v.member_id));
    }
    let report_to = d
        .report_to_meeting_id
        .map(|id| match (report_meetings.get(&id), lang) {
            (Some(date), Lang::Sv) => format!("mötet {date}"),
            (Some(date), Lang::En) => format!("the meeting of {date}"),
            // A meeting the reader may not see is not dated for them.
            (None, Lang::Sv) => "ett senare möte".to_owned(),
            (None, Lang::En) => "a later meeting".to_owned(),
        })
        .or_else(|| d.report_to_member_id.map(|id| named(&id)))
        .or_else(|| d.report_to_group_id.map(|id| named(&id)));
    let view = crate::routes::decisions::DecisionView::from(d.clone());
    Proceedings {
        outcome: Some(d.outcome),
        reservations: d
            .reservations
            .iter()
            .map(|r| (named(&r.member_id), r.text.clone()))
            .collect(),
        vote_counts: d.vote_counts.as_ref().map(|c| c.0),
        votes_by_name,
        responsible: d.assignees.iter().map(|a| named(&a.id)).collect(),
        due_date: d.due_date,
        report_to,
        overdue: view.overdue,
        ongoing: view.ongoing,
    }
}

/// "Punkten flyttas till mötet 2022-02-04." / "Flyttad från mötet 2021-11-05 (punkt 9)."
fn deferral_note(
    item: &agenda_item::Model,
    dates: &HashMap<Uuid, chrono::NaiveDate>,
    from_items: &HashMap<Uuid, String>,
    lang: Lang,
) -> Option<String> {
    let sv = lang == Lang::Sv;
    let date = |id: Option<Uuid>| id.and_then(|id| dates.get(&id)).map(ToString::to_string);
    if item.deferred {
        return Some(match (date(item.deferred_to_meeting_id), sv) {
            (Some(d), true) => format!("Punkten flyttas till mötet {d}."),
            (Some(d), false) => format!("Deferred to the meeting of {d}."),
            (None, true) => "Punkten flyttas till ett senare möte.".to_owned(),
            (None, false) => "Deferred to a later meeting.".to_owned(),
        });
    }
    let from = date(item.deferred_from_meeting_id)?;
    let number = item
        .deferred_from_item_id
        .and_then(|id| from_items.get(&id))
        .cloned()
        .unwrap_or_default();
    Some(if sv {
        format!("Flyttad från mötet {from} (punkt {number}).")
    } else {
        format!("Deferred from the meeting of {from} (item {number}).")
    })
}
