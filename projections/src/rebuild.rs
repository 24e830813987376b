//! Rebuilds the `leads` read model from the event store: the same code path as the live
//! projection, fed in global order instead of from Kafka.

use indicatif::{ProgressBar, ProgressStyle};
use leadstream_event_log::{read_envelope, SELECT_STORED_EVENTS_SQL};
use sqlx::{PgPool, Row};

use crate::lead_projection;

/// Drops and rebuilds the `leads` read model in one transaction, `batch_size` events at a time,
/// showing progress on stderr when it is a terminal. Readers keep seeing the old rows until the
/// new ones commit; the live worker waits on the table lock and then skips what was replayed.
/// Returns the number of events replayed.
pub async fn rebuild_leads(pool: &PgPool, batch_size: i64) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    sqlx::query("LOCK TABLE leads, lead_activities, projection_checkpoints IN EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM lead_activities").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM leads").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM projection_checkpoints WHERE projection = $1")
        .bind(lead_projection::NAME)
        .execute(&mut *tx)
        .await?;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE aggregate_type = $1")
        .bind(lead_projection::AGGREGATE_TYPE)
        .fetch_one(&mut *tx)
        .await?;
    let progress = ProgressBar::new(total as u64).with_style(
        ProgressStyle::with_template("rebuilding leads {bar:40} {pos}/{len} events ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let sql = format!(
        "{SELECT_STORED_EVENTS_SQL} WHERE o.aggregate_type = $1 AND o.position > $2 ORDER BY o.position LIMIT $3"
    );
    let (mut after, mut replayed) = (0_i64, 0_u64);
    loop {
        let rows = sqlx::query(&sql)
            .bind(lead_projection::AGGREGATE_TYPE)
            .bind(after)
            .bind(batch_size.max(1))
            .fetch_all(&mut *tx)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("position")?;
        let envelopes = rows.iter().map(read_envelope).collect::<Result<Vec<_>, _>>()?;
        lead_projection::apply_batch(&mut tx, &envelopes).await?;
        replayed += rows.len() as u64;
        progress.set_position(replayed);
    }
    lead_projection::announce_progress(&mut tx, after).await?;
    tx.commit().await?;
    progress.finish();
    Ok(replayed)
}
