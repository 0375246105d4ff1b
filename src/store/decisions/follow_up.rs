//! The follow-up loop: what must be reported at a meeting, who an assignment is given to, and
//! the names of assignees for the grouped overview.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Condition, Query},
};
use uuid::Uuid;

use super::list::publicly_visible;
use crate::{
    domain::decision::{AssigneeKind, DecisionStatus, FollowUpStatus},
    entities::{
        decision::{Column, Entity, Model},
        meeting,
    },
    error::ApiResult,
    pagination::PageRequest,
    store::{json_holds, meetings, members, organisations},
};

/// One page of the assignments to report at `meeting`, or (from the same group's meetings)
/// still open and either due on or before its date or ongoing (no due date and nothing to
/// report to, taken before it); in list order (by change with `updated_since`).
pub async fn follow_ups<C: ConnectionTrait>(
    db: &C,
    meeting: &meeting::Model,
    sees_all: bool,
    page: &PageRequest,
) -> ApiResult<(Vec<Model>, Option<String>)> {
    let date = meetings::meeting_date(meeting);
    let same_group = Query::select()
        .column(meeting::Column::Id)
        .from(meeting::Entity)
        .and_where(meeting::Column::GroupId.eq(meeting.group_id))
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
                        .add(Column::MeetingId.in_subquery(same_group.clone())),
                )
                .add(
                    Condition::all()
                        .add(Column::FollowUpStatus.eq(FollowUpStatus::Open))
                        .add(Column::DueDate.is_null())
                        .add(Column::ReportToMeetingId.is_null())
                        .add(Column::ReportToMemberId.is_null())
                        .add(Column::ReportToGroupId.is_null())
                        .add(Column::DecidedOn.lt(date))
                        .add(Column::MeetingId.in_subquery(same_group)),
                ),
        );
    if !sees_all {
        select = select.filter(publicly_visible());
    }
    let rows = page
        .apply(select, Column::Id, Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish(rows, |row| (row.updated_at, row.id)))
}

/// Decisions that give an assignment to member `id`.
pub async fn assigned_to<C: ConnectionTrait>(db: &C, id: Uuid) -> ApiResult<Vec<Model>> {
    let rows = Entity::find()
        .filter(json_holds(Column::Assignees, id))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|d| {
            d.assignees
                .iter()
                .any(|a| a.kind == AssigneeKind::Member && a.id == id)
        })
        .collect())
}

/// The names of the organisations and members with these ids.
pub async fn assignee_names<C: ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
) -> ApiResult<HashMap<Uuid, String>> {
    let mut names: HashMap<Uuid, String> = organisations::get_many(db, ids.clone())
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    names.extend(
        members::get_many(db, ids)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name)),
    );
    Ok(names)
}
