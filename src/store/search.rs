//! The search index (filled in by the search change).
