//! The progress of an action plan: where each activity stands (its latest progress report,
//! or the plan's own status), rolled up per goal, section and plan (weighted), the overdue
//! ones, and for each goal the latest values of its indicators against baseline and target.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::Caller,
    domain::action_plan::{ActivityStatus, Tally},
    error::{ApiError, ApiResult},
    extract::Query,
    routes::{AppState, responses::ReadErrors},
    store::{action_plans as store, indicator_summary::Summary, today},
};

/// Which revision to follow.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// The revision (default: the one in force today; drafts only for admin, secretary and
    /// member).
    pub revision: Option<i32>,
}

/// An activity and where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityStanding {
    /// The activity's key.
    pub key: String,
    /// Its goal's key.
    pub goal_key: String,
    /// What is to be done.
    pub text: String,
    /// When it was due.
    pub due: Option<String>,
    /// Where it stands: its latest progress report, or the plan's own status.
    pub status: ActivityStatus,
    /// Per cent done.
    pub progress: i32,
    /// Its weight in the roll-ups.
    pub weight: u32,
    /// The day its latest progress report describes (null before any report).
    pub progress_on: Option<NaiveDate>,
    /// Due before today and neither done nor cancelled.
    pub overdue: bool,
}

/// A section's progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionProgress {
    /// The section's key.
    pub key: String,
    /// Its heading.
    pub title: String,
    /// Its activities by status.
    pub activities_by_status: BTreeMap<String, usize>,
    /// The weighted mean progress of its activities other than the cancelled (null without
    /// any).
    pub mean_progress: Option<f64>,
}

/// One goal: its activities and the indicators they are meant to move.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalProgress {
    /// The goal's key.
    pub key: String,
    /// The goal.
    pub title: String,
    /// Its section's key.
    pub section_key: String,
    /// Its activities by status (`planned`, `ongoing`, `done`, `cancelled`).
    pub activities_by_status: BTreeMap<String, usize>,
    /// The weighted mean progress of its activities other than the cancelled (null without
    /// any).
    pub mean_progress: Option<f64>,
    /// Its activities, in plan order, where each stands.
    pub activities: Vec<ActivityStanding>,
    /// Each indicator linked from its activities: the latest yearly values with baseline,
    /// change and target per organisation, and the county figure.
    pub indicators: Vec<Summary>,
}

/// The progress of a plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanProgress {
    /// The plan.
    pub action_plan_id: Uuid,
    /// The revision followed.
    pub revision: i32,
    /// The decision that approved it (null for a draft).
    pub decision_id: Option<Uuid>,
    /// The day it was approved.
    pub approved_on: Option<NaiveDate>,
    /// The day overdue is counted against.
    pub today: NaiveDate,
    /// All activities by status.
    pub activities_by_status: BTreeMap<String, usize>,
    /// The plan's overall progress: the weighted mean of its activities other than the
    /// cancelled (null without any).
    pub mean_progress: Option<f64>,
    /// Activities due before today and neither done nor cancelled.
    pub overdue: Vec<ActivityStanding>,
    /// Per section, in plan order.
    pub sections: Vec<SectionProgress>,
    /// Per goal, in plan order.
    pub goals: Vec<GoalProgress>,
}

/// The plan's progress: where each activity stands (its latest progress report, else the
/// plan's own status), rolled up per goal, section and plan as means weighted by each
/// activity's `weight` (cancelled activities left out), the overdue activities, and for each
/// goal the latest values of its activities' indicators against baseline and target. Follows
/// the revision in force today (404 when none is) or `?revision=`.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "get_plan_progress",
    params(("id" = Uuid, Path, description = "Action plan id"), ProgressQuery),
    responses(
        (status = 200, description = "The plan's progress along the revision followed",
         body = PlanProgress),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/progress")]
pub async fn get_plan_progress(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<ProgressQuery>,
) -> ApiResult<HttpResponse> {
    let plan = store::get(&state.db, id.into_inner()).await?;
    let today = today();
    let row = match query.revision {
        Some(n) => store::get_revision(&state.db, plan.id, n, caller.sees_unpublished()).await?,
        None => store::in_force(&state.db, plan.id, today)
            .await?
            .ok_or(ApiError::NotFound)?,
    };
    let latest = store::progress::latest(&state.db, plan.id).await?;
    let mut all = Tally::default();
    let mut overdue = Vec::new();
    let mut sections = Vec::new();
    let mut goals = Vec::new();
    let summaries = super::summaries(
        &state.db,
        row.content
            .sections
            .iter()
            .flat_map(|s| &s.goals)
            .flat_map(|g| g.indicator_ids()),
    )
    .await?;
    for section in &row.content.sections {
        let mut section_tally = Tally::default();
        for goal in &section.goals {
            let mut tally = Tally::default();
            let mut activities = Vec::new();
            for a in &goal.activities {
                let standing = super::standing_of(a, &latest);
                tally.add_at(standing.status, standing.percent, a.weight());
                let view = ActivityStanding {
                    key: a.key.clone(),
                    goal_key: goal.key.clone(),
                    text: a.text.clone(),
                    due: a.due.clone(),
                    overdue: a.is_overdue_at(standing.status, today),
                    status: standing.status,
                    progress: standing.percent,
                    weight: a.weight.unwrap_or(1),
                    progress_on: standing.progress_on,
                };
                if view.overdue {
                    overdue.push(view.clone());
                }
                activities.push(view);
            }
            section_tally.merge(&tally);
            let indicators: Vec<Summary> = goal
                .indicator_ids()
                .iter()
                .filter_map(|i| summaries.get(i).cloned())
                .collect();
            goals.push(GoalProgress {
                key: goal.key.clone(),
                title: goal.title.clone(),
                section_key: section.key.clone(),
                activities_by_status: tally.by_status(),
                mean_progress: tally.mean_progress(),
                activities,
                indicators,
            });
        }
        all.merge(&section_tally);
        sections.push(SectionProgress {
            key: section.key.clone(),
            title: section.title.clone(),
            activities_by_status: section_tally.by_status(),
            mean_progress: section_tally.mean_progress(),
        });
    }
    Ok(HttpResponse::Ok().json(PlanProgress {
        action_plan_id: plan.id,
        revision: row.number,
        decision_id: row.decision_id,
        approved_on: row.approved_on,
        today,
        activities_by_status: all.by_status(),
        mean_progress: all.mean_progress(),
        overdue,
        sections,
        goals,
    }))
}
