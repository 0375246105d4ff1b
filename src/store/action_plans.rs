//! Action plans and their revisions: drafts, consultation, approval by decision, supersession.
//!
//! Revision numbers are given under a lock on the plan row (PostgreSQL; SQLite's write
//! transactions already run one at a time), so concurrent drafts get 1, 2, 3… with no gaps.
//! Approving a revision and superseding the one before happen in one transaction.

use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

use super::{
    Action, Actor, Versioned, begin_write, lock_row, now, record_creation,
    search::{Parent, index},
    write_next,
};
use crate::{
    domain::{
        action_plan::{Content, Publication, Revision, RevisionStatus},
        decision::{DecisionKind, DecisionStatus},
        organisation::OrganisationKind,
        text::FieldErrors,
    },
    entities::{
        action_plan as plan, action_plan_revision as revision, consultation_response as response,
        decision, indicator, organisation,
    },
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::Precondition,
};

/// The entity type of a plan in the audit log and the change events.
pub const PLAN: crate::domain::EntityType = crate::domain::EntityType::ActionPlan;
/// The entity type of a revision (also its type in the search index).
pub const REVISION: crate::domain::EntityType = crate::domain::EntityType::ActionPlanRevision;
/// The entity type of a consultation response.
pub const RESPONSE: crate::domain::EntityType = crate::domain::EntityType::ConsultationResponse;

macro_rules! versioned {
    ($module:ident, $name:expr) => {
        impl Versioned for $module::Entity {
            const ENTITY: crate::domain::EntityType = $name;
            const VERSION: $module::Column = $module::Column::Version;
            const UPDATED_AT: $module::Column = $module::Column::UpdatedAt;

            fn id(model: &$module::Model) -> Uuid {
                model.id
            }

            fn version(model: &$module::Model) -> i32 {
                model.version
            }

            fn audit_json(model: &$module::Model) -> Option<Value> {
                serde_json::to_value(model).ok()
            }
        }
    };
}

versioned!(plan, PLAN);
versioned!(revision, REVISION);
versioned!(response, RESPONSE);

// --- Plans ------------------------------------------------------------------------------------

/// A new plan, checked.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// The group (organisation of kind `group`) that owns it.
    pub group_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
}

/// The plan with `id`.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> ApiResult<plan::Model> {
    plan::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// One page of plans, optionally of one group.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    group_id: Option<Uuid>,
    page: &PageRequest,
) -> ApiResult<(Vec<plan::Model>, Option<String>)> {
    let mut select = plan::Entity::find();
    if let Some(group) = group_id {
        select = select.filter(plan::Column::GroupId.eq(group));
    }
    let rows = page
        .apply(select, plan::Column::Id, plan::Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish(rows, |row| (row.updated_at, row.id)))
}

async fn check_group<C: ConnectionTrait>(db: &C, group_id: Uuid) -> ApiResult<()> {
    match organisation::Entity::find_by_id(group_id).one(db).await? {
        Some(org) if org.kind == OrganisationKind::Group => Ok(()),
        Some(_) => Err(ApiError::field("group_id", "is not a group")),
        None => Err(ApiError::field("group_id", "no organisation has this id")),
    }
}

/// Records a new plan.
pub async fn insert(
    txn: &DatabaseTransaction,
    actor: &Actor,
    p: NewPlan,
) -> ApiResult<plan::Model> {
    check_group(txn, p.group_id).await?;
    let at = now();
    let model = plan::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(p.group_id),
        title: Set(p.title),
        description: Set(p.description),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    record_creation::<plan::Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// Changes a plan's group, title or description (already merged and checked).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    if_match: &Precondition,
    merge: impl FnOnce(&plan::Model) -> ApiResult<NewPlan>,
) -> ApiResult<plan::Model> {
    let txn = begin_write(db).await?;
    let current = get(&txn, id).await?;
    if_match.check(current.version)?;
    let p = merge(&current)?;
    if p.group_id != current.group_id {
        check_group(&txn, p.group_id).await?;
    }
    let next = plan::ActiveModel {
        id: Set(id),
        group_id: Set(p.group_id),
        title: Set(p.title),
        description: Set(p.description),
        ..Default::default()
    };
    let model = write_next(&txn, actor, &current, next, Action::Update, if_match).await?;
    if model.title != current.title {
        for rev in revisions_of(&txn, id).await? {
            index_revision(&txn, &model, &rev).await?;
        }
    }
    txn.commit().await?;
    Ok(model)
}

