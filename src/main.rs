//! The `leadstream` command: run the service (all parts or one), migrate, rebuild read models, or print the OpenAPI document.

use clap::{Parser, Subcommand};
use leadstream::local_broker::{is_listening, LocalBroker};
use leadstream::{database, telemetry, Parts, RunningApp, Settings};
use leadstream_command_api::identity::IdentityStore;
use leadstream_domain::identity::Role;
use leadstream_domain::values::EmailAddress;
use std::net::SocketAddr;

#[derive(Parser)]
#[command(name = "leadstream", version, about = "Event-sourced lead management backend")]
struct Cli {
    #[command(subcommand)]
    command: Subcommands,
}

#[derive(Subcommand)]
enum Subcommands {
    /// Run the command API, query API, outbox relay and projection worker in one process.
    Serve,
    /// Run the command API and the outbox relay.
    CommandApi,
    /// Run the query API.
    QueryApi,
    /// Run the projection worker.
    Projections,
    /// Create the database if needed and apply migrations.
    Migrate,
    /// Drop the read models and rebuild them from the event store.
    Rebuild {
        /// Events replayed per batch.
        #[arg(long, default_value_t = 1000)]
        batch_size: i64,
    },
    /// Print the OpenAPI document (what `schemas/openapi.json` holds).
    Openapi,
    /// Give a user a role: the operator's way to make a tenant's superadmin, which the API
    /// never grants (nobody grants more than they hold).
    SetRole {
        /// The user's e-mail address.
        email: String,
        /// `agent`, `admin` or `superadmin`.
        role: String,
    },
    /// Print the newest mail the local mail provider recorded for an address (the
    /// registration or password-reset token, when no real mail provider is configured).
    Mail {
        /// The recipient's e-mail address.
        to: String,
        /// Print only the token the mail holds.
        #[arg(long)]
        token: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Subcommands::Openapi = cli.command {
        let document = leadstream::openapi::openapi_document(Parts::ALL);
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &document)?;
        std::io::Write::write_all(&mut out, b"\n")?;
        return Ok(());
    }
    let settings = Settings::from_env().map_err(anyhow::Error::msg)?;
    telemetry::init(&settings.log_format);
    let parts = match cli.command {
        Subcommands::Migrate => {
            database::prepare(&settings.database_url, 2).await?;
            tracing::info!("migrations applied");
            return Ok(());
        }
        Subcommands::Rebuild { batch_size } => {
            let pool = database::prepare(&settings.database_url, 2).await?;
            let replayed = leadstream_projections::rebuild_read_models(&pool, batch_size).await?;
            tracing::info!(replayed, "read models rebuilt");
            return Ok(());
        }
        Subcommands::Mail { to, token } => {
            let pool = database::prepare(&settings.database_url, 2).await?;
            let (_, body) = leadstream::local_mail::newest_mail(&pool, &to).await?;
            let body = body.ok_or_else(|| anyhow::anyhow!("no mail was recorded for {to}"))?;
            let shown = if token {
                leadstream::local_mail::token_in(&body)
                    .ok_or_else(|| anyhow::anyhow!("the newest mail for {to} holds no token"))?
                    .to_string()
            } else {
                body
            };
            let mut out = std::io::stdout().lock();
            std::io::Write::write_all(&mut out, format!("{shown}\n").as_bytes())?;
            return Ok(());
        }
        Subcommands::SetRole { email, role } => {
            let role = Role::parse(&role).map_err(|e| anyhow::anyhow!(e.message))?;
            let email = EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!(e.message))?;
            let pool = database::prepare(&settings.database_url, 2).await?;
            let changed = IdentityStore::new(pool).set_role(&email, role).await?;
            anyhow::ensure!(changed, "no user is registered as {}", email.as_str());
            tracing::info!(email = email.as_str(), %role, "role set");
            return Ok(());
        }
        Subcommands::Openapi => return Ok(()),
        Subcommands::Serve => Parts::ALL,
        Subcommands::CommandApi => Parts {
            command_api: true,
            query_api: false,
            projections: false,
        },
        Subcommands::QueryApi => Parts {
            command_api: false,
            query_api: true,
            projections: false,
        },
        Subcommands::Projections => Parts {
            command_api: false,
            query_api: false,
            projections: true,
        },
    };
    let pool = database::prepare(&settings.database_url, settings.database_max_connections).await?;
    let needs_kafka = parts.command_api || parts.projections;
    let (brokers, _local_broker) = match &settings.kafka_brokers {
        Some(brokers) => (brokers.clone(), None),
        None if !needs_kafka => (String::new(), None),
        None => {
            let addr: SocketAddr = settings.local_kafka_addr.parse()?;
            if is_listening(addr).await {
                tracing::info!(%addr, "KAFKA_BROKERS unset; using the broker already listening there");
                (addr.to_string(), None)
            } else {
                let broker = LocalBroker::start(addr, "sqlite://tansu.db", &settings.data_dir).await?;
                (broker.brokers.clone(), Some(broker))
            }
        }
    };
    let app = RunningApp::start(&settings, pool, &brokers, parts, None).await?;
    shutdown_signal().await;
    tracing::info!("shutting down");
    app.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return ctrl_c.await.unwrap_or(()),
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
