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

/// Waits until `projection` has applied the event at `position` (and so every earlier event of
/// the same aggregate). Returns whether it got there within [`MAX_WAIT`]; the caller answers
/// either way and says which.
pub async fn wait_for_position(
    pool: &PgPool,
    progress: &ProjectionProgress,
    projection: &str,
    position: i64,
) -> Result<bool, ApiError> {
    let deadline = Instant::now() + MAX_WAIT;
    loop {
        let next_commit = progress.next_commit();
        tokio::pin!(next_commit);
        next_commit.as_mut().enable();
        let applied: bool = sqlx::query_scalar(
            "SELECT EXISTS (
                 SELECT 1 FROM outbox o
                   JOIN projection_checkpoints c
                     ON c.projection = $1 AND c.aggregate_id = o.aggregate_id AND c.last_sequence >= o.sequence
                  WHERE o.position = $2)",
        )
        .bind(projection)
        .bind(position)
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
        let _ = tokio::time::timeout(RECHECK_EVERY.min(deadline - now), next_commit).await;
    }
}
