//! Full-text search (filled in by the search change).
