//! Meetings: the record, its lifecycle and lock, agenda, attendance, minutes and calendar feeds.
