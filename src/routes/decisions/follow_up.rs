//! The follow-up loop: what a meeting must follow up, and the assignment overview (a page, or
//! the same page grouped by assignee).

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, HttpResponse, body::BoxBody, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{
    IntoParams, IntoResponses, ToSchema,
    openapi::{Ref, RefOr, Response, schema::OneOfBuilder},
};
use uuid::Uuid;

use super::{DecisionView, FollowUpChange};
use crate::{
    auth::Caller,
    domain::decision::{Assignee, DecisionStatus, FollowUpStatus},
    error::{ApiError, ApiResult},
    pagination::Page,
    routes::{
        AppState,
        kit::{self, ListQuery, Listed, PagingParams},
        responses::ReadErrors,
    },
    store::{
        decisions::{self as store, DecisionFilter},
        meetings,
    },
};

/// The follow-up list takes no filters of its own, only the paging parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {}

/// What must be reported at a meeting: every assignment due to report there, or due on or
/// before its date and still open (from the same group's meetings), with its assignees and
/// origin decision.
///
/// A page in creation order; with `updated_since`, those changed since then in the order they
/// changed. 404 for a meeting the caller cannot see.
#[utoipa::path(
    tag = "decisions",
    operation_id = "list_meeting_follow_ups",
    params(("id" = Uuid, Path, description = "Meeting id"), FollowUpQuery, PagingParams),
    responses(Listed<DecisionView>, ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}/follow-ups")]
pub async fn list_meeting_follow_ups(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ListQuery<FollowUpQuery>,
) -> ApiResult<HttpResponse> {
    let all = caller.sees_unpublished();
    let meeting = meetings::get(&state.db, id.into_inner(), all).await?;
    let rows = store::follow_ups(&state.db, &meeting, all, &query.page).await?;
    Ok(kit::page_of(&req, rows, DecisionView::from))
}

/// Filters of the assignment overview.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Follow-up status, e.g. `open`.
    pub status: Option<FollowUpStatus>,
    /// Only open assignments past (true) their due date, or only the others (false).
    pub overdue: Option<bool>,
    /// Given to this organisation, group or member.
    pub assignee_id: Option<Uuid>,
    /// `assignee`: the page's assignments grouped by assignee (`AssignmentGroups`) instead of
    /// the page itself.
    #[param(inline)]
    pub group_by: Option<GroupBy>,
    /// `true`: each assignment with `follow_up_history`, every change of its follow-up status
    /// (who, when, from what, to what, where it was reported).
    pub include_history: Option<bool>,
}

/// How to group the assignment overview.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// One group per assignee.
    Assignee,
}

/// The assignments of one assignee.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssigneeGroup {
    /// The assignee.
    pub assignee: Assignee,
    /// Its name.
    pub name: String,
    /// Its assignments, earliest due first.
    pub items: Vec<DecisionView>,
}

/// One page of the assignment overview, grouped by assignee.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentGroups {
    /// One group per assignee, by name (Swedish order).
    pub groups: Vec<AssigneeGroup>,
    /// Pass as `cursor` for the next page of assignments; null on the last.
    pub next_cursor: Option<String>,
}

/// The responses of the assignment overview: a page of assignments, or with `group_by` the
/// same page grouped (`AssignmentGroups`); either carries `Link: rel="next"`.
pub struct AssignmentsListed;

impl IntoResponses for AssignmentsListed {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut responses = Listed::<DecisionView>::responses();
        if let Some(RefOr::T(ok)) = responses.get_mut("200") {
            ok.description =
                "A page of assignments, or with `group_by` the same page grouped by assignee"
                    .into();
            for content in ok.content.values_mut() {
                if let RefOr::T(content) = content
                    && let Some(page) = content.schema.take()
                {
                    let grouped = Ref::from_schema_name(
                        <AssignmentGroups as utoipa::ToSchema>::name().into_owned(),
                    );
                    content.schema = Some(OneOfBuilder::new().item(page).item(grouped).into());
                }
            }
        }
        responses
    }
}

