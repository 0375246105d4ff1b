//! How someone attended a meeting, and one entry of the attendance list as a client sends it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::string_enum;

string_enum! {
    /// How someone attended.
    pub enum AttendanceStatus {
        /// Närvarande.
        Present = "present",
        /// Närvarande på distans.
        Remote = "remote",
        /// Frånvarande.
        Absent = "absent",
        /// Anmält förhinder.
        Excused = "excused",
    }
}

impl AttendanceStatus {
    /// Whether the person took part.
    pub fn took_part(self) -> bool {
        matches!(self, Self::Present | Self::Remote)
    }
}

/// One attendance entry as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceEntry {
    /// The person.
    pub member_id: Uuid,
    /// How they attended.
    pub status: AttendanceStatus,
    /// The group member they stand in for.
    #[serde(default)]
    pub substitute_for_member_id: Option<Uuid>,
    /// The organisation they speak for (default: from their membership, or from the member
    /// they stand in for).
    #[serde(default)]
    pub represents_id: Option<Uuid>,
    /// A guest for named agenda items only.
    #[serde(default)]
    pub guest: bool,
    /// The agenda items (of this meeting) a guest attended.
    #[serde(default)]
    pub agenda_item_ids: Vec<Uuid>,
    /// A note, e.g. "left after item 5" (at most 2000 characters; no control characters but
    /// line breaks and tabs).
    #[serde(default)]
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub note: Option<String>,
}
