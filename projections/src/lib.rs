//! The read side's writers: Kafka consumers that apply events to read models, exactly once in
//! effect, and the rebuild that replays the event store into them.

pub mod lead_projection;
mod projection_metrics;
mod rebuild;
mod worker;

pub use rebuild::rebuild_leads;
pub use worker::{ProjectionWorker, WorkerSettings};
