//! Domain types: values that can only be built valid, and the rules they carry.

pub mod action_plan;
pub mod attachment;
pub mod audit;
pub mod decision;
pub mod enums;
pub mod events;
pub mod indicator;
pub mod meeting;
pub mod member;
pub mod membership;
pub mod organisation;
pub mod proceedings;
pub mod role;
pub mod signoff;
pub mod text;
pub mod time;
pub mod webhook;

pub use enums::EntityType;
pub use role::Role;
