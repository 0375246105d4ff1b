//! Members (people) and their memberships of groups.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Members::Table)
                    .col(pk_uuid(Members::Id))
                    .col(text(Members::Name))
                    .col(text(Members::NameFolded))
                    .col(text_null(Members::Title))
                    .col(uuid_null(Members::OrganisationId))
                    .col(text_null(Members::Email))
                    .col(text_null(Members::Phone))
                    .col(text_null(Members::Subject).unique_key())
                    .col(timestamp_with_time_zone_null(Members::ErasedAt))
                    .col(boolean(Members::Archived).default(false))
                    .col(timestamp_with_time_zone(Members::CreatedAt))
                    .col(timestamp_with_time_zone(Members::UpdatedAt))
                    .col(integer(Members::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_members_organisation")
                            .from(Members::Table, Members::OrganisationId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_members_updated")
                    .table(Members::Table)
                    .col(Members::UpdatedAt)
                    .col(Members::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(pk_uuid(Memberships::Id))
                    .col(uuid(Memberships::MemberId))
                    .col(uuid(Memberships::GroupId))
                    .col(text(Memberships::Role))
                    .col(uuid_null(Memberships::RepresentsId))
                    .col(date(Memberships::StartDate))
                    .col(date_null(Memberships::EndDate))
                    .col(uuid_null(Memberships::SubstituteForMemberId))
                    .col(boolean(Memberships::VotingRight).default(true))
                    .col(text_null(Memberships::Note))
                    .col(uuid_null(Memberships::ElectedByDecisionId))
                    .col(boolean(Memberships::Archived).default(false))
                    .col(timestamp_with_time_zone(Memberships::CreatedAt))
                    .col(timestamp_with_time_zone(Memberships::UpdatedAt))
                    .col(integer(Memberships::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_member")
                            .from(Memberships::Table, Memberships::MemberId)
                            .to(Members::Table, Members::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_group")
                            .from(Memberships::Table, Memberships::GroupId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_represents")
                            .from(Memberships::Table, Memberships::RepresentsId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_memberships_substitute_for")
                            .from(Memberships::Table, Memberships::SubstituteForMemberId)
                            .to(Members::Table, Members::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_memberships_group_dates",
                vec![Memberships::GroupId, Memberships::StartDate],
            ),
            ("idx_memberships_member", vec![Memberships::MemberId]),
            (
                "idx_memberships_substitute_for",
                vec![Memberships::SubstituteForMemberId],
            ),
            (
                "idx_memberships_updated",
                vec![Memberships::UpdatedAt, Memberships::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Memberships::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Memberships::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Members::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    Id,
    Name,
    NameFolded,
    Title,
    OrganisationId,
    Email,
    Phone,
    Subject,
    ErasedAt,
    Archived,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    MemberId,
    GroupId,
    Role,
    RepresentsId,
    StartDate,
    EndDate,
    SubstituteForMemberId,
    VotingRight,
    Note,
    ElectedByDecisionId,
    Archived,
    CreatedAt,
    UpdatedAt,
    Version,
}
