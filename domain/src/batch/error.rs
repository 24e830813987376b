/// Why a batch refused a command.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BatchError {
    /// No such batch for this tenant.
    #[error("batch not found")]
    NotFound,
    /// A submit for an id already taken.
    #[error("batch already exists")]
    AlreadyExists,
    /// A batch holds at least one lead.
    #[error("a batch needs at least one lead")]
    Empty,
    /// An outcome for an item the batch does not have.
    #[error("item {index} is outside a batch of {total}")]
    NoSuchItem { index: u32, total: u32 },
}
