//! The `organisations` table.

use sea_orm::entity::prelude::*;
use serde::Serialize;

use super::JsonColumn;
use crate::domain::organisation::{Identifier, OrganisationKind};

/// One organisation row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `name` lower-cased in Rust (Unicode-aware), for case-insensitive search on both backends.
    #[serde(skip)]
    pub name_folded: String,
    pub short_name: Option<String>,
    pub kind: OrganisationKind,
    #[sea_orm(unique)]
    pub municipality_code: Option<String>,
    pub county_code: Option<String>,
    pub parent_id: Option<Uuid>,
    pub website: Option<String>,
    pub subtitle: Option<String>,
    pub identifiers: JsonColumn<Vec<Identifier>>,
    pub archived: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
