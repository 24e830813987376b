//! The Batch aggregate: many leads submitted for qualification at once, worked through in the
//! background. Its progress is its events, so a restart resumes where the last event left it.

mod aggregate;
mod commands;
mod error;
mod events;

pub use aggregate::Batch;
pub use commands::{BatchAction, BatchCommand, ItemOutcome, SubmitBatch};
pub use error::BatchError;
pub use events::{BatchCompleted, BatchEvent, BatchFailed, BatchSubmitted, ItemFailed, ItemQualified};

#[cfg(test)]
mod tests;
