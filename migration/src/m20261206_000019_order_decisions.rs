//! Decisions listed in the order of the minutes: `minutes_order` (see [`crate::order`]), kept
//! by the service as meetings and agendas change, indexed with the id, and filled here for the
//! decisions already taken.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::Statement};

use crate::order::minutes_order;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Decisions {
    Table,
    Id,
    MinutesOrder,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Decisions::Table)
                    .add_column(big_integer(Decisions::MinutesOrder).default(0))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT d.id, m.starts_at, a.position FROM decisions d \
                 JOIN meetings m ON m.id = d.meeting_id \
                 JOIN agenda_items a ON a.id = d.agenda_item_id"
                    .to_owned(),
            ))
            .await?;
        for row in rows {
            let id: sea_orm::prelude::Uuid = row.try_get("", "id")?;
            let starts_at: chrono::DateTime<chrono::Utc> = row.try_get("", "starts_at")?;
            let position: i32 = row.try_get("", "position")?;
            let update = Query::update()
                .table(Decisions::Table)
                .value(Decisions::MinutesOrder, minutes_order(starts_at, position))
                .and_where(Expr::col(Decisions::Id).eq(id))
                .to_owned();
            manager.exec_stmt(update).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_decisions_minutes_order")
                    .table(Decisions::Table)
                    .col(Decisions::MinutesOrder)
                    .col(Decisions::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_decisions_minutes_order")
                    .table(Decisions::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Decisions::Table)
                    .drop_column(Decisions::MinutesOrder)
                    .to_owned(),
            )
            .await
    }
}
