//! Exactly-once effect for every read model: the last event applied per aggregate, read and
//! written inside the transaction that applies a batch. A redelivered event (same or lower
//! sequence) is skipped, so applying twice changes nothing.

use leadstream_domain::envelope::Envelope;
use sqlx::PgConnection;
use std::collections::HashMap;

/// The events of `batch` of `aggregate_type` that projection `projection` has not applied yet,
/// in order. Locks the checkpoints it reads, so a rebuild or another worker touching these
/// aggregates waits for this batch.
pub async fn fresh<'a>(
    conn: &mut PgConnection,
    projection: &str,
    aggregate_type: &str,
    batch: &'a [Envelope],
) -> Result<Vec<&'a Envelope>, sqlx::Error> {
    let ours: Vec<&Envelope> = batch.iter().filter(|e| e.aggregate_type == aggregate_type).collect();
    if ours.is_empty() {
        return Ok(ours);
    }
    let mut ids: Vec<String> = ours.iter().map(|e| e.aggregate_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let stored: Vec<(String, i64)> = sqlx::query_as(
        "SELECT aggregate_id, last_sequence FROM projection_checkpoints
          WHERE projection = $1 AND aggregate_id = ANY($2) FOR UPDATE",
    )
    .bind(projection)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut checkpoints: HashMap<String, i64> = stored.into_iter().collect();
    Ok(ours
        .into_iter()
        .filter(|e| {
            let last = checkpoints.entry(e.aggregate_id.clone()).or_insert(0);
            let new = e.sequence > *last;
            if new {
                *last = e.sequence;
            }
            new
        })
        .collect())
}

/// Records `applied` (what [`fresh`] returned) as applied by `projection`.
pub async fn advance(conn: &mut PgConnection, projection: &str, applied: &[&Envelope]) -> Result<(), sqlx::Error> {
    let mut last: HashMap<&str, (i64, i64)> = HashMap::new();
    for e in applied {
        last.insert(&e.aggregate_id, (e.sequence, e.position));
    }
    let (mut ids, mut sequences, mut positions) = (vec![], vec![], vec![]);
    for (id, (sequence, position)) in last {
        ids.push(id.to_string());
        sequences.push(sequence);
        positions.push(position);
    }
    sqlx::query(
        "INSERT INTO projection_checkpoints (projection, aggregate_id, last_sequence, last_position)
         SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[])
         ON CONFLICT (projection, aggregate_id) DO UPDATE
            SET last_sequence = EXCLUDED.last_sequence, last_position = EXCLUDED.last_position
          WHERE projection_checkpoints.last_sequence < EXCLUDED.last_sequence",
    )
    .bind(projection)
    .bind(&ids)
    .bind(&sequences)
    .bind(&positions)
    .execute(conn)
    .await?;
    Ok(())
}

/// Decodes an envelope's aggregate id and typed event, saying what failed.
pub fn decode<E: serde::de::DeserializeOwned>(envelope: &Envelope) -> Result<(uuid::Uuid, E), String> {
    let id = uuid::Uuid::parse_str(&envelope.aggregate_id).map_err(|e| format!("aggregate id: {e}"))?;
    let event = envelope.decode().map_err(|e| format!("{}: {e}", envelope.event_type))?;
    Ok((id, event))
}
