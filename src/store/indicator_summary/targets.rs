//! An indicator's baselines and targets: read, and replaced whole in one audited write.

use std::collections::HashSet;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    domain::{indicator::Period, text::FieldErrors},
    entities::{indicator_target, organisation},
    error::ApiResult,
    store::{Action, Actor, Change, Precondition, begin_write, indicators, now, record},
};

/// The entity type of an indicator's set of targets in the audit log (its id is the
/// indicator's).
pub const TARGETS_ENTITY_TYPE: crate::domain::EntityType =
    crate::domain::EntityType::IndicatorTargets;

/// One baseline and target as a client sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInput {
    /// The organisation; `None` for the whole collaboration.
    pub organisation_id: Option<Uuid>,
    /// The period the change is measured from.
    pub baseline_period: Option<String>,
    /// The period by which the target is to be reached.
    pub target_period: Option<String>,
    /// The target value.
    pub target_value: Option<f64>,
}

/// The targets of an indicator, the collaboration's first, then by organisation.
pub async fn targets<C: ConnectionTrait>(
    db: &C,
    indicator_id: Uuid,
) -> ApiResult<Vec<indicator_target::Model>> {
    let mut rows = indicator_target::Entity::find()
        .filter(indicator_target::Column::IndicatorId.eq(indicator_id))
        .order_by_asc(indicator_target::Column::Id)
        .all(db)
        .await?;
    rows.sort_by_key(|r| r.organisation_id);
    Ok(rows)
}

fn target_json(t: &indicator_target::Model) -> Value {
    json!({
        "organisation_id": t.organisation_id, "baseline_period": t.baseline_period,
        "target_period": t.target_period, "target_value": t.target_value,
    })
}

/// The version of an indicator's set of targets: that of its entries (replaced together), 0
/// before any were set.
pub fn targets_version(rows: &[indicator_target::Model]) -> i32 {
    rows.iter().map(|t| t.version).max().unwrap_or(0)
}

/// Replaces every target of an indicator in one transaction, audited as one write; with
/// `If-Match`, only when the set is still at that version.
pub async fn replace_targets(
    db: &DatabaseConnection,
    actor: &Actor,
    indicator_id: Uuid,
    precondition: &Precondition,
    inputs: Vec<TargetInput>,
) -> ApiResult<Vec<indicator_target::Model>> {
    let txn = begin_write(db).await?;
    indicators::get(&txn, indicator_id).await?;
    precondition.check(targets_version(&targets(&txn, indicator_id).await?))?;
    let mut errors = FieldErrors::default();
    let mut seen = HashSet::new();
    let mut parsed = Vec::with_capacity(inputs.len());
    for (i, t) in inputs.iter().enumerate() {
        let field = |name: &str| format!("targets[{i}].{name}");
        if !seen.insert(t.organisation_id) {
            errors.add(
                &field("organisation_id"),
                "one entry per organisation (and one for the whole collaboration)",
            );
        }
        let baseline = t
            .baseline_period
            .as_deref()
            .and_then(|p| errors.check(&field("baseline_period"), p.parse::<Period>()));
        let target = t
            .target_period
            .as_deref()
            .and_then(|p| errors.check(&field("target_period"), p.parse::<Period>()));
        match (t.target_value, t.target_period.is_some()) {
            (Some(v), _) if !v.is_finite() => {
                errors.add(&field("target_value"), "must be a finite number")
            }
            (Some(_), false) => {
                errors.add(&field("target_period"), "is required with a target_value")
            }
            (None, true) => errors.add(&field("target_value"), "is required with a target_period"),
            _ => {}
        }
        if let (Some(b), Some(t)) = (baseline, target)
            && t <= b
        {
            errors.add(
                &field("target_period"),
                "must come after the baseline_period",
            );
        }
        parsed.push((baseline, target));
    }
    let org_ids: Vec<Uuid> = inputs.iter().filter_map(|t| t.organisation_id).collect();
    let known: HashSet<Uuid> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    for (i, t) in inputs.iter().enumerate() {
        if let Some(id) = t.organisation_id
            && !known.contains(&id)
        {
            errors.add(
                &format!("targets[{i}].organisation_id"),
                "no organisation has this id",
            );
        }
    }
    errors.finish()?;

    let before = targets(&txn, indicator_id).await?;
    let version = targets_version(&before) + 1;
    indicator_target::Entity::delete_many()
        .filter(indicator_target::Column::IndicatorId.eq(indicator_id))
        .exec(&txn)
        .await?;
    let at = now();
    for (t, (baseline, target)) in inputs.into_iter().zip(parsed) {
        indicator_target::ActiveModel {
            id: Set(Uuid::now_v7()),
            indicator_id: Set(indicator_id),
            organisation_id: Set(t.organisation_id),
            baseline_period: Set(baseline.map(|p| p.to_string())),
            target_period: Set(target.map(|p| p.to_string())),
            target_value: Set(t.target_value),
            created_at: Set(at),
            updated_at: Set(at),
            version: Set(version),
        }
        .insert(&txn)
        .await?;
    }
    let after = targets(&txn, indicator_id).await?;
    let change = Change {
        entity_type: TARGETS_ENTITY_TYPE,
        entity_id: indicator_id,
        action: Action::Update,
        version,
        before: Some(Value::Array(before.iter().map(target_json).collect())),
        after: Some(Value::Array(after.iter().map(target_json).collect())),
        event: None,
    };
    record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(after)
}
