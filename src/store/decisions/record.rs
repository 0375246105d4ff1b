//! Taking a decision and changing it: the checks against the meeting, its agenda and the
//! records a decision names, the lock once the minutes are approved, the search index, and
//! erasure (the one change the lock yields to).

use std::collections::HashSet;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::{ENTITY_TYPE, election, reference::reference};
use crate::{
    domain::{
        decision::{AssigneeKind, Decision, DecisionStatus},
        meeting::MeetingStatus,
        proceedings::Reservation,
        text::FieldErrors,
    },
    entities::{
        agenda_item,
        decision::{ActiveModel, Entity, Model},
        meeting, member, organisation,
    },
    error::{ApiError, ApiResult},
    store::{
        Action, Actor, Precondition, meetings, now, record_creation, search, visibility, write_next,
    },
};

/// Takes a decision: checks it against the meeting (not cancelled, not locked) and its agenda
/// item, gives it its reference, marks what it supersedes or revokes, and fills or ends the
/// seats an election names — all in the caller's write transaction.
pub async fn insert(txn: &DatabaseTransaction, actor: &Actor, d: Decision) -> ApiResult<Model> {
    let meeting = meeting::Entity::find_by_id(d.meeting_id)
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::field("meeting_id", "no meeting has this id"))?;
    if meeting.status == MeetingStatus::MinutesApproved {
        return Err(ApiError::Locked(
            "the minutes of this meeting are approved: decisions are taken at a later meeting"
                .into(),
        ));
    }
    if meeting.status == MeetingStatus::Cancelled {
        return Err(ApiError::Conflict("the meeting was cancelled".into()));
    }
    // The item's row stays locked until commit (PostgreSQL; SQLite writes one at a time), so
    // that two decisions taken under one item at once get consecutive references instead of
    // one of them a 409.
    let item = match agenda_item::Entity::find_by_id(d.agenda_item_id)
        .lock_exclusive()
        .one(txn)
        .await?
    {
        Some(item) if item.meeting_id == meeting.id && !item.archived => item,
        _ => {
            return Err(ApiError::field(
                "agenda_item_id",
                "is not on this meeting's agenda",
            ));
        }
    };
    check_refs(txn, &d).await?;
    let group = organisation::Entity::find_by_id(meeting.group_id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let decided_on = meetings::meeting_date(&meeting);
    let id = Uuid::now_v7();
    election::replace_earlier(txn, actor, &d).await?;
    election::change_seats(txn, actor, &d, id, &meeting, decided_on).await?;

    let at = now();
    let model = ActiveModel {
        id: Set(id),
        meeting_id: Set(meeting.id),
        agenda_item_id: Set(item.id),
        reference: Set(reference(txn, &group, &meeting, &item).await?),
        kind: Set(d.kind),
        decided_on: Set(decided_on),
        status: Set(DecisionStatus::Adopted),
        supersedes_id: Set(d.supersedes_id),
        revokes_id: Set(d.revokes_id),
        assignees: Set(d.assignees.clone().into()),
        amount_sek: Set(d.amount_sek),
        period_start: Set(d.period_start),
        period_end: Set(d.period_end),
        funders: Set(d.funders.clone().into()),
        minutes_order: Set(migration::order::minutes_order(
            meeting.starts_at,
            item.position,
        )),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        ..changeable(&d)
    }
    .insert(txn)
    .await?;
    super::history::note(
        txn,
        actor,
        model.id,
        (None, model.follow_up_status),
        model.reported_in_decision_id,
    )
    .await?;
    index(txn, &model, &item, &meeting).await?;
    // Last: the audit row takes the chain's lock until commit.
    record_creation::<Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// The columns a change may set.
fn changeable(d: &Decision) -> ActiveModel {
    ActiveModel {
        title: Set(d.title.clone()),
        text: Set(d.text.clone()),
        concerns: Set(d.concerns.clone().into()),
        public: Set(d.public),
        due_date: Set(d.due_date),
        report_to_meeting_id: Set(d.report_to_meeting_id),
        follow_up_status: Set(d.follow_up_status),
        reported_in_decision_id: Set(d.reported_in_decision_id),
        report_to_member_id: Set(d.report_to_member_id),
        report_to_group_id: Set(d.report_to_group_id),
        outcome: Set(d.outcome),
        reservations: Set(d.reservations.clone().into()),
        votes: Set(d.votes.clone().into()),
        vote_counts: Set(d.vote_counts.map(Into::into)),
        ..Default::default()
    }
}

/// Changes a decision: `change` turns the current record into the new checked decision. When
/// `touches_record` (the wording or metadata, not only the follow-up) the change is refused
/// once the meeting's minutes are approved (409 `locked`: corrections are new decisions) and
/// on a decision that no longer stands; an assignment's follow-up can always move on.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
    touches_record: bool,
    change: impl FnOnce(&Model) -> ApiResult<Decision>,
) -> ApiResult<Model> {
    crate::store::update::<Entity, _>(
        db,
        actor,
        precondition,
        async |txn| super::get(txn, id, true).await,
        async |txn, current| {
            let meeting = meetings::get(txn, current.meeting_id, true).await?;
            if touches_record && meeting.status == MeetingStatus::MinutesApproved {
                return Err(ApiError::Locked(
                    "the minutes of this meeting are approved: the decision is locked; take a \
                     new decision that supersedes it"
                        .into(),
                ));
            }
            if touches_record && current.status != DecisionStatus::Adopted {
                return Err(ApiError::Conflict(
                    "a superseded or revoked decision does not change".into(),
                ));
            }
            let d = change(current)?;
            check_refs(txn, &d).await?;
            super::history::note(
                txn,
                actor,
                id,
                (current.follow_up_status, d.follow_up_status),
                d.reported_in_decision_id,
            )
            .await?;
            let item = agenda_item::Entity::find_by_id(current.agenda_item_id)
                .one(txn)
                .await?
                .ok_or(ApiError::NotFound)?;
            let next = ActiveModel {
                id: Set(id),
                ..changeable(&d)
            };
            let indexed = Model {
                title: d.title.clone(),
                text: d.text.clone(),
                public: d.public,
                ..current.clone()
            };
            index(txn, &indexed, &item, &meeting).await?;
            Ok(next)
        },
    )
    .await
}

