//! The progress of a plan's activities: each report a row of the timeline, the latest where
//! the activity stands. A report names an activity of the revision in force today; one report
//! or a whole batch (all or nothing) is one write, each report audited and in the feed.

use std::collections::HashMap;

use regex::Regex;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::revisions::in_force;
use crate::{
    domain::{
        EntityType,
        action_plan::{Activity, Content, Standing},
    },
    entities::{action_plan_revision as revision, activity_progress as progress},
    error::{ApiError, ApiResult},
    store::{Action, Actor, Change, Precondition, begin_write, now, record, today},
};

/// The entity type of a progress report in the audit log and the feed.
pub const ENTITY_TYPE: EntityType = EntityType::ActivityProgress;

/// The API path of an activity's progress, its key percent-encoded as a path segment.
pub fn path(plan_id: Uuid, key: &str) -> String {
    let mut url = match url::Url::parse("http://localhost/api/v1/action-plans") {
        Ok(url) => url,
        Err(_) => return String::new(),
    };
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.push(&plan_id.to_string());
        segments.push("activities");
        segments.push(key);
        segments.push("progress");
    }
    url.path().to_owned()
}

/// Where an activity stands after its report `row`.
pub fn standing(row: &progress::Model) -> Standing {
    Standing {
        status: row.status,
        percent: row.percent,
        note: row.note.clone(),
        progress_on: Some(row.progress_on),
    }
}

/// The timeline of a plan's activities (of one, with `key`), oldest first per activity.
pub async fn timeline<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    key: Option<&str>,
) -> ApiResult<Vec<progress::Model>> {
    let mut select = progress::Entity::find().filter(progress::Column::ActionPlanId.eq(plan_id));
    if let Some(key) = key {
        select = select.filter(progress::Column::ActivityKey.eq(key));
    }
    Ok(select
        .order_by_asc(progress::Column::ActivityKey)
        .order_by_asc(progress::Column::Sequence)
        .all(db)
        .await?)
}

/// The latest report on each activity of a plan that has one.
pub async fn latest<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
) -> ApiResult<HashMap<String, progress::Model>> {
    Ok(timeline(db, plan_id, None)
        .await?
        .into_iter()
        .map(|row| (row.activity_key.clone(), row))
        .collect())
}

/// The revision in force today, which progress reports follow (409 when the plan has none).
pub async fn followed<C: ConnectionTrait>(db: &C, plan_id: Uuid) -> ApiResult<revision::Model> {
    in_force(db, plan_id, today()).await?.ok_or_else(|| {
        ApiError::Conflict(
            "the plan has no revision in force: progress is reported on an approved plan".into(),
        )
    })
}

/// The activity with `key` in `content`.
pub fn activity<'a>(content: &'a Content, key: &str) -> Option<&'a Activity> {
    content
        .sections
        .iter()
        .flat_map(|s| &s.goals)
        .flat_map(|g| &g.activities)
        .find(|a| a.key == key)
}

/// One report to append: the activity's key and where it stands after it.
pub struct NewReport {
    /// The activity.
    pub key: String,
    /// Where it stands.
    pub standing: Standing,
}

/// Appends the reports `make` builds from the revision in force and the latest reports, in
/// one write transaction: all or none. `precondition` applies to a single report (the version
/// of an activity's progress is its number of reports). A report equal to where the activity
/// already stands is not appended again.
pub async fn report(
    db: &DatabaseConnection,
    actor: &Actor,
    plan_id: Uuid,
    precondition: &Precondition,
    make: impl FnOnce(&Content, &HashMap<String, progress::Model>) -> ApiResult<Vec<NewReport>>,
) -> ApiResult<Vec<progress::Model>> {
    let txn = begin_write(db).await?;
    super::get(&txn, plan_id).await?;
    let rev = followed(&txn, plan_id).await?;
    let mut current = latest(&txn, plan_id).await?;
    let reports = make(&rev.content.0, &current)?;
    let mut written = Vec::with_capacity(reports.len());
    for new in reports {
        let before = current.get(&new.key);
        let sequence = before.map_or(0, |b| b.sequence);
        precondition.check(sequence)?;
        // The same report again (a retry) adds nothing: a PUT stays idempotent.
        if let Some(before) = before.filter(|b| standing(b) == new.standing) {
            written.push(before.clone());
            continue;
        }
        let row = append(&txn, actor, plan_id, &new, sequence + 1, before).await?;
        current.insert(new.key, row.clone());
        written.push(row);
    }
    txn.commit().await?;
    Ok(written)
}

/// A report as the audit log and the feed keep it.
fn report_json(row: &progress::Model) -> Value {
    json!({
        "id": row.id, "action_plan_id": row.action_plan_id, "activity_key": row.activity_key,
        "version": row.sequence, "status": row.status, "percent": row.percent, "note": row.note,
        "progress_on": row.progress_on, "recorded_at": row.recorded_at,
    })
}

async fn append(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan_id: Uuid,
    new: &NewReport,
    sequence: i32,
    before: Option<&progress::Model>,
) -> ApiResult<progress::Model> {
    let row = progress::ActiveModel {
        id: Set(Uuid::now_v7()),
        action_plan_id: Set(plan_id),
        activity_key: Set(new.key.clone()),
        sequence: Set(sequence),
        status: Set(new.standing.status),
        percent: Set(new.standing.percent),
        note: Set(new.standing.note.clone()),
        progress_on: Set(new.standing.progress_on.unwrap_or_else(today)),
        recorded_at: Set(now()),
        recorded_by: Set(Some(actor.id(txn).await?)),
    }
    .insert(txn)
    .await?;
    record(
        txn,
        actor,
        Change {
            entity_type: ENTITY_TYPE,
            entity_id: row.id,
            action: Action::Create,
            version: row.sequence,
            before: before.map(report_json),
            after: Some(report_json(&row)),
            event: None,
        },
    )
    .await?;
    Ok(row)
}

/// Replaces what `pattern` matches by `pseudonym` in progress notes (erasure).
pub async fn scrub(txn: &DatabaseTransaction, pattern: &Regex, pseudonym: &str) -> ApiResult<()> {
    let rows = progress::Entity::find()
        .filter(progress::Column::Note.is_not_null())
        .all(txn)
        .await?;
    for row in rows {
        let Some(note) = row.note.as_deref().filter(|n| pattern.is_match(n)) else {
            continue;
        };
        progress::ActiveModel {
            id: Set(row.id),
            note: Set(Some(pattern.replace_all(note, pseudonym).into_owned())),
            ..Default::default()
        }
        .update(txn)
        .await?;
    }
    Ok(())
}
