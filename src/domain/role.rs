//! The roles a caller can hold.

crate::string_enum! {
    /// What a caller may do, carried in the token's `roles` claim (and kept, per write, in the
    /// audit log).
    #[derive(clap::ValueEnum)]
    pub enum Role {
        /// Everything.
        Admin = "admin",
        /// Meeting records, decisions, action plans and indicators.
        Secretary = "secretary",
        /// Indicator values for its own organisation only.
        Reporter = "reporter",
        /// Reads everything, drafts and members' contact details included.
        Member = "member",
        /// Reads what is published (system-to-system).
        Integration = "integration",
    }
}
