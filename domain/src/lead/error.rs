use crate::ValidationErrors;

/// Why a lead refused a command.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LeadError {
    /// No such lead for this tenant (it may exist for another: we do not say).
    #[error("lead not found")]
    NotFound,
    /// The caller's role does not allow this command.
    #[error("{0}")]
    Forbidden(&'static str),
    /// A create for an id already taken.
    #[error("lead already exists")]
    AlreadyExists,
    /// The lead's personal data was erased; it accepts no more changes.
    #[error("lead was erased")]
    Erased,
    /// The command, applied to this lead, would break a rule.
    #[error("{0}")]
    Invalid(ValidationErrors),
}
