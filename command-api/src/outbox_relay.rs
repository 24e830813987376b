//! Publishes outbox rows to Kafka, in position order, one relay at a time.
//!
//! Ownership is a PostgreSQL session advisory lock: every instance runs a relay, one holds the
//! lock and publishes, the others wait to take over. The owner wakes on `NOTIFY` from the
//! outbox trigger, publishes a batch with an idempotent producer, and marks the rows published
//! only after the broker acknowledged them. When the broker is down, commands still commit;
//! the backlog stays in the outbox and drains when the broker returns.

use futures::future::join_all;
use leadstream_domain::envelope::{topic_name, Envelope};
use leadstream_event_log::{read_envelope, SELECT_STORED_EVENTS_SQL};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientConfig;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::watch;

/// The advisory-lock key that makes one relay the owner (arbitrary, fixed).
const RELAY_LOCK_KEY: i64 = 0x6c65_6164_7265_6c61;

/// What the relay needs to know about the broker and its batches.
#[derive(Debug, Clone)]
pub struct RelaySettings {
    pub brokers: String,
    pub topic_prefix: String,
    pub partitions: i32,
    pub batch_size: i64,
    /// How long the producer keeps trying one message before reporting it failed.
    pub message_timeout_ms: u64,
    /// The aggregate types whose topics the relay creates at start-up.
    pub aggregate_types: Vec<String>,
}

/// The outbox relay: one owner publishes; the rest stand by.
pub struct OutboxRelay {
    pool: PgPool,
    settings: RelaySettings,
}

/// Why a batch was not fully published.
#[derive(Debug)]
struct PublishFailed(String);

impl OutboxRelay {
    /// A relay over `pool`'s outbox.
    pub fn new(pool: PgPool, settings: RelaySettings) -> Self {
        Self { pool, settings }
    }

