//! Starts the parts of leadstream in this process, alone or together, and stops them cleanly.

use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use leadstream_api_conventions::{
    configure_input_limits, idempotency, rate_limit, refuse_unstorable_text, register_routes, request_context,
    route_not_found, AccessTokens, ApiRoute, Authenticator, IdempotencyStore, RateLimiter,
};
use leadstream_command_api::appointments::{AppointmentService, BusinessHoursStore};
use leadstream_command_api::batch::{batch_event_store, BatchJobs, BatchSettings, BatchWorker};
use leadstream_command_api::calls::CallService;
use leadstream_command_api::campaigns::CampaignStore;
use leadstream_command_api::identity::{
    signing_secret, IdentityService, IdentitySettings, IdentityStore, RecordingMailer,
};
use leadstream_command_api::integrations::Integrations;
use leadstream_command_api::scoring::WeightsStore;
use leadstream_command_api::sequences::{Scheduler, SchedulerSettings, SequenceService};
use leadstream_command_api::webhooks::InboundService;
use leadstream_command_api::{lead_event_store, LeadCommandService, LeadFollowUps, OutboxRelay, RelaySettings};
use leadstream_command_api::{BatchLimits, CommandServices, ImportLimits};
use leadstream_projections::{ProjectionWorker, ReadModel, WorkerSettings};
use sqlx::PgPool;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::Settings;

/// Which parts to run in this process.
#[derive(Debug, Clone, Copy)]
pub struct Parts {
    /// The command HTTP routes and the outbox relay.
    pub command_api: bool,
    /// The query HTTP routes.
    pub query_api: bool,
    /// The projection worker.
    pub projections: bool,
}

impl Parts {
    /// Everything in one process.
    pub const ALL: Parts = Parts {
        command_api: true,
        query_api: true,
        projections: true,
    };
}

