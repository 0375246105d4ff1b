//! Meetings in the store, one module per part of the record: the meeting itself, its agenda,
//! its attendance list, and the read models built over them.

mod agenda;
mod agenda_replace;
mod attendance;
mod deferral;
mod order;
mod read;
mod record;
mod signoff;

pub use agenda::{
    ITEM_ENTITY_TYPE, agenda_of, archive_item, get_item, insert_item, list_items, update_item,
};
pub use agenda_replace::replace_agenda;
pub use attendance::{ATTENDANCE_ENTITY_TYPE, attendance_of, replace_attendance};
pub use deferral::{defer_item, items_by_id};
pub use order::{Pending, follow_agenda};
pub use read::{Summary, get_many, involvement_of, summary};
pub use record::{
    ENTITY_TYPE, MeetingFilter, all, archive, get, insert, list, meeting_date, update,
};
pub use signoff::{sign, signatures_of};
