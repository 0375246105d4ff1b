//! Decisions: references, superseding and revoking in one transaction, elections that change
//! the memberships they name, and the lock once the meeting's minutes are approved.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Alias, Condition, Expr, ExprTrait},
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    Action, Actor, Versioned, begin_write, json_holds, meetings, memberships, now, record_creation,
    today, write_next,
};
use crate::{
    domain::{
        decision::{AssigneeKind, Decision, DecisionKind, DecisionStatus, FollowUpStatus},
        meeting::MeetingStatus,
        membership::{Membership, UncheckedMembership},
        text::FieldErrors,
    },
    entities::{
        agenda_item,
        decision::{ActiveModel, Column, Entity, Model},
        member, membership, organisation,
    },
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::Precondition,
};

/// The entity type in the audit log and the change events.
pub const ENTITY_TYPE: crate::domain::EntityType = crate::domain::EntityType::Decision;

impl Versioned for Entity {
    const ENTITY: crate::domain::EntityType = ENTITY_TYPE;
    const VERSION: Column = Column::Version;
    const UPDATED_AT: Column = Column::UpdatedAt;

    fn id(model: &Model) -> Uuid {
        model.id
    }

    fn version(model: &Model) -> i32 {
        model.version
    }

    /// Title and text may name people (e.g. an election): the audit log holds their digests.
    fn audit_json(model: &Model) -> Option<Value> {
        let mut value = serde_json::to_value(model).ok()?;
        if let Some(object) = value.as_object_mut() {
            for field in ["title", "text"] {
                if let Some(Value::String(text)) = object.remove(field) {
                    object.insert(
                        format!("{field}_sha256"),
                        json!(format!("{:x}", Sha256::digest(text))),
                    );
                }
            }
        }
        Some(value)
    }
}

/// Filters of the decision list.
#[derive(Debug, Clone, Default)]
pub struct DecisionFilter {
    /// Taken at this meeting.
    pub meeting_id: Option<Uuid>,
    /// Taken by this group.
    pub group_id: Option<Uuid>,
    /// Of this kind.
    pub kind: Option<DecisionKind>,
    /// In this status.
    pub status: Option<DecisionStatus>,
    /// Concerning this organisation, or every party.
    pub concerns: Option<Uuid>,
    /// Assignments in this follow-up status.
    pub follow_up_status: Option<FollowUpStatus>,
    /// Assignments given to this organisation, group or member.
    pub assignee_id: Option<Uuid>,
    /// Assignments due before this date.
    pub due_before: Option<NaiveDate>,
    /// Only open assignments past their due date (as of `today`).
    pub overdue: Option<bool>,
    /// Decided on or after.
    pub from: Option<NaiveDate>,
    /// Decided on or before.
    pub to: Option<NaiveDate>,
    /// Only decisions that ask someone to act.
    pub assignments_only: bool,
    /// Only public decisions.
    pub public_only: bool,
}

/// Whether a decision is an open assignment past its due date on `today`.
pub fn is_overdue(model: &Model, today: NaiveDate) -> bool {
    model.follow_up_status == Some(FollowUpStatus::Open)
        && model.status == DecisionStatus::Adopted
        && model.due_date.is_some_and(|due| due < today)
}

/// The decision with `id`. Callers who may not see everything see it only when it and its
/// meeting are public (404 otherwise, like a decision that does not exist).
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid, sees_all: bool) -> ApiResult<Model> {
    match Entity::find_by_id(id).one(db).await? {
        Some(d) if sees_all => Ok(d),
        Some(d) if d.public && meetings::get(db, d.meeting_id, false).await.is_ok() => Ok(d),
        _ => Err(ApiError::NotFound),
    }
}

/// Only decisions that are public and taken at public meetings.
fn publicly_visible() -> Condition {
    use crate::entities::meeting;
    Condition::all().add(Column::Public.eq(true)).add(
        Column::MeetingId.in_subquery(
            sea_orm::sea_query::Query::select()
                .column(meeting::Column::Id)
                .from(meeting::Entity)
                .and_where(meeting::Column::Public.eq(true))
                .to_owned(),
        ),
    )
}

