//! Action plans and their revisions: drafts, consultation, approval by decision, supersession.
