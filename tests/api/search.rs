//! Full-text search in Swedish.
