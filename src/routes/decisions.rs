//! Decisions and assignments: the record municipalities pull, and the follow-up loop.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    API_BASE, AppState, present,
    responses::{CreateErrors, ListErrors, ReadErrors, UpdateErrors},
};
use crate::{
    auth::{AdminOrSecretary, Authorized, Caller},
    domain::decision::{
        Assignee, Decision, DecisionKind, DecisionStatus, Elected, FollowUpStatus,
        UncheckedDecision,
    },
    entities::decision::Model,
    error::{ApiError, ApiResult, FieldError},
    extract::{IdempotencyKey, JsonBody, Query},
    pagination::{Page, PageRequest, query_timestamp},
    routes::kit::page as page_response,
    routes::kit::{created, read as record_response, stored_response, updated as updated_response},
    store::Precondition,
    store::{
        Actor,
        decisions::{self as store, DecisionChange, DecisionFilter, RecordChange, is_overdue},
        idempotency, meetings, today,
    },
};

/// A decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Stable reference, e.g. "SG 2021-11-05 §6".
    #[schema(example = "SG 2021-11-05 §6")]
    pub reference: String,
    /// The meeting.
    pub meeting_id: Uuid,
    /// The agenda item.
    pub agenda_item_id: Uuid,
    /// Title.
    pub title: String,
    /// The wording.
    pub text: String,
    /// Kind.
    pub kind: DecisionKind,
    /// The meeting date.
    pub decided_on: NaiveDate,
    /// Adopted, superseded or revoked.
    pub status: DecisionStatus,
    /// The decision this one replaces.
    pub supersedes_id: Option<Uuid>,
    /// The decision this one revokes.
    pub revokes_id: Option<Uuid>,
    /// Organisations it concerns; empty means every party.
    pub concerns: Vec<Uuid>,
    /// Visible to everyone.
    pub public: bool,
    /// Who is to act (assignments).
    pub assignees: Vec<Assignee>,
    /// Due date (assignments).
    pub due_date: Option<NaiveDate>,
    /// The meeting to report to (assignments).
    pub report_to_meeting_id: Option<Uuid>,
    /// Follow-up (assignments).
    pub follow_up_status: Option<FollowUpStatus>,
    /// The decision in which it was reported.
    pub reported_in_decision_id: Option<Uuid>,
    /// An open assignment past its due date (computed, never stored).
    pub overdue: bool,
    /// Amount in SEK (funding).
    pub amount_sek: Option<i64>,
    /// Funded period start (funding).
    pub period_start: Option<NaiveDate>,
    /// Funded period end (funding).
    pub period_end: Option<NaiveDate>,
    /// Funders (funding).
    pub funders: Vec<Uuid>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
}

