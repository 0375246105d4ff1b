//! Decisions (filled in by the decisions change).