/// The references a decision makes exist: organisations concerned, funders and assignees,
/// members elected, the meeting to report to and the decision reported in (422 naming each
/// field otherwise).
async fn check_refs(txn: &DatabaseTransaction, d: &Decision) -> ApiResult<()> {
    let mut errors = FieldErrors::default();
    let mut org_ids: Vec<(String, Uuid)> = Vec::new();
    for (i, id) in d.concerns.iter().enumerate() {
        org_ids.push((format!("concerns[{i}]"), *id));
    }
    for (i, id) in d.funders.iter().enumerate() {
        org_ids.push((format!("funders[{i}]"), *id));
    }
    let mut member_ids: Vec<(String, Uuid)> = Vec::new();
    for (i, a) in d.assignees.iter().enumerate() {
        let field = format!("assignees[{i}].id");
        match a.kind {
            AssigneeKind::Organisation => org_ids.push((field, a.id)),
            AssigneeKind::Member => member_ids.push((field, a.id)),
        }
    }
    for (i, r) in d.reservations.iter().enumerate() {
        member_ids.push((format!("reservations[{i}].member_id"), r.member_id));
    }
    for (i, v) in d.votes.iter().enumerate() {
        member_ids.push((format!("votes[{i}].member_id"), v.member_id));
    }
    if let Some(id) = d.report_to_member_id {
        member_ids.push(("report_to_member_id".into(), id));
    }
    if let Some(id) = d.report_to_group_id {
        org_ids.push(("report_to_group_id".into(), id));
    }
    for (i, e) in d.elects.iter().enumerate() {
        member_ids.push((format!("elects[{i}].member_id"), e.member_id));
        if let Some(org) = e.represents_id {
            org_ids.push((format!("elects[{i}].represents_id"), org));
        }
    }
    let known_orgs: HashSet<Uuid> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids.iter().map(|(_, id)| *id)))
        .all(txn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    for (field, id) in &org_ids {
        if !known_orgs.contains(id) {
            errors.add(field, "no organisation has this id");
        }
    }
    let known_members: HashSet<Uuid> = member::Entity::find()
        .filter(member::Column::Id.is_in(member_ids.iter().map(|(_, id)| *id)))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    for (field, id) in &member_ids {
        if !known_members.contains(id) {
            errors.add(field, "no member has this id");
        }
    }
    if let Some(report_to) = d.report_to_meeting_id
        && meeting::Entity::find_by_id(report_to)
            .one(txn)
            .await?
            .is_none()
    {
        errors.add("report_to_meeting_id", "no meeting has this id");
    }
    if let Some(reported_in) = d.reported_in_decision_id
        && Entity::find_by_id(reported_in).one(txn).await?.is_none()
    {
        errors.add("reported_in_decision_id", "no decision has this id");
    }
    errors.finish()
}

/// Replaces what `pattern` matches by `pseudonym` in decision titles and texts (erasure; the
/// one change the lock on approved minutes yields to), keeping the search index in step.
pub async fn scrub(
    txn: &DatabaseTransaction,
    actor: &Actor,
    pattern: &regex::Regex,
    pseudonym: &str,
) -> ApiResult<()> {
    for d in Entity::find().all(txn).await? {
        let reserved = |r: &Reservation| r.text.as_deref().is_some_and(|t| pattern.is_match(t));
        if !pattern.is_match(&d.title)
            && !pattern.is_match(&d.text)
            && !d.reservations.iter().any(reserved)
        {
            continue;
        }
        let title = pattern.replace_all(&d.title, pseudonym).into_owned();
        let text = pattern.replace_all(&d.text, pseudonym).into_owned();
        let reservations: Vec<Reservation> = d
            .reservations
            .iter()
            .map(|r| Reservation {
                member_id: r.member_id,
                text: r
                    .text
                    .as_deref()
                    .map(|t| pattern.replace_all(t, pseudonym).into_owned()),
            })
            .collect();
        let next = ActiveModel {
            id: Set(d.id),
            title: Set(title.clone()),
            text: Set(text.clone()),
            reservations: Set(reservations.into()),
            ..Default::default()
        };
        write_next(txn, actor, &d, next, Action::Update, &Precondition::None).await?;
        search::update_text(txn, ENTITY_TYPE, d.id, &title, &text).await?;
    }
    Ok(())
}

/// Puts a decision in the search index (visible by the rule of [`visibility::decision`]).
async fn index(
    txn: &DatabaseTransaction,
    model: &Model,
    item: &agenda_item::Model,
    meeting: &meeting::Model,
) -> ApiResult<()> {
    let parent = search::Parent {
        id: meeting.id,
        public: visibility::agenda_item(item, meeting),
    };
    search::index(
        txn,
        ENTITY_TYPE,
        model.id,
        Some(parent),
        model.public,
        &format!("{} {}", model.reference, model.title),
        &model.text,
    )
    .await?;
    Ok(())
}
