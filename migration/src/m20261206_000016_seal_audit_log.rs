//! The audit log becomes tamper-evident and erasable (see [`crate::seal`]): free text moves to
//! `audit_texts`, which an erasure may rewrite, and every row gets the seal of its content and
//! of the row before it. Rows written before this migration are split and sealed here, in id
//! order, with the append-only trigger lifted for that one pass.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{prelude::*, schema::*};

use crate::seal::{self, Content, GENESIS, MovedText};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Rows read per pass.
const BATCH: u64 = 500;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditTexts::Table)
                    .col(uuid(AuditTexts::Id).primary_key())
                    .col(text(AuditTexts::EntityType))
                    .col(uuid(AuditTexts::EntityId))
                    .col(text(AuditTexts::Field))
                    .col(text(AuditTexts::Text))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_texts_entity")
                    .table(AuditTexts::Table)
                    .col(AuditTexts::EntityType)
                    .col(AuditTexts::EntityId)
                    .to_owned(),
            )
            .await?;
        for column in [AuditLog::PreviousSha256, AuditLog::Sha256] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditLog::Table)
                        .add_column(text_null(column))
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        if postgres {
            db.execute_unprepared("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
                .await?;
        } else {
            db.execute_unprepared("DROP TRIGGER audit_log_no_update")
                .await?;
        }
        seal_existing(manager).await?;
        if postgres {
            db.execute_unprepared("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
                .await?;
        } else {
            db.execute_unprepared(
                "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
                 BEGIN SELECT RAISE(ABORT, 'table audit_log is append-only'); END",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The texts stay where they are: putting them back would change sealed rows.
        for column in [AuditLog::PreviousSha256, AuditLog::Sha256] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AuditLog::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(AuditTexts::Table).to_owned())
            .await
    }
}

/// Splits and seals every existing row, oldest first.
async fn seal_existing(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let mut previous = GENESIS.to_owned();
    let mut after_id = 0i64;
    loop {
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT id, occurred_at, actor, actor_roles, action, entity_type, entity_id, \
                     request_id, before, after FROM audit_log WHERE id > {after_id} \
                     ORDER BY id LIMIT {BATCH}"
                ),
            ))
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let entity_type: String = row.try_get("", "entity_type")?;
            let entity_id: sea_orm::prelude::Uuid = row.try_get("", "entity_id")?;
            let mut before: Option<serde_json::Value> = row.try_get("", "before")?;
            let mut after: Option<serde_json::Value> = row.try_get("", "after")?;
            let mut moved: Vec<MovedText> = Vec::new();
            for value in [before.as_mut(), after.as_mut()].into_iter().flatten() {
                seal::split(value, &mut moved);
            }
            for text in moved {
                let insert = Query::insert()
                    .into_table(AuditTexts::Table)
                    .columns([
                        AuditTexts::Id,
                        AuditTexts::EntityType,
                        AuditTexts::EntityId,
                        AuditTexts::Field,
                        AuditTexts::Text,
                    ])
                    .values_panic([
                        text.id.into(),
                        entity_type.clone().into(),
                        entity_id.into(),
                        text.field.into(),
                        text.text.into(),
                    ])
                    .to_owned();
                manager.exec_stmt(insert).await?;
            }
            let actor: String = row.try_get("", "actor")?;
            let roles: serde_json::Value = row.try_get("", "actor_roles")?;
            let action: String = row.try_get("", "action")?;
            let request_id: Option<String> = row.try_get("", "request_id")?;
            let content = Content {
                occurred_at: row.try_get("", "occurred_at")?,
                actor: &actor,
                actor_roles: &roles,
                action: &action,
                entity_type: &entity_type,
                entity_id,
                request_id: request_id.as_deref(),
                before: before.as_ref(),
                after: after.as_ref(),
            };
            let sealed = seal::seal(&content, &previous);
            let update = Query::update()
                .table(AuditLog::Table)
                .values([
                    (AuditLog::Before, before.clone().into()),
                    (AuditLog::After, after.clone().into()),
                    (AuditLog::PreviousSha256, previous.clone().into()),
                    (AuditLog::Sha256, sealed.clone().into()),
                ])
                .and_where(Expr::col(AuditLog::Id).eq(id))
                .to_owned();
            manager.exec_stmt(update).await?;
            previous = sealed;
            after_id = id;
        }
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    Before,
    After,
    PreviousSha256,
    Sha256,
}

#[derive(DeriveIden)]
enum AuditTexts {
    Table,
    Id,
    EntityType,
    EntityId,
    Field,
    Text,
}
