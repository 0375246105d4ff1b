//! The decision list and the decisions of a meeting; a caller who does not see unpublished
//! records sees the decisions [`crate::store::visibility`] makes public.

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Alias, Condition, Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{
    domain::decision::{DecisionKind, DecisionStatus, FollowUpStatus},
    entities::{
        decision::{Column, Entity, Model},
        meeting,
    },
    error::ApiResult,
    pagination::PageRequest,
    store::{json_holds, today},
};

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
    /// Only open assignments past their due date (as of `today`), or only the others.
    pub overdue: Option<bool>,
    /// Decided on or after.
    pub from: Option<NaiveDate>,
    /// Decided on or before.
    pub to: Option<NaiveDate>,
    /// Only decisions that ask someone to act.
    pub assignments_only: bool,
    /// Only public decisions (public themselves, their agenda item and their meeting).
    pub public_only: bool,
}

/// Only decisions that are public (see [`crate::store::visibility`]).
pub(super) fn publicly_visible() -> Condition {
    crate::store::visibility::decisions_condition()
}

/// The SQL form of [`crate::domain::decision::is_overdue`] (or of its negation).
fn overdue(yes: bool) -> Condition {
    let today = today();
    if yes {
        Condition::all()
            .add(Column::FollowUpStatus.eq(FollowUpStatus::Open))
            .add(Column::Status.eq(DecisionStatus::Adopted))
            .add(Column::DueDate.lt(today))
    } else {
        Condition::any()
            .add(Column::FollowUpStatus.is_null())
            .add(Column::FollowUpStatus.ne(FollowUpStatus::Open))
            .add(Column::Status.ne(DecisionStatus::Adopted))
            .add(Column::DueDate.is_null())
            .add(Column::DueDate.gte(today))
    }
}

/// The decisions with these ids that the caller may see, in the order of the minutes.
pub async fn get_many<C: ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
    sees_all: bool,
) -> ApiResult<Vec<Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Entity::find().filter(Column::Id.is_in(ids));
    if !sees_all {
        select = select.filter(publicly_visible());
    }
    Ok(select
        .order_by_asc(Column::MinutesOrder)
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}

/// One page of decisions, in the order of the minutes: meeting start, agenda position, then as
/// taken (by change with `updated_since`).
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
        select = select.filter(
            Column::MeetingId.in_subquery(
                Query::select()
                    .column(meeting::Column::Id)
                    .from(meeting::Entity)
                    .and_where(meeting::Column::GroupId.eq(group))
                    .to_owned(),
            ),
        );
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
    if let Some(yes) = filter.overdue {
        select = select.filter(overdue(yes));
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
        .apply_sorted(
            select,
            Column::Id,
            Column::MinutesOrder,
            Column::UpdatedAt,
            true,
        )?
        .all(db)
        .await?;
    Ok(page.finish_sorted(rows, |row| {
        (row.minutes_order.into(), row.updated_at, row.id)
    }))
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
    Ok(select
        .order_by_asc(Column::MinutesOrder)
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
}
