//! The change events become the feed's events: a type, the parent, whom and which group they
//! concern, whether the public may see them, the record's state after the change, and a feed
//! `position` handed out after commit (so the feed order is the commit order).
//!
//! The table stays append-only except for two updates: `position` is set once (from NULL), and
//! `data` is overwritten when an erasure scrubs a person's earlier events.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const GUARDED: &str = "seq, occurred_at, entity_type, entity_id, action, version, event_type, \
                       parent_type, parent_id, concerns, group_id, public";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        if postgres {
            db.execute_unprepared("DROP TRIGGER change_events_append_only ON change_events")
                .await?;
        } else {
            db.execute_unprepared("DROP TRIGGER change_events_no_update")
                .await?;
        }
        // One column per statement: SQLite adds one at a time.
        let columns = [
            text(ChangeEvents::EventType).default("").to_owned(),
            text_null(ChangeEvents::ParentType).to_owned(),
            uuid_null(ChangeEvents::ParentId).to_owned(),
            json_binary_null(ChangeEvents::Concerns).to_owned(),
            uuid_null(ChangeEvents::GroupId).to_owned(),
            boolean(ChangeEvents::Public).default(true).to_owned(),
            json_binary_null(ChangeEvents::Data).to_owned(),
            big_integer_null(ChangeEvents::Position).to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(ChangeEvents::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        // Events written before this migration: their type from their action, their position
        // their sequence number (they are all committed).
        db.execute_unprepared(
            "UPDATE change_events SET position = seq, event_type = entity_type || '.' || \
             CASE action WHEN 'create' THEN 'created' WHEN 'update' THEN 'updated' \
             WHEN 'archive' THEN 'archived' WHEN 'erase' THEN 'erased' ELSE action END",
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_events_position")
                    .table(ChangeEvents::Table)
                    .col(ChangeEvents::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_events_entity")
                    .table(ChangeEvents::Table)
                    .col(ChangeEvents::EntityType)
                    .col(ChangeEvents::EntityId)
                    .to_owned(),
            )
            .await?;
        if postgres {
            db.execute_unprepared(
                "CREATE INDEX idx_change_events_unpositioned ON change_events (seq) \
                 WHERE position IS NULL",
            )
            .await?;
            db.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION samverkan_change_events_guard() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN \
                 IF TG_OP = 'DELETE' OR ({old}) IS DISTINCT FROM ({new}) \
                    OR (OLD.position IS NOT NULL AND NEW.position IS DISTINCT FROM OLD.position) \
                 THEN RAISE EXCEPTION 'table change_events is append-only'; END IF; \
                 RETURN NEW; END $$",
                old = prefixed("OLD"),
                new = prefixed("NEW"),
            ))
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER change_events_append_only BEFORE UPDATE OR DELETE ON \
                 change_events FOR EACH ROW EXECUTE FUNCTION samverkan_change_events_guard()",
            )
            .await?;
        } else {
            db.execute_unprepared(
                "CREATE INDEX idx_change_events_unpositioned ON change_events (seq) \
                 WHERE position IS NULL",
            )
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER change_events_no_update BEFORE UPDATE OF {GUARDED} \
                 ON change_events BEGIN \
                 SELECT RAISE(ABORT, 'table change_events is append-only'); END"
            ))
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER change_events_position_once BEFORE UPDATE OF position \
                 ON change_events WHEN OLD.position IS NOT NULL BEGIN \
                 SELECT RAISE(ABORT, 'table change_events is append-only'); END",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER change_events_append_only ON change_events")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS samverkan_change_events_guard()")
                .await?;
            db.execute_unprepared(
                "CREATE TRIGGER change_events_append_only BEFORE UPDATE OR DELETE ON \
                 change_events FOR EACH ROW EXECUTE FUNCTION samverkan_append_only()",
            )
            .await?;
        } else {
            db.execute_unprepared("DROP TRIGGER change_events_no_update")
                .await?;
            db.execute_unprepared("DROP TRIGGER change_events_position_once")
                .await?;
            db.execute_unprepared(
                "CREATE TRIGGER change_events_no_update BEFORE UPDATE ON change_events \
                 BEGIN SELECT RAISE(ABORT, 'table change_events is append-only'); END",
            )
            .await?;
        }
        db.execute_unprepared("DROP INDEX IF EXISTS idx_change_events_unpositioned")
            .await?;
        for index in ["idx_change_events_position", "idx_change_events_entity"] {
            manager
                .drop_index(
                    Index::drop()
                        .name(index)
                        .table(ChangeEvents::Table)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            ChangeEvents::EventType,
            ChangeEvents::ParentType,
            ChangeEvents::ParentId,
            ChangeEvents::Concerns,
            ChangeEvents::GroupId,
            ChangeEvents::Public,
            ChangeEvents::Data,
            ChangeEvents::Position,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ChangeEvents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

/// The guarded columns as a row value of `OLD` or `NEW`.
fn prefixed(row: &str) -> String {
    GUARDED
        .split(", ")
        .map(|c| format!("{row}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(DeriveIden)]
enum ChangeEvents {
    Table,
    EventType,
    ParentType,
    ParentId,
    Concerns,
    GroupId,
    Public,
    Data,
    Position,
    EntityType,
    EntityId,
}
