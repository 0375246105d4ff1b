//! Following up without new revisions: the progress of a plan's activities as a timeline
//! (each report a row: status, per cent, note, the day it describes, who), and the history of
//! an assignment's follow-up status (from what, to what, who, when, the decision in which it
//! was reported).
//!
//! Assignments taken before this migration get one history row each: their status as it
//! stood, dated by their last change, with nothing known before it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ActivityProgress {
    Table,
    Id,
    ActionPlanId,
    ActivityKey,
    Sequence,
    Status,
    Percent,
    Note,
    ProgressOn,
    RecordedAt,
    RecordedBy,
}

#[derive(DeriveIden)]
enum FollowUpChanges {
    Table,
    Id,
    DecisionId,
    FromStatus,
    ToStatus,
    ReportedInDecisionId,
    ChangedAt,
    ChangedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ActivityProgress as P;
        use FollowUpChanges as F;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(pk_uuid(P::Id))
                    .col(uuid(P::ActionPlanId))
                    .col(text(P::ActivityKey))
                    .col(integer(P::Sequence))
                    .col(text(P::Status))
                    .col(integer(P::Percent))
                    .col(text_null(P::Note))
                    .col(date(P::ProgressOn))
                    .col(timestamp_with_time_zone(P::RecordedAt))
                    .col(uuid_null(P::RecordedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("activity_progress_sequence")
                    .table(P::Table)
                    .col(P::ActionPlanId)
                    .col(P::ActivityKey)
                    .col(P::Sequence)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(F::Table)
                    .col(pk_uuid(F::Id))
                    .col(uuid(F::DecisionId))
                    .col(text_null(F::FromStatus))
                    .col(text_null(F::ToStatus))
                    .col(uuid_null(F::ReportedInDecisionId))
                    .col(timestamp_with_time_zone(F::ChangedAt))
                    .col(uuid_null(F::ChangedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("follow_up_changes_decision")
                    .table(F::Table)
                    .col(F::DecisionId)
                    .col(F::ChangedAt)
                    .to_owned(),
            )
            .await?;
        // One row for each assignment so far (the decision's id serves as the row's id).
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO follow_up_changes (id, decision_id, from_status, to_status, \
                 reported_in_decision_id, changed_at, changed_by) \
                 SELECT id, id, NULL, follow_up_status, reported_in_decision_id, updated_at, \
                 NULL FROM decisions WHERE follow_up_status IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FollowUpChanges::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ActivityProgress::Table).to_owned())
            .await
    }
}
