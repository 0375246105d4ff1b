//! Domain types: values that can only be built valid, and the rules they carry.

pub mod action_plan;
pub mod decision;
pub mod indicator;
pub mod meeting;
pub mod member;
pub mod membership;
pub mod organisation;
pub mod text;
