//! Swedish full-text search: tokens, stems and snippets (filled in by the search change).
