//! The progress of an activity, reported without a new revision: where it stands and its
//! timeline, one report at a time (`PUT`, with `If-Match` on the number of reports) or for
//! many activities at once as CSV, all or nothing.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::standing_of;
use crate::{
    auth::{Caller, Identity, Reporters, Role},
    domain::{
        action_plan::{Activity, ActivityStatus, ProgressReport, Standing},
        text::{FieldErrors, spreadsheet_safe},
        time::Day,
    },
    entities::activity_progress as progress,
    error::{ApiError, ApiResult},
    extract::{JsonBody, Query},
    routes::{
        AppState,
        kit::{
            self, IfMatchHeader, IfNoneMatchHeader, Read, Updated, Write,
            tabular::{self, Columns, CsvBody, CsvQuery, csv_error},
        },
        responses::{BatchErrors, ReadErrors},
    },
    store::{
        Precondition,
        action_plans::{
            self as plans,
            progress::{self as store, NewReport},
        },
        today,
    },
};

/// Mounts the activity progress routes (the CSV paths before the per-activity ones).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(export_progress_csv)
        .service(import_progress_csv)
        .service(get_activity_progress)
        .service(report_activity_progress);
}

/// One report of an activity's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressEntry {
    /// 1 for the first report on the activity, then 2, 3 ...
    pub version: i32,
    /// Where it stood.
    pub status: ActivityStatus,
    /// Per cent done.
    pub percent: i32,
    /// What happened.
    pub note: Option<String>,
    /// The day the report describes.
    pub progress_on: NaiveDate,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Who: the actor id the audit log names.
    pub recorded_by: Option<Uuid>,
}

impl From<progress::Model> for ProgressEntry {
    fn from(row: progress::Model) -> Self {
        Self {
            version: row.sequence,
            status: row.status,
            percent: row.percent,
            note: row.note,
            progress_on: row.progress_on,
            recorded_at: row.recorded_at,
            recorded_by: row.recorded_by,
        }
    }
}

/// Where an activity stands and how it got there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityProgressView {
    /// The plan.
    pub action_plan_id: Uuid,
    /// The activity's key.
    pub activity_key: String,
    /// The revision in force, whose activity this is.
    pub revision: i32,
    /// Where it stands (the plan's own status until the first report).
    pub status: ActivityStatus,
    /// Per cent done.
    pub percent: i32,
    /// The latest report's note.
    pub note: Option<String>,
    /// The day the latest report describes (null before any report).
    pub progress_on: Option<NaiveDate>,
    /// Due before today and neither done nor cancelled.
    pub overdue: bool,
    /// The number of reports; the `ETag` is this number (0 before any report).
    pub version: i32,
    /// Every report, oldest first.
    pub timeline: Vec<ProgressEntry>,
}

fn view(
    plan_id: Uuid,
    revision: i32,
    activity: &Activity,
    timeline: Vec<progress::Model>,
) -> ActivityProgressView {
    let standing = timeline
        .last()
        .map_or_else(|| Standing::planned(activity), store::standing);
    ActivityProgressView {
        action_plan_id: plan_id,
        activity_key: activity.key.clone(),
        revision,
        overdue: activity.is_overdue_at(standing.status, today()),
        status: standing.status,
        percent: standing.percent,
        note: standing.note,
        progress_on: standing.progress_on,
        version: timeline.last().map_or(0, |r| r.sequence),
        timeline: timeline.into_iter().map(ProgressEntry::from).collect(),
    }
}

/// Admins and secretaries report on any activity; a reporter only on those its organisation
/// (the token's `org`) is responsible for.
fn may_report(identity: &Identity, activity: &Activity) -> ApiResult<()> {
    if identity.has(Role::Admin) || identity.has(Role::Secretary) {
        return Ok(());
    }
    match identity.org {
        Some(org) if activity.responsible_ids.contains(&org) => Ok(()),
        _ => Err(ApiError::Forbidden(
            "a reporter reports progress only on the activities its organisation is \
             responsible for"
                .into(),
        )),
    }
}

/// An activity's progress: where it stands and every report, oldest first. 404 when the plan
/// has no revision in force or it has no activity with this key.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "get_activity_progress",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("key" = String, Path, description = "The activity's key", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
        IfNoneMatchHeader
    ),
    responses(Read<ActivityProgressView>),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/activities/{key}/progress")]
pub async fn get_activity_progress(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
) -> ApiResult<HttpResponse> {
    let (plan_id, key) = path.into_inner();
    plans::get(&state.db, plan_id).await?;
    let rev = store::followed(&state.db, plan_id)
        .await
        .map_err(|_| ApiError::NotFound)?;
    let activity = store::activity(&rev.content.0, &key).ok_or(ApiError::NotFound)?;
    let timeline = store::timeline(&state.db, plan_id, Some(&key)).await?;
    let body = view(plan_id, rev.number, activity, timeline);
    Ok(kit::read(&req, body.version, &body))
}

