//! Decisions and assignments.
