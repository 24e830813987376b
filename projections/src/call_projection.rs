//! The `calls` read model: one row per call, its transcript growing turn by turn.

use leadstream_domain::call::CallEvent;
use leadstream_domain::envelope::Envelope;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::checkpoints;
use crate::stamped::{stamped, update};

const TABLE: &str = "calls";

/// The projection's name in checkpoints and offsets.
pub const NAME: &str = "calls";

/// The aggregate type whose events this projection reads.
pub const AGGREGATE_TYPE: &str = "call";

/// Applies the call events of `batch` inside the caller's transaction; returns how many were new.
pub async fn apply_batch(conn: &mut PgConnection, batch: &[Envelope]) -> Result<usize, sqlx::Error> {
    let fresh = checkpoints::fresh(conn, NAME, AGGREGATE_TYPE, batch).await?;
    for envelope in &fresh {
        match checkpoints::decode::<CallEvent>(envelope) {
            Ok((id, event)) => apply(conn, id, envelope, event).await?,
            Err(reason) => tracing::error!(position = envelope.position, %reason, "skipping a call event"),
        }
    }
    checkpoints::advance(conn, NAME, &fresh).await?;
    Ok(fresh.len())
}

/// Every statement binds `$1` the call id, `$2` version, `$3` position, `$4` the event's time.
async fn apply(conn: &mut PgConnection, id: Uuid, envelope: &Envelope, event: CallEvent) -> Result<(), sqlx::Error> {
    match event {
        CallEvent::Created(e) => {
            stamped(
                "INSERT INTO calls (id, version, last_position, created_at, updated_at, tenant_id, lead_id, direction,
                                    phone, purpose, language, provider, provider_call_id, status)
                 VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'queued')
                 ON CONFLICT (id) DO NOTHING",
                id,
                envelope,
                e.created_at,
            )
            .bind(e.tenant_id.0)
            .bind(e.lead_id)
            .bind(json!(e.direction).as_str().unwrap_or("outbound").to_string())
            .bind(&e.phone)
            .bind(&e.purpose)
            .bind(e.language.as_str())
            .bind(&e.provider)
            .bind(&e.provider_call_id)
            .execute(conn)
            .await?;
        }
        CallEvent::Started(e) => {
            let sql = update(TABLE, "status = 'in_progress', started_at = $4, opening_message = $5");
            stamped(&sql, id, envelope, e.started_at)
                .bind(&e.opening_message)
                .execute(conn)
                .await?;
        }
        CallEvent::TurnRecorded(e) => {
            let sql = update(
                TABLE,
                "transcript = transcript || jsonb_build_array($5::jsonb), conversation_state = $6",
            );
            let turn = json!({
                "index": e.index,
                "customer_text": e.customer_text,
                "reply": e.reply,
                "analysis": e.analysis,
                "conversation_state": e.conversation_state,
                "should_continue": e.should_continue,
                "recorded_at": e.recorded_at,
            });
            stamped(&sql, id, envelope, e.recorded_at)
                .bind(turn)
                .bind(json!(e.conversation_state).as_str().unwrap_or("greeting").to_string())
                .execute(conn)
                .await?;
        }
        CallEvent::Completed(e) => {
            let sql = update(
                TABLE,
                "status = 'completed', ended_at = $4, end_reason = $5, summary = $6, analytics = $7",
            );
            stamped(&sql, id, envelope, e.ended_at)
                .bind(&e.reason)
                .bind(json!(e.summary))
                .bind(json!(e.analytics))
                .execute(conn)
                .await?;
        }
        CallEvent::Failed(e) => {
            let sql = update(TABLE, "status = 'failed', ended_at = $4, end_reason = $5");
            stamped(&sql, id, envelope, e.failed_at)
                .bind(&e.reason)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}
