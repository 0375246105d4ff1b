//! A change event may be taken from public readers, never given to them: `public` may turn
//! from true to false (when its record is withdrawn from the public, its earlier events go
//! with it), and nothing else changes beyond what migration 13 allows (`position` once, `data`
//! by an erasure).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns no update may touch.
const GUARDED: &str = "seq, occurred_at, entity_type, entity_id, action, version, event_type, \
                       parent_type, parent_id, concerns, group_id";

const REFUSE: &str = "'table change_events is append-only'";

fn prefixed(row: &str, columns: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{row}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The PostgreSQL guard over `columns`, refusing an event made public when `hide_only`.
fn guard(columns: &str, hide_only: bool) -> String {
    let public = if hide_only {
        " OR (NEW.public AND NOT OLD.public)"
    } else {
        ""
    };
    format!(
        "CREATE OR REPLACE FUNCTION samverkan_change_events_guard() RETURNS trigger \
         LANGUAGE plpgsql AS $$ BEGIN \
         IF TG_OP = 'DELETE' OR ({old}) IS DISTINCT FROM ({new}) \
            OR (OLD.position IS NOT NULL AND NEW.position IS DISTINCT FROM OLD.position){public} \
         THEN RAISE EXCEPTION {REFUSE}; END IF; \
         RETURN NEW; END $$",
        old = prefixed("OLD", columns),
        new = prefixed("NEW", columns),
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared(&guard(GUARDED, true)).await?;
        } else {
            // One call, so one connection of the pool: another one's schema may not yet know
            // that the trigger was dropped.
            db.execute_unprepared(&format!(
                "DROP TRIGGER change_events_no_update; \
                 CREATE TRIGGER change_events_no_update BEFORE UPDATE OF {GUARDED} \
                 ON change_events BEGIN SELECT RAISE(ABORT, {REFUSE}); END; \
                 CREATE TRIGGER change_events_hide_only BEFORE UPDATE OF public \
                 ON change_events WHEN NEW.public AND NOT OLD.public \
                 BEGIN SELECT RAISE(ABORT, {REFUSE}); END;"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let with_public = format!("{GUARDED}, public");
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared(&guard(&with_public, false)).await?;
        } else {
            db.execute_unprepared(&format!(
                "DROP TRIGGER change_events_hide_only; DROP TRIGGER change_events_no_update; \
                 CREATE TRIGGER change_events_no_update BEFORE UPDATE OF {with_public} \
                 ON change_events BEGIN SELECT RAISE(ABORT, {REFUSE}); END;"
            ))
            .await?;
        }
        Ok(())
    }
}