// --- Revisions --------------------------------------------------------------------------------

async fn revisions_of<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
) -> ApiResult<Vec<revision::Model>> {
    Ok(revision::Entity::find()
        .filter(revision::Column::ActionPlanId.eq(plan_id))
        .order_by_asc(revision::Column::Number)
        .all(db)
        .await?)
}

/// The revisions of a plan by number; approved and superseded ones only unless `sees_all`.
pub async fn list_revisions<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    sees_all: bool,
) -> ApiResult<Vec<revision::Model>> {
    let mut rows = revisions_of(db, plan_id).await?;
    if !sees_all {
        rows.retain(|r| r.status.is_settled());
    }
    Ok(rows)
}

/// Revision `number` of a plan; a draft or consultation is a 404 unless `sees_all`.
pub async fn get_revision<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    number: i32,
    sees_all: bool,
) -> ApiResult<revision::Model> {
    match revision::Entity::find()
        .filter(revision::Column::ActionPlanId.eq(plan_id))
        .filter(revision::Column::Number.eq(number))
        .one(db)
        .await?
    {
        Some(r) if sees_all || r.status.is_settled() => Ok(r),
        _ => Err(ApiError::NotFound),
    }
}

/// The revision in force on `on`: approved or superseded, valid from that day or before, the
/// latest such.
pub async fn in_force<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    on: NaiveDate,
) -> ApiResult<Option<revision::Model>> {
    Ok(revision::Entity::find()
        .filter(revision::Column::ActionPlanId.eq(plan_id))
        .filter(
            revision::Column::Status.is_in([RevisionStatus::Approved, RevisionStatus::Superseded]),
        )
        .filter(revision::Column::ValidFrom.lte(on))
        .order_by_desc(revision::Column::ValidFrom)
        .order_by_desc(revision::Column::Number)
        .one(db)
        .await?)
}

/// The number of the highest revision still in draft or consultation.
pub async fn latest_draft<C: ConnectionTrait>(db: &C, plan_id: Uuid) -> ApiResult<Option<i32>> {
    Ok(revision::Entity::find()
        .filter(revision::Column::ActionPlanId.eq(plan_id))
        .filter(
            revision::Column::Status.is_in([RevisionStatus::Draft, RevisionStatus::Consultation]),
        )
        .order_by_desc(revision::Column::Number)
        .one(db)
        .await?
        .map(|r| r.number))
}

/// The stored content of a revision.
pub fn content_of(model: &revision::Model) -> Content {
    serde_json::from_value(model.content.clone()).unwrap_or_default()
}

/// Checks that the content's ids name organisations, indicators and decisions that exist.
async fn check_refs<C: ConnectionTrait>(db: &C, content: &Content) -> ApiResult<()> {
    let mut errors = FieldErrors::default();
    let mut orgs = Vec::new();
    let mut indicators = Vec::new();
    let mut decisions = Vec::new();
    for (at, activity) in content.activities() {
        for (i, id) in activity.responsible_ids.iter().enumerate() {
            orgs.push((format!("{at}.responsible_ids[{i}]"), *id));
        }
        for (i, id) in activity.indicator_ids.iter().enumerate() {
            indicators.push((format!("{at}.indicator_ids[{i}]"), *id));
        }
        for (i, id) in activity.decision_ids.iter().enumerate() {
            decisions.push((format!("{at}.decision_ids[{i}]"), *id));
        }
    }
    let ids = |list: &[(String, Uuid)]| -> Vec<Uuid> { list.iter().map(|(_, id)| *id).collect() };
    let known: HashSet<Uuid> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids(&orgs)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.id)
        .chain(
            indicator::Entity::find()
                .filter(indicator::Column::Id.is_in(ids(&indicators)))
                .all(db)
                .await?
                .into_iter()
                .map(|i| i.id),
        )
        .chain(
            decision::Entity::find()
                .filter(decision::Column::Id.is_in(ids(&decisions)))
                .all(db)
                .await?
                .into_iter()
                .map(|d| d.id),
        )
        .collect();
    for (list, what) in [
        (&orgs, "organisation"),
        (&indicators, "indicator"),
        (&decisions, "decision"),
    ] {
        for (field, id) in list {
            if !known.contains(id) {
                errors.add(field, format!("no {what} has this id"));
            }
        }
    }
    errors.finish()
}

