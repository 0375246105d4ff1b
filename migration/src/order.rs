//! The order of decisions in the minutes, shared by the service and by migration 19, which
//! fills it for decisions taken before it.

use chrono::{DateTime, Utc};

/// A decision's place in the order of the minutes: its meeting's start, then its agenda item's
/// position (decisions under one item then follow in the order they were taken, by id).
pub fn minutes_order(meeting_starts_at: DateTime<Utc>, item_position: i32) -> i64 {
    meeting_starts_at.timestamp() * 1000 + i64::from(item_position.clamp(0, 999))
}

#[cfg(test)]
mod tests {
    use super::minutes_order;

    #[test]
    fn meetings_come_first_then_items() {
        let at = |s| chrono::DateTime::from_timestamp(s, 0).unwrap_or_default();
        assert!(minutes_order(at(100), 200) < minutes_order(at(101), 1));
        assert!(minutes_order(at(100), 2) < minutes_order(at(100), 10));
        assert!(
            minutes_order(at(-2_208_988_800), 1) < 0,
            "1900 sorts before 1970"
        );
    }
}
