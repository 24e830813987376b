//! Nurture sequences: the Sequence aggregate's store and service, and the scheduler that sends
//! each touchpoint once, when it is due.

mod scheduler;
mod sequence_service;

pub use scheduler::{Scheduler, SchedulerSettings};
pub use sequence_service::{SequenceFailure, SequenceService, SequenceView, TouchpointView};