/// Report an activity's progress (admin, secretary, or a reporter whose organisation is
/// responsible for it) without a new revision: the plan's content stays as approved. Each
/// report is kept in the timeline, audited and in the feed (`activity_progress.created`).
///
/// `percent` defaults to where it stood (100 for `done`, which must be 100); `progress_on`
/// to today. `If-Match` names the number of reports (`"0"` before the first). 404 for an
/// activity not in the revision in force, 409 when the plan has none.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "report_activity_progress",
    params(
        ("id" = Uuid, Path, description = "Action plan id"),
        ("key" = String, Path, description = "The activity's key", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
        IfMatchHeader
    ),
    request_body = ProgressReport,
    responses(Updated<ActivityProgressView>),
    security(("bearer" = ["admin", "secretary", "reporter"]))
)]
#[put("/action-plans/{id}/activities/{key}/progress")]
pub async fn report_activity_progress(
    write: Write<Reporters>,
    path: web::Path<(Uuid, String)>,
    JsonBody(body, _): JsonBody<ProgressReport>,
) -> ApiResult<HttpResponse> {
    let (plan_id, key) = path.into_inner();
    let identity = &write.identity;
    store::report(
        &write.db,
        &write.actor,
        plan_id,
        &write.precondition,
        |content, latest| {
            let activity = store::activity(content, &key).ok_or(ApiError::NotFound)?;
            may_report(identity, activity)?;
            let before = standing_of(activity, latest);
            let standing = body.parse(&before, today())?;
            Ok(vec![NewReport {
                key: key.clone(),
                standing,
            }])
        },
    )
    .await?;
    let rev = store::followed(&write.db, plan_id).await?;
    let activity = store::activity(&rev.content.0, &key).ok_or(ApiError::NotFound)?;
    let timeline = store::timeline(&write.db, plan_id, Some(&key)).await?;
    let body = view(plan_id, rev.number, activity, timeline);
    Ok(kit::updated(body.version, &body))
}

/// The columns of the progress CSV, in order.
pub const PROGRESS_CSV_HEADER: [&str; 7] = [
    "activity_key",
    "activity",
    "status",
    "percent",
    "note",
    "progress_on",
    "version",
];

/// Where every activity of the revision in force stands, as CSV.
///
/// UTF-8, one header row (`activity_key,activity,status,percent,note,progress_on,version`), in
/// plan order; `progress_on` is empty before an activity's first report. The import takes the
/// same format. Text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return get a
/// leading `'` (OWASP's rule against CSV injection). 404 when the plan has no revision in force.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "export_progress_csv",
    params(("id" = Uuid, Path, description = "Action plan id"), CsvQuery),
    responses(
        (status = 200, description = "The activities' progress as CSV (UTF-8, header row first)",
         content_type = "text/csv", body = String,
         headers(("Content-Disposition" = String, description = "`inline; filename=\"progress.csv\"`"))),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/action-plans/{id}/progress.csv")]
pub async fn export_progress_csv(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<CsvQuery>,
) -> ApiResult<HttpResponse> {
    let plan_id = id.into_inner();
    plans::get(&state.db, plan_id).await?;
    let rev = store::followed(&state.db, plan_id)
        .await
        .map_err(|_| ApiError::NotFound)?;
    let latest = store::latest(&state.db, plan_id).await?;
    let mut writer = tabular::writer(&query);
    writer
        .write_record(PROGRESS_CSV_HEADER)
        .map_err(csv_error)?;
    for (_, activity) in rev.content.0.activities() {
        let standing = standing_of(activity, &latest);
        writer
            .write_record([
                spreadsheet_safe(activity.key.clone()),
                spreadsheet_safe(activity.text.clone()),
                standing.status.as_str().to_owned(),
                standing.percent.to_string(),
                spreadsheet_safe(standing.note.unwrap_or_default()),
                standing
                    .progress_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                latest
                    .get(&activity.key)
                    .map_or(0, |r| r.sequence)
                    .to_string(),
            ])
            .map_err(csv_error)?;
    }
    tabular::csv_response(writer, "progress.csv")
}

/// What a progress import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressImport {
    /// Reports appended (one per row).
    pub reported: usize,
}

/// One data row of a progress import: its key, and the report when the row reads.
struct CsvRow {
    index: usize,
    key: String,
    report: Option<ProgressReport>,
}

