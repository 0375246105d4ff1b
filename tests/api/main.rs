//! The integration tests: every API test drives the real HTTP server, once on SQLite and once
//! on PostgreSQL (`SAMVERKAN_TEST_POSTGRES_URL`, else the local default; skipped, and said so,
//! when it does not answer). They run under the harness in `harness.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;
mod helpers;

mod action_plans;
mod agenda_whole;
mod assignments;
mod attachments;
mod audit;
mod audit_chain;
mod auth;
mod bola;
mod caps;
mod contract;
mod corrections;
mod database;
mod decision_order;
mod decisions;
mod deferral;
mod demo;
mod events;
mod exposure;
mod faults;
mod follow_up_history;
mod hardening;
mod hygiene;
mod idempotency;
mod identity;
mod indicator_formats;
mod indicator_summary;
mod indicators;
mod inventory;
mod kolada;
mod latest_and_as_of;
mod limits;
mod logs;
mod meeting_day;
mod meeting_record;
mod meetings;
mod members;
mod memberships;
mod minutes_pdf;
mod nul;
mod organisations;
mod plan_progress;
mod platform;
mod preconditions;
mod proceedings;
mod roles;
mod search;
mod seed_record;
mod signoff;
mod value_history;
mod visibility;
mod webhooks;

fn main() -> std::process::ExitCode {
    harness::main()
}
