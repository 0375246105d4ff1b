//! An index for reading one organisation's series of an indicator in time order.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IndicatorValues {
    Table,
    IndicatorId,
    OrganisationId,
    PeriodStart,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_indicator_values_org_series")
                    .table(IndicatorValues::Table)
                    .col(IndicatorValues::IndicatorId)
                    .col(IndicatorValues::OrganisationId)
                    .col(IndicatorValues::PeriodStart)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_indicator_values_org_series")
                    .table(IndicatorValues::Table)
                    .to_owned(),
            )
            .await
    }
}
