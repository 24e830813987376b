use futures::future::BoxFuture;
use leadstream_domain::lead::Channel;
use sqlx::PgPool;
use uuid::Uuid;

/// One outbound SMS or e-mail.
#[derive(Debug, Clone)]
pub struct Outbound {
    pub tenant_id: Uuid,
    pub lead_id: Uuid,
    pub channel: Channel,
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
}

/// What the provider answered.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub provider: String,
    pub provider_message_id: String,
}

/// Delivers messages. Telnyx, Twilio or an e-mail API plug in here.
pub trait MessageSender: Send + Sync {
    /// Hands `message` to the provider.
    fn send<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, anyhow::Result<Accepted>>;
    /// Asks the provider to delete what it keeps of the messages to `lead_id` (erasure).
    fn forget(&self, lead_id: Uuid) -> BoxFuture<'_, anyhow::Result<()>>;
}

/// The local default: delivers nothing and records every message in `outbound_messages`.
pub struct RecordingSender {
    pool: PgPool,
}

impl RecordingSender {
    /// Records into `pool`'s `outbound_messages` table.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl MessageSender for RecordingSender {
    fn send<'a>(&'a self, m: &'a Outbound) -> BoxFuture<'a, anyhow::Result<Accepted>> {
        Box::pin(async move {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO outbound_messages (tenant_id, lead_id, channel, recipient, subject, body)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(m.tenant_id)
            .bind(m.lead_id)
            .bind(m.channel.as_str())
            .bind(&m.to)
            .bind(&m.subject)
            .bind(&m.body)
            .fetch_one(&self.pool)
            .await?;
            tracing::info!(channel = m.channel.as_str(), lead_id = %m.lead_id, "message recorded (local provider)");
            Ok(Accepted {
                provider: "local".to_string(),
                provider_message_id: format!("local-{id}"),
            })
        })
    }

    fn forget(&self, lead_id: Uuid) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            sqlx::query("DELETE FROM outbound_messages WHERE lead_id = $1")
                .bind(lead_id)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }
}