/// One page of decisions, ordered by date (by change with `updated_since`).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &DecisionFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<Model>, Option<String>)> {
    let mut select = Entity::find();
    if let Some(id) = filter.meeting_id {
        select = select.filter(Column::MeetingId.eq(id));
    }
    if let Some(group) = filter.group_id {
        let meetings: Vec<Uuid> = crate::entities::meeting::Entity::find()
            .filter(crate::entities::meeting::Column::GroupId.eq(group))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        select = select.filter(Column::MeetingId.is_in(meetings));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(Column::Kind.eq(kind));
    }
    if let Some(status) = filter.status {
        select = select.filter(Column::Status.eq(status));
    }
    if let Some(org) = filter.concerns {
        select = select.filter(
            Condition::any().add(json_holds(Column::Concerns, org)).add(
                Expr::col(Column::Concerns)
                    .cast_as(Alias::new("text"))
                    .eq("[]"),
            ),
        );
    }
    if let Some(status) = filter.follow_up_status {
        select = select.filter(Column::FollowUpStatus.eq(status));
    }
    if let Some(id) = filter.assignee_id {
        select = select.filter(json_holds(Column::Assignees, id));
    }
    if let Some(before) = filter.due_before {
        select = select.filter(Column::DueDate.lt(before));
    }
    match filter.overdue {
        Some(true) => {
            select = select
                .filter(Column::FollowUpStatus.eq(FollowUpStatus::Open))
                .filter(Column::Status.eq(DecisionStatus::Adopted))
                .filter(Column::DueDate.lt(today()))
        }
        Some(false) => {
            select = select.filter(
                Condition::any()
                    .add(Column::FollowUpStatus.is_null())
                    .add(Column::FollowUpStatus.ne(FollowUpStatus::Open))
                    .add(Column::DueDate.is_null())
                    .add(Column::DueDate.gte(today())),
            )
        }
        None => {}
    }
    if let Some(from) = filter.from {
        select = select.filter(Column::DecidedOn.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(Column::DecidedOn.lte(to));
    }
    if filter.assignments_only {
        select = select.filter(Column::FollowUpStatus.is_not_null());
    }
    if filter.public_only {
        select = select.filter(publicly_visible());
    }
    let rows = page
        .apply(select, Column::Id, Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish(rows, |row| (row.updated_at, row.id)))
}

/// The decisions taken under each agenda item of a meeting, in order.
pub async fn of_meeting<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    sees_all: bool,
) -> ApiResult<Vec<Model>> {
    let mut select = Entity::find().filter(Column::MeetingId.eq(meeting_id));
    if !sees_all {
        select = select.filter(publicly_visible());
    }
    Ok(select.order_by_asc(Column::Reference).all(db).await?)
}

/// A stable reference: the group's short name, the meeting date and the item number, with a
/// letter for each further decision under the same item ("SG 2021-11-05 §6", "SG 2021-11-05
/// §6b"). A second meeting of a group with the same short name on the same day adds its start
/// time ("SG 2021-11-05 13:00 §6"); a reference is never reused.
async fn reference(
    txn: &DatabaseTransaction,
    group: &organisation::Model,
    meeting: &crate::entities::meeting::Model,
    item: &agenda_item::Model,
) -> ApiResult<String> {
    let local = meeting
        .starts_at
        .with_timezone(&chrono_tz::Europe::Stockholm);
    let short = group
        .short_name
        .clone()
        .unwrap_or_else(|| group.name.clone());
    let mut base = format!("{short} {} §{}", local.date_naive(), item.number);
    let taken_elsewhere = Entity::find()
        .filter(Column::Reference.eq(base.as_str()))
        .filter(Column::AgendaItemId.ne(item.id))
        .count(txn)
        .await?;
    if taken_elsewhere > 0 {
        base = format!(
            "{short} {} {} §{}",
            local.date_naive(),
            local.format("%H:%M"),
            item.number
        );
    }
    let mut n = Entity::find()
        .filter(Column::AgendaItemId.eq(item.id))
        .count(txn)
        .await?;
    loop {
        let candidate = match n {
            0 => base.clone(),
            1..=24 => format!("{base}{}", char::from(b'a' + n as u8)),
            _ => format!("{base}-{}", n + 1),
        };
        if Entity::find()
            .filter(Column::Reference.eq(candidate.as_str()))
            .count(txn)
            .await?
            == 0
        {
            return Ok(candidate);
        }
        n += 1;
    }
}

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
        && crate::entities::meeting::Entity::find_by_id(report_to)
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

