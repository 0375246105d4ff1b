//! The `decisions` table (filled in by the decisions change).
