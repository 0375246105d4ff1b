//! The `search_documents` table (filled in by the search change).
