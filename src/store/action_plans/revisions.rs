//! Revisions of a plan: numbering, the life cycle from draft to superseded, the references in
//! their content, publications, and their entries in the search index.

use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::get;
use crate::{
    domain::{
        EntityType,
        action_plan::{Content, Revision, RevisionStatus},
        text::FieldErrors,
    },
    entities::{action_plan_revision as revision, decision, indicator, organisation},
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::{
        Actor, lock_row, now, record_creation,
        search::{Parent, index},
        visibility,
    },
};

/// Every revision of a plan, by number.
pub(super) async fn revisions_of<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
) -> ApiResult<Vec<revision::Model>> {
    Ok(revision::Entity::find()
        .filter(revision::Column::ActionPlanId.eq(plan_id))
        .order_by_asc(revision::Column::Number)
        .all(db)
        .await?)
}

/// One page of the revisions of a plan, in the order they were created (which is their
/// number's); approved and superseded ones only unless `sees_all`.
pub async fn list_revisions<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    sees_all: bool,
    page: &PageRequest,
) -> ApiResult<(Vec<revision::Model>, Option<String>)> {
    let mut select = revision::Entity::find().filter(revision::Column::ActionPlanId.eq(plan_id));
    if !sees_all {
        select = select.filter(visibility::revisions_condition());
    }
    let rows = page
        .apply(select, revision::Column::Id, revision::Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish(rows, |row| (row.updated_at, row.id)))
}

/// The approved and superseded revisions of a plan up to `number`, oldest first: how the
/// plan came to be (the trace).
pub async fn settled_up_to<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    number: i32,
) -> ApiResult<Vec<revision::Model>> {
    Ok(revision::Entity::find()
        .filter(revision::Column::ActionPlanId.eq(plan_id))
        .filter(revision::Column::Number.lte(number))
        .filter(
            revision::Column::Status.is_in([RevisionStatus::Approved, RevisionStatus::Superseded]),
        )
        .order_by_asc(revision::Column::Number)
        .all(db)
        .await?)
}

/// Revision `number` of a plan, whatever its status, if there is one.
pub(super) async fn find_revision<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    number: i32,
) -> ApiResult<Option<revision::Model>> {
    Ok(revision::Entity::find()
        .filter(revision::Column::ActionPlanId.eq(plan_id))
        .filter(revision::Column::Number.eq(number))
        .one(db)
        .await?)
}

/// Revision `number` of a plan; a draft or consultation is a 404 unless `sees_all`.
pub async fn get_revision<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    number: i32,
    sees_all: bool,
) -> ApiResult<revision::Model> {
    match find_revision(db, plan_id, number).await? {
        Some(r) if sees_all || visibility::revision(r.status) => Ok(r),
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

/// Checks that the content's ids name organisations, indicators and decisions that exist.
pub(super) async fn check_refs<C: ConnectionTrait>(db: &C, content: &Content) -> ApiResult<()> {
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

/// Rebuilds the search entries of every revision of every plan (after an erasure rewrote
/// their text).
pub async fn reindex_revisions<C: ConnectionTrait>(db: &C) -> ApiResult<()> {
    let plans = crate::entities::action_plan::Entity::find().all(db).await?;
    for plan in plans {
        for rev in revisions_of(db, plan.id).await? {
            index_revision(db, plan.id, &plan.title, &rev).await?;
        }
    }
    Ok(())
}

/// Puts a revision of the plan titled `plan_title` in the search index (found by everyone once
/// approved or superseded).
pub(super) async fn index_revision<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    plan_title: &str,
    rev: &revision::Model,
) -> ApiResult<()> {
    let mut body = rev.content.plain_text();
    if let Some(summary) = &rev.change_summary {
        body.push_str(summary);
    }
    index(
        db,
        EntityType::ActionPlanRevision,
        rev.id,
        Some(Parent {
            id: plan_id,
            public: true,
        }),
        visibility::revision(rev.status),
        &format!("{plan_title} – revision {}", rev.number),
        &body,
    )
    .await?;
    Ok(())
}

/// A new draft: its own content, or (when `copy` is set) a copy of `from_revision` or of the
/// revision in force on the day it is made.
#[derive(Debug, Clone)]
pub struct NewRevision {
    /// The revision to copy (default: the one in force).
    pub from_revision: Option<i32>,
    /// Checked fields; the content is ignored when `copy` is set and there is a revision to copy.
    pub revision: Revision,
    /// Whether to copy the content.
    pub copy: bool,
}

/// Creates the next draft of a plan (404 when there is no such plan), numbered one above the
/// highest.
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
        Some(n) => match find_revision(txn, plan_id, n).await? {
            Some(base) => Some(base),
            None => {
                return Err(ApiError::field(
                    "from_revision",
                    "this plan has no such revision",
                ));
            }
        },
        None => in_force(txn, plan_id, today).await?,
    };
    let (content, change_summary, valid_from) = new.revision.into_parts();
    let content = match (&base, new.copy) {
        (Some(base), true) => base.content.clone(),
        _ => content.into_inner().into(),
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
        content: Set(content),
        change_summary: Set(change_summary),
        valid_from: Set(valid_from),
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
    index_revision(txn, plan.id, &plan.title, &model).await?;
    Ok(model)
}
