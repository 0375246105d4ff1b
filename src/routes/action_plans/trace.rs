//! The trace of a plan, activity by activity: the revisions and decisions that created or
//! changed it, the assignments behind it, its progress timeline, and its indicators' latest
//! values against baseline and target. One request; the reads are batched per kind (the
//! revisions, the decisions, the timeline, one summary per distinct indicator), never per
//! activity.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{activities::ProgressEntry, standing_of};
use crate::{
    auth::Caller,
    domain::{
        action_plan::{ActivityStatus, Change, Content, diff},
        decision::{
            Assignee, DecisionKind, DecisionStatus, FollowUpStatus, is_ongoing, is_overdue,
        },
    },
    entities::{action_plan_revision as revision, decision},
    error::{ApiError, ApiResult},
    routes::{AppState, responses::ReadErrors},
    store::{
        action_plans::{self as store, progress},
        decisions,
        indicator_summary::Summary,
        today,
    },
};

/// Mounts the trace routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(get_plan_trace).service(get_activity_trace);
}

/// A revision that created or changed the activity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionStep {
    /// The revision's number.
    pub revision: i32,
    /// `added` (it first appears here), `changed` or `moved`.
    pub change: Change,
    /// The fields that changed (empty for `added`).
    pub fields: Vec<String>,
    /// The decision that approved the revision.
    pub decision_id: Option<Uuid>,
    /// The day it was approved.
    pub approved_on: Option<NaiveDate>,
}

/// How a decision is linked to the activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TraceLink {
    /// The plan names it among the activity's decisions.
    Named,
    /// It approved a revision that created or changed the activity.
    ApprovedRevision,
}

/// A decision behind the activity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TracedDecision {
    /// The decision.
    pub id: Uuid,
    /// Its reference, e.g. "SG 2021-11-05 §6".
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Its kind.
    pub kind: DecisionKind,
    /// The meeting date.
    pub decided_on: NaiveDate,
    /// Adopted, superseded or revoked.
    pub status: DecisionStatus,
    /// How it is linked (both, when named and approving).
    pub links: Vec<TraceLink>,
}

/// An assignment behind the activity (a linked decision that gives one).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TracedAssignment {
    /// The decision.
    pub id: Uuid,
    /// Its reference.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Who is to act.
    pub assignees: Vec<Assignee>,
    /// Where its follow-up is.
    pub follow_up_status: Option<FollowUpStatus>,
    /// Its due date.
    pub due_date: Option<NaiveDate>,
    /// An open assignment past its due date (the one rule of the assignment lists).
    pub overdue: bool,
    /// Open with no date and nothing to report to ("löpande").
    pub ongoing: bool,
}

/// One activity's trace.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityTrace {
    /// The activity's key.
    pub key: String,
    /// Its section's key.
    pub section_key: String,
    /// Its goal's key.
    pub goal_key: String,
    /// What is to be done.
    pub text: String,
    /// Where it stands (its latest progress report, or the plan's own status).
    pub status: ActivityStatus,
    /// Per cent done.
    pub progress: i32,
    /// Due before today and neither done nor cancelled.
    pub overdue: bool,
    /// The settled revisions that created or changed it, oldest first.
    pub revisions: Vec<RevisionStep>,
    /// The decisions behind it that the caller may see, in the order of the minutes.
    pub decisions: Vec<TracedDecision>,
    /// The assignments among them.
    pub assignments: Vec<TracedAssignment>,
    /// Its progress reports, oldest first.
    pub progress_timeline: Vec<ProgressEntry>,
    /// Its indicators: the latest values with baseline, change and target.
    pub indicators: Vec<Summary>,
}

/// A plan's trace.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanTrace {
    /// The plan.
    pub action_plan_id: Uuid,
    /// The revision in force, whose activities are traced.
    pub revision: i32,
    /// The day overdue is counted against.
    pub today: NaiveDate,
    /// Every activity, in plan order.
    pub activities: Vec<ActivityTrace>,
}

/// The revision steps of every activity key across `settled` (oldest first).
fn steps(settled: &[revision::Model]) -> HashMap<String, Vec<RevisionStep>> {
    let mut out: HashMap<String, Vec<RevisionStep>> = HashMap::new();
    let empty = Content::default();
    let mut previous = &empty;
    for rev in settled {
        for part in diff(previous, &rev.content.0).activities {
            if matches!(part.change, Change::Added | Change::Changed | Change::Moved) {
                out.entry(part.key).or_default().push(RevisionStep {
                    revision: rev.number,
                    change: part.change,
                    fields: part.fields.into_iter().map(|f| f.field).collect(),
                    decision_id: rev.decision_id,
                    approved_on: rev.approved_on,
                });
            }
        }
        previous = &rev.content.0;
    }
    out
}

