//! An index on the agenda item of a decision: a new decision's reference counts the decisions
//! already taken under its item, and without it that count read every decision (at a million
//! decisions, POST /decisions fell to 17 a second on SQLite).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Decisions {
    Table,
    AgendaItemId,
}

const NAME: &str = "idx_decisions_agenda_item";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Decisions::Table)
                    .col(Decisions::AgendaItemId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Decisions::Table).to_owned())
            .await
    }
}
