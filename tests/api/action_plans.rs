//! Action plans and their revisions.