/// Puts a revision in the search index (found by everyone once approved or superseded).
async fn index_revision<C: ConnectionTrait>(
    db: &C,
    plan: &plan::Model,
    rev: &revision::Model,
) -> ApiResult<()> {
    let mut body = content_of(rev).plain_text();
    if let Some(summary) = &rev.change_summary {
        body.push_str(summary);
    }
    index(
        db,
        REVISION,
        rev.id,
        Some(Parent {
            id: plan.id,
            public: true,
        }),
        rev.status.is_settled(),
        &format!("{} – revision {}", plan.title, rev.number),
        &body,
    )
    .await?;
    Ok(())
}

/// A new draft: its own content, or (when `content` is `None`) a copy of `from_revision` or of
/// the revision in force on `today`.
#[derive(Debug, Clone)]
pub struct NewRevision {
    /// The revision to copy (default: the one in force).
    pub from_revision: Option<i32>,
    /// Checked fields; `content` is ignored when `copy` is set.
    pub revision: Revision,
    /// Whether to copy the content.
    pub copy: bool,
}

/// Creates the next draft of a plan, numbered one above the highest.
pub async fn insert_revision(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan_id: Uuid,
    today: NaiveDate,
    new: NewRevision,
) -> ApiResult<revision::Model> {
    let plan = get(txn, plan_id).await?;
    lock_row(txn, "action_plans", plan_id).await?;
    let base = match new.from_revision {
        Some(n) => Some(
            get_revision(txn, plan_id, n, true)
                .await
                .map_err(|_| ApiError::field("from_revision", "this plan has no such revision"))?,
        ),
        None => in_force(txn, plan_id, today).await?,
    };
    let content = match (&base, new.copy) {
        (Some(base), true) => content_of(base),
        _ => new.revision.content,
    };
    check_refs(txn, &content).await?;
    let highest: Option<i32> = revision::Entity::find()
        .select_only()
        .column_as(revision::Column::Number.max(), "n")
        .filter(revision::Column::ActionPlanId.eq(plan_id))
        .into_tuple::<Option<i32>>()
        .one(txn)
        .await?
        .flatten();
    let at = now();
    let model = revision::ActiveModel {
        id: Set(Uuid::now_v7()),
        action_plan_id: Set(plan_id),
        number: Set(highest.unwrap_or(0) + 1),
        status: Set(RevisionStatus::Draft),
        content: Set(serde_json::to_value(&content).map_err(|e| ApiError::Internal(Box::new(e)))?),
        change_summary: Set(new.revision.change_summary),
        valid_from: Set(new.revision.valid_from),
        consultation_deadline: Set(None),
        decision_id: Set(None),
        approved_on: Set(None),
        based_on: Set(base.map(|b| b.number)),
        publications: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    record_creation::<revision::Entity, _>(txn, actor, &model).await?;
    index_revision(txn, &plan, &model).await?;
    Ok(model)
}

/// What a PATCH or PUT of a revision changes (content already checked).
#[derive(Debug, Clone, Default)]
pub struct RevisionChange {
    /// New content.
    pub content: Option<Content>,
    /// New change summary (`Some(None)` clears it).
    pub change_summary: Option<Option<String>>,
    /// New first day in force.
    pub valid_from: Option<Option<NaiveDate>>,
    /// Move to this status.
    pub status: Option<RevisionStatus>,
    /// The consultation's last day (needed to send out for consultation).
    pub consultation_deadline: Option<Option<NaiveDate>>,
    /// The approving decision (needed to approve).
    pub decision_id: Option<Uuid>,
}

impl RevisionChange {
    fn edits_text(&self) -> bool {
        self.content.is_some() || self.change_summary.is_some() || self.valid_from.is_some()
    }
}

/// Changes a draft, or moves a revision on: to consultation, back to draft, or to approved
/// (by an approval decision; the revision approved before is superseded in the same
/// transaction). Approved and superseded revisions never change (409, type `locked`).
pub async fn update_revision(
    db: &DatabaseConnection,
    actor: &Actor,
    plan_id: Uuid,
    number: i32,
    if_match: &Precondition,
    change: RevisionChange,
) -> ApiResult<revision::Model> {
    let txn = begin_write(db).await?;
    let plan = get(&txn, plan_id).await?;
    lock_row(&txn, "action_plans", plan_id).await?;
    let current = get_revision(&txn, plan_id, number, true).await?;
    if_match.check(current.version)?;
    if current.status.is_settled() {
        return Err(ApiError::Locked(format!(
            "revision {number} is {}: it never changes; create a new draft",
            current.status.as_str()
        )));
    }
    let to = change.status.unwrap_or(current.status);
    if !current.status.may_move_to(to) {
        return Err(ApiError::Conflict(format!(
            "a revision in {} cannot move to {}",
            current.status.as_str(),
            to.as_str()
        )));
    }
    if change.edits_text() && current.status != RevisionStatus::Draft && to != RevisionStatus::Draft
    {
        return Err(ApiError::Conflict(
            "only drafts are edited: move the revision back to draft first".into(),
        ));
    }
    let mut errors = FieldErrors::default();
    if change.decision_id.is_some() && to != RevisionStatus::Approved {
        errors.add("decision_id", "only when approving (status approved)");
    }
    let deadline = change
        .consultation_deadline
        .unwrap_or(current.consultation_deadline);
    if to == RevisionStatus::Consultation && deadline.is_none() {
        errors.add(
            "consultation_deadline",
            "a consultation has a last day for responses",
        );
    }
    let approving = to == RevisionStatus::Approved;
    let mut approval: Option<decision::Model> = None;
    if approving {
        match change.decision_id {
            None => errors.add("decision_id", "approving needs the approval decision"),
            Some(id) => match decision::Entity::find_by_id(id).one(&txn).await? {
                None => errors.add("decision_id", "no decision has this id"),
                Some(d) if d.kind != DecisionKind::Approval => {
                    errors.add("decision_id", "is not a decision of kind approval")
                }
                Some(d) if d.status == DecisionStatus::Revoked => {
                    errors.add("decision_id", "was revoked")
                }
                Some(d) => approval = Some(d),
            },
        }
    }
    errors.finish()?;
    if let Some(content) = &change.content {
        check_refs(&txn, content).await?;
    }
    let mut next = revision::ActiveModel {
        id: Set(current.id),
        status: Set(to),
        consultation_deadline: Set(deadline),
        ..Default::default()
    };
    if let Some(content) = &change.content {
        next.content =
            Set(serde_json::to_value(content).map_err(|e| ApiError::Internal(Box::new(e)))?);
    }
    if let Some(summary) = change.change_summary {
        next.change_summary = Set(summary);
    }
    let valid_from = change.valid_from.unwrap_or(current.valid_from);
    next.valid_from = Set(valid_from);
    if let Some(d) = &approval {
        next.decision_id = Set(Some(d.id));
        next.approved_on = Set(Some(d.decided_on));
        next.valid_from = Set(Some(valid_from.unwrap_or(d.decided_on)));
        let earlier = revision::Entity::find()
            .filter(revision::Column::ActionPlanId.eq(plan_id))
            .filter(revision::Column::Status.eq(RevisionStatus::Approved))
            .all(&txn)
            .await?;
        for old in earlier {
            let superseded = revision::ActiveModel {
                id: Set(old.id),
                status: Set(RevisionStatus::Superseded),
                ..Default::default()
            };
            let old = write_next(
                &txn,
                actor,
                &old,
                superseded,
                Action::Update,
                &Precondition::None,
            )
            .await?;
            index_revision(&txn, &plan, &old).await?;
        }
    }
    let model = write_next(&txn, actor, &current, next, Action::Update, if_match).await?;
    index_revision(&txn, &plan, &model).await?;
    txn.commit().await?;
    Ok(model)
}

/// The publications recorded for a revision.
pub fn publications_of(model: &revision::Model) -> Vec<Publication> {
    model
        .publications
        .clone()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// Adds a publication to an approved or superseded revision: the one change such a revision
/// takes (a draft or consultation is a 409; publish what was approved).
pub async fn add_publication(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan_id: Uuid,
    number: i32,
    publication: Publication,
) -> ApiResult<revision::Model> {
    get(txn, plan_id).await?;
    lock_row(txn, "action_plans", plan_id).await?;
    let current = get_revision(txn, plan_id, number, true).await?;
    if !current.status.is_settled() {
        return Err(ApiError::Conflict(format!(
            "revision {number} is {}: only approved revisions are published",
            current.status.as_str()
        )));
    }
    let mut list = publications_of(&current);
    if list.len() >= 100 {
        return Err(ApiError::field(
            "url",
            "at most 100 publications per revision",
        ));
    }
    list.push(publication);
    let next = revision::ActiveModel {
        id: Set(current.id),
        publications: Set(Some(
            serde_json::to_value(&list).map_err(|e| ApiError::Internal(Box::new(e)))?,
        )),
        ..Default::default()
    };
    write_next(
        txn,
        actor,
        &current,
        next,
        Action::Update,
        &Precondition::None,
    )
    .await
}

// --- Consultation responses -------------------------------------------------------------------

/// A consultation response, checked.
#[derive(Debug, Clone)]
pub struct NewResponse {
    /// The organisation that responded.
    pub organisation_id: Uuid,
    /// When it arrived.
    pub received_on: NaiveDate,
    /// In short.
    pub summary: String,
    /// The full text.
    pub text: Option<String>,
}

/// The responses to a revision, by date received.
pub async fn responses<C: ConnectionTrait>(
    db: &C,
    revision_id: Uuid,
) -> ApiResult<Vec<response::Model>> {
    Ok(response::Entity::find()
        .filter(response::Column::RevisionId.eq(revision_id))
        .order_by_asc(response::Column::ReceivedOn)
        .order_by_asc(response::Column::Id)
        .all(db)
        .await?)
}

/// Records a response to revision `number`, which must have been sent out for consultation.
pub async fn insert_response(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan_id: Uuid,
    number: i32,
    r: NewResponse,
) -> ApiResult<response::Model> {
    let rev = get_revision(txn, plan_id, number, true).await?;
    if rev.status != RevisionStatus::Consultation && rev.consultation_deadline.is_none() {
        return Err(ApiError::Conflict(format!(
            "revision {number} was never sent out for consultation"
        )));
    }
    if organisation::Entity::find_by_id(r.organisation_id)
        .one(txn)
        .await?
        .is_none()
    {
        return Err(ApiError::field(
            "organisation_id",
            "no organisation has this id",
        ));
    }
    let at = now();
    let model = response::ActiveModel {
        id: Set(Uuid::now_v7()),
        revision_id: Set(rev.id),
        organisation_id: Set(r.organisation_id),
        received_on: Set(r.received_on),
        summary: Set(r.summary),
        text: Set(r.text),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    record_creation::<response::Entity, _>(txn, actor, &model).await?;
    Ok(model)
}
