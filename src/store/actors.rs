//! Actors: the surrogate ids that stand for a login `sub` in the audit log and in stored
//! responses, so that erasing a person unlinks everything they wrote in one place.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
    sea_query::OnConflict,
};
use uuid::Uuid;

use super::now;
use crate::entities::actor::{ActiveModel, Column, Entity};

/// The actor id of `sub`, created on first use (safe under concurrent first uses).
pub async fn id_for<C: ConnectionTrait>(db: &C, sub: &str) -> Result<Uuid, DbErr> {
    if let Some(id) = find(db, sub).await? {
        return Ok(id);
    }
    let inserted = Entity::insert(ActiveModel {
        id: Set(Uuid::now_v7()),
        subject: Set(Some(sub.to_owned())),
        created_at: Set(now()),
        erased_at: Set(None),
    })
    .on_conflict(OnConflict::column(Column::Subject).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    let _ = inserted;
    find(db, sub)
        .await?
        .ok_or_else(|| DbErr::Custom("actor row missing after insert".into()))
}

/// The actor id of `sub`, if it has one.
pub async fn find<C: ConnectionTrait>(db: &C, sub: &str) -> Result<Option<Uuid>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Subject.eq(sub))
        .one(db)
        .await?
        .map(|a| a.id))
}

/// The login `sub` of each actor id that still has one (erased actors have none).
pub async fn subjects<C: ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, String>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = Entity::find().filter(Column::Id.is_in(ids)).all(db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|a| a.subject.map(|s| (a.id, s)))
        .collect())
}

/// Unlinks `sub` from its actor id; returns the id, if `sub` had one.
pub async fn erase<C: ConnectionTrait>(db: &C, sub: &str) -> Result<Option<Uuid>, DbErr> {
    let Some(id) = find(db, sub).await? else {
        return Ok(None);
    };
    ActiveModel {
        id: Set(id),
        subject: Set(None),
        erased_at: Set(Some(now())),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(Some(id))
}
