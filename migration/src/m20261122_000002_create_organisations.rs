//! Organisations: the region, municipalities, agencies, the university and the
//! collaboration's own groups.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(pk_uuid(Organisations::Id))
                    .col(text(Organisations::Name))
                    .col(text(Organisations::NameFolded))
                    .col(text_null(Organisations::ShortName))
                    .col(text(Organisations::Kind))
                    .col(text_null(Organisations::MunicipalityCode).unique_key())
                    .col(text_null(Organisations::CountyCode))
                    .col(uuid_null(Organisations::ParentId))
                    .col(text_null(Organisations::Website))
                    .col(json_binary(Organisations::Identifiers))
                    .col(boolean(Organisations::Archived).default(false))
                    .col(timestamp_with_time_zone(Organisations::CreatedAt))
                    .col(timestamp_with_time_zone(Organisations::UpdatedAt))
                    .col(integer(Organisations::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organisations_parent")
                            .from(Organisations::Table, Organisations::ParentId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_organisations_parent", Organisations::ParentId),
            ("idx_organisations_kind", Organisations::Kind),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Organisations::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_organisations_updated")
                    .table(Organisations::Table)
                    .col(Organisations::UpdatedAt)
                    .col(Organisations::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Organisations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Name,
    NameFolded,
    ShortName,
    Kind,
    MunicipalityCode,
    CountyCode,
    ParentId,
    Website,
    Identifiers,
    Archived,
    CreatedAt,
    UpdatedAt,
    Version,
}