/// The assignments across the collaboration (adopted decisions with a follow-up), e.g.
/// `?status=open&overdue=true` for the work that is late; `group_by=assignee` groups the page
/// by assignee.
///
/// In the order of the minutes, like decisions; with `updated_since`, those changed since then
/// in the order they changed.
#[utoipa::path(
    tag = "decisions",
    operation_id = "list_assignments",
    params(AssignmentQuery, PagingParams),
    responses(AssignmentsListed),
    security((), ("bearer" = []))
)]
#[get("/assignments")]
pub async fn list_assignments(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<AssignmentQuery>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter: q, page } = query;
    let filter = DecisionFilter {
        follow_up_status: q.status,
        overdue: q.overdue,
        assignee_id: q.assignee_id,
        status: Some(DecisionStatus::Adopted),
        assignments_only: true,
        public_only: !caller.sees_unpublished(),
        ..Default::default()
    };
    let (rows, next_cursor) = store::list(&state.db, &filter, &page).await?;
    let mut items: Vec<DecisionView> = rows.into_iter().map(DecisionView::from).collect();
    if q.include_history == Some(true) {
        with_history(&state, &caller, &mut items).await?;
    }
    let Some(GroupBy::Assignee) = q.group_by else {
        return Ok(kit::page(&req, Page { items, next_cursor }));
    };
    let groups = group_by_assignee(&state, items).await?;
    // The page's `Link` header, with the groups as its body.
    let shell = kit::page(
        &req,
        Page::<DecisionView> {
            items: Vec::new(),
            next_cursor: next_cursor.clone(),
        },
    );
    let body = serde_json::to_string(&AssignmentGroups {
        groups,
        next_cursor,
    })
    .map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(shell.set_body(BoxBody::new(body)))
}

/// Gives each assignment its follow-up history (two queries for the whole page).
async fn with_history(
    state: &AppState,
    caller: &Caller,
    items: &mut [DecisionView],
) -> ApiResult<()> {
    let mut histories = store::histories(&state.db, items.iter().map(|i| i.id).collect()).await?;
    let reported_in: Vec<Uuid> = histories
        .values()
        .flatten()
        .filter_map(|c| c.reported_in_decision_id)
        .collect();
    let meetings = store::meetings_of(&state.db, reported_in, caller.sees_unpublished()).await?;
    for item in items {
        let changes = histories.remove(&item.id).unwrap_or_default();
        item.follow_up_history = Some(
            changes
                .into_iter()
                .map(|c| FollowUpChange {
                    changed_at: c.changed_at,
                    changed_by: c.changed_by,
                    from: c.from_status,
                    to: c.to_status,
                    reported_at_meeting_id: c
                        .reported_in_decision_id
                        .and_then(|d| meetings.get(&d).copied()),
                    reported_in_decision_id: c.reported_in_decision_id,
                })
                .collect(),
        );
    }
    Ok(())
}

/// The assignments of a page, one group per assignee (by name, Swedish order), each group's
/// assignments earliest due first.
async fn group_by_assignee(
    state: &AppState,
    items: Vec<DecisionView>,
) -> ApiResult<Vec<AssigneeGroup>> {
    let mut by: BTreeMap<(u8, Uuid), (Assignee, Vec<DecisionView>)> = BTreeMap::new();
    for item in items {
        for assignee in item.assignees.clone() {
            let key = (assignee.kind as u8, assignee.id);
            by.entry(key)
                .or_insert_with(|| (assignee, Vec::new()))
                .1
                .push(item.clone());
        }
    }
    let ids: Vec<Uuid> = by.keys().map(|(_, id)| *id).collect();
    let names: HashMap<Uuid, String> = store::assignee_names(&state.db, ids).await?;
    let mut groups: Vec<AssigneeGroup> = by
        .into_values()
        .map(|(assignee, mut items)| {
            items.sort_by_key(|d| (d.due_date, d.reference.clone()));
            AssigneeGroup {
                name: names.get(&assignee.id).cloned().unwrap_or_default(),
                assignee,
                items,
            }
        })
        .collect();
    groups.sort_by_cached_key(|g| crate::domain::text::swedish_sort_key(&g.name));
    Ok(groups)
}
