//! The read side's writers: Kafka consumers that apply events to read models, exactly once in
//! effect, and the rebuild that replays the event store into them.

pub mod appointment_projection;
pub mod call_projection;
mod checkpoints;
pub mod lead_projection;
mod projection_metrics;
mod read_model;
mod rebuild;
mod stamped;
mod worker;

pub use read_model::{ReadModel, PROGRESS_CHANNEL};
pub use rebuild::rebuild_read_models;
pub use worker::{ProjectionWorker, WorkerSettings};
