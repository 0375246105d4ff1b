//! The progress of an action plan: its activities by status and overdue, and for each goal
//! the latest values of its indicators against baseline and target — the trace from the
//! approving decision through the activities to the indicators.

use std::collections::{BTreeMap, btree_map::Entry};

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::Caller,
    domain::action_plan::ActivityStatus,
    error::{ApiError, ApiResult},
    extract::Query,
    routes::{AppState, responses::ReadErrors},
    store::{
        action_plans as store,
        indicator_summary::{PeriodChoice, Summary, summary},
        today,
    },
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

/// An activity past its due date and neither done nor cancelled.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueActivity {
    /// The activity's key.
    pub key: String,
    /// Its goal's key.
    pub goal_key: String,
    /// What is to be done.
    pub text: String,
    /// When it was due.
    pub due: Option<String>,
    /// Where it is.
    pub status: ActivityStatus,
    /// Per cent done.
    pub progress: i32,
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
    /// The mean progress of its activities other than the cancelled (null without any).
    pub mean_progress: Option<f64>,
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
    /// Activities due before today and neither done nor cancelled.
    pub overdue: Vec<OverdueActivity>,
    /// Per goal, in plan order.
    pub goals: Vec<GoalProgress>,
}

fn empty_counts() -> BTreeMap<String, usize> {
    ActivityStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), 0))
        .collect()
}

/// The plan's progress: activities by status and overdue, and for each goal the latest values
/// of its activities' indicators against baseline and target. Follows the revision in force
/// today (404 when none is) or `?revision=`.
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
    let content = &row.content;
    let mut all = empty_counts();
    let mut overdue = Vec::new();
    let mut goals = Vec::new();
    let mut summaries: BTreeMap<Uuid, Summary> = BTreeMap::new();
    for section in &content.sections {
        for goal in &section.goals {
            let mut counts = empty_counts();
            let mut indicator_ids: Vec<Uuid> = Vec::new();
            let mut progress = Vec::new();
            for a in &goal.activities {
                *counts.entry(a.status.as_str().into()).or_default() += 1;
                *all.entry(a.status.as_str().into()).or_default() += 1;
                if a.status != ActivityStatus::Cancelled {
                    progress.push(f64::from(a.progress));
                }
                if a.is_overdue(today) {
                    overdue.push(OverdueActivity {
                        key: a.key.clone(),
                        goal_key: goal.key.clone(),
                        text: a.text.clone(),
                        due: a.due.clone(),
                        status: a.status,
                        progress: a.progress,
                    });
                }
                for i in &a.indicator_ids {
                    if !indicator_ids.contains(i) {
                        indicator_ids.push(*i);
                    }
                }
            }
            let mut indicators = Vec::new();
            for i in indicator_ids {
                if let Entry::Vacant(slot) = summaries.entry(i) {
                    match summary(&state.db, i, PeriodChoice::Latest).await {
                        Ok(s) => {
                            slot.insert(s);
                        }
                        // An indicator removed since: left out.
                        Err(ApiError::NotFound) => continue,
                        Err(e) => return Err(e),
                    }
                }
                indicators.extend(summaries.get(&i).cloned());
            }
            goals.push(GoalProgress {
                key: goal.key.clone(),
                title: goal.title.clone(),
                section_key: section.key.clone(),
                activities_by_status: counts,
                mean_progress: (!progress.is_empty())
                    .then(|| progress.iter().sum::<f64>() / progress.len() as f64),
                indicators,
            });
        }
    }
    Ok(HttpResponse::Ok().json(PlanProgress {
        action_plan_id: plan.id,
        revision: row.number,
        decision_id: row.decision_id,
        approved_on: row.approved_on,
        today,
        activities_by_status: all,
        overdue,
        goals,
    }))
}
