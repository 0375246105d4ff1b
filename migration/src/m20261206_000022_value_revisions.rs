//! Indicator values keep their history: every change of a value (its creation, each change,
//! its deletion) is a revision, so that the values can be read as they stood on any date. A
//! value may be marked approximate ("knappt 70", "ca 80").
//!
//! The values stored before this migration get one revision each, dated by their last change.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IndicatorValues {
    Table,
    Approximate,
}

#[derive(DeriveIden)]
enum IndicatorValueRevisions {
    Table,
    Id,
    ValueId,
    IndicatorId,
    OrganisationId,
    Period,
    PeriodStart,
    Gender,
    AgeGroup,
    Value,
    Suppressed,
    Status,
    Approximate,
    Note,
    SourceRef,
    Deleted,
    Version,
    RecordedAt,
    RecordedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use IndicatorValueRevisions as R;
        manager
            .alter_table(
                Table::alter()
                    .table(IndicatorValues::Table)
                    .add_column(boolean(IndicatorValues::Approximate).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(pk_uuid(R::Id))
                    .col(uuid(R::ValueId))
                    .col(uuid(R::IndicatorId))
                    .col(uuid(R::OrganisationId))
                    .col(text(R::Period))
                    .col(date(R::PeriodStart))
                    .col(text(R::Gender))
                    .col(text(R::AgeGroup))
                    .col(double_null(R::Value))
                    .col(boolean(R::Suppressed).default(false))
                    .col(text(R::Status))
                    .col(boolean(R::Approximate).default(false))
                    .col(text_null(R::Note))
                    .col(text_null(R::SourceRef))
                    .col(boolean(R::Deleted).default(false))
                    .col(integer(R::Version))
                    .col(timestamp_with_time_zone(R::RecordedAt))
                    .col(uuid_null(R::RecordedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("indicator_value_revisions_indicator")
                    .table(R::Table)
                    .col(R::IndicatorId)
                    .col(R::RecordedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("indicator_value_revisions_value")
                    .table(R::Table)
                    .col(R::ValueId)
                    .col(R::Version)
                    .to_owned(),
            )
            .await?;
        // One revision for each value stored so far (the value's id serves as its id).
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO indicator_value_revisions (id, value_id, indicator_id, \
                 organisation_id, period, period_start, gender, age_group, value, suppressed, \
                 status, approximate, note, source_ref, deleted, version, recorded_at, \
                 recorded_by) \
                 SELECT id, id, indicator_id, organisation_id, period, period_start, gender, \
                 age_group, value, suppressed, status, approximate, note, source_ref, false, \
                 version, updated_at, NULL FROM indicator_values",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(IndicatorValueRevisions::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(IndicatorValues::Table)
                    .drop_column(IndicatorValues::Approximate)
                    .to_owned(),
            )
            .await
    }
}
