//! What Swedish minutes record beyond the decision itself: a decision's outcome, reservations
//! and votes, and an assignment's report to a person or a group (or none: ongoing); conflicts
//! of interest (jäv) per agenda item; all-day meetings; and the sign-off (justering) of the
//! minutes by their chair and checkers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Decisions {
    Table,
    Outcome,
    Reservations,
    Votes,
    VoteCounts,
    ReportToMemberId,
    ReportToGroupId,
}

#[derive(DeriveIden)]
enum AgendaItems {
    Table,
    Conflicts,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    AllDay,
}

#[derive(DeriveIden)]
enum MinutesSignatures {
    Table,
    Id,
    MeetingId,
    MemberId,
    Role,
    Sha256,
    SignedAt,
}

/// One column added to `table` (SQLite takes one per statement).
async fn add(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    column: ColumnDef,
) -> Result<(), DbErr> {
    let mut column = column;
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

async fn drop(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    column: impl IntoIden,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Decisions as D;
        for column in [
            string(D::Outcome).default("adopted").to_owned(),
            json_binary(D::Reservations).default("[]").to_owned(),
            json_binary(D::Votes).default("[]").to_owned(),
            json_binary_null(D::VoteCounts),
            uuid_null(D::ReportToMemberId),
            uuid_null(D::ReportToGroupId),
        ] {
            add(manager, D::Table, column).await?;
        }
        add(
            manager,
            AgendaItems::Table,
            json_binary(AgendaItems::Conflicts).default("[]").to_owned(),
        )
        .await?;
        add(
            manager,
            Meetings::Table,
            boolean(Meetings::AllDay).default(false).to_owned(),
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(MinutesSignatures::Table)
                    .col(pk_uuid(MinutesSignatures::Id))
                    .col(uuid(MinutesSignatures::MeetingId))
                    .col(uuid(MinutesSignatures::MemberId))
                    .col(string(MinutesSignatures::Role))
                    .col(string(MinutesSignatures::Sha256))
                    .col(timestamp_with_time_zone(MinutesSignatures::SignedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("minutes_signatures_meeting")
                    .table(MinutesSignatures::Table)
                    .col(MinutesSignatures::MeetingId)
                    .col(MinutesSignatures::SignedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Decisions as D;
        manager
            .drop_table(Table::drop().table(MinutesSignatures::Table).to_owned())
            .await?;
        drop(manager, Meetings::Table, Meetings::AllDay).await?;
        drop(manager, AgendaItems::Table, AgendaItems::Conflicts).await?;
        for column in [
            D::Outcome,
            D::Reservations,
            D::Votes,
            D::VoteCounts,
            D::ReportToMemberId,
            D::ReportToGroupId,
        ] {
            drop(manager, D::Table, column).await?;
        }
        Ok(())
    }
}
