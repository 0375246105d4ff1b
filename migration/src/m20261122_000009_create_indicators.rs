//! Indicators, their values per organisation and period, and baselines and targets.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Indicators::Table)
                    .col(pk_uuid(Indicators::Id))
                    .col(text(Indicators::Code).unique_key())
                    .col(text(Indicators::Name))
                    .col(text_null(Indicators::Description))
                    .col(text(Indicators::Category))
                    .col(text(Indicators::Kind))
                    .col(text(Indicators::Unit))
                    .col(text(Indicators::Better))
                    .col(integer(Indicators::Decimals))
                    .col(json_binary(Indicators::Source))
                    .col(json_binary(Indicators::Breakdowns))
                    .col(text(Indicators::Status))
                    .col(uuid_null(Indicators::AdoptedByDecisionId))
                    .col(uuid_null(Indicators::RetiredByDecisionId))
                    .col(json_binary(Indicators::History))
                    .col(timestamp_with_time_zone(Indicators::CreatedAt))
                    .col(timestamp_with_time_zone(Indicators::UpdatedAt))
                    .col(integer(Indicators::Version))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IndicatorValues::Table)
                    .col(pk_uuid(IndicatorValues::Id))
                    .col(uuid(IndicatorValues::IndicatorId))
                    .col(uuid(IndicatorValues::OrganisationId))
                    .col(text(IndicatorValues::Period))
                    .col(date(IndicatorValues::PeriodStart))
                    .col(text(IndicatorValues::Gender))
                    .col(text(IndicatorValues::AgeGroup))
                    .col(double_null(IndicatorValues::Value))
                    .col(boolean(IndicatorValues::Suppressed).default(false))
                    .col(text(IndicatorValues::Status))
                    .col(text_null(IndicatorValues::Note))
                    .col(text_null(IndicatorValues::SourceRef))
                    .col(timestamp_with_time_zone(IndicatorValues::CreatedAt))
                    .col(timestamp_with_time_zone(IndicatorValues::UpdatedAt))
                    .col(integer(IndicatorValues::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_values_indicator")
                            .from(IndicatorValues::Table, IndicatorValues::IndicatorId)
                            .to(Indicators::Table, Indicators::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_values_organisation")
                            .from(IndicatorValues::Table, IndicatorValues::OrganisationId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_indicator_values_key")
                    .table(IndicatorValues::Table)
                    .col(IndicatorValues::IndicatorId)
                    .col(IndicatorValues::OrganisationId)
                    .col(IndicatorValues::Period)
                    .col(IndicatorValues::Gender)
                    .col(IndicatorValues::AgeGroup)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_indicator_values_series",
                vec![IndicatorValues::IndicatorId, IndicatorValues::PeriodStart],
            ),
            (
                "idx_indicator_values_updated",
                vec![IndicatorValues::UpdatedAt, IndicatorValues::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(IndicatorValues::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(IndicatorTargets::Table)
                    .col(pk_uuid(IndicatorTargets::Id))
                    .col(uuid(IndicatorTargets::IndicatorId))
                    .col(uuid_null(IndicatorTargets::OrganisationId))
                    .col(text_null(IndicatorTargets::BaselinePeriod))
                    .col(text_null(IndicatorTargets::TargetPeriod))
                    .col(double_null(IndicatorTargets::TargetValue))
                    .col(timestamp_with_time_zone(IndicatorTargets::CreatedAt))
                    .col(timestamp_with_time_zone(IndicatorTargets::UpdatedAt))
                    .col(integer(IndicatorTargets::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_targets_indicator")
                            .from(IndicatorTargets::Table, IndicatorTargets::IndicatorId)
                            .to(Indicators::Table, Indicators::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_indicator_targets_organisation")
                            .from(IndicatorTargets::Table, IndicatorTargets::OrganisationId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IndicatorTargets::Table.into_iden(),
            IndicatorValues::Table.into_iden(),
            Indicators::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Indicators {
    Table,
    Id,
    Code,
    Name,
    Description,
    Category,
    Kind,
    Unit,
    Better,
    Decimals,
    Source,
    Breakdowns,
    Status,
    AdoptedByDecisionId,
    RetiredByDecisionId,
    History,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum IndicatorValues {
    Table,
    Id,
    IndicatorId,
    OrganisationId,
    Period,
    PeriodStart,
    Gender,
    AgeGroup,
    Value,
    Suppressed,
    Status,
    Note,
    SourceRef,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum IndicatorTargets {
    Table,
    Id,
    IndicatorId,
    OrganisationId,
    BaselinePeriod,
    TargetPeriod,
    TargetValue,
    CreatedAt,
    UpdatedAt,
    Version,
}
