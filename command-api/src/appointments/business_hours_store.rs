use leadstream_domain::appointment::{BusinessHours, OpeningHours};
use sqlx::PgPool;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Each tenant's business hours; a tenant that never set them has the defaults.
#[derive(Clone)]
pub struct BusinessHoursStore {
    pool: PgPool,
}

impl BusinessHoursStore {
    /// A store over `pool`'s `business_hours` table.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The tenant's hours.
    pub async fn get(&self, tenant: Uuid) -> Result<BusinessHours, sqlx::Error> {
        let row: Option<(String, serde_json::Value)> =
            sqlx::query_as("SELECT timezone, days FROM business_hours WHERE tenant_id = $1")
                .bind(tenant)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row
            .and_then(|(timezone, days)| {
                let days: BTreeMap<String, OpeningHours> = serde_json::from_value(days).ok()?;
                BusinessHours::parse(&timezone, &days).ok()
            })
            .unwrap_or_default())
    }

    /// Replaces the tenant's hours.
    pub async fn set(&self, tenant: Uuid, hours: &BusinessHours) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO business_hours (tenant_id, timezone, days) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id) DO UPDATE SET timezone = EXCLUDED.timezone, days = EXCLUDED.days, updated_at = now()",
        )
        .bind(tenant)
        .bind(hours.timezone.name())
        .bind(serde_json::json!(hours.opening_hours()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
