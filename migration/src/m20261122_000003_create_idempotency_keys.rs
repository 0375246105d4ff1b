//! Stored responses of POSTs made with an `Idempotency-Key`, so that a retry is answered from
//! here instead of creating twice.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(text(IdempotencyKeys::Actor))
                    .col(text(IdempotencyKeys::Key))
                    .col(text(IdempotencyKeys::Fingerprint))
                    .col(integer(IdempotencyKeys::Status))
                    .col(text_null(IdempotencyKeys::Location))
                    .col(text_null(IdempotencyKeys::Etag))
                    .col(text(IdempotencyKeys::Body))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::Actor)
                            .col(IdempotencyKeys::Key),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Actor,
    Key,
    Fingerprint,
    Status,
    Location,
    Etag,
    Body,
    CreatedAt,
}
