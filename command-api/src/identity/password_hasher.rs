use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::Argon2;
use leadstream_domain::identity::NewPassword;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's recommendation), run
/// off the async threads because a hash takes tens of milliseconds on purpose. At most
/// `max_concurrent` hashes run at once, so a flood of logins queues instead of taking every core
/// and 19 MiB per request; the anonymous routes are rate limited before they get here.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    running: Arc<AtomicUsize>,
    most_running: Arc<AtomicUsize>,
}

impl Default for PasswordHasher {
    /// As many hashes at once as there are cores.
    fn default() -> Self {
        Self::with_limit(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }
}

impl PasswordHasher {
    /// A hasher that runs at most `max_concurrent` hashes at once.
    pub fn with_limit(max_concurrent: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            running: Arc::default(),
            most_running: Arc::default(),
        }
    }

    /// The most hashes that ever ran at once.
    pub fn most_running(&self) -> usize {
        self.most_running.load(Ordering::SeqCst)
    }

    /// Runs `work` on a blocking thread once a permit is free.
    async fn limited<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
        let _permit = self.permits.acquire().await?;
        let (running, most) = (self.running.clone(), self.most_running.clone());
        Ok(tokio::task::spawn_blocking(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            let outcome = work();
            running.fetch_sub(1, Ordering::SeqCst);
            outcome
        })
        .await?)
    }

    /// The PHC string of a new password, salted.
    pub async fn hash(&self, password: &NewPassword) -> anyhow::Result<String> {
        let password = password.expose().to_string();
        self.limited(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
        })
        .await?
    }

    /// Whether `password` matches the stored `hash`. With no stored hash it still spends the
    /// time of one check, so an unknown login cannot be told from a wrong password by timing.
    pub async fn verify(&self, password: &str, hash: Option<String>) -> bool {
        let password = password.to_string();
        self.limited(move || {
            let (hash, known) = match hash {
                Some(hash) => (hash, true),
                None => (decoy_hash().to_string(), false),
            };
            let matches = PasswordHash::new(&hash)
                .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false);
            known && matches
        })
        .await
        .unwrap_or(false)
    }
}

/// A hash of a password nobody has, computed once, for the timing of unknown logins.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"decoy password nobody has 1!", &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_the_limit() {
        let hasher = PasswordHasher::with_limit(2);
        let password = NewPassword::parse("Seguro123!").unwrap();
        let hashes: Vec<_> = (0..6)
            .map(|_| {
                let (hasher, password) = (hasher.clone(), password.clone());
                tokio::spawn(async move { hasher.hash(&password).await })
            })
            .collect();
        for hash in hashes {
            let hash = hash.await.unwrap().unwrap();
            assert!(hasher.verify("Seguro123!", Some(hash)).await);
        }
        assert_eq!(hasher.most_running(), 2, "six hashes, two at a time");
    }
}
