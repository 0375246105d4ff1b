//! Decisions taken at meetings, with their assignment and funding parts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Decisions::Table)
                    .col(pk_uuid(Decisions::Id))
                    .col(uuid(Decisions::MeetingId))
                    .col(uuid(Decisions::AgendaItemId))
                    .col(text(Decisions::Reference).unique_key())
                    .col(text(Decisions::Title))
                    .col(text(Decisions::Text))
                    .col(text(Decisions::Kind))
                    .col(date(Decisions::DecidedOn))
                    .col(text(Decisions::Status))
                    .col(uuid_null(Decisions::SupersedesId))
                    .col(uuid_null(Decisions::RevokesId))
                    .col(json_binary(Decisions::Concerns))
                    .col(boolean(Decisions::Public).default(true))
                    .col(json_binary(Decisions::Assignees))
                    .col(date_null(Decisions::DueDate))
                    .col(uuid_null(Decisions::ReportToMeetingId))
                    .col(text_null(Decisions::FollowUpStatus))
                    .col(uuid_null(Decisions::ReportedInDecisionId))
                    .col(big_integer_null(Decisions::AmountSek))
                    .col(date_null(Decisions::PeriodStart))
                    .col(date_null(Decisions::PeriodEnd))
                    .col(json_binary(Decisions::Funders))
                    .col(timestamp_with_time_zone(Decisions::CreatedAt))
                    .col(timestamp_with_time_zone(Decisions::UpdatedAt))
                    .col(integer(Decisions::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_decisions_meeting")
                            .from(Decisions::Table, Decisions::MeetingId)
                            .to(Meetings::Table, Meetings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_decisions_agenda_item")
                            .from(Decisions::Table, Decisions::AgendaItemId)
                            .to(AgendaItems::Table, AgendaItems::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_decisions_supersedes")
                            .from(Decisions::Table, Decisions::SupersedesId)
                            .to(Decisions::Table, Decisions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_decisions_revokes")
                            .from(Decisions::Table, Decisions::RevokesId)
                            .to(Decisions::Table, Decisions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_decisions_report_to")
                            .from(Decisions::Table, Decisions::ReportToMeetingId)
                            .to(Meetings::Table, Meetings::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_decisions_meeting",
                vec![Decisions::MeetingId, Decisions::AgendaItemId],
            ),
            (
                "idx_decisions_decided",
                vec![Decisions::DecidedOn, Decisions::Id],
            ),
            (
                "idx_decisions_updated",
                vec![Decisions::UpdatedAt, Decisions::Id],
            ),
            (
                "idx_decisions_report_to",
                vec![Decisions::ReportToMeetingId],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Decisions::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Decisions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AgendaItems {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Decisions {
    Table,
    Id,
    MeetingId,
    AgendaItemId,
    Reference,
    Title,
    Text,
    Kind,
    DecidedOn,
    Status,
    SupersedesId,
    RevokesId,
    Concerns,
    Public,
    Assignees,
    DueDate,
    ReportToMeetingId,
    FollowUpStatus,
    ReportedInDecisionId,
    AmountSek,
    PeriodStart,
    PeriodEnd,
    Funders,
    CreatedAt,
    UpdatedAt,
    Version,
}
