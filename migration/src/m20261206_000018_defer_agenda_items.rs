//! Deferred agenda items (bordläggning, "flyttas till nästa tillfälle"): an item deferred to a
//! later meeting, or to one not yet scheduled, and the item it became there.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AgendaItems {
    Table,
    Deferred,
    DeferredToMeetingId,
    DeferredToItemId,
    DeferredFromMeetingId,
    DeferredFromItemId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AgendaItems as A;
        for mut column in [
            boolean(A::Deferred).default(false).to_owned(),
            uuid_null(A::DeferredToMeetingId),
            uuid_null(A::DeferredToItemId),
            uuid_null(A::DeferredFromMeetingId),
            uuid_null(A::DeferredFromItemId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(A::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AgendaItems as A;
        for column in [
            A::Deferred,
            A::DeferredToMeetingId,
            A::DeferredToItemId,
            A::DeferredFromMeetingId,
            A::DeferredFromItemId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(A::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
