//! sea-orm entities: one per table, mechanical, no business rules.

pub mod actor;
pub mod audit_log;
pub mod change_event;
pub mod idempotency_key;
pub mod member;
pub mod membership;
pub mod organisation;