/// Takes a decision: checks it against the meeting (not cancelled, not locked) and its agenda
/// item, gives it its reference, marks what it supersedes or revokes, and fills or ends the
/// seats an election names — all in one transaction.
pub async fn insert(txn: &DatabaseTransaction, actor: &Actor, d: Decision) -> ApiResult<Model> {
    let meeting = meetings::get(txn, d.meeting_id, true)
        .await
        .map_err(|_| ApiError::field("meeting_id", "no meeting has this id"))?;
    if meeting.status == MeetingStatus::MinutesApproved {
        return Err(ApiError::Locked(
            "the minutes of this meeting are approved: decisions are taken at a later meeting"
                .into(),
        ));
    }
    if meeting.status == MeetingStatus::Cancelled {
        return Err(ApiError::Conflict("the meeting was cancelled".into()));
    }
    let item = match agenda_item::Entity::find_by_id(d.agenda_item_id)
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

    for (field, target, status) in [
        ("supersedes_id", d.supersedes_id, DecisionStatus::Superseded),
        ("revokes_id", d.revokes_id, DecisionStatus::Revoked),
    ] {
        let Some(target) = target else { continue };
        let Some(old) = Entity::find_by_id(target).one(txn).await? else {
            return Err(ApiError::field(field, "no decision has this id"));
        };
        if old.status != DecisionStatus::Adopted {
            return Err(ApiError::Conflict(format!(
                "decision {} is already {}",
                old.reference,
                serde_json::to_value(old.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            )));
        }
        let next = ActiveModel {
            id: Set(old.id),
            status: Set(status),
            ..Default::default()
        };
        write_next(txn, actor, &old, next, Action::Update, &Precondition::None).await?;
    }

    for (i, ended) in d.ends_membership_ids.iter().enumerate() {
        let seat = match membership::Entity::find_by_id(*ended).one(txn).await? {
            Some(seat) if seat.group_id == meeting.group_id => seat,
            Some(_) => {
                return Err(ApiError::field(
                    format!("ends_membership_ids[{i}]"),
                    "is a seat in another group",
                ));
            }
            None => {
                return Err(ApiError::field(
                    format!("ends_membership_ids[{i}]"),
                    "no membership has this id",
                ));
            }
        };
        let last_day = decided_on - Duration::days(1);
        if seat.end_date.is_some_and(|end| end <= last_day) {
            continue;
        }
        let next = membership::ActiveModel {
            id: Set(seat.id),
            end_date: Set(Some(std::cmp::max(last_day, seat.start_date))),
            ..Default::default()
        };
        write_next(txn, actor, &seat, next, Action::Update, &Precondition::None).await?;
    }
    for (i, elected) in d.elects.iter().enumerate() {
        let seat = Membership::parse(UncheckedMembership {
            member_id: elected.member_id,
            group_id: meeting.group_id,
            role: elected.role,
            represents_id: elected.represents_id,
            start_date: elected.start_date.unwrap_or(decided_on),
            end_date: None,
            substitute_for_member_id: None,
            voting_right: true,
            note: None,
            elected_by_decision_id: Some(id),
        })
        .map_err(|e| match e {
            ApiError::Validation(errors) => ApiError::Validation(
                errors
                    .into_iter()
                    .map(|f| {
                        crate::error::FieldError::new(format!("elects[{i}].{}", f.field), f.message)
                    })
                    .collect(),
            ),
            other => other,
        })?;
        memberships::insert_elected(txn, actor, seat, id).await?;
    }

    let at = now();
    let model = ActiveModel {
        id: Set(id),
        meeting_id: Set(meeting.id),
        agenda_item_id: Set(item.id),
        reference: Set(reference(txn, &group, &meeting, &item).await?),
        title: Set(d.title.clone()),
        text: Set(d.text.clone()),
        kind: Set(d.kind),
        decided_on: Set(decided_on),
        status: Set(DecisionStatus::Adopted),
        supersedes_id: Set(d.supersedes_id),
        revokes_id: Set(d.revokes_id),
        concerns: Set(json!(d.concerns)),
        public: Set(d.public),
        assignees: Set(json!(d.assignees)),
        due_date: Set(d.due_date),
        report_to_meeting_id: Set(d.report_to_meeting_id),
        follow_up_status: Set(d.follow_up_status),
        reported_in_decision_id: Set(d.reported_in_decision_id),
        amount_sek: Set(d.amount_sek),
        period_start: Set(d.period_start),
        period_end: Set(d.period_end),
        funders: Set(json!(d.funders)),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    record_creation::<Entity, _>(txn, actor, &model).await?;
    index(txn, &model, &meeting).await?;
    Ok(model)
}

/// What a PATCH may change.
#[derive(Debug, Clone, Default)]
pub struct DecisionChange {
    /// Wording and metadata (refused once the minutes are approved).
    pub record: Option<RecordChange>,
    /// Follow-up of an assignment (allowed after approval too: the loop goes on).
    pub follow_up_status: Option<FollowUpStatus>,
    /// The decision in which the assignment was reported.
    pub reported_in_decision_id: Option<Option<Uuid>>,
}

/// Changes to the record part of a decision.
#[derive(Debug, Clone, Default)]
pub struct RecordChange {
    /// Title.
    pub title: Option<String>,
    /// Text.
    pub text: Option<String>,
    /// Concerned organisations.
    pub concerns: Option<Vec<Uuid>>,
    /// Public.
    pub public: Option<bool>,
    /// Due date.
    pub due_date: Option<Option<NaiveDate>>,
    /// Report to meeting.
    pub report_to_meeting_id: Option<Option<Uuid>>,
}

/// Changes a decision. The record is locked once the meeting's minutes are approved (409,
/// corrections are new decisions); an assignment's follow-up can always move on.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    if_match: &Precondition,
    change: DecisionChange,
    check: impl FnOnce(&Model, &DecisionChange) -> ApiResult<Decision>,
) -> ApiResult<Model> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id, true).await?;
    if_match.check(current.version)?;
    let meeting = meetings::get(&txn, current.meeting_id, true).await?;
    if change.record.is_some() && meeting.status == MeetingStatus::MinutesApproved {
        return Err(ApiError::Locked(
            "the minutes of this meeting are approved: the decision is locked; take a new \
             decision that supersedes it"
                .into(),
        ));
    }
    if current.status != DecisionStatus::Adopted && change.record.is_some() {
        return Err(ApiError::Conflict(
            "a superseded or revoked decision does not change".into(),
        ));
    }
    let d = check(&current, &change)?;
    check_refs(&txn, &d).await?;
    let next = ActiveModel {
        id: Set(id),
        title: Set(d.title),
        text: Set(d.text),
        concerns: Set(json!(d.concerns)),
        public: Set(d.public),
        due_date: Set(d.due_date),
        report_to_meeting_id: Set(d.report_to_meeting_id),
        follow_up_status: Set(d.follow_up_status),
        reported_in_decision_id: Set(d.reported_in_decision_id),
        ..Default::default()
    };
    let model = write_next(&txn, actor, &current, next, Action::Update, if_match).await?;
    index(&txn, &model, &meeting).await?;
    txn.commit().await?;
    Ok(model)
}

