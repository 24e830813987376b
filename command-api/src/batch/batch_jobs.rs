use serde_json::Value;
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

/// How soon a batch is worked on, relative to others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Low,
    Normal,
    High,
}

impl Priority {
    /// Parses `low`, `normal` or `high`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_lowercase().as_str() {
            "low" => Some(Self::Low),
            "normal" => Some(Self::Normal),
            "high" => Some(Self::High),
            _ => None,
        }
    }

    /// The name recorded in `batch.submitted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
        }
    }

    fn rank(self) -> i16 {
        match self {
            Self::Low => 0,
            Self::Normal => 1,
            Self::High => 2,
        }
    }
}

/// The queue of batch work: each batch's item inputs, and which batches are unfinished.
#[derive(Clone)]
pub struct BatchJobs {
    pool: PgPool,
    /// Wakes this process's worker when a batch is submitted here.
    submitted: Arc<Notify>,
}

impl BatchJobs {
    /// The queue in `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            submitted: Arc::new(Notify::new()),
        }
    }

    /// Keeps a batch's inputs, in one transaction. Its `batch.submitted` event follows; until
    /// it exists the worker ignores the job.
    pub async fn enqueue(
        &self,
        batch_id: Uuid,
        tenant_id: Uuid,
        agent_id: Option<Uuid>,
        priority: Priority,
        items: &[Value],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO batch_jobs (batch_id, tenant_id, agent_id, priority) VALUES ($1, $2, $3, $4)")
            .bind(batch_id)
            .bind(tenant_id)
            .bind(agent_id)
            .bind(priority.rank())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO batch_items (batch_id, idx, input, lead_id)
             SELECT $1, ordinality - 1, item, lead_id
               FROM unnest($2::jsonb[], $3::uuid[]) WITH ORDINALITY AS i(item, lead_id, ordinality)",
        )
        .bind(batch_id)
        .bind(items)
        .bind(
            (0..items.len() as u32)
                .map(|i| super::item_lead_id(batch_id, i))
                .collect::<Vec<_>>(),
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Tells this process's worker there is new work.
    pub fn wake(&self) {
        self.submitted.notify_one();
    }

    /// Waits until [`BatchJobs::wake`] is called.
    pub async fn woken(&self) {
        self.submitted.notified().await;
    }

    /// Unfinished, submitted batches, most urgent first.
    pub async fn unfinished(&self, limit: i64) -> Result<Vec<Uuid>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT j.batch_id FROM batch_jobs j
              WHERE j.finished_at IS NULL
                AND EXISTS (SELECT 1 FROM events e
                             WHERE e.aggregate_type = 'batch' AND e.aggregate_id = j.batch_id::text AND e.sequence = 1)
              ORDER BY j.priority DESC, j.submitted_at
              LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// The agent a batch's leads go to, if an agent submitted it.
    pub async fn agent_of(&self, batch_id: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
        sqlx::query_scalar("SELECT agent_id FROM batch_jobs WHERE batch_id = $1")
            .bind(batch_id)
            .fetch_optional(&self.pool)
            .await
            .map(Option::flatten)
    }

    /// A batch's item inputs, in order.
    pub async fn items(&self, batch_id: Uuid) -> Result<Vec<(i32, Value)>, sqlx::Error> {
        sqlx::query_as("SELECT idx, input FROM batch_items WHERE batch_id = $1 ORDER BY idx")
            .bind(batch_id)
            .fetch_all(&self.pool)
            .await
    }

    /// A batch's progress and results, from its events.
    pub async fn status(&self, batch_id: Uuid) -> Result<Option<super::BatchStatus>, String> {
        super::BatchStatus::load(&self.pool, batch_id).await
    }

    /// Marks a batch done, so no worker looks at it again.
    pub async fn finish(&self, batch_id: Uuid) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE batch_jobs SET finished_at = now() WHERE batch_id = $1 AND finished_at IS NULL")
            .bind(batch_id)
            .execute(&self.pool)
            .await
            .map(drop)
    }
}
