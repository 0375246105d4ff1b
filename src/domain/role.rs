//! The roles a caller can hold.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a caller may do, carried in the token's `roles` claim.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Meeting records, decisions, action plans and indicators.
    Secretary,
    /// Indicator values for its own organisation only.
    Reporter,
    /// Reads everything, drafts and members' contact details included.
    Member,
    /// Reads what is published (system-to-system).
    Integration,
}

impl Role {
    /// The claim value of this role.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Secretary => "secretary",
            Self::Reporter => "reporter",
            Self::Member => "member",
            Self::Integration => "integration",
        }
    }
}
