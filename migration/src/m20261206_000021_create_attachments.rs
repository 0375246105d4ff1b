//! Attachments (bilagor): files on meetings, agenda items, decisions and plan revisions. The
//! row holds what the file is (name, type, size, SHA-256) and where the bytes are kept; the
//! bytes themselves live in object storage.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    OwnerType,
    OwnerId,
    Filename,
    ContentType,
    SizeBytes,
    Sha256,
    StorageKey,
    Description,
    Version,
    Archived,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Attachments as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(pk_uuid(A::Id))
                    .col(string(A::OwnerType))
                    .col(uuid(A::OwnerId))
                    .col(string(A::Filename))
                    .col(string(A::ContentType))
                    .col(big_integer(A::SizeBytes))
                    .col(string(A::Sha256))
                    .col(string(A::StorageKey))
                    .col(string_null(A::Description))
                    .col(integer(A::Version))
                    .col(boolean(A::Archived).default(false))
                    .col(timestamp_with_time_zone(A::CreatedAt))
                    .col(timestamp_with_time_zone(A::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("attachments_owner")
                    .table(A::Table)
                    .col(A::OwnerId)
                    .col(A::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("attachments_updated")
                    .table(A::Table)
                    .col(A::UpdatedAt)
                    .col(A::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Attachments::Table).to_owned())
            .await
    }
}
