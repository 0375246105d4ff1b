//! How an indicator's organisations add up to a county figure: `sum` (counts), `mean`, or
//! `weighted_mean` with a weight indicator (e.g. population). Existing count indicators sum;
//! the others take the mean, as the county figure did so far.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Indicators {
    Table,
    Aggregation,
    WeightIndicatorId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in [
            text(Indicators::Aggregation).default("mean").to_owned(),
            uuid_null(Indicators::WeightIndicatorId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Indicators::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared("UPDATE indicators SET aggregation = 'sum' WHERE unit = 'count'")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Indicators::Aggregation, Indicators::WeightIndicatorId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Indicators::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
