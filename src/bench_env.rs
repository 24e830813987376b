//! What the bench binaries share: a throw-away database and topic prefix, a broker, the whole
//! app on a random port, and a registered tenant to call as.

use serde_json::json;
use sqlx::PgPool;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use crate::local_broker::LocalBroker;
use crate::{database, Parts, RunningApp, Settings};

/// A running app over its own database, dropped by [`BenchEnv::stop`].
pub struct BenchEnv {
    pub settings: Settings,
    pub pool: PgPool,
    pub base: String,
    pub client: reqwest::Client,
    /// The `Authorization` value of a freshly registered tenant's admin.
    pub auth: String,
    app: RunningApp,
    broker: Option<LocalBroker>,
    server: String,
    database_name: String,
    data_dir: PathBuf,
}

impl BenchEnv {
    /// Starts everything; `tweak` adjusts the settings first. Rate limits are lifted: the load
    /// is the point.
    pub async fn start(name: &str, tweak: impl FnOnce(&mut Settings)) -> anyhow::Result<Self> {
        let mut settings = Settings::from_env().map_err(anyhow::Error::msg)?;
        let server = settings
            .database_url
            .rsplit_once('/')
            .map_or(settings.database_url.clone(), |(s, _)| s.to_string());
        let database_name = format!("leadstream_{name}_{}", std::process::id());
        settings.database_url = format!("{server}/{database_name}");
        settings.kafka_topic_prefix = format!("{name}{}.", std::process::id());
        settings.rate_limit_per_principal = u64::MAX;
        tweak(&mut settings);
        let pool = database::prepare(&settings.database_url, settings.database_max_connections).await?;
        let data_dir = std::env::temp_dir().join(format!("leadstream-{name}-{}", std::process::id()));
        let (brokers, broker) = match settings.kafka_brokers.clone() {
            Some(brokers) => (brokers, None),
            None => {
                let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
                let broker = LocalBroker::start(addr, "memory://tansu/", &data_dir).await?;
                (broker.brokers.clone(), Some(broker))
            }
        };
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let app = RunningApp::start(&settings, pool.clone(), &brokers, Parts::ALL, Some(listener)).await?;
        let base = format!("http://{}", app.addr.ok_or_else(|| anyhow::anyhow!("no HTTP address"))?);
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(600))
            .build()?;
        let email = format!("bench-{}@example.com", uuid::Uuid::new_v4());
        client
            .post(format!("{base}/api/v1/auth/register"))
            .json(&json!({"business_name": "Bench", "email": email, "password": "Bench123!"}))
            .send()
            .await?
            .error_for_status()?;
        let mail = crate::local_mail::wait_for_mail(&pool, &email, 0, Duration::from_secs(10))
            .await
            .ok_or_else(|| anyhow::anyhow!("no confirmation mail"))?;
        let confirmation = crate::local_mail::token_in(&mail).ok_or_else(|| anyhow::anyhow!("no token in the mail"))?;
        let answer: serde_json::Value = client
            .post(format!("{base}/api/v1/auth/confirm"))
            .json(&json!({ "token": confirmation }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = answer["access_token"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no access token"))?;
        Ok(Self {
            settings,
            pool,
            base,
            client,
            auth: format!("Bearer {token}"),
            app,
            broker,
            server,
            database_name,
            data_dir,
        })
    }

    /// Waits until the read model has applied every event in the outbox.
    pub async fn wait_read_side(&self) -> anyhow::Result<()> {
        let last: i64 = sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM outbox")
            .fetch_one(&self.pool)
            .await?;
        loop {
            let applied: i64 = sqlx::query_scalar("SELECT coalesce(max(last_position), 0) FROM projection_checkpoints")
                .fetch_one(&self.pool)
                .await?;
            if applied >= last {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the app and the broker and drops the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.app.stop().await;
        if let Some(broker) = self.broker {
            broker.stop().await;
        }
        self.pool.close().await;
        let admin = database::connect(&format!("{}/postgres", self.server), 1).await?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.database_name
        ))
        .execute(&admin)
        .await?;
        let _ = std::fs::remove_dir_all(&self.data_dir);
        Ok(())
    }
}
