//! Authentication: every way a token can be refused.
