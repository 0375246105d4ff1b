//! The full-text search index: one row per searchable record, with the Swedish stems of its
//! text, filled in by the service (the same stemmer on SQLite and PostgreSQL).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchDocuments::Table)
                    .col(text(SearchDocuments::EntityType))
                    .col(uuid(SearchDocuments::EntityId))
                    .col(uuid_null(SearchDocuments::ParentId))
                    .col(boolean(SearchDocuments::OwnPublic))
                    .col(boolean(SearchDocuments::Public))
                    .col(text(SearchDocuments::Title))
                    .col(text(SearchDocuments::Body))
                    .col(text(SearchDocuments::Terms))
                    .col(timestamp_with_time_zone(SearchDocuments::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(SearchDocuments::EntityType)
                            .col(SearchDocuments::EntityId),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_search_documents_type", SearchDocuments::EntityType),
            ("idx_search_documents_parent", SearchDocuments::ParentId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(SearchDocuments::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SearchDocuments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SearchDocuments {
    Table,
    EntityType,
    EntityId,
    ParentId,
    OwnPublic,
    Public,
    Title,
    Body,
    Terms,
    UpdatedAt,
}
