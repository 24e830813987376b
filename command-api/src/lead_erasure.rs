//! Erasure of a lead's personal data (GDPR Art. 17, `DELETE /leads/{id}`). The event log is
//! immutable, so erasure is crypto-shredding: the lead's key is destroyed, and what the log, its
//! snapshots and the Kafka topics say of the person can no longer be read. What the command side
//! and the providers keep beside the log (a batch item's input, the messages, calls and CRM
//! contacts handed to providers) is deleted, and the lead's `lead.erased` event tells every read
//! model to drop it. Every step can be repeated: an erasure interrupted half-way is finished by
//! asking again.

use leadstream_event_log::personal_data::destroy_key;
use sqlx::PgPool;
use uuid::Uuid;

use crate::integrations::Integrations;

/// Why the personal data could not all be forgotten (the request may be repeated).
#[derive(Debug, thiserror::Error)]
pub enum ErasureError {
    #[error("erasure in the store: {0}")]
    Store(#[from] sqlx::Error),
    #[error("erasure at a provider: {0}")]
    Provider(#[from] anyhow::Error),
}

/// Destroys `lead_id`'s key and every copy of its personal data kept outside the log. Run before
/// the `lead.erased` event is appended, so that an erased lead never has a readable copy left.
#[tracing::instrument(skip(pool, integrations))]
pub async fn forget_lead(pool: &PgPool, integrations: &Integrations, lead_id: Uuid) -> Result<(), ErasureError> {
    let mut tx = pool.begin().await?;
    destroy_key(&mut tx, lead_id).await?;
    // Sealed with the destroyed key, the lead's snapshots are dead weight; its streams are read
    // from their (shredded) events from now on.
    sqlx::query("DELETE FROM snapshots WHERE aggregate_type = 'lead' AND aggregate_id = $1")
        .bind(lead_id.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE batch_items SET input = '{}'::jsonb WHERE lead_id = $1")
        .bind(lead_id)
        .execute(&mut *tx)
        .await?;
    let calls: Vec<String> = sqlx::query_scalar(
        "SELECT aggregate_id FROM events
          WHERE aggregate_type = 'call' AND sequence = 1 AND payload->'data'->>'lead_id' = $1",
    )
    .bind(lead_id.to_string())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let calls: Vec<Uuid> = calls.iter().filter_map(|id| Uuid::parse_str(id).ok()).collect();
    integrations.messages.forget(lead_id).await?;
    integrations.crm.forget(lead_id).await?;
    integrations.voice.forget(&calls).await?;
    tracing::info!(calls = calls.len(), "personal data of the lead forgotten");
    Ok(())
}