/// One row of a progress import, read; a cell that does not read is an error under
/// `rows[i].`.
fn read_row(
    i: usize,
    record: &csv::StringRecord,
    columns: &Columns,
    errors: &mut FieldErrors,
) -> CsvRow {
    let col = |name: &str| columns.get(record, name);
    let field = |name: &str| format!("rows[{i}].{name}");
    let key = col("activity_key").trim_start_matches('\'').to_owned();
    let status = col("status").parse::<ActivityStatus>().ok();
    if status.is_none() {
        errors.add(&field("status"), "planned, ongoing, done or cancelled");
    }
    let percent = match col("percent") {
        "" => Some(None),
        p => p.parse::<i32>().ok().map(Some),
    };
    if percent.is_none() {
        errors.add(&field("percent"), "a whole number 0–100");
    }
    let progress_on = match col("progress_on") {
        "" => Some(None),
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .map(|d| Some(Day(d))),
    };
    if progress_on.is_none() {
        errors.add(&field("progress_on"), "a date such as 2022-03-01");
    }
    let note = Some(col("note").to_owned()).filter(|n| !n.is_empty());
    let report = match (status, percent, progress_on) {
        (Some(status), Some(percent), Some(progress_on)) => Some(ProgressReport {
            status,
            percent,
            note,
            progress_on,
        }),
        _ => None,
    };
    CsvRow {
        index: i,
        key,
        report,
    }
}

/// Report many activities' progress from CSV, all or nothing (admin, secretary, or a reporter
/// for the activities its organisation is responsible for).
///
/// The export's format (`Content-Type: text/csv`, UTF-8, header row required, columns in any
/// order, `,` or `;`); `activity_key` and `status` are required, `activity` and `version` are
/// ignored; empty `percent` keeps where the activity stood (100 for `done`), empty
/// `progress_on` means today. One bad row refuses the file with 422 naming `rows[i].field`
/// (`i` counting data rows from 0); a header that names an unknown or repeated column, or
/// lacks `activity_key` or `status`, is a 422 on `header`. Each row is one report in its
/// activity's timeline.
#[utoipa::path(
    tag = "action_plans",
    operation_id = "import_progress_csv",
    params(("id" = Uuid, Path, description = "Action plan id"), CsvQuery),
    request_body(content = CsvBody, content_type = "text/csv",
                 description = "CSV in the export's format (a header row first), at most 4 MiB"),
    responses(
        (status = 200, description = "Every row is reported", body = ProgressImport),
        BatchErrors
    ),
    security(("bearer" = ["admin", "secretary", "reporter"]))
)]
#[post("/action-plans/{id}/progress.csv")]
pub async fn import_progress_csv(
    req: HttpRequest,
    write: Write<Reporters>,
    id: web::Path<Uuid>,
    Query(query): Query<CsvQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let plan_id = id.into_inner();
    let text = tabular::read_body(&req, payload).await?;
    let (rows, parse_errors) = parse_progress_csv(&text, query.delimiter())?;
    let identity = &write.identity;
    let written = store::report(
        &write.db,
        &write.actor,
        plan_id,
        &Precondition::None,
        |content, latest| {
            let mut errors = parse_errors;
            let mut reports = Vec::with_capacity(rows.len());
            let mut standings: HashMap<String, Standing> = HashMap::new();
            let now = today();
            for row in &rows {
                let i = row.index;
                let Some(activity) = store::activity(content, &row.key) else {
                    errors.add(
                        &format!("rows[{i}].activity_key"),
                        "no activity of the revision in force has this key",
                    );
                    continue;
                };
                may_report(identity, activity)?;
                let Some(report) = &row.report else {
                    continue;
                };
                let before = standings
                    .get(&row.key)
                    .cloned()
                    .unwrap_or_else(|| standing_of(activity, latest));
                let standing = report.check(&before, now, &format!("rows[{i}]."), &mut errors);
                standings.insert(row.key.clone(), standing.clone());
                reports.push(NewReport {
                    key: row.key.clone(),
                    standing,
                });
            }
            errors.finish()?;
            Ok(reports)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(ProgressImport {
        reported: written.len(),
    }))
}

/// The rows of a progress CSV (at most 1000) and the errors of the cells that do not read
/// (`rows[i].field`); a bad header or file is a 422 at once.
fn parse_progress_csv(text: &str, delimiter: u8) -> ApiResult<(Vec<CsvRow>, FieldErrors)> {
    let mut reader = tabular::reader(text, delimiter);
    let columns = Columns::read(&mut reader, &PROGRESS_CSV_HEADER)?;
    if !columns.has("activity_key") || !columns.has("status") {
        return Err(ApiError::field(
            "header",
            "the CSV header must name `activity_key` and `status`",
        ));
    }
    let mut errors = FieldErrors::default();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        if i >= 1000 {
            return Err(ApiError::field("rows", "at most 1000 rows in one import"));
        }
        match record {
            Err(e) => errors.add(&format!("rows[{i}]"), format!("malformed CSV: {e}")),
            Ok(r) if r.len() != columns.len => errors.add(
                &format!("rows[{i}]"),
                format!("has {} fields; the header has {}", r.len(), columns.len),
            ),
            Ok(r) => rows.push(read_row(i, &r, &columns, &mut errors)),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(ApiError::field("rows", "the CSV has no rows"));
    }
    Ok((rows, errors))
}
