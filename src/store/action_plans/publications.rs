//! Publications: where an approved revision was published, kept in the revision's own
//! `publications` column.

use sea_orm::{DatabaseTransaction, Set};
use uuid::Uuid;

use super::{get, revisions::get_revision};
use crate::{
    domain::action_plan::Publication,
    entities::action_plan_revision as revision,
    error::{ApiError, ApiResult},
    store::{Action, Actor, Precondition, lock_row, write_next},
};

/// Most publications recorded for one revision.
const MAX_PUBLICATIONS: usize = 100;

/// Adds a publication to an approved or superseded revision (404 when the plan has no such
/// revision): the one change such a revision takes (a draft or consultation is a 409; publish
/// what was approved).
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
            current.status
        )));
    }
    let mut list = current
        .publications
        .clone()
        .map(|p| p.0)
        .unwrap_or_default();
    if list.len() >= MAX_PUBLICATIONS {
        return Err(ApiError::field(
            "url",
            format!("at most {MAX_PUBLICATIONS} publications per revision"),
        ));
    }
    list.push(publication);
    let next = revision::ActiveModel {
        id: Set(current.id),
        publications: Set(Some(list.into())),
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
