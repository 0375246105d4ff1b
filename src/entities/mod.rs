//! sea-orm entities: one per table, mechanical, no business rules.

pub mod action_plan;
pub mod action_plan_revision;
pub mod activity_progress;
pub mod actor;
pub mod agenda_item;
pub mod attachment;
pub mod attendance;
pub mod audit_log;
pub mod audit_text;
pub mod change_event;
pub mod consultation_response;
pub mod decision;
pub mod follow_up_change;
pub mod idempotency_key;
pub mod indicator;
pub mod indicator_target;
pub mod indicator_value;
pub mod indicator_value_revision;
pub mod json;
pub mod meeting;
pub mod member;
pub mod membership;
pub mod minutes_signature;
pub mod organisation;
pub mod search_document;
pub mod search_posting;

pub use json::JsonColumn;
pub mod webhook;
pub mod webhook_attempt;
pub mod webhook_delivery;
