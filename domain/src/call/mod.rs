//! The Call aggregate: a voice call with a lead, from queued through its conversation turns to
//! a summary, or to failure.

mod aggregate;
mod events;

pub use aggregate::{Call, CallAction, CallCommand, CallDirection, CallError, CallStatus, CallTurn, CreateCall};
pub use events::{CallCompleted, CallCreated, CallEvent, CallFailed, CallStarted, TurnRecorded};

#[cfg(test)]
mod tests;
