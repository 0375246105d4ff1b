//! The append-only audit log and the change events every write records.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::OccurredAt))
                    .col(text(AuditLog::Actor))
                    .col(json_binary(AuditLog::ActorRoles))
                    .col(text(AuditLog::Action))
                    .col(text(AuditLog::EntityType))
                    .col(uuid(AuditLog::EntityId))
                    .col(text_null(AuditLog::RequestId))
                    .col(json_binary_null(AuditLog::Before))
                    .col(json_binary_null(AuditLog::After))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_entity")
                    .table(AuditLog::Table)
                    .col(AuditLog::EntityType)
                    .col(AuditLog::EntityId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_actor")
                    .table(AuditLog::Table)
                    .col(AuditLog::Actor)
                    .to_owned(),
            )
            .await?;
        crate::forbid_changes(manager, "audit_log").await?;

        manager
            .create_table(
                Table::create()
                    .table(ChangeEvents::Table)
                    .col(big_pk_auto(ChangeEvents::Seq))
                    .col(timestamp_with_time_zone(ChangeEvents::OccurredAt))
                    .col(text(ChangeEvents::EntityType))
                    .col(uuid(ChangeEvents::EntityId))
                    .col(text(ChangeEvents::Action))
                    .col(integer(ChangeEvents::Version))
                    .to_owned(),
            )
            .await?;
        crate::forbid_changes(manager, "change_events").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ChangeEvents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await?;
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS samverkan_append_only()")
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    OccurredAt,
    Actor,
    ActorRoles,
    Action,
    EntityType,
    EntityId,
    RequestId,
    Before,
    After,
}

#[derive(DeriveIden)]
enum ChangeEvents {
    Table,
    Seq,
    OccurredAt,
    EntityType,
    EntityId,
    Action,
    Version,
}
