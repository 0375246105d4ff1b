//! What taking a decision does to other records, in the same transaction: the decision it
//! supersedes or revokes is marked so, and an election ends and fills the seats it names.

use chrono::{Duration, NaiveDate};
use sea_orm::{DatabaseTransaction, EntityTrait, Set};
use uuid::Uuid;

use crate::{
    domain::{
        decision::{Decision, DecisionStatus},
        membership::{Membership, UncheckedMembership},
    },
    entities::{
        decision::{ActiveModel, Entity},
        meeting, membership,
    },
    error::{ApiError, ApiResult, FieldError},
    store::{Action, Actor, Precondition, memberships, write_next},
};

/// Marks the adopted decisions that `d` supersedes or revokes (422 for an unknown one, 409 for
/// one that no longer stands).
pub(super) async fn replace_earlier(
    txn: &DatabaseTransaction,
    actor: &Actor,
    d: &Decision,
) -> ApiResult<()> {
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
                old.reference, old.status
            )));
        }
        let next = ActiveModel {
            id: Set(old.id),
            status: Set(status),
            ..Default::default()
        };
        write_next(txn, actor, &old, next, Action::Update, &Precondition::None).await?;
    }
    Ok(())
}

/// Ends the seats an election names (the day before `decided_on`) and fills the seats it
/// elects, each membership naming decision `id`.
pub(super) async fn change_seats(
    txn: &DatabaseTransaction,
    actor: &Actor,
    d: &Decision,
    id: Uuid,
    meeting: &meeting::Model,
    decided_on: NaiveDate,
) -> ApiResult<()> {
    for (i, ended) in d.ends_membership_ids.iter().enumerate() {
        let field = || format!("ends_membership_ids[{i}]");
        let seat = match membership::Entity::find_by_id(*ended).one(txn).await? {
            Some(seat) if seat.group_id == meeting.group_id => seat,
            Some(_) => return Err(ApiError::field(field(), "is a seat in another group")),
            None => return Err(ApiError::field(field(), "no membership has this id")),
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
            start_date: elected.start_date.map_or(decided_on, NaiveDate::from),
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
                    .map(|f| FieldError::new(format!("elects[{i}].{}", f.field), f.message))
                    .collect(),
            ),
            other => other,
        })?;
        memberships::insert_elected(txn, actor, seat, id).await?;
    }
    Ok(())
}
