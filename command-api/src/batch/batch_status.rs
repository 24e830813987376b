use chrono::{DateTime, Utc};
use leadstream_domain::batch::BatchEvent;
use leadstream_event_log::personal_data;
use serde::Serialize;
use serde_json::Value;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

/// A batch's progress and results, read from its events (so it is exact at every moment).
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchStatus {
    pub batch_id: Uuid,
    /// `processing`, `completed` or `failed` (nothing could be qualified).
    pub status: &'static str,
    pub total_leads: u32,
    /// Items qualified so far.
    pub processed: u32,
    /// Items that could not become leads.
    pub failed: u32,
    /// One entry per finished item, in item order.
    pub results: Vec<ItemResult>,
    pub priority: String,
    pub submitted_at: DateTime<Utc>,
    /// From submission to the last item, once finished.
    pub processing_time_ms: Option<u64>,
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub tenant_id: Uuid,
}

/// How one item went.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemResult {
    /// The item's position in the submitted list, from 0.
    pub index: u32,
    pub email: Option<String>,
    /// The lead made from the item, when it was qualified.
    pub lead_id: Option<Uuid>,
    pub score: Option<f64>,
    /// `HOT`, `WARM` or `COLD`.
    pub tier: Option<&'static str>,
    /// Why the item failed.
    pub error: Option<String>,
}

impl BatchStatus {
    /// Folds batch `batch_id`'s events; `None` when there is no such batch.
    pub async fn load(pool: &PgPool, batch_id: Uuid) -> Result<Option<Self>, String> {
        // The stored payload is the event's serde form, `{"event_type", "data"}`.
        let rows: Vec<(String, Value)> = sqlx::query_as(
            "SELECT event_type, payload FROM events
              WHERE aggregate_type = 'batch' AND aggregate_id = $1 ORDER BY sequence",
        )
        .bind(batch_id.to_string())
        .fetch_all(pool)
        .await
        .map_err(|e| e.to_string())?;
        let mut rows = rows;
        let mut conn = pool.acquire().await.map_err(|e| e.to_string())?;
        let events = rows
            .iter_mut()
            .filter_map(|(event_type, payload)| Some((event_type.as_str(), payload.get_mut("data")?)))
            .collect();
        personal_data::open_events(&mut conn, events)
            .await
            .map_err(|e| e.to_string())?;
        drop(conn);
        let mut status: Option<Self> = None;
        for (event_type, payload) in rows {
            let event: BatchEvent =
                serde_json::from_value(payload).map_err(|e| format!("unreadable {event_type}: {e}"))?;
            match (event, status.as_mut()) {
                (BatchEvent::Submitted(e), _) => {
                    status = Some(Self {
                        batch_id: e.batch_id,
                        status: "processing",
                        total_leads: e.total,
                        processed: 0,
                        failed: 0,
                        results: Vec::with_capacity(e.total as usize),
                        priority: e.priority,
                        submitted_at: e.submitted_at,
                        processing_time_ms: None,
                        completed_at: None,
                        tenant_id: e.tenant_id.0,
                    })
                }
                (BatchEvent::ItemQualified(e), Some(s)) => {
                    s.processed += 1;
                    s.results.push(ItemResult {
                        index: e.index,
                        email: e.email,
                        lead_id: Some(e.lead_id),
                        score: Some(e.score),
                        tier: Some(e.tier.as_str()),
                        error: None,
                    });
                }
                (BatchEvent::ItemFailed(e), Some(s)) => {
                    s.failed += 1;
                    s.results.push(ItemResult {
                        index: e.index,
                        email: e.email,
                        lead_id: None,
                        score: None,
                        tier: None,
                        error: Some(e.error),
                    });
                }
                (BatchEvent::Completed(e), Some(s)) => {
                    s.status = "completed";
                    s.processing_time_ms = Some(e.processing_time_ms);
                    s.completed_at = Some(e.completed_at);
                }
                (BatchEvent::Failed(e), Some(s)) => {
                    s.status = "failed";
                    s.processing_time_ms = Some((e.failed_at - s.submitted_at).num_milliseconds().max(0) as u64);
                    s.completed_at = Some(e.failed_at);
                }
                (_, None) => return Err("a batch stream that does not start with batch.submitted".into()),
            }
        }
        if let Some(s) = status.as_mut() {
            s.results.sort_by_key(|r| r.index);
        }
        Ok(status)
    }
}
