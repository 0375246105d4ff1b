//! Consultation responses (remissvar) to a revision sent out for consultation.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use super::revisions::get_revision;
use crate::{
    domain::action_plan::RevisionStatus,
    entities::{consultation_response as response, organisation},
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::{Actor, now, record_creation},
};

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

/// One page of the responses to a revision, in the order they were recorded (by change time
/// with `updated_since`).
pub async fn list_responses<C: ConnectionTrait>(
    db: &C,
    revision_id: Uuid,
    page: &PageRequest,
) -> ApiResult<(Vec<response::Model>, Option<String>)> {
    let select = response::Entity::find().filter(response::Column::RevisionId.eq(revision_id));
    let rows = page
        .apply(select, response::Column::Id, response::Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish(rows, |row| (row.updated_at, row.id)))
}

/// Records a response to revision `number` (404 when the plan has no such revision), which
/// must have been sent out for consultation (409).
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
