use chrono::{DateTime, Utc};
use leadstream_domain::scoring::ScoringWeights;
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

const COLUMNS: &str =
    "version, company_fit, intent_signal, budget_indicator, urgency, engagement, changed_by, created_at";

/// One version of a tenant's weights, as stored and shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoredWeights {
    pub version: u32,
    pub company_fit: f64,
    pub intent_signal: f64,
    pub budget_indicator: f64,
    pub urgency: f64,
    pub engagement: f64,
    /// Who set them; none for the defaults.
    pub changed_by: Option<Uuid>,
    /// When they were set; none for the defaults.
    pub created_at: Option<DateTime<Utc>>,
}

impl StoredWeights {
    /// The defaults every tenant starts with (version 1).
    pub fn defaults() -> Self {
        let w = ScoringWeights::default();
        Self {
            version: w.version,
            company_fit: w.company_fit,
            intent_signal: w.intent_signal,
            budget_indicator: w.budget_indicator,
            urgency: w.urgency,
            engagement: w.engagement,
            changed_by: None,
            created_at: None,
        }
    }

    /// The weights for the engine.
    pub fn weights(&self) -> ScoringWeights {
        ScoringWeights {
            version: self.version,
            company_fit: self.company_fit,
            intent_signal: self.intent_signal,
            budget_indicator: self.budget_indicator,
            urgency: self.urgency,
            engagement: self.engagement,
        }
    }
}

/// Every version of every tenant's weights.
#[derive(Clone)]
pub struct WeightsStore {
    pool: PgPool,
}

impl WeightsStore {
    /// The store over `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The tenant's current weights: its newest version, or the defaults.
    pub async fn current(&self, tenant: Uuid) -> Result<StoredWeights, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM scoring_weights WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1"
        ))
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await?;
        row.map_or(Ok(StoredWeights::defaults()), |row| stored(&row))
    }

    /// One version of the tenant's weights (1 is the defaults).
    pub async fn version(&self, tenant: Uuid, version: u32) -> Result<Option<StoredWeights>, sqlx::Error> {
        if version == StoredWeights::defaults().version {
            return Ok(Some(StoredWeights::defaults()));
        }
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM scoring_weights WHERE tenant_id = $1 AND version = $2"
        ))
        .bind(tenant)
        .bind(i32::try_from(version).unwrap_or(i32::MAX))
        .fetch_optional(&self.pool)
        .await?
        .map(|row| stored(&row))
        .transpose()
    }

    /// Stores `weights` as the tenant's next version. Two admins saving at once both succeed,
    /// one version apart: a lost race on the version number is retried.
    pub async fn save(&self, tenant: Uuid, by: Uuid, weights: [f64; 5]) -> Result<StoredWeights, sqlx::Error> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = sqlx::query(&format!(
                "INSERT INTO scoring_weights (tenant_id, version, company_fit, intent_signal, budget_indicator,
                                              urgency, engagement, changed_by)
                 VALUES ($1, (SELECT coalesce(max(version), 1) + 1 FROM scoring_weights WHERE tenant_id = $1),
                         $2, $3, $4, $5, $6, $7)
                 RETURNING {COLUMNS}"
            ))
            .bind(tenant)
            .bind(weights[0])
            .bind(weights[1])
            .bind(weights[2])
            .bind(weights[3])
            .bind(weights[4])
            .bind(by)
            .fetch_one(&self.pool)
            .await;
            match result {
                Ok(row) => return stored(&row),
                Err(error) if attempt < 5 && is_unique_violation(&error) => continue,
                Err(error) => return Err(error),
            }
        }
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

fn stored(row: &PgRow) -> Result<StoredWeights, sqlx::Error> {
    let version: i32 = row.try_get("version")?;
    Ok(StoredWeights {
        version: u32::try_from(version).unwrap_or_default(),
        company_fit: row.try_get("company_fit")?,
        intent_signal: row.try_get("intent_signal")?,
        budget_indicator: row.try_get("budget_indicator")?,
        urgency: row.try_get("urgency")?,
        engagement: row.try_get("engagement")?,
        changed_by: row.try_get("changed_by")?,
        created_at: row.try_get("created_at")?,
    })
}