    /// Runs until `shutdown` turns true: waits for ownership, then publishes until it is lost.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut backoff = Duration::from_millis(100);
        while !*shutdown.borrow() {
            match self.own_and_publish(&mut shutdown).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, ?backoff, "outbox relay interrupted; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = shutdown.changed() => return,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    async fn own_and_publish(&self, shutdown: &mut watch::Receiver<bool>) -> Result<(), String> {
        // The lock lives as long as this connection: if it drops, another relay takes over.
        let mut lock_conn = self.pool.acquire().await.map_err(|e| e.to_string())?;
        loop {
            let owned: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(RELAY_LOCK_KEY)
                .fetch_one(&mut *lock_conn)
                .await
                .map_err(|e| e.to_string())?;
            if owned {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => return Ok(()),
            }
        }
        tracing::info!("outbox relay owns the outbox");
        let mut listener = PgListener::connect_with(&self.pool).await.map_err(|e| e.to_string())?;
        listener.listen("leadstream_outbox").await.map_err(|e| e.to_string())?;
        let mut producer = self.producer()?;
        self.ensure_topics().await;
        let mut failures = 0u32;
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            match self.publish_batch(&producer).await {
                Ok(published) if published as i64 >= self.settings.batch_size => continue,
                Ok(_) => failures = 0,
                Err(PublishFailed(error)) => {
                    failures += 1;
                    let pause = Duration::from_millis(200 * 2u64.pow(failures.min(5)));
                    tracing::warn!(%error, ?pause, "publishing failed; the backlog stays in the outbox");
                    tokio::time::sleep(pause).await;
                    // A fresh producer starts a fresh idempotence session; a broker that lost
                    // its topics gets them back.
                    producer = self.producer()?;
                    self.ensure_topics().await;
                    continue;
                }
            }
            // Idle: sleep until the trigger's NOTIFY, with a poll as a safety net.
            tokio::select! {
                notification = listener.recv() => { notification.map_err(|e| e.to_string())?; }
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = shutdown.changed() => return Ok(()),
            }
        }
    }

    fn producer(&self) -> Result<FutureProducer, String> {
        ClientConfig::new()
            .set("bootstrap.servers", &self.settings.brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("linger.ms", "1")
            .set("message.timeout.ms", self.settings.message_timeout_ms.to_string())
            .create()
            .map_err(|e| format!("cannot create the Kafka producer: {e}"))
    }

    /// Creates the topics if they are missing (the broker does not auto-create them).
    async fn ensure_topics(&self) {
        let admin: AdminClient<DefaultClientContext> = match ClientConfig::new()
            .set("bootstrap.servers", &self.settings.brokers)
            .create()
        {
            Ok(admin) => admin,
            Err(error) => return tracing::warn!(%error, "cannot create the Kafka admin client"),
        };
        let names: Vec<String> = self
            .settings
            .aggregate_types
            .iter()
            .map(|t| topic_name(&self.settings.topic_prefix, t))
            .collect();
        let topics: Vec<NewTopic> = names
            .iter()
            .map(|n| NewTopic::new(n, self.settings.partitions, TopicReplication::Fixed(1)))
            .collect();
        let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
        match admin.create_topics(&topics, &options).await {
            Ok(results) => {
                for result in results {
                    match result {
                        Ok(topic) => tracing::info!(%topic, "created topic"),
                        Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                        Err((topic, code)) => tracing::warn!(%topic, ?code, "cannot create topic"),
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "cannot create topics"),
        }
    }

    /// Publishes the oldest unpublished rows; returns how many were marked published.
    async fn publish_batch(&self, producer: &FutureProducer) -> Result<usize, PublishFailed> {
        let sql = format!("{SELECT_STORED_EVENTS_SQL} WHERE o.published_at IS NULL ORDER BY o.position LIMIT $1");
        let rows = sqlx::query(&sql)
            .bind(self.settings.batch_size)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| PublishFailed(e.to_string()))?;
        if rows.is_empty() {
            return Ok(0);
        }
        let envelopes: Vec<Envelope> = rows
            .iter()
            .map(read_envelope)
            .collect::<Result<_, _>>()
            .map_err(|e| PublishFailed(format!("unreadable stored event: {e}")))?;
        let deliveries = envelopes.iter().map(|envelope| self.send(producer, envelope));
        let results = join_all(deliveries).await;

        // Keep per-key order: after a key's first failure, later events of that key are not
        // marked even if the broker took them, so they are sent again in order.
        let mut failed_keys = HashSet::new();
        let (mut positions, mut partitions, mut offsets) = (vec![], vec![], vec![]);
        let mut first_error = None;
        for (envelope, result) in envelopes.iter().zip(results) {
            match result {
                Ok((partition, offset)) if !failed_keys.contains(&envelope.aggregate_id) => {
                    crate::pipeline_metrics::published(&envelope.aggregate_type);
                    positions.push(envelope.position);
                    partitions.push(partition);
                    offsets.push(offset);
                }
                Ok(_) => {}
                Err(error) => {
                    failed_keys.insert(envelope.aggregate_id.clone());
                    first_error.get_or_insert(error);
                }
            }
        }
        sqlx::query(
            "UPDATE outbox SET published_at = now(), kafka_partition = d.partition, kafka_offset = d.kafka_offset
               FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS d(position, partition, kafka_offset)
              WHERE outbox.position = d.position",
        )
        .bind(&positions)
        .bind(&partitions)
        .bind(&offsets)
        .execute(&self.pool)
        .await
        .map_err(|e| PublishFailed(e.to_string()))?;
        match first_error {
            Some(error) => Err(PublishFailed(error)),
            None => Ok(positions.len()),
        }
    }

    async fn send(&self, producer: &FutureProducer, envelope: &Envelope) -> Result<(i32, i64), String> {
        let value = serde_json::to_vec(envelope).map_err(|e| e.to_string())?;
        let topic = topic_name(&self.settings.topic_prefix, &envelope.aggregate_type);
        let event_id = envelope.event_id.to_string();
        let time = envelope.occurred_at.to_rfc3339();
        let source = format!("/leadstream/{}", envelope.aggregate_type);
        let sequence = envelope.sequence.to_string();
        let position = envelope.position.to_string();
        let tenant = envelope.tenant_id.map(|t| t.to_string()).unwrap_or_default();
        // CloudEvents Kafka binding, binary-mode attribute headers.
        let headers = [
            ("ce_specversion", "1.0"),
            ("ce_id", event_id.as_str()),
            ("ce_type", envelope.event_type.as_str()),
            ("ce_source", source.as_str()),
            ("ce_subject", envelope.aggregate_id.as_str()),
            ("ce_time", time.as_str()),
            ("ce_dataschemaversion", envelope.event_version.as_str()),
            ("ce_sequence", sequence.as_str()),
            ("ce_position", position.as_str()),
            ("ce_tenantid", tenant.as_str()),
            ("content-type", "application/json"),
        ]
        .into_iter()
        .fold(OwnedHeaders::new(), |headers, (key, value)| {
            headers.insert(Header {
                key,
                value: Some(value),
            })
        });
        let record = FutureRecord::to(&topic)
            .key(&envelope.aggregate_id)
            .payload(&value)
            .headers(headers);
        let delivery = producer.send_result(record).map_err(|(e, _)| e.to_string())?;
        match delivery.await {
            Ok(Ok(delivered)) => Ok((delivered.partition, delivered.offset)),
            Ok(Err((error, _))) => Err(error.to_string()),
            Err(_) => Err("the producer was dropped before delivery".to_string()),
        }
    }
}
