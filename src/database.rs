//! The PostgreSQL pool and schema: the database is created when missing and migrated on start.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};
use std::str::FromStr;
use std::time::Duration;

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Creates the database named in `url` if it does not exist yet.
pub async fn create_if_missing(url: &str) -> anyhow::Result<()> {
    let options = PgConnectOptions::from_str(url)?;
    let name = options.get_database().unwrap_or("postgres").to_string();
    let mut admin = options.database("postgres").connect().await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&mut admin)
        .await?;
    if !exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        // Two processes may race to create it; the loser's error is harmless.
        if let Err(error) = sqlx::query(&format!("CREATE DATABASE {quoted}"))
            .execute(&mut admin)
            .await
        {
            tracing::debug!(%error, "database creation raced");
        }
    }
    admin.close().await?;
    Ok(())
}

/// A pool of at most `max_connections`.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(url)?;
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?)
}

/// Creates (if needed) and migrates the database, returning a pool on it.
pub async fn prepare(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    create_if_missing(url).await?;
    let pool = connect(url, max_connections).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}
