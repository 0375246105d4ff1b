//! Actors: the surrogate ids that the audit log and stored responses hold instead of a login's
//! `sub`. Erasing a person clears their `subject` here, which unlinks every audit row they
//! wrote from them without touching the append-only log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Actors::Table)
                    .col(pk_uuid(Actors::Id))
                    .col(text_null(Actors::Subject).unique_key())
                    .col(timestamp_with_time_zone(Actors::CreatedAt))
                    .col(timestamp_with_time_zone_null(Actors::ErasedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Actors::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Actors {
    Table,
    Id,
    Subject,
    CreatedAt,
    ErasedAt,
}
