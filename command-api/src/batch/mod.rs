//! Batch qualification: accepted at once, worked through in the background by a worker that
//! resumes from the batch's events after a restart and shares work safely with other instances.

mod batch_jobs;
mod batch_status;
mod batch_worker;

pub use batch_jobs::{BatchJobs, Priority};
pub use batch_status::{BatchStatus, ItemResult};
pub use batch_worker::{item_lead_id, BatchSettings, BatchWorker};

use leadstream_domain::batch::Batch;
use sqlx::PgPool;

use crate::event_store::{event_store_of, EventStoreOf};

/// The batch event store: the same `events` table as leads, no snapshots (a batch's state is a
/// few counters and a bitset).
pub type BatchEventStore = EventStoreOf<Batch>;

/// Builds the batch store over `pool`.
pub fn batch_event_store(pool: PgPool) -> BatchEventStore {
    event_store_of(pool)
}
