use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

/// One step: what goes out how many days after the campaign is applied.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CampaignStep {
    pub day: i32,
    /// `sms` or `email`.
    pub channel: String,
    pub subject: Option<String>,
    /// May name `{{name}}`.
    pub message: String,
}

/// A campaign with its steps, in day order.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignView {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// `active` or `paused`.
    pub status: String,
    pub steps: Vec<CampaignStep>,
    /// Sequences it has started.
    pub sequences_started: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The tenants' campaigns.
#[derive(Clone)]
pub struct CampaignStore {
    pool: PgPool,
}

type CampaignRow = (Uuid, String, Option<String>, String, DateTime<Utc>, DateTime<Utc>, i64);

impl CampaignStore {
    /// A store over `pool`'s `campaigns` and `campaign_steps`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Creates a campaign with `steps`.
    pub async fn create(
        &self,
        tenant: Uuid,
        name: &str,
        description: Option<&str>,
        steps: &[CampaignStep],
    ) -> Result<Uuid, sqlx::Error> {
        let id = Uuid::now_v7();
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO campaigns (id, tenant_id, name, description) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(tenant)
            .bind(name)
            .bind(description)
            .execute(&mut *tx)
            .await?;
        for step in steps {
            insert_step(&mut tx, id, step).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The tenant's campaign (archived ones are gone).
    pub async fn get(&self, tenant: Uuid, id: Uuid) -> Result<Option<CampaignView>, sqlx::Error> {
        Ok(self.list_where(tenant, Some(id)).await?.into_iter().next())
    }

    /// The tenant's campaigns, newest first.
    pub async fn list(&self, tenant: Uuid) -> Result<Vec<CampaignView>, sqlx::Error> {
        self.list_where(tenant, None).await
    }

    async fn list_where(&self, tenant: Uuid, id: Option<Uuid>) -> Result<Vec<CampaignView>, sqlx::Error> {
        let rows: Vec<CampaignRow> = sqlx::query_as(
            "SELECT c.id, c.name, c.description, c.status, c.created_at, c.updated_at,
                    (SELECT count(*) FROM sequences s WHERE s.campaign_id = c.id)
               FROM campaigns c
              WHERE c.tenant_id = $1 AND c.status <> 'archived' AND ($2::uuid IS NULL OR c.id = $2)
              ORDER BY c.created_at DESC LIMIT 200",
        )
        .bind(tenant)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut views = vec![];
        for (id, name, description, status, created_at, updated_at, sequences_started) in rows {
            let steps = sqlx::query_as(
                "SELECT day, channel, subject, message FROM campaign_steps WHERE campaign_id = $1 ORDER BY day",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            views.push(CampaignView {
                id,
                name,
                description,
                status,
                steps,
                sequences_started,
                created_at,
                updated_at,
            });
        }
        Ok(views)
    }

    /// Changes name, description or status; false when the tenant has no such campaign.
    pub async fn update(
        &self,
        tenant: Uuid,
        id: Uuid,
        name: Option<&str>,
        description: Option<&str>,
        status: Option<&str>,
    ) -> Result<bool, sqlx::Error> {
        let changed = sqlx::query(
            "UPDATE campaigns SET name = COALESCE($3, name), description = COALESCE($4, description),
                    status = COALESCE($5, status), updated_at = now()
              WHERE id = $1 AND tenant_id = $2 AND status <> 'archived'",
        )
        .bind(id)
        .bind(tenant)
        .bind(name)
        .bind(description)
        .bind(status)
        .execute(&self.pool)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    /// Adds (or, on the same day, replaces) a step; false when the tenant has no such campaign.
    pub async fn add_step(&self, tenant: Uuid, id: Uuid, step: &CampaignStep) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let owned: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM campaigns WHERE id = $1 AND tenant_id = $2 AND status <> 'archived' FOR UPDATE",
        )
        .bind(id)
        .bind(tenant)
        .fetch_optional(&mut *tx)
        .await?;
        if owned.is_none() {
            return Ok(false);
        }
        insert_step(&mut tx, id, step).await?;
        sqlx::query("UPDATE campaigns SET updated_at = now() WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

async fn insert_step(conn: &mut sqlx::PgConnection, id: Uuid, step: &CampaignStep) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO campaign_steps (campaign_id, day, channel, subject, message) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (campaign_id, day)
         DO UPDATE SET channel = EXCLUDED.channel, subject = EXCLUDED.subject, message = EXCLUDED.message",
    )
    .bind(id)
    .bind(step.day)
    .bind(&step.channel)
    .bind(&step.subject)
    .bind(&step.message)
    .execute(conn)
    .await?;
    Ok(())
}