impl From<Model> for DecisionView {
    fn from(row: Model) -> Self {
        let overdue = is_overdue(&row, today());
        Self {
            id: row.id,
            reference: row.reference,
            meeting_id: row.meeting_id,
            agenda_item_id: row.agenda_item_id,
            title: row.title,
            text: row.text,
            kind: row.kind,
            decided_on: row.decided_on,
            status: row.status,
            supersedes_id: row.supersedes_id,
            revokes_id: row.revokes_id,
            concerns: serde_json::from_value(row.concerns).unwrap_or_default(),
            public: row.public,
            assignees: serde_json::from_value(row.assignees).unwrap_or_default(),
            due_date: row.due_date,
            report_to_meeting_id: row.report_to_meeting_id,
            follow_up_status: row.follow_up_status,
            reported_in_decision_id: row.reported_in_decision_id,
            overdue,
            amount_sek: row.amount_sek,
            period_start: row.period_start,
            period_end: row.period_end,
            funders: serde_json::from_value(row.funders).unwrap_or_default(),
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

fn yes() -> bool {
    true
}

/// A new decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    /// The meeting (not cancelled; its minutes not yet approved).
    pub meeting_id: Uuid,
    /// The agenda item of that meeting.
    pub agenda_item_id: Uuid,
    /// Title, 1–300 characters.
    pub title: String,
    /// The wording.
    #[schema(example = "Styrgruppen beslutar att samfinansiera ytterligare två år, 2022–2023.")]
    pub text: String,
    /// Kind.
    pub kind: DecisionKind,
    /// The adopted decision it replaces (marked superseded in the same transaction).
    #[serde(default)]
    pub supersedes_id: Option<Uuid>,
    /// The adopted decision it revokes (marked revoked in the same transaction).
    #[serde(default)]
    pub revokes_id: Option<Uuid>,
    /// Organisations it concerns; empty (default) means every party.
    #[serde(default)]
    pub concerns: Vec<Uuid>,
    /// Visible to everyone (default true).
    #[serde(default = "yes")]
    pub public: bool,
    /// Who is to act: organisations, groups or members.
    #[serde(default)]
    pub assignees: Vec<Assignee>,
    /// Due date (assignments need it or `report_to_meeting_id`).
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// The meeting to report to.
    #[serde(default)]
    pub report_to_meeting_id: Option<Uuid>,
    /// Follow-up status (assignments; default `open`).
    #[serde(default)]
    pub follow_up_status: Option<FollowUpStatus>,
    /// Amount in SEK (funding).
    #[serde(default)]
    pub amount_sek: Option<i64>,
    /// Funded period start (funding).
    #[serde(default)]
    pub period_start: Option<NaiveDate>,
    /// Funded period end (funding).
    #[serde(default)]
    pub period_end: Option<NaiveDate>,
    /// Funders (funding).
    #[serde(default)]
    pub funders: Vec<Uuid>,
    /// Seats an election fills (memberships created in the same transaction).
    #[serde(default)]
    pub elects: Vec<Elected>,
    /// Memberships an election ends (they end the day before the decision).
    #[serde(default)]
    pub ends_membership_ids: Vec<Uuid>,
}

impl From<NewDecision> for UncheckedDecision {
    fn from(n: NewDecision) -> Self {
        Self {
            meeting_id: n.meeting_id,
            agenda_item_id: n.agenda_item_id,
            title: n.title,
            text: n.text,
            kind: n.kind,
            supersedes_id: n.supersedes_id,
            revokes_id: n.revokes_id,
            concerns: n.concerns,
            public: n.public,
            assignees: n.assignees,
            due_date: n.due_date,
            report_to_meeting_id: n.report_to_meeting_id,
            follow_up_status: n.follow_up_status,
            reported_in_decision_id: None,
            amount_sek: n.amount_sek,
            period_start: n.period_start,
            period_end: n.period_end,
            funders: n.funders,
            elects: n.elects,
            ends_membership_ids: n.ends_membership_ids,
        }
    }
}

/// Changes to a decision. Once the meeting's minutes are approved only the follow-up fields
/// change; everything else is corrected by a new decision that supersedes this one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionPatch {
    /// Title.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub title: Option<Option<String>>,
    /// Wording.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub text: Option<Option<String>>,
    /// Concerned organisations (replaces the list).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Uuid>)]
    pub concerns: Option<Option<Vec<Uuid>>>,
    /// Public.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub public: Option<Option<bool>>,
    /// Due date.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_date: Option<Option<NaiveDate>>,
    /// The meeting to report to.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub report_to_meeting_id: Option<Option<Uuid>>,
    /// Follow-up status (also after approval).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = FollowUpStatus)]
    pub follow_up_status: Option<Option<FollowUpStatus>>,
    /// The decision in which it was reported (also after approval).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub reported_in_decision_id: Option<Option<Uuid>>,
}

impl DecisionPatch {
    fn into_change(self) -> ApiResult<DecisionChange> {
        let mut errors = Vec::new();
        let mut required = |field: &str, present: bool| {
            if present {
                errors.push(FieldError::new(field, "must not be null"));
            }
        };
        required("title", matches!(self.title, Some(None)));
        required("text", matches!(self.text, Some(None)));
        required("concerns", matches!(self.concerns, Some(None)));
        required("public", matches!(self.public, Some(None)));
        required(
            "follow_up_status",
            matches!(self.follow_up_status, Some(None)),
        );
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let record = RecordChange {
            title: self.title.flatten(),
            text: self.text.flatten(),
            concerns: self.concerns.flatten(),
            public: self.public.flatten(),
            due_date: self.due_date,
            report_to_meeting_id: self.report_to_meeting_id,
        };
        let touches_record = record.title.is_some()
            || record.text.is_some()
            || record.concerns.is_some()
            || record.public.is_some()
            || record.due_date.is_some()
            || record.report_to_meeting_id.is_some();
        Ok(DecisionChange {
            record: touches_record.then_some(record),
            follow_up_status: self.follow_up_status.flatten(),
            reported_in_decision_id: self.reported_in_decision_id,
        })
    }
}

/// The current decision with `change` applied, checked.
fn merged(current: &Model, change: &DecisionChange) -> ApiResult<Decision> {
    let view = DecisionView::from(current.clone());
    let record = change.record.clone().unwrap_or_default();
    let d = UncheckedDecision {
        meeting_id: view.meeting_id,
        agenda_item_id: view.agenda_item_id,
        title: record.title.unwrap_or(view.title),
        text: record.text.unwrap_or(view.text),
        kind: view.kind,
        supersedes_id: None,
        revokes_id: None,
        concerns: record.concerns.unwrap_or(view.concerns),
        public: record.public.unwrap_or(view.public),
        assignees: view.assignees,
        due_date: record.due_date.unwrap_or(view.due_date),
        report_to_meeting_id: record
            .report_to_meeting_id
            .unwrap_or(view.report_to_meeting_id),
        follow_up_status: change.follow_up_status.or(view.follow_up_status),
        reported_in_decision_id: change
            .reported_in_decision_id
            .unwrap_or(view.reported_in_decision_id),
        amount_sek: view.amount_sek,
        period_start: view.period_start,
        period_end: view.period_end,
        funders: view.funders,
        elects: Vec::new(),
        ends_membership_ids: Vec::new(),
    };
    d.check()
}

/// Filters and paging of the decision list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DecisionQuery {
    /// Taken at this meeting.
    pub meeting_id: Option<Uuid>,
    /// Taken by this group.
    pub group_id: Option<Uuid>,
    /// Of this kind.
    pub kind: Option<DecisionKind>,
    /// In this status.
    pub status: Option<DecisionStatus>,
    /// Concerning this organisation (or every party).
    pub concerns: Option<Uuid>,
    /// Assignments in this follow-up status.
    pub follow_up_status: Option<FollowUpStatus>,
    /// Assignments given to this organisation, group or member.
    pub assignee_id: Option<Uuid>,
    /// Assignments due before this date.
    #[param(value_type = Option<String>, format = Date)]
    pub due_before: Option<NaiveDate>,
    /// Only open assignments past (true) or not past (false) their due date.
    pub overdue: Option<bool>,
    /// Decided on or after this date.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Decided on or before this date.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only decisions changed at or after this time (RFC 3339): how a municipality pulls what
    /// changed since its last pull.
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<DateTime<Utc>>,
}

