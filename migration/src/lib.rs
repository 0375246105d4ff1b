//! Database migrations for samverkan, applied in order on start and by `samverkan migrate`.
//!
//! Migrations are append-only: a released file is never edited; a change is a new file named
//! `mYYYYMMDD_HHMMSS_<verb>_<table>.rs`.

// The migration traits take `&SchemaManager` with an elided lifetime; match them.
#![allow(elided_lifetimes_in_paths)]

pub use sea_orm_migration::prelude::*;

pub mod order;
pub mod postings;
pub mod seal;

mod m20261122_000001_create_audit_log;
mod m20261122_000002_create_organisations;
mod m20261122_000003_create_idempotency_keys;
mod m20261122_000004_create_members;
mod m20261122_000005_create_actors;
mod m20261122_000006_create_meetings;
mod m20261122_000007_create_decisions;
mod m20261122_000008_create_search_documents;
mod m20261122_000009_create_indicators;
mod m20261122_000010_create_action_plans;
mod m20261122_000011_index_indicator_values;
mod m20261122_000012_add_revision_publications;
mod m20261206_000013_extend_change_events;
mod m20261206_000014_create_webhooks;
mod m20261206_000015_allow_event_withdrawal;
mod m20261206_000016_seal_audit_log;
mod m20261206_000017_record_proceedings;
mod m20261206_000018_defer_agenda_items;
mod m20261206_000019_order_decisions;
mod m20261206_000020_minutes_headings;
mod m20261206_000021_create_attachments;
mod m20261206_000022_value_revisions;
mod m20261206_000023_indicator_aggregation;
mod m20261207_000024_follow_up_history;
mod m20261207_000025_search_postings;
mod m20261207_000026_index_decisions_by_item;

/// The ordered list of every migration.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_audit_log::Migration),
            Box::new(m20261122_000002_create_organisations::Migration),
            Box::new(m20261122_000003_create_idempotency_keys::Migration),
            Box::new(m20261122_000004_create_members::Migration),
            Box::new(m20261122_000005_create_actors::Migration),
            Box::new(m20261122_000006_create_meetings::Migration),
            Box::new(m20261122_000007_create_decisions::Migration),
            Box::new(m20261122_000008_create_search_documents::Migration),
            Box::new(m20261122_000009_create_indicators::Migration),
            Box::new(m20261122_000010_create_action_plans::Migration),
            Box::new(m20261122_000011_index_indicator_values::Migration),
            Box::new(m20261122_000012_add_revision_publications::Migration),
            Box::new(m20261206_000013_extend_change_events::Migration),
            Box::new(m20261206_000014_create_webhooks::Migration),
            Box::new(m20261206_000015_allow_event_withdrawal::Migration),
            Box::new(m20261206_000016_seal_audit_log::Migration),
            Box::new(m20261206_000017_record_proceedings::Migration),
            Box::new(m20261206_000018_defer_agenda_items::Migration),
            Box::new(m20261206_000019_order_decisions::Migration),
            Box::new(m20261206_000020_minutes_headings::Migration),
            Box::new(m20261206_000021_create_attachments::Migration),
            Box::new(m20261206_000022_value_revisions::Migration),
            Box::new(m20261206_000023_indicator_aggregation::Migration),
            Box::new(m20261207_000024_follow_up_history::Migration),
            Box::new(m20261207_000025_search_postings::Migration),
            Box::new(m20261207_000026_index_decisions_by_item::Migration),
        ]
    }
}

/// Makes `table` append-only: any UPDATE or DELETE (and, on PostgreSQL, TRUNCATE) fails.
pub(crate) async fn forbid_changes(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            db.execute_unprepared(
                "CREATE OR REPLACE FUNCTION samverkan_append_only() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN \
                 RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END $$",
            )
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION samverkan_append_only()"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION samverkan_append_only()"
            ))
            .await?;
        }
        _ => {
            for op in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_no_{lower} BEFORE {op} ON {table} \
                     BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END",
                    lower = op.to_lowercase()
                ))
                .await?;
            }
        }
    }
    Ok(())
}
