//! The projection worker: a Kafka consumer-group member that applies batches of events to the
//! read model in one PostgreSQL transaction, then lets Kafka commit the offsets.

use leadstream_domain::envelope::{topic_name, Envelope};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::ClientConfig;
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::watch;

use crate::lead_projection::{self, ApplyError};

/// How the worker reaches the broker and how much it takes at once.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub brokers: String,
    pub topic_prefix: String,
    pub batch_size: usize,
}

/// A consumer that keeps the `leads` read model up to date.
pub struct ProjectionWorker {
    pool: PgPool,
    settings: WorkerSettings,
}

/// One consumed message, detached from the consumer.
struct Consumed {
    topic: String,
    partition: i32,
    offset: i64,
    envelope: Option<Envelope>,
}

impl ProjectionWorker {
    /// A worker writing through `pool`.
    pub fn new(pool: PgPool, settings: WorkerSettings) -> Self {
        Self { pool, settings }
    }

    /// Consumes until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<(), String> {
        let topic = topic_name(&self.settings.topic_prefix, lead_projection::AGGREGATE_TYPE);
        let group = format!("{}projection.{}", self.settings.topic_prefix, lead_projection::NAME);
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.settings.brokers)
            .set("group.id", &group)
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "1000")
            // Offsets are stored only after the read-model transaction commits.
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("fetch.wait.max.ms", "10")
            .set("topic.metadata.refresh.interval.ms", "2000")
            .create()
            .map_err(|e| format!("cannot create the Kafka consumer: {e}"))?;
        consumer
            .subscribe(&[&topic])
            .map_err(|e| format!("cannot subscribe to {topic}: {e}"))?;
        tracing::info!(%topic, %group, "projection worker consuming");
        loop {
            let first = tokio::select! {
                message = consumer.recv() => message,
                _ = shutdown.changed() => return Ok(()),
            };
            let mut batch = Vec::with_capacity(self.settings.batch_size);
            match first {
                Ok(message) => batch.push(detach(&message)),
                Err(error) => {
                    tracing::warn!(%error, "consumer error");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            }
            // Take whatever else is already fetched, without waiting, up to a batch.
            while batch.len() < self.settings.batch_size {
                match tokio::time::timeout(Duration::ZERO, consumer.recv()).await {
                    Ok(Ok(message)) => batch.push(detach(&message)),
                    _ => break,
                }
            }
            self.apply_until_done(&batch, &mut shutdown).await;
            for consumed in &batch {
                if let Err(error) = consumer.store_offset(&consumed.topic, consumed.partition, consumed.offset) {
                    tracing::warn!(%error, "cannot store the consumer offset");
                }
            }
        }
    }

    /// Applies the batch, retrying on database failure: a skipped batch would lose events.
    async fn apply_until_done(&self, batch: &[Consumed], shutdown: &mut watch::Receiver<bool>) {
        let mut pause = Duration::from_millis(100);
        loop {
            match self.apply_batch(batch).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, ?pause, "cannot apply a batch; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = shutdown.changed() => return,
                    }
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    async fn apply_batch(&self, batch: &[Consumed]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for consumed in batch {
            let Some(envelope) = &consumed.envelope else { continue };
            match lead_projection::apply(&mut tx, envelope).await {
                Ok(_) => {}
                Err(ApplyError::Database(e)) => return Err(e),
                Err(ApplyError::Poison(reason)) => {
                    tracing::error!(position = envelope.position, %reason, "skipping an event the projection cannot apply");
                }
            }
        }
        // Wakes queries waiting for read-your-writes; delivered when the transaction commits.
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(lead_projection::PROGRESS_CHANNEL)
            .bind(lead_projection::NAME)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}

fn detach(message: &rdkafka::message::BorrowedMessage<'_>) -> Consumed {
    let envelope = message
        .payload()
        .and_then(|bytes| match serde_json::from_slice::<Envelope>(bytes) {
            Ok(envelope) => Some(envelope),
            Err(error) => {
                tracing::error!(%error, offset = message.offset(), "skipping a message that is not an event envelope");
                None
            }
        });
    Consumed {
        topic: message.topic().to_string(),
        partition: message.partition(),
        offset: message.offset(),
        envelope,
    }
}