/// Assignments to report at `meeting`, or (from the same group's meetings) due on or before its
/// date and still open; earliest due first, those without a due date last.
pub async fn follow_ups<C: ConnectionTrait>(
    db: &C,
    meeting: &crate::entities::meeting::Model,
    sees_all: bool,
) -> ApiResult<Vec<Model>> {
    use crate::entities::meeting as m;
    use sea_orm::sea_query::{NullOrdering, Order, Query};
    let date = meetings::meeting_date(meeting);
    let same_group = Query::select()
        .column(m::Column::Id)
        .from(m::Entity)
        .and_where(m::Column::GroupId.eq(meeting.group_id))
        .to_owned();
    let mut select = Entity::find()
        .filter(Column::Status.eq(DecisionStatus::Adopted))
        .filter(Column::FollowUpStatus.is_not_null())
        .filter(
            Condition::any()
                .add(Column::ReportToMeetingId.eq(meeting.id))
                .add(
                    Condition::all()
                        .add(Column::FollowUpStatus.eq(FollowUpStatus::Open))
                        .add(Column::DueDate.lte(date))
                        .add(Column::MeetingId.in_subquery(same_group)),
                ),
        );
    if !sees_all {
        select = select.filter(publicly_visible());
    }
    Ok(select
        .order_by_with_nulls(Column::DueDate, Order::Asc, NullOrdering::Last)
        .order_by_asc(Column::Reference)
        .all(db)
        .await?)
}

/// Decisions that give an assignment to member `id`.
pub async fn assigned_to<C: ConnectionTrait>(db: &C, id: Uuid) -> ApiResult<Vec<Model>> {
    let rows = Entity::find()
        .filter(json_holds(Column::Assignees, id))
        .all(db)
        .await?;
    let me = json!({"kind": "member", "id": id});
    Ok(rows
        .into_iter()
        .filter(|d| d.assignees.as_array().is_some_and(|a| a.contains(&me)))
        .collect())
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
        if !pattern.is_match(&d.title) && !pattern.is_match(&d.text) {
            continue;
        }
        let title = pattern.replace_all(&d.title, pseudonym).into_owned();
        let text = pattern.replace_all(&d.text, pseudonym).into_owned();
        let next = ActiveModel {
            id: Set(d.id),
            title: Set(title.clone()),
            text: Set(text.clone()),
            ..Default::default()
        };
        write_next(txn, actor, &d, next, Action::Update, &Precondition::None).await?;
        super::search::update_text(txn, ENTITY_TYPE, d.id, &title, &text).await?;
    }
    Ok(())
}

/// Puts a decision in the search index (visible when it and its meeting are public).
async fn index(
    txn: &DatabaseTransaction,
    model: &Model,
    meeting: &crate::entities::meeting::Model,
) -> ApiResult<()> {
    let parent = super::search::Parent {
        id: meeting.id,
        public: meeting.public,
    };
    super::search::index(
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
