//! Organisations: reads, and writes with their audit rows.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{Actor, Archivable, Precondition, contains_pattern, now, record_creation};
use crate::{
    domain::organisation::{Organisation, OrganisationKind},
    entities::organisation::{ActiveModel, Column, Entity, Model},
    error::{ApiError, ApiResult},
    pagination::PageRequest,
};

/// The entity type in the audit log and the change events.
pub const ENTITY_TYPE: crate::domain::EntityType = crate::domain::EntityType::Organisation;

/// Deepest parent chain that is walked when checking for cycles.
const MAX_DEPTH: usize = 64;

/// Filters of the organisation list.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    /// Only this kind.
    pub kind: Option<OrganisationKind>,
    /// Only children of this organisation.
    pub parent_id: Option<Uuid>,
    /// Only the municipality with this code.
    pub municipality_code: Option<String>,
    /// Name contains this text, case-insensitively.
    pub q: Option<String>,
    /// Include archived organisations.
    pub include_archived: bool,
}

/// The organisation with `id`, archived or not.
pub async fn get<C: ConnectionTrait>(db: &C, id: Uuid) -> ApiResult<Model> {
    Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The organisations with these ids, in no particular order.
pub async fn get_many<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> ApiResult<Vec<Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find().filter(Column::Id.is_in(ids)).all(db).await?)
}

/// One page of organisations.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &OrganisationFilter,
    page: &PageRequest,
) -> ApiResult<(Vec<Model>, Option<String>)> {
    let mut select = Entity::find();
    if let Some(kind) = filter.kind {
        select = select.filter(Column::Kind.eq(kind));
    }
    if let Some(parent_id) = filter.parent_id {
        select = select.filter(Column::ParentId.eq(parent_id));
    }
    if let Some(code) = &filter.municipality_code {
        select = select.filter(Column::MunicipalityCode.eq(code.as_str()));
    }
    if let Some(q) = &filter.q {
        select = select.filter(Column::NameFolded.like(contains_pattern(q)));
    }
    if !filter.include_archived && !page.is_change_pull() {
        select = select.filter(Column::Archived.eq(false));
    }
    let rows = page
        .apply(select, Column::Id, Column::UpdatedAt)
        .all(db)
        .await?;
    Ok(page.finish(rows, |row| (row.updated_at, row.id)))
}

impl Archivable for Entity {
    const ARCHIVED: Column = Column::Archived;

    fn is_archived(model: &Model) -> bool {
        model.archived
    }
}

crate::store::write::versioned!(ENTITY_TYPE);

/// Creates an organisation inside the caller's write transaction (see
/// [`super::idempotency::create_once`]).
pub async fn insert(
    txn: &DatabaseTransaction,
    actor: &Actor,
    org: Organisation,
) -> ApiResult<Model> {
    let id = Uuid::now_v7();
    check_relations(txn, id, &org).await?;
    let at = now();
    let model = ActiveModel {
        id: Set(id),
        created_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        ..fields(&org)
    }
    .insert(txn)
    .await?;
    record_creation::<Entity, _>(txn, actor, &model).await?;
    Ok(model)
}

/// Changes an organisation: `change` turns the current record into the new checked fields.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
    change: impl FnOnce(&Model) -> ApiResult<Organisation>,
) -> ApiResult<Model> {
    super::update::<Entity, _>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id).await,
        async |txn, current| {
            let org = change(current)?;
            check_relations(txn, id, &org).await?;
            Ok(ActiveModel {
                id: Set(id),
                ..fields(&org)
            })
        },
    )
    .await
}

/// Archives an organisation (the soft delete): it stays readable and shows as a tombstone to
/// `updated_since`. Archiving an archived organisation changes nothing.
pub async fn archive(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    precondition: &Precondition,
) -> ApiResult<()> {
    super::archive::<Entity, ActiveModel>(
        db,
        actor,
        precondition,
        async |txn| get(txn, id).await,
        async |_, _| Ok(()),
    )
    .await?;
    Ok(())
}

/// The stored columns of the checked fields.
fn fields(org: &Organisation) -> ActiveModel {
    ActiveModel {
        name: Set(org.name.as_str().to_owned()),
        name_folded: Set(org.name.folded()),
        short_name: Set(org.short_name.clone()),
        kind: Set(org.kind),
        municipality_code: Set(org
            .municipality_code
            .as_ref()
            .map(|c| c.as_str().to_owned())),
        county_code: Set(org.county_code.as_ref().map(|c| c.as_str().to_owned())),
        parent_id: Set(org.parent_id),
        website: Set(org.website.as_ref().map(|w| w.as_str().to_owned())),
        subtitle: Set(org.subtitle.clone()),
        identifiers: Set(org.identifiers.clone().into()),
        archived: Set(org.archived),
        ..Default::default()
    }
}

/// The rules that need the database: the parent exists and is not the organisation itself or
/// one of its descendants; the municipality code is not taken.
async fn check_relations<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    org: &Organisation,
) -> ApiResult<()> {
    if let Some(parent_id) = org.parent_id {
        let mut next = Some(parent_id);
        let mut depth = 0;
        while let Some(ancestor) = next {
            if ancestor == id {
                return Err(ApiError::field(
                    "parent_id",
                    "would make the organisation its own ancestor",
                ));
            }
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(ApiError::field("parent_id", "the parent chain is too deep"));
            }
            next = match Entity::find_by_id(ancestor).one(db).await? {
                Some(row) => row.parent_id,
                None if ancestor == parent_id => {
                    return Err(ApiError::field("parent_id", "no organisation has this id"));
                }
                None => None,
            };
        }
    }
    if let Some(code) = &org.municipality_code {
        let taken = Entity::find()
            .filter(Column::MunicipalityCode.eq(code.as_str()))
            .filter(Column::Id.ne(id))
            .one(db)
            .await?;
        if let Some(other) = taken {
            return Err(ApiError::Conflict(format!(
                "municipality code {} already belongs to organisation {}",
                code.as_str(),
                other.id
            )));
        }
    }
    Ok(())
}
