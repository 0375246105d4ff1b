//! Meetings: the record, its agenda, its attendance, its minutes as a document, and calendar
//! feeds.

pub mod agenda;
pub mod attendance;
pub mod calendar;
pub mod minutes;
pub mod record;

use crate::auth::{Caller, Role};

/// Whether `caller` may see meetings and agenda items that are not public (admin, secretary,
/// member); everyone else sees public ones only.
pub fn sees_all(caller: &Caller) -> bool {
    caller.identity().is_some_and(|who| {
        who.roles
            .iter()
            .any(|r| matches!(r, Role::Admin | Role::Secretary | Role::Member))
    })
}
