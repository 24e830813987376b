use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::Argon2;
use leadstream_domain::identity::NewPassword;

/// Argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's recommendation), run
/// off the async threads because a hash takes tens of milliseconds on purpose.
#[derive(Clone, Copy, Default)]
pub struct PasswordHasher;

impl PasswordHasher {
    /// The PHC string of a new password, salted.
    pub async fn hash(&self, password: &NewPassword) -> anyhow::Result<String> {
        let password = password.expose().to_string();
        tokio::task::spawn_blocking(move || {
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
        tokio::task::spawn_blocking(move || {
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
