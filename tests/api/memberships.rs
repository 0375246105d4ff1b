//! Memberships: roles over time, substitutes, and rosters.
