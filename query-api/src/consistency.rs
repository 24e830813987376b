//! Read-your-writes: how the query side waits until a projection has passed a position. The
//! routes declare which read models they read; the one middleware in `api-conventions` calls
//! this waiter for them.

use futures_util::future::LocalBoxFuture;
use leadstream_api_conventions::{ApiError, PositionWaiter, ReadModel};
use sqlx::PgPool;
use std::time::{Duration, Instant};

use crate::projection_progress::ProjectionProgress;

/// How long a waiter sleeps when no commit wakes it: a safety net for lost notifications.
const RECHECK_EVERY: Duration = Duration::from_millis(50);

/// Whether projection `$3`, reading the events of aggregate type `$1`, has passed global
/// position `$2`: no such event at or below it is still unpublished, and in every partition the
/// last one at or below it has been applied. A handful of index lookups, however long the log.
const PASSED_POSITION_SQL: &str = "
WITH partitions AS (
    SELECT generate_series(0, coalesce(
        (SELECT max(kafka_partition) FROM outbox WHERE aggregate_type = $1 AND kafka_partition IS NOT NULL), -1)) AS partition
)
SELECT NOT EXISTS (
           SELECT 1 FROM outbox WHERE published_at IS NULL AND position <= $2 AND aggregate_type = $1)
   AND NOT EXISTS (
           SELECT 1
             FROM partitions p
             CROSS JOIN LATERAL (
                   SELECT o.kafka_offset FROM outbox o
                    WHERE o.aggregate_type = $1 AND o.kafka_partition = p.partition AND o.position <= $2
                    ORDER BY o.position DESC LIMIT 1) last
             LEFT JOIN projection_offsets applied
                    ON applied.projection = $3 AND applied.partition = p.partition
            WHERE applied.applied_offset IS NULL OR applied.applied_offset < last.kafka_offset)";

/// The leads read model (and the lead timeline the message lists read).
pub const LEADS: ReadModel = ReadModel {
    projection: "leads",
    aggregate_type: "lead",
};
/// The calls read model.
pub const CALLS: ReadModel = ReadModel {
    projection: "calls",
    aggregate_type: "call",
};
/// The appointments read model.
pub const APPOINTMENTS: ReadModel = ReadModel {
    projection: "appointments",
    aggregate_type: "appointment",
};

/// Waits on the read models in one database, woken by the projections' commits.
pub struct ProjectionWaiter {
    pool: PgPool,
    progress: ProjectionProgress,
}

impl ProjectionWaiter {
    /// A waiter over `pool`'s read models, woken by `progress`.
    pub fn new(pool: PgPool, progress: ProjectionProgress) -> Self {
        Self { pool, progress }
    }

    /// Waits until `model`'s projection has applied every event up to `position`, or until
    /// `deadline`; says which.
    async fn wait(&self, model: ReadModel, position: i64, deadline: Instant) -> Result<bool, ApiError> {
        let mut batches = self.progress.subscribe();
        loop {
            batches.borrow_and_update();
            let applied: bool = sqlx::query_scalar(PASSED_POSITION_SQL)
                .bind(model.aggregate_type)
                .bind(position)
                .bind(model.projection)
                .fetch_one(&self.pool)
                .await
                .map_err(ApiError::internal)?;
            if applied {
                return Ok(true);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            // Look again once a batch that could hold the event commits (a batch holding it
            // reaches at least its position), or after a short while in case a notification was lost.
            let wake = tokio::time::Instant::now() + RECHECK_EVERY.min(deadline - now);
            while let Ok(Ok(())) = tokio::time::timeout_at(wake, batches.changed()).await {
                if batches.borrow_and_update().max_position >= position {
                    break;
                }
            }
        }
    }
}

impl PositionWaiter for ProjectionWaiter {
    fn wait_for(
        &self,
        model: ReadModel,
        position: i64,
        deadline: Instant,
    ) -> LocalBoxFuture<'_, Result<bool, ApiError>> {
        Box::pin(self.wait(model, position, deadline))
    }
}
