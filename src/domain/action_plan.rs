//! Action plans: revision content, statuses and the rules between them.
