//! Wakes queries that wait for read-your-writes when a projection commits a batch that could
//! hold their event, instead of having each of them poll: one LISTEN connection per process
//! fans out to every waiter.

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::watch;

/// The channel the projection workers notify after each committed batch.
const PROGRESS_CHANNEL: &str = "leadstream_projection";

/// The last committed batch: how many batches were seen, and the highest position in it.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommittedBatch {
    pub count: u64,
    pub max_position: i64,
}

/// A signal that changes whenever a projection commits a batch.
#[derive(Clone)]
pub struct ProjectionProgress {
    committed: watch::Sender<CommittedBatch>,
}

impl ProjectionProgress {
    /// Listens on `pool`'s database in a background task for as long as the process runs.
    pub fn listen(pool: PgPool) -> Self {
        let (committed, _) = watch::channel(CommittedBatch::default());
        let progress = Self {
            committed: committed.clone(),
        };
        tokio::spawn(async move {
            loop {
                match PgListener::connect_with(&pool).await {
                    Ok(mut listener) => {
                        if let Err(error) = listener.listen(PROGRESS_CHANNEL).await {
                            tracing::warn!(%error, "cannot listen for projection progress");
                        } else {
                            while let Ok(notification) = listener.recv().await {
                                let max_position = notification.payload().parse().unwrap_or(i64::MAX);
                                committed.send_modify(|batch| {
                                    batch.count += 1;
                                    batch.max_position = max_position;
                                });
                            }
                        }
                    }
                    Err(error) => tracing::warn!(%error, "cannot connect to listen for projection progress"),
                }
                // Waiters fall back to their own short timeout meanwhile.
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        progress
    }

    /// A receiver of committed batches; mark the current one seen before checking, so that a
    /// commit between the check and the wait is not missed.
    pub fn subscribe(&self) -> watch::Receiver<CommittedBatch> {
        self.committed.subscribe()
    }
}
