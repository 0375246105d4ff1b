//! The plans themselves: group, title and description.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{
    get,
    revisions::{index_revision, revisions_of},
};
use crate::{
    domain::organisation::OrganisationKind,
    entities::{action_plan as plan, organisation},
    error::{ApiError, ApiResult},
    pagination::PageRequest,
    store::{Actor, Precondition, now, record_creation},
};

/// A new plan, checked.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// The group (organisation of kind `group`) that owns it.
    pub group_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
}

/// Filters of the plan list.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    /// Only plans of this group.
    pub group_id: Option<Uuid>,
}

/// One page of plans.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &PlanFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<plan::Model>, Option<String>)> {
    let mut select = plan::Entity::find();
    if let Some(group) = filter.group_id {
        select = select.filter(plan::Column::GroupId.eq(group));
    }
    let rows = page
        .apply(select, plan::Column::Id, plan::Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish(rows, |row| (row.updated_at, row.id)))
}

async fn check_group<C: ConnectionTrait>(db: &C, group_id: Uuid) -> ApiResult<()> {
    match organisation::Entity::find_by_id(group_id).one(db).await? {
        Some(org) if org.kind == OrganisationKind::Group => Ok(()),
        Some(_) => Err(ApiError::field("group_id", "is not a group")),
        None => Err(ApiError::field("group_id", "no organisation has this id")),
    }
}

/// Records a new plan inside the caller's write transaction.
pub async fn insert(
    txn: &DatabaseTransaction,
    actor: &Actor,
    p: NewPlan,
) -> ApiResult<plan::Model> {
    check_group(txn, p.group_id).await?;
    let at = now();
    let model = plan::ActiveModel {
        id: Set(Uuid::now_v7()),
        group_id: Set(p.group_id),
        title: Set(p.title),
        description: Set(p.description),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
    }
    .insert(txn)
    .await?;
    record_creation::<plan::Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// Changes a plan's group, title or description: `change` turns the current plan into the new
/// checked fields. A new title is also the new title of its revisions in the search index.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
    change: impl FnOnce(&plan::Model) -> ApiResult<NewPlan>,
) -> ApiResult<plan::Model> {
    crate::store::update::<plan::Entity, _>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id).await,
        async |txn, current| {
            let p = change(current)?;
            if p.group_id != current.group_id {
                check_group(txn, p.group_id).await?;
            }
            if p.title != current.title {
                for rev in revisions_of(txn, id).await? {
                    index_revision(txn, id, &p.title, &rev).await?;
                }
            }
            Ok(plan::ActiveModel {
                id: Set(id),
                group_id: Set(p.group_id),
                title: Set(p.title),
                description: Set(p.description),
                ..Default::default()
            })
        },
    )
    .await
}
