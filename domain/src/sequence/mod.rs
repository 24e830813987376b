//! The Sequence aggregate: a nurture sequence for one lead, touchpoints due at fixed days after
//! its start, sent once each, until it completes or is stopped.

mod aggregate;
mod events;

pub use aggregate::{
    PlannedMessage, Sequence, SequenceAction, SequenceCommand, SequenceError, SequenceStatus, StartSequence,
};
pub use events::{SequenceCompleted, SequenceEvent, SequenceStarted, SequenceStopped, Touchpoint, TouchpointSent};

/// Days after the start at which the default sequence reaches out (seed 000: 3, 7 and 30).
pub const DEFAULT_TOUCHPOINT_DAYS: [u32; 3] = [3, 7, 30];

#[cfg(test)]
mod tests;
