//! Meetings of a group, their agenda items, and who attended.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Meetings::Table)
                    .col(pk_uuid(Meetings::Id))
                    .col(uuid(Meetings::GroupId))
                    .col(text(Meetings::Title))
                    .col(text(Meetings::Kind))
                    .col(timestamp_with_time_zone(Meetings::StartsAt))
                    .col(timestamp_with_time_zone(Meetings::EndsAt))
                    .col(json_binary(Meetings::Location))
                    .col(text(Meetings::Status))
                    .col(uuid_null(Meetings::ChairId))
                    .col(uuid_null(Meetings::MinutesTakerId))
                    .col(json_binary(Meetings::MinutesCheckers))
                    .col(json_binary(Meetings::Documents))
                    .col(boolean(Meetings::Public).default(false))
                    .col(date_null(Meetings::MinutesApprovedOn))
                    .col(uuid_null(Meetings::MinutesApprovedInMeetingId))
                    .col(boolean(Meetings::Archived).default(false))
                    .col(timestamp_with_time_zone(Meetings::CreatedAt))
                    .col(timestamp_with_time_zone(Meetings::UpdatedAt))
                    .col(integer(Meetings::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_meetings_group")
                            .from(Meetings::Table, Meetings::GroupId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_meetings_chair")
                            .from(Meetings::Table, Meetings::ChairId)
                            .to(Members::Table, Members::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_meetings_minutes_taker")
                            .from(Meetings::Table, Meetings::MinutesTakerId)
                            .to(Members::Table, Members::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_meetings_approved_in")
                            .from(Meetings::Table, Meetings::MinutesApprovedInMeetingId)
                            .to(Meetings::Table, Meetings::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_meetings_starts",
                vec![Meetings::StartsAt, Meetings::Id],
            ),
            (
                "idx_meetings_group_starts",
                vec![Meetings::GroupId, Meetings::StartsAt],
            ),
            (
                "idx_meetings_updated",
                vec![Meetings::UpdatedAt, Meetings::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Meetings::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AgendaItems::Table)
                    .col(pk_uuid(AgendaItems::Id))
                    .col(uuid(AgendaItems::MeetingId))
                    .col(text(AgendaItems::Number))
                    .col(integer(AgendaItems::Position))
                    .col(text(AgendaItems::Title))
                    .col(json_binary(AgendaItems::PresenterIds))
                    .col(json_binary(AgendaItems::GuestIds))
                    .col(text_null(AgendaItems::Minutes))
                    .col(boolean(AgendaItems::Public).default(true))
                    .col(boolean(AgendaItems::Archived).default(false))
                    .col(timestamp_with_time_zone(AgendaItems::CreatedAt))
                    .col(timestamp_with_time_zone(AgendaItems::UpdatedAt))
                    .col(integer(AgendaItems::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agenda_items_meeting")
                            .from(AgendaItems::Table, AgendaItems::MeetingId)
                            .to(Meetings::Table, Meetings::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_agenda_items_meeting")
                    .table(AgendaItems::Table)
                    .col(AgendaItems::MeetingId)
                    .col(AgendaItems::Position)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attendance::Table)
                    .col(pk_uuid(Attendance::Id))
                    .col(uuid(Attendance::MeetingId))
                    .col(uuid(Attendance::MemberId))
                    .col(integer(Attendance::Position))
                    .col(text(Attendance::Status))
                    .col(uuid_null(Attendance::SubstituteForMemberId))
                    .col(uuid_null(Attendance::RepresentsId))
                    .col(boolean(Attendance::Guest).default(false))
                    .col(json_binary(Attendance::AgendaItemIds))
                    .col(text_null(Attendance::Note))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attendance_meeting")
                            .from(Attendance::Table, Attendance::MeetingId)
                            .to(Meetings::Table, Meetings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attendance_member")
                            .from(Attendance::Table, Attendance::MemberId)
                            .to(Members::Table, Members::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attendance_substitute_for")
                            .from(Attendance::Table, Attendance::SubstituteForMemberId)
                            .to(Members::Table, Members::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attendance_represents")
                            .from(Attendance::Table, Attendance::RepresentsId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_attendance_meeting_member")
                    .table(Attendance::Table)
                    .col(Attendance::MeetingId)
                    .col(Attendance::MemberId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attendance_member")
                    .table(Attendance::Table)
                    .col(Attendance::MemberId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Attendance::Table.into_iden(),
            AgendaItems::Table.into_iden(),
            Meetings::Table.into_iden(),
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
enum Members {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
    GroupId,
    Title,
    Kind,
    StartsAt,
    EndsAt,
    Location,
    Status,
    ChairId,
    MinutesTakerId,
    MinutesCheckers,
    Documents,
    Public,
    MinutesApprovedOn,
    MinutesApprovedInMeetingId,
    Archived,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum AgendaItems {
    Table,
    Id,
    MeetingId,
    Number,
    Position,
    Title,
    PresenterIds,
    GuestIds,
    Minutes,
    Public,
    Archived,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    Id,
    MeetingId,
    MemberId,
    Position,
    Status,
    SubstituteForMemberId,
    RepresentsId,
    Guest,
    AgendaItemIds,
    Note,
}
