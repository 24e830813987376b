use futures::future::BoxFuture;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// What is sent to a CRM about one lead.
#[derive(Debug, Clone, Serialize)]
pub struct CrmRequest {
    pub tenant_id: Uuid,
    pub lead_id: Uuid,
    /// `hubspot` or `salesforce`.
    pub crm: String,
    pub pipeline_id: Option<String>,
    pub owner_email: Option<String>,
    /// The lead as the command side holds it.
    pub lead: serde_json::Value,
}

/// What the CRM answered.
#[derive(Debug, Clone)]
pub struct CrmReceipt {
    /// The CRM's own id for the record.
    pub external_id: String,
}

/// Sends leads to a CRM. HubSpot and Salesforce clients plug in here.
pub trait Crm: Send + Sync {
    /// Creates or updates the lead's record in the CRM.
    fn push<'a>(&'a self, request: &'a CrmRequest) -> BoxFuture<'a, anyhow::Result<CrmReceipt>>;
    /// Asks the CRM to delete the contact it holds for `lead_id` (erasure).
    fn forget(&self, lead_id: Uuid) -> BoxFuture<'_, anyhow::Result<()>>;
}

/// The local default: sends nothing and records each request in `crm_requests`; the receipt's
/// id is the recorded row's. Pushing the same lead to the same CRM again updates one record,
/// as a real CRM's upsert would.
pub struct RecordingCrm {
    pool: PgPool,
}

impl RecordingCrm {
    /// Records into `pool`'s `crm_requests` table.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl Crm for RecordingCrm {
    fn push<'a>(&'a self, request: &'a CrmRequest) -> BoxFuture<'a, anyhow::Result<CrmReceipt>> {
        Box::pin(async move {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO crm_requests (tenant_id, lead_id, crm, request)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant_id, lead_id, crm)
                 DO UPDATE SET request = EXCLUDED.request, pushes = crm_requests.pushes + 1, updated_at = now()
                 RETURNING id",
            )
            .bind(request.tenant_id)
            .bind(request.lead_id)
            .bind(&request.crm)
            .bind(serde_json::to_value(request)?)
            .fetch_one(&self.pool)
            .await?;
            tracing::info!(crm = %request.crm, lead_id = %request.lead_id, "CRM request recorded (local CRM)");
            Ok(CrmReceipt {
                external_id: format!("local-{}-{id}", request.crm),
            })
        })
    }

    fn forget(&self, lead_id: Uuid) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(async move {
            sqlx::query("DELETE FROM crm_requests WHERE lead_id = $1")
                .bind(lead_id)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }
}
