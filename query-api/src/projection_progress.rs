//! Wakes queries that wait for read-your-writes when a projection commits, instead of having
//! each of them poll: one LISTEN connection per process fans out to every waiter.

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The channel the projection workers notify after each committed batch.
const PROGRESS_CHANNEL: &str = "leadstream_projection";

/// A signal that fires whenever any projection committed.
#[derive(Clone, Default)]
pub struct ProjectionProgress {
    committed: Arc<Notify>,
}

impl ProjectionProgress {
    /// Listens on `pool`'s database in a background task for as long as the process runs.
    pub fn listen(pool: PgPool) -> Self {
        let progress = Self::default();
        let committed = progress.committed.clone();
        tokio::spawn(async move {
            loop {
                match PgListener::connect_with(&pool).await {
                    Ok(mut listener) => {
                        if let Err(error) = listener.listen(PROGRESS_CHANNEL).await {
                            tracing::warn!(%error, "cannot listen for projection progress");
                        } else {
                            while listener.recv().await.is_ok() {
                                committed.notify_waiters();
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

    /// A future that completes at the next commit; create it before checking, so that a commit
    /// between the check and the wait is not missed.
    pub fn next_commit(&self) -> tokio::sync::futures::Notified<'_> {
        self.committed.notified()
    }
}