/// The trace of the plan's revision in force, or of its activity `only`.
async fn trace(
    state: &AppState,
    caller: &Caller,
    plan_id: Uuid,
    only: Option<&str>,
) -> ApiResult<PlanTrace> {
    let db = &state.db;
    store::get(db, plan_id).await?;
    let rev = progress::followed(db, plan_id)
        .await
        .map_err(|_| ApiError::NotFound)?;
    let content = &rev.content.0;
    let settled = store::settled_up_to(db, plan_id, rev.number).await?;
    let mut steps = steps(&settled);
    let latest = progress::latest(db, plan_id).await?;
    let mut timelines: HashMap<String, Vec<ProgressEntry>> = HashMap::new();
    for row in progress::timeline(db, plan_id, only).await? {
        timelines
            .entry(row.activity_key.clone())
            .or_default()
            .push(ProgressEntry::from(row));
    }
    let mut placed = Vec::new();
    for section in &content.sections {
        for goal in &section.goals {
            for activity in &goal.activities {
                if only.is_none_or(|k| k == activity.key) {
                    placed.push((section.key.clone(), goal.key.clone(), activity));
                }
            }
        }
    }
    if placed.is_empty() && only.is_some() {
        return Err(ApiError::NotFound);
    }
    // Every decision named or approving, fetched at once (only those the caller may see).
    let mut wanted: BTreeSet<Uuid> = BTreeSet::new();
    for (_, _, a) in &placed {
        wanted.extend(a.decision_ids.iter().copied());
        let own = steps.get(&a.key).into_iter().flatten();
        wanted.extend(own.filter_map(|s| s.decision_id));
    }
    let seen: HashMap<Uuid, decision::Model> =
        decisions::get_many(db, wanted.into_iter().collect(), caller.sees_unpublished())
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect();
    let summaries = super::summaries(
        db,
        placed
            .iter()
            .flat_map(|(_, _, a)| a.indicator_ids.iter().copied()),
    )
    .await?;
    let day = today();
    let mut activities = Vec::with_capacity(placed.len());
    for (section_key, goal_key, a) in placed {
        let revisions = steps.remove(&a.key).unwrap_or_default();
        let mut links: BTreeMap<Uuid, BTreeSet<TraceLink>> = BTreeMap::new();
        for id in &a.decision_ids {
            links.entry(*id).or_default().insert(TraceLink::Named);
        }
        for id in revisions.iter().filter_map(|s| s.decision_id) {
            links
                .entry(id)
                .or_default()
                .insert(TraceLink::ApprovedRevision);
        }
        let mut linked: Vec<&decision::Model> =
            links.keys().filter_map(|id| seen.get(id)).collect();
        linked.sort_by_key(|d| (d.minutes_order, d.id));
        let standing = standing_of(a, &latest);
        activities.push(ActivityTrace {
            key: a.key.clone(),
            section_key,
            goal_key,
            text: a.text.clone(),
            status: standing.status,
            progress: standing.percent,
            overdue: a.is_overdue_at(standing.status, day),
            revisions,
            decisions: linked
                .iter()
                .map(|d| TracedDecision {
                    id: d.id,
                    reference: d.reference.clone(),
                    title: d.title.clone(),
                    kind: d.kind,
                    decided_on: d.decided_on,
                    status: d.status,
                    links: links
                        .get(&d.id)
                        .map(|l| l.iter().copied().collect())
                        .unwrap_or_default(),
                })
                .collect(),
            assignments: linked
                .iter()
                .filter(|d| d.follow_up_status.is_some())
                .map(|d| TracedAssignment {
                    id: d.id,
                    reference: d.reference.clone(),
                    title: d.title.clone(),
                    assignees: d.assignees.0.clone(),
                    follow_up_status: d.follow_up_status,
                    due_date: d.due_date,
                    overdue: is_overdue(d.status, d.follow_up_status, d.due_date, day),
                    ongoing: is_ongoing(
                        d.follow_up_status,
                        d.due_date,
                        [
                            d.report_to_meeting_id,
                            d.report_to_member_id,
                            d.report_to_group_id,
                        ],
                    ),
                })
                .collect(),
            progress_timeline: timelines.remove(&a.key).unwrap_or_default(),
            indicators: a
                .indicator_ids
                .iter()
                .filter_map(|i| summaries.get(i).cloned())
                .collect(),
        });
    }
    Ok(PlanTrace {
        action_plan_id: plan_id,
        revision: rev.number,
        today: day,
        activities,
    })
}

/// The plan's trace: for each activity of the revision in force, the settled revisions that
/// created or changed it (with their approving decisions), the decisions and assignments
/// behind it, its progress timeline, and its indicators' latest values against baseline and
/// target. Decisions the caller may not see are left out. 404 when the plan has no revision in
/// force.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "get_plan_trace",
    params(("id" = Uuid, Path, description = "Action plan id")),
    responses(
        (status = 200, description = "Every activity's trace, in plan order", body = PlanTrace),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/trace")]
pub async fn get_plan_trace(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let body = trace(&state, &caller, id.into_inner(), None).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// One activity's trace (as in the plan's trace). 404 when the plan has no revision in force
/// or it has no activity with this key.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "get_activity_trace",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("key" = String, Path, description = "The activity's key", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
    ),
    responses(
        (status = 200, description = "The activity's trace", body = ActivityTrace),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/activities/{key}/trace")]
pub async fn get_activity_trace(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<HttpResponse> {
    let (plan_id, key) = path.into_inner();
    let mut body = trace(&state, &caller, plan_id, Some(&key)).await?;
    let activity = body.activities.pop().ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(activity))
}
