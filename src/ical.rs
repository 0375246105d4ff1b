//! iCalendar (RFC 5545) feeds of meetings.
