use futures::future::BoxFuture;
use sqlx::PgPool;
use uuid::Uuid;

/// A call to place.
#[derive(Debug, Clone)]
pub struct OutboundCall {
    pub tenant_id: Uuid,
    pub call_id: Uuid,
    pub phone: String,
    /// `en` or `es`.
    pub language: String,
}

/// What the provider answered: who carries the call, and its id for the call's webhooks.
#[derive(Debug, Clone)]
pub struct PlacedCall {
    pub provider: String,
    pub provider_call_id: String,
}

/// Places voice calls. VAPI, Retell or Telnyx plug in here; their webhooks then drive the call.
pub trait VoiceProvider: Send + Sync {
    /// Dials `call`.
    fn place<'a>(&'a self, call: &'a OutboundCall) -> BoxFuture<'a, anyhow::Result<PlacedCall>>;
    /// Asks the provider to delete what it keeps of `calls` (numbers, recordings; erasure).
    fn forget<'a>(&'a self, calls: &'a [Uuid]) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// The local default: dials nothing and records each call in `placed_calls`; the conversation
/// then runs over the HTTP turn endpoints.
pub struct RecordingVoice {
    pool: PgPool,
}

impl RecordingVoice {
    /// Records into `pool`'s `placed_calls` table.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl VoiceProvider for RecordingVoice {
    fn place<'a>(&'a self, call: &'a OutboundCall) -> BoxFuture<'a, anyhow::Result<PlacedCall>> {
        Box::pin(async move {
            sqlx::query("INSERT INTO placed_calls (tenant_id, call_id, phone, language) VALUES ($1, $2, $3, $4)")
                .bind(call.tenant_id)
                .bind(call.call_id)
                .bind(&call.phone)
                .bind(&call.language)
                .execute(&self.pool)
                .await?;
            tracing::info!(call_id = %call.call_id, "call recorded (local voice provider)");
            Ok(PlacedCall {
                provider: "local".to_string(),
                provider_call_id: format!("local-{}", call.call_id),
            })
        })
    }

    fn forget<'a>(&'a self, calls: &'a [Uuid]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            sqlx::query("DELETE FROM placed_calls WHERE call_id = ANY($1)")
                .bind(calls)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }
}
