//! Members: people, their protected contact data, erasure and export.
