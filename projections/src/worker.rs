//! The projection worker: a Kafka consumer-group member that applies batches of events to the
//! read model in one PostgreSQL transaction, then lets Kafka commit the offsets.

use leadstream_domain::envelope::{topic_name, Envelope};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::ClientConfig;
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::watch;

use crate::read_model::{announce_progress, ReadModel};

/// How the worker reaches the broker and how much it takes at once.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub brokers: String,
    pub topic_prefix: String,
    pub batch_size: usize,
}

/// A consumer that keeps one read model up to date.
pub struct ProjectionWorker {
    pool: PgPool,
    settings: WorkerSettings,
    model: ReadModel,
}

/// One consumed message, detached from the consumer.
struct Consumed {
    topic: String,
    partition: i32,
    offset: i64,
    envelope: Option<Envelope>,
}

impl ProjectionWorker {
    /// A worker keeping `model` through `pool`.
    pub fn new(pool: PgPool, settings: WorkerSettings, model: ReadModel) -> Self {
        Self { pool, settings, model }
    }

    /// Consumes until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<(), String> {
        let topic = topic_name(&self.settings.topic_prefix, self.model.aggregate_type());
        let group = format!("{}projection.{}", self.settings.topic_prefix, self.model.name());
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.settings.brokers)
            .set("group.id", &group)
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "1000")
            // Offsets are stored only after the read-model transaction commits.
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("fetch.wait.max.ms", "5")
            .set("topic.metadata.refresh.interval.ms", "2000")
            .create()
            .map_err(|e| format!("cannot create the Kafka consumer: {e}"))?;
        consumer
            .subscribe(&[&topic])
            .map_err(|e| format!("cannot subscribe to {topic}: {e}"))?;
        tracing::info!(%topic, %group, "projection worker consuming");
        while !*shutdown.borrow() {
            let first = tokio::select! {
                message = consumer.recv() => message,
                _ = shutdown.changed() => break,
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
        close(consumer).await;
        Ok(())
    }

    /// Applies the batch, retrying on database failure: a skipped batch would lose events.
    async fn apply_until_done(&self, batch: &[Consumed], shutdown: &mut watch::Receiver<bool>) {
        let mut pause = Duration::from_millis(100);
        while !*shutdown.borrow() {
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
        let mut envelopes: Vec<Envelope> = batch.iter().filter_map(|c| c.envelope.clone()).collect();
        let mut tx = self.pool.begin().await?;
        leadstream_event_log::personal_data::open_envelopes(&mut tx, &mut envelopes).await?;
        let projected = self.model.apply_batch(&mut tx, &envelopes).await?;
        let mut applied: std::collections::BTreeMap<i32, i64> = Default::default();
        for consumed in batch {
            let offset = applied.entry(consumed.partition).or_insert(consumed.offset);
            *offset = (*offset).max(consumed.offset);
        }
        let (partitions, offsets): (Vec<i32>, Vec<i64>) = applied.into_iter().unzip();
        sqlx::query(
            "INSERT INTO projection_offsets (projection, partition, applied_offset)
             SELECT $1, * FROM unnest($2::int[], $3::bigint[])
             ON CONFLICT (projection, partition) DO UPDATE
                SET applied_offset = GREATEST(projection_offsets.applied_offset, EXCLUDED.applied_offset)",
        )
        .bind(self.model.name())
        .bind(&partitions)
        .bind(&offsets)
        .execute(&mut *tx)
        .await?;
        // Wakes queries waiting for read-your-writes; delivered when the transaction commits.
        let max_position = envelopes.iter().map(|e| e.position).max().unwrap_or(0);
        announce_progress(&mut tx, max_position).await?;
        tx.commit().await?;
        crate::projection_metrics::projected(self.model.name(), projected);
        Ok(())
    }
}

/// Commits the stored offsets and leaves the group without holding up shutdown: librdkafka's
/// close polls until the group is left, which can stall on a broker that does not answer, so it
/// runs on a thread of its own that the process stops waiting for after a few seconds.
async fn close(consumer: StreamConsumer) {
    if let Err(error) = consumer.commit_consumer_state(CommitMode::Sync) {
        tracing::debug!(%error, "no offsets committed at shutdown");
    }
    let (closed, wait) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        drop(consumer);
        let _ = closed.send(());
    });
    if tokio::time::timeout(Duration::from_secs(5), wait).await.is_err() {
        tracing::warn!("the Kafka consumer did not leave its group within 5 s; not waiting for it");
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
