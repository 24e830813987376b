//! Rebuilds every read model from the event store: the same code path as the live
//! projections, fed in global order instead of from Kafka.

use indicatif::{ProgressBar, ProgressStyle};
use leadstream_event_log::{read_envelope, SELECT_STORED_EVENTS_SQL};
use sqlx::{PgPool, Row};

use crate::read_model::{announce_progress, ReadModel};

/// Drops and rebuilds every read model in one transaction, `batch_size` events at a time,
/// showing progress on stderr when it is a terminal. Readers keep seeing the old rows until the
/// new ones commit; live workers wait on the table locks and then skip what was replayed.
/// Returns the number of events replayed.
pub async fn rebuild_read_models(pool: &PgPool, batch_size: i64) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    let tables: Vec<&str> = ReadModel::ALL.iter().flat_map(|m| m.tables().iter().copied()).collect();
    sqlx::query(&format!(
        "LOCK TABLE {}, projection_checkpoints IN EXCLUSIVE MODE",
        tables.join(", ")
    ))
    .execute(&mut *tx)
    .await?;
    for table in &tables {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
    }
    let names: Vec<&str> = ReadModel::ALL.iter().map(|m| m.name()).collect();
    let types: Vec<&str> = ReadModel::ALL.iter().map(|m| m.aggregate_type()).collect();
    sqlx::query("DELETE FROM projection_checkpoints WHERE projection = ANY($1)")
        .bind(&names)
        .execute(&mut *tx)
        .await?;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE aggregate_type = ANY($1)")
        .bind(&types)
        .fetch_one(&mut *tx)
        .await?;
    let progress = ProgressBar::new(total as u64).with_style(
        ProgressStyle::with_template("rebuilding read models {bar:40} {pos}/{len} events ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let sql = format!(
        "{SELECT_STORED_EVENTS_SQL} WHERE o.aggregate_type = ANY($1) AND o.position > $2 ORDER BY o.position LIMIT $3"
    );
    let (mut after, mut replayed) = (0_i64, 0_u64);
    loop {
        let rows = sqlx::query(&sql)
            .bind(&types)
            .bind(after)
            .bind(batch_size.max(1))
            .fetch_all(&mut *tx)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("position")?;
        let mut envelopes = rows.iter().map(read_envelope).collect::<Result<Vec<_>, _>>()?;
        leadstream_event_log::personal_data::open_envelopes(&mut tx, &mut envelopes).await?;
        // In global order across read models (runs of one aggregate type at a time): a lead's
        // erasure removes its calls after they were projected, as it did live.
        for run in envelopes.chunk_by(|a, b| a.aggregate_type == b.aggregate_type) {
            for model in ReadModel::ALL {
                model.apply_batch(&mut tx, run).await?;
            }
        }
        replayed += rows.len() as u64;
        progress.set_position(replayed);
    }
    announce_progress(&mut tx, after).await?;
    tx.commit().await?;
    progress.finish();
    Ok(replayed)
}
