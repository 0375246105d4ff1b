//! Where an approved revision of an action plan was published (document portal, website…).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ActionPlanRevisions {
    Table,
    Publications,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ActionPlanRevisions::Table)
                    .add_column(json_binary_null(ActionPlanRevisions::Publications))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ActionPlanRevisions::Table)
                    .drop_column(ActionPlanRevisions::Publications)
                    .to_owned(),
            )
            .await
    }
}
