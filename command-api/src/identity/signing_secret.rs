use rand::RngCore;
use sqlx::PgPool;

/// The secret that signs access tokens: `configured` (JWT_SECRET) when given, else one made at
/// random the first time and kept in the database, so that every instance on it agrees and
/// tokens outlive restarts without anyone choosing a secret.
pub async fn signing_secret(pool: &PgPool, configured: Option<&str>) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        anyhow::ensure!(secret.len() >= 32, "JWT_SECRET must be at least 32 bytes");
        return Ok(secret.as_bytes().to_vec());
    }
    let mut fresh = vec![0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    sqlx::query(
        "INSERT INTO signing_secrets (name, secret) VALUES ('access_tokens', $1) ON CONFLICT (name) DO NOTHING",
    )
    .bind(&fresh)
    .execute(pool)
    .await?;
    let secret: Vec<u8> = sqlx::query_scalar("SELECT secret FROM signing_secrets WHERE name = 'access_tokens'")
        .fetch_one(pool)
        .await?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_configured_secret_is_used_as_given_and_a_short_one_refused() {
        // The configured path never touches the database: a pool that cannot connect proves it.
        let pool = PgPool::connect_lazy("postgres://nobody@127.0.0.1:1/none").unwrap();
        let long = "x".repeat(32);
        assert_eq!(signing_secret(&pool, Some(&long)).await.unwrap(), long.as_bytes());
        let error = signing_secret(&pool, Some("too short")).await.unwrap_err();
        assert!(error.to_string().contains("at least 32 bytes"), "{error}");
    }
}
