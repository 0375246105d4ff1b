//! What a write did to a record, as the audit log and the change events name it.

crate::string_enum! {
    /// What a write did to a record.
    pub enum Action {
        /// Created.
        Create = "create",
        /// Changed.
        Update = "update",
        /// Archived (a soft delete: the record stays, as a tombstone).
        Archive = "archive",
        /// Personal data erased (the record stays, pseudonymised).
        Erase = "erase",
    }
}