/// The running parts: the HTTP address (when serving HTTP) and the handles to stop them.
pub struct RunningApp {
    pub addr: Option<SocketAddr>,
    server: Option<ServerHandle>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningApp {
    /// Starts `parts` against `pool` and the broker at `brokers`. HTTP binds `listener` when
    /// given, else `settings.http_addr`.
    pub async fn start(
        settings: &Settings,
        pool: PgPool,
        brokers: &str,
        parts: Parts,
        listener: Option<TcpListener>,
    ) -> anyhow::Result<Self> {
        let (shutdown, shutdown_rx) = watch::channel(false);
        let mut tasks = vec![];
        if parts.command_api {
            let relay = OutboxRelay::new(
                pool.clone(),
                RelaySettings {
                    brokers: brokers.to_string(),
                    topic_prefix: settings.kafka_topic_prefix.clone(),
                    partitions: settings.kafka_partitions,
                    batch_size: settings.relay_batch_size,
                    message_timeout_ms: settings.kafka_message_timeout_ms,
                    aggregate_types: ["lead", "batch", "sequence", "call", "appointment"]
                        .map(String::from)
                        .to_vec(),
                },
            );
            tasks.push(tokio::spawn(relay.run(shutdown_rx.clone())));
        }
        if parts.projections {
            // Several members of one consumer group: each applies its own partitions, so the
            // read side overlaps round trips instead of queueing them behind one transaction.
            for model in ReadModel::ALL {
                for _ in 0..settings.projection_workers.max(1) {
                    let worker = ProjectionWorker::new(
                        pool.clone(),
                        WorkerSettings {
                            brokers: brokers.to_string(),
                            topic_prefix: settings.kafka_topic_prefix.clone(),
                            batch_size: settings.projection_batch_size,
                        },
                        model,
                    );
                    let rx = shutdown_rx.clone();
                    tasks.push(tokio::spawn(async move {
                        if let Err(error) = worker.run(rx).await {
                            tracing::error!(%error, projection = model.name(), "projection worker stopped");
                        }
                    }));
                }
            }
        }
        let (addr, server) = if parts.command_api || parts.query_api {
            let listener = match listener {
                Some(listener) => listener,
                None => TcpListener::bind(&settings.http_addr)?,
            };
            let addr = listener.local_addr()?;
            let server_secret = signing_secret(&pool, settings.jwt_secret.as_deref()).await?;
            let tokens = AccessTokens::new(&server_secret, Duration::from_secs(settings.access_token_ttl_secs));
            let authenticator = web::Data::new(Authenticator::new(pool.clone(), tokens.clone()));
            let commands = parts.command_api.then(|| {
                let identity = IdentityService::new(
                    IdentityStore::new(pool.clone()),
                    tokens,
                    Arc::new(RecordingMailer::new(pool.clone())),
                    IdentitySettings {
                        reset_token_ttl: Duration::from_secs(settings.password_reset_ttl_secs),
                        registration_ttl: Duration::from_secs(settings.registration_ttl_secs),
                    },
                );
                let leads =
                    LeadCommandService::new(lead_event_store(pool.clone(), settings.snapshot_every), pool.clone());
                let weights = WeightsStore::new(pool.clone());
                let integrations = Integrations::local(pool.clone());
                let followups = LeadFollowUps::new(leads.clone(), weights.clone());
                let calls = CallService::new(pool.clone(), followups.clone(), integrations.clone());
                CommandServices {
                    appointments: AppointmentService::new(pool.clone(), followups.clone()),
                    business_hours: BusinessHoursStore::new(pool.clone()),
                    followups: followups.clone(),
                    campaigns: CampaignStore::new(pool.clone()),
                    inbound: InboundService::new(pool.clone(), calls.clone(), followups.clone(), &server_secret),
                    calls,
                    leads,
                    identity,
                    weights,
                    integrations,
                    batch_jobs: BatchJobs::new(pool.clone()),
                    batch_store: Arc::new(batch_event_store(pool.clone())),
                    batch_limits: BatchLimits {
                        max_leads: settings.batch_max_leads,
                    },
                    import_limits: ImportLimits {
                        max_bytes: settings.import_max_bytes,
                        max_rows: settings.import_max_rows,
                    },
                    sequences: SequenceService::new(pool.clone()),
                    clock: settings.clock.clone(),
                }
            });
            if let Some(services) = &commands {
                let worker = BatchWorker::new(
                    pool.clone(),
                    services.batch_jobs.clone(),
                    services.leads.clone(),
                    services.weights.clone(),
                    services.integrations.clone(),
                    BatchSettings {
                        workers: settings.batch_workers,
                        poll_interval: Duration::from_millis(settings.batch_poll_ms.max(10)),
                        clock: settings.clock.clone(),
                    },
                );
                tasks.push(tokio::spawn(worker.run(shutdown_rx.clone())));
                if settings.scheduler_tick_ms > 0 {
                    let scheduler = Scheduler::new(
                        services.sequences.clone(),
                        services.followups.clone(),
                        services.integrations.clone(),
                        settings.clock.clone(),
                        SchedulerSettings {
                            tick: Duration::from_millis(settings.scheduler_tick_ms),
                            batch: 100,
                        },
                    )
                    .with_reminders(services.appointments.clone(), services.business_hours.clone());
                    tasks.push(tokio::spawn(scheduler.run(shutdown_rx.clone())));
                }
            }
            let health = crate::operations::HealthChecks::new(
                pool.clone(),
                (parts.command_api || parts.projections).then_some(brokers),
            );
            let idempotent = IdempotencyStore::new(pool.clone(), &server_secret);
            let document = web::Data::new(crate::openapi::OpenApiDocument(crate::openapi::openapi_document(parts)));
            let known_paths = web::Data::new(leadstream_api_conventions::KnownPaths::of(&api_routes(parts)));
            let limiter = web::Data::new(rate_limiter(settings).await?);
            let queries = parts.query_api.then(|| {
                (
                    pool.clone(),
                    leadstream_query_api::ProjectionProgress::listen(pool.clone()),
                )
            });
            let server = HttpServer::new(move || {
                // The last wrap is the outermost: request ids and timing cover idempotent replays.
                let mut app = App::new()
                    .wrap(from_fn(refuse_unstorable_text))
                    .wrap(from_fn(idempotency))
                    .wrap(from_fn(rate_limit))
                    .wrap(from_fn(request_context))
                    .app_data(limiter.clone())
                    .app_data(authenticator.clone())
                    .app_data(web::Data::new(idempotent.clone()))
                    .configure(configure_input_limits)
                    .app_data(web::Data::new(health.clone()))
                    .app_data(document.clone())
                    .app_data(known_paths.clone())
                    .configure(|cfg| register_routes(cfg, crate::operations::routes()))
                    .configure(|cfg| register_routes(cfg, crate::openapi::routes()))
                    .service(crate::openapi::swagger_ui());
                if let Some(services) = &commands {
                    app = app.configure(leadstream_command_api::configure(services.clone()));
                }
                if let Some((pool, progress)) = &queries {
                    app = app.configure(leadstream_query_api::configure(pool.clone(), progress.clone()));
                }
                app.default_service(web::to(route_not_found))
            })
            .workers(settings.http_workers)
            .disable_signals()
            .listen(listener)?
            .run();
            let handle = server.handle();
            tasks.push(tokio::spawn(async move {
                if let Err(error) = server.await {
                    tracing::error!(%error, "HTTP server stopped");
                }
            }));
            tracing::info!(%addr, "HTTP API listening");
            (Some(addr), Some(handle))
        } else {
            (None, None)
        };
        Ok(Self {
            addr,
            server,
            shutdown,
            tasks,
        })
    }

    /// Stops every part and waits for them to finish.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = &self.server {
            server.stop(true).await;
        }
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Every API route the given parts serve, as (method, path pattern): the same lists the servers
/// register from.
pub fn api_routes(parts: Parts) -> Vec<ApiRoute> {
    let mut routes = crate::operations::routes();
    routes.extend(crate::openapi::routes());
    if parts.command_api {
        routes.extend(leadstream_command_api::routes());
    }
    if parts.query_api {
        routes.extend(leadstream_query_api::routes());
    }
    routes
}

/// The configured rate limiter: shared through Redis when `REDIS_URL` is set.
async fn rate_limiter(settings: &Settings) -> anyhow::Result<RateLimiter> {
    let (per_principal, per_ip) = (settings.rate_limit_per_principal, settings.rate_limit_per_ip);
    let window = Duration::from_secs(settings.rate_limit_window_secs);
    let namespace = settings.kafka_topic_prefix.as_str();
    let limiter = match &settings.redis_url {
        Some(url) => RateLimiter::redis(url, per_principal, per_ip, window, namespace)
            .await
            .map_err(anyhow::Error::msg)?,
        None => RateLimiter::local(per_principal, per_ip, window, namespace),
    };
    Ok(limiter.with_credential_routes(
        leadstream_command_api::CREDENTIAL_ROUTES,
        settings.rate_limit_credentials_per_ip,
    ))
}
