//! Action plans, their numbered revisions and the consultation responses to a revision.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ActionPlans::Table)
                    .col(pk_uuid(ActionPlans::Id))
                    .col(uuid(ActionPlans::GroupId))
                    .col(text(ActionPlans::Title))
                    .col(text_null(ActionPlans::Description))
                    .col(timestamp_with_time_zone(ActionPlans::CreatedAt))
                    .col(timestamp_with_time_zone(ActionPlans::UpdatedAt))
                    .col(integer(ActionPlans::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_action_plans_group")
                            .from(ActionPlans::Table, ActionPlans::GroupId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_action_plans_updated")
                    .table(ActionPlans::Table)
                    .col(ActionPlans::UpdatedAt)
                    .col(ActionPlans::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActionPlanRevisions::Table)
                    .col(pk_uuid(ActionPlanRevisions::Id))
                    .col(uuid(ActionPlanRevisions::ActionPlanId))
                    .col(integer(ActionPlanRevisions::Number))
                    .col(text(ActionPlanRevisions::Status))
                    .col(json_binary(ActionPlanRevisions::Content))
                    .col(text_null(ActionPlanRevisions::ChangeSummary))
                    .col(date_null(ActionPlanRevisions::ValidFrom))
                    .col(date_null(ActionPlanRevisions::ConsultationDeadline))
                    .col(uuid_null(ActionPlanRevisions::DecisionId))
                    .col(date_null(ActionPlanRevisions::ApprovedOn))
                    .col(integer_null(ActionPlanRevisions::BasedOn))
                    .col(timestamp_with_time_zone(ActionPlanRevisions::CreatedAt))
                    .col(timestamp_with_time_zone(ActionPlanRevisions::UpdatedAt))
                    .col(integer(ActionPlanRevisions::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_action_plan_revisions_plan")
                            .from(
                                ActionPlanRevisions::Table,
                                ActionPlanRevisions::ActionPlanId,
                            )
                            .to(ActionPlans::Table, ActionPlans::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_action_plan_revisions_decision")
                            .from(ActionPlanRevisions::Table, ActionPlanRevisions::DecisionId)
                            .to(Decisions::Table, Decisions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_action_plan_revisions_number")
                    .table(ActionPlanRevisions::Table)
                    .col(ActionPlanRevisions::ActionPlanId)
                    .col(ActionPlanRevisions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationResponses::Table)
                    .col(pk_uuid(ConsultationResponses::Id))
                    .col(uuid(ConsultationResponses::RevisionId))
                    .col(uuid(ConsultationResponses::OrganisationId))
                    .col(date(ConsultationResponses::ReceivedOn))
                    .col(text(ConsultationResponses::Summary))
                    .col(text_null(ConsultationResponses::Text))
                    .col(timestamp_with_time_zone(ConsultationResponses::CreatedAt))
                    .col(timestamp_with_time_zone(ConsultationResponses::UpdatedAt))
                    .col(integer(ConsultationResponses::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consultation_responses_revision")
                            .from(
                                ConsultationResponses::Table,
                                ConsultationResponses::RevisionId,
                            )
                            .to(ActionPlanRevisions::Table, ActionPlanRevisions::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consultation_responses_organisation")
                            .from(
                                ConsultationResponses::Table,
                                ConsultationResponses::OrganisationId,
                            )
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_consultation_responses_revision")
                    .table(ConsultationResponses::Table)
                    .col(ConsultationResponses::RevisionId)
                    .col(ConsultationResponses::ReceivedOn)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsultationResponses::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ActionPlanRevisions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ActionPlans::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Decisions {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ActionPlans {
    Table,
    Id,
    GroupId,
    Title,
    Description,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ActionPlanRevisions {
    Table,
    Id,
    ActionPlanId,
    Number,
    Status,
    Content,
    ChangeSummary,
    ValidFrom,
    ConsultationDeadline,
    DecisionId,
    ApprovedOn,
    BasedOn,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ConsultationResponses {
    Table,
    Id,
    RevisionId,
    OrganisationId,
    ReceivedOn,
    Summary,
    Text,
    CreatedAt,
    UpdatedAt,
    Version,
}
