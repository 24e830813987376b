//! Read-your-writes on request: a query may name the position a command returned and wait,
//! briefly, until the projection has applied the event at that position.

use actix_web::HttpRequest;
use leadstream_api_conventions::ApiError;
use sqlx::PgPool;
use std::time::{Duration, Instant};

use crate::projection_progress::ProjectionProgress;

/// How long a waiter sleeps when no commit wakes it: a safety net for lost notifications.
const RECHECK_EVERY: Duration = Duration::from_millis(50);

/// The longest a query waits for projections to catch up.
pub const MAX_WAIT: Duration = Duration::from_secs(2);

/// The header alternative to the `min_position` query parameter.
pub const MIN_POSITION_HEADER: &str = "x-min-position";

/// The position the caller wants to read after: the query parameter, else the header.
pub fn requested_position(req: &HttpRequest, from_query: Option<&str>) -> Result<Option<i64>, ApiError> {
    let raw = from_query.map(str::to_owned).or_else(|| {
        req.headers()
            .get(MIN_POSITION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    raw.map(|raw| {
        raw.trim()
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 0)
            .ok_or_else(|| ApiError::bad_request("INVALID_MIN_POSITION", "min_position must be a non-negative integer"))
    })
    .transpose()
}

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

/// Waits until `projection` has applied every event up to `position`. Returns whether it got
/// there within [`MAX_WAIT`]; the caller answers either way and says which.
pub async fn wait_for_position(
    pool: &PgPool,
    progress: &ProjectionProgress,
    projection: &str,
    aggregate_type: &str,
    position: i64,
) -> Result<bool, ApiError> {
    let deadline = Instant::now() + MAX_WAIT;
    let mut batches = progress.subscribe();
    loop {
        batches.borrow_and_update();
        let applied: bool = sqlx::query_scalar(PASSED_POSITION_SQL)
            .bind(aggregate_type)
            .bind(position)
            .bind(projection)
            .fetch_one(pool)
            .await
            .map_err(ApiError::internal)?;
        if applied {
            return Ok(true);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        // Look again once a batch that could hold the event commits (a batch holding it reaches
        // at least its position), or after a short while in case a notification was lost.
        let wake = tokio::time::Instant::now() + RECHECK_EVERY.min(deadline - now);
        while let Ok(Ok(())) = tokio::time::timeout_at(wake, batches.changed()).await {
            if batches.borrow_and_update().max_position >= position {
                break;
            }
        }
    }
}

/// A read model a query may wait for: its projection's name and the aggregate type it reads.
#[derive(Debug, Clone, Copy)]
pub struct WaitFor {
    pub projection: &'static str,
    pub aggregate_type: &'static str,
}

/// The leads read model (and the lead timeline the message lists read).
pub const LEADS: WaitFor = WaitFor {
    projection: "leads",
    aggregate_type: "lead",
};
/// The calls read model.
pub const CALLS: WaitFor = WaitFor {
    projection: "calls",
    aggregate_type: "call",
};
/// The appointments read model.
pub const APPOINTMENTS: WaitFor = WaitFor {
    projection: "appointments",
    aggregate_type: "appointment",
};

/// Waits for the requested position (query parameter or header) in `model`, if any; says
/// whether it was reached, for the `X-Projection-Caught-Up` header.
pub async fn read_after(
    pool: &PgPool,
    progress: &ProjectionProgress,
    req: &HttpRequest,
    from_query: Option<&str>,
    model: WaitFor,
) -> Result<Option<bool>, ApiError> {
    match requested_position(req, from_query)? {
        Some(position) => wait_for_position(pool, progress, model.projection, model.aggregate_type, position)
            .await
            .map(Some),
        None => Ok(None),
    }
}
