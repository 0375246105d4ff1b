//! Where the read models read their values: the values as they are, or, with `as_of`, as they
//! stood at that time, rebuilt from the value revisions (SDMX's `asOf`). Only totals are read
//! (all genders, all ages, with a number), and "latest" is [`Period::latest`] everywhere.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::arithmetic::totals;
use crate::{
    domain::indicator::{Gender, Period},
    entities::{indicator_value, indicator_value_revision as revision},
    error::ApiResult,
    store::indicators::value_of,
};

/// Which values to read: those of these indicators, of one organisation or all, of these
/// periods or all.
pub(super) struct Wanted {
    pub indicator_ids: Vec<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub periods: Option<Vec<String>>,
}

/// The total values `wanted` names, as they are (`as_of` none) or as they stood then.
pub(super) async fn total_values<C: ConnectionTrait>(
    db: &C,
    as_of: Option<DateTime<Utc>>,
    wanted: Wanted,
) -> ApiResult<Vec<indicator_value::Model>> {
    let Some(at) = as_of else {
        use indicator_value::Column as C;
        let mut select = totals(indicator_value::Entity::find())
            .filter(C::IndicatorId.is_in(wanted.indicator_ids));
        if let Some(org) = wanted.organisation_id {
            select = select.filter(C::OrganisationId.eq(org));
        }
        if let Some(periods) = wanted.periods {
            select = select.filter(C::Period.is_in(periods));
        }
        return Ok(select.all(db).await?);
    };
    use revision::Column as R;
    let mut select = revision::Entity::find()
        .filter(R::IndicatorId.is_in(wanted.indicator_ids))
        .filter(R::Gender.eq(Gender::Total))
        .filter(R::AgeGroup.eq(""))
        .filter(R::RecordedAt.lte(at));
    if let Some(org) = wanted.organisation_id {
        select = select.filter(R::OrganisationId.eq(org));
    }
    if let Some(periods) = wanted.periods {
        select = select.filter(R::Period.is_in(periods));
    }
    // The last revision of each value up to then; a deletion or an empty value drops it.
    let mut last: HashMap<(Uuid, Uuid, String), revision::Model> = HashMap::new();
    for r in select
        .order_by_asc(R::RecordedAt)
        .order_by_asc(R::Id)
        .all(db)
        .await?
    {
        last.insert((r.indicator_id, r.organisation_id, r.period.clone()), r);
    }
    Ok(last
        .into_values()
        .filter(|r| !r.deleted && r.value.is_some())
        .map(value_of)
        .collect())
}

/// The latest period with a total value of an indicator, as it is or as it stood then.
pub(super) async fn latest_period<C: ConnectionTrait>(
    db: &C,
    as_of: Option<DateTime<Utc>>,
    indicator_id: Uuid,
) -> ApiResult<Option<Period>> {
    let periods: Vec<String> = match as_of {
        None => {
            totals(indicator_value::Entity::find())
                .filter(indicator_value::Column::IndicatorId.eq(indicator_id))
                .select_only()
                .column(indicator_value::Column::Period)
                .distinct()
                .into_tuple()
                .all(db)
                .await?
        }
        Some(_) => {
            let wanted = Wanted {
                indicator_ids: vec![indicator_id],
                organisation_id: None,
                periods: None,
            };
            total_values(db, as_of, wanted)
                .await?
                .into_iter()
                .map(|v| v.period)
                .collect()
        }
    };
    Ok(Period::latest(
        periods.iter().filter_map(|p| p.parse().ok()),
    ))
}