fn filter_of(q: &DecisionQuery, caller: &Caller) -> DecisionFilter {
    DecisionFilter {
        meeting_id: q.meeting_id,
        group_id: q.group_id,
        kind: q.kind,
        status: q.status,
        concerns: q.concerns,
        follow_up_status: q.follow_up_status,
        assignee_id: q.assignee_id,
        due_before: q.due_before,
        overdue: q.overdue,
        from: q.from,
        to: q.to,
        assignments_only: false,
        public_only: !caller.sees_unpublished(),
    }
}

/// List decisions (public ones unless the caller is admin, secretary or member).
#[utoipa::path(
    tag = "decisions",
    params(DecisionQuery),
    responses(
        (status = 200, body = Page<DecisionView>,
         headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page"))),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/decisions")]
pub async fn list(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<DecisionQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref(), query.updated_since)?;
    let (rows, next_cursor) = store::list(&state.db, &filter_of(&query, &caller), &page).await?;
    let items = rows.into_iter().map(DecisionView::from).collect();
    Ok(page_response(&req, Page { items, next_cursor }))
}

/// Record a decision (admin, secretary). Superseding or revoking marks the older decision in
/// the same transaction; an election fills and ends the seats it names.
#[utoipa::path(
    tag = "decisions",
    params(("Idempotency-Key" = Option<String>, Header,
            description = "Makes a retried POST answer from the first attempt (keys live 24 h)")),
    request_body = NewDecision,
    responses(
        (status = 201, body = DecisionView, headers(("ETag" = String), ("Location" = String))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/decisions")]
pub async fn create(
    req: HttpRequest,
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    JsonBody(body, digest): JsonBody<NewDecision>,
) -> ApiResult<HttpResponse> {
    let decision = UncheckedDecision::from(body).check()?;
    let actor = Actor::from(&user.0);
    let idempotent = key.for_request(&req, &digest);
    let (response, replayed) = idempotency::create_once(
        &state.db,
        &actor,
        idempotent.as_ref(),
        async |txn| store::insert(txn, &actor, decision).await,
        |row| {
            let location = format!("{API_BASE}/decisions/{}", row.id);
            created(location, row.version, &DecisionView::from(row.clone()))
        },
    )
    .await?;
    Ok(stored_response(response, replayed))
}

/// Read a decision.
#[utoipa::path(
    tag = "decisions",
    params(("id" = Uuid, Path, description = "Decision id")),
    responses((status = 200, body = DecisionView, headers(("ETag" = String))), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/decisions/{id}")]
pub async fn get(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner(), caller.sees_unpublished()).await?;
    Ok(record_response(&req, row.version, &DecisionView::from(row)))
}

/// Change a decision (admin, secretary). Once its meeting's minutes are approved only the
/// follow-up fields change (409 otherwise, problem type `locked`).
#[utoipa::path(
    tag = "decisions",
    params(
        ("id" = Uuid, Path, description = "Decision id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")
    ),
    request_body = DecisionPatch,
    responses((status = 200, body = DecisionView, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/decisions/{id}")]
pub async fn update(
    user: Authorized<AdminOrSecretary>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: Precondition,
    JsonBody(patch, _): JsonBody<DecisionPatch>,
) -> ApiResult<HttpResponse> {
    let change = patch.into_change()?;
    let actor = Actor::from(&user.0);
    let row = store::update(
        &state.db,
        &actor,
        id.into_inner(),
        &if_match,
        change,
        merged,
    )
    .await?;
    Ok(updated_response(row.version, &DecisionView::from(row)))
}

/// What must be reported at a meeting: every assignment due to report there, or due on or
/// before its date and still open, with its assignees and origin decision.
#[utoipa::path(
    tag = "decisions",
    params(("id" = Uuid, Path, description = "Meeting id")),
    responses((status = 200, body = Page<DecisionView>), ReadErrors),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}/follow-ups")]
pub async fn follow_ups(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let all = caller.sees_unpublished();
    let meeting = meetings::get(&state.db, id.into_inner(), all).await?;
    let rows = store::follow_ups(&state.db, &meeting, all).await?;
    let items: Vec<DecisionView> = rows.into_iter().map(DecisionView::from).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// Filters of the assignment overview.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Follow-up status, e.g. `open`.
    pub status: Option<FollowUpStatus>,
    /// Only past (true) or not past (false) their due date.
    pub overdue: Option<bool>,
    /// Given to this organisation, group or member.
    pub assignee_id: Option<Uuid>,
    /// `assignee`: one group per assignee instead of a page (at most 1000 assignments).
    pub group_by: Option<GroupBy>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
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

/// The assignment overview grouped by assignee.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentGroups {
    /// One group per assignee, by name.
    pub groups: Vec<AssigneeGroup>,
}

/// Most assignments a grouped overview holds.
const GROUPED_LIMIT: u64 = 1000;

/// The assignments across the collaboration (decisions with assignees), e.g.
/// `?status=open&overdue=true` for the work that is late; `group_by=assignee` groups them.
#[utoipa::path(
    tag = "decisions",
    params(AssignmentQuery),
    responses(
        (status = 200, description = "A page of assignments, or (with `group_by`) the groups",
         content((Page<DecisionView>), (AssignmentGroups))),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/assignments")]
pub async fn assignments(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<AssignmentQuery>,
) -> ApiResult<HttpResponse> {
    let page = match query.group_by {
        Some(_) => PageRequest::new(Some(200), None, None)?.with_limit(GROUPED_LIMIT),
        None => PageRequest::new(query.limit, query.cursor.as_deref(), None)?,
    };
    let filter = DecisionFilter {
        follow_up_status: query.status,
        overdue: query.overdue,
        assignee_id: query.assignee_id,
        status: Some(DecisionStatus::Adopted),
        assignments_only: true,
        public_only: !caller.sees_unpublished(),
        ..Default::default()
    };
    let (rows, next_cursor) = store::list(&state.db, &filter, &page).await?;
    let items: Vec<DecisionView> = rows.into_iter().map(DecisionView::from).collect();
    if query.group_by.is_some() {
        return Ok(HttpResponse::Ok().json(group_by_assignee(&state, items).await?));
    }
    Ok(page_response(&req, Page { items, next_cursor }))
}

async fn group_by_assignee(
    state: &AppState,
    items: Vec<DecisionView>,
) -> ApiResult<AssignmentGroups> {
    use std::collections::BTreeMap;
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
    let mut names: std::collections::HashMap<Uuid, String> =
        crate::store::organisations::get_many(&state.db, ids.clone())
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
    names.extend(
        crate::store::members::get_many(&state.db, ids)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name)),
    );
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
    Ok(AssignmentGroups { groups })
}

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(follow_ups)
        .service(assignments)
        .service(list)
        .service(create)
        .service(get)
        .service(update);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    let _ = schemas;
}
