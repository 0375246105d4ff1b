//! Changes to a revision after it was made: edits of a draft and the moves of its life cycle
//! (draft, consultation, approval by decision, which supersedes the revision approved before
//! in the same transaction).

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{
    get,
    revisions::{check_refs, get_revision, index_revision},
};
use crate::{
    domain::{
        action_plan::{CheckedContent, RevisionStatus},
        decision::{DecisionKind, DecisionStatus},
        text::FieldErrors,
    },
    entities::{action_plan_revision as revision, decision},
    error::{ApiError, ApiResult},
    store::{Action, Actor, Precondition, lock_row, write_next},
};

/// What a PATCH or PUT of a revision changes (its own fields already checked).
#[derive(Debug, Clone, Default)]
pub struct RevisionChange {
    /// New content.
    pub content: Option<CheckedContent>,
    /// New change summary (`Some(None)` clears it).
    pub change_summary: Option<Option<String>>,
    /// New first day in force (`Some(None)` clears it).
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
    precondition: &Precondition,
    change: RevisionChange,
) -> ApiResult<revision::Model> {
    crate::store::update::<revision::Entity, _>(
        db,
        actor,
        precondition,
        async |txn| {
            lock_row(txn, "action_plans", plan_id).await?;
            get_revision(txn, plan_id, number, true).await
        },
        async |txn, current| {
            let plan_title = get(txn, plan_id).await?.title;
            let next = next_revision(txn, current, change).await?;
            if next.status == RevisionStatus::Approved {
                supersede_approved(txn, actor, plan_id, &plan_title).await?;
            }
            index_revision(txn, plan_id, &plan_title, &next).await?;
            Ok(revision::ActiveModel {
                id: Set(current.id),
                status: Set(next.status),
                content: Set(next.content),
                change_summary: Set(next.change_summary),
                valid_from: Set(next.valid_from),
                consultation_deadline: Set(next.consultation_deadline),
                decision_id: Set(next.decision_id),
                approved_on: Set(next.approved_on),
                ..Default::default()
            })
        },
    )
    .await
}

/// The revision `current` becomes with `change`, after the rules of its life cycle and the
/// checks that need the database (the approving decision, the content's references).
async fn next_revision(
    txn: &DatabaseTransaction,
    current: &revision::Model,
    change: RevisionChange,
) -> ApiResult<revision::Model> {
    let number = current.number;
    if current.status.is_settled() {
        return Err(ApiError::Locked(format!(
            "revision {number} is {}: it never changes; create a new draft",
            current.status
        )));
    }
    let to = change.status.unwrap_or(current.status);
    if !current.status.may_move_to(to) {
        return Err(ApiError::Conflict(format!(
            "a revision in {} cannot move to {to}",
            current.status
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
    let mut approval: Option<decision::Model> = None;
    if to == RevisionStatus::Approved {
        match change.decision_id {
            None => errors.add("decision_id", "approving needs the approval decision"),
            Some(id) => match decision::Entity::find_by_id(id).one(txn).await? {
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
    let mut next = current.clone();
    if let Some(content) = change.content {
        check_refs(txn, content.get()).await?;
        next.content = content.into_inner().into();
    }
    if let Some(summary) = change.change_summary {
        next.change_summary = summary;
    }
    if let Some(valid_from) = change.valid_from {
        next.valid_from = valid_from;
    }
    next.status = to;
    next.consultation_deadline = deadline;
    if let Some(d) = approval {
        next.decision_id = Some(d.id);
        next.approved_on = Some(d.decided_on);
        next.valid_from = Some(next.valid_from.unwrap_or(d.decided_on));
    }
    Ok(next)
}

/// Marks the plan's approved revision(s) superseded, each as its next version.
async fn supersede_approved(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan_id: Uuid,
    plan_title: &str,
) -> ApiResult<()> {
    let earlier = revision::Entity::find()
        .filter(revision::Column::ActionPlanId.eq(plan_id))
        .filter(revision::Column::Status.eq(RevisionStatus::Approved))
        .all(txn)
        .await?;
    for old in earlier {
        let superseded = revision::ActiveModel {
            id: Set(old.id),
            status: Set(RevisionStatus::Superseded),
            ..Default::default()
        };
        let old = write_next(
            txn,
            actor,
            &old,
            superseded,
            Action::Update,
            &Precondition::None,
        )
        .await?;
        index_revision(txn, plan_id, plan_title, &old).await?;
    }
    Ok(())
}
