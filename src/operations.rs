//! Operational endpoints: liveness, the detailed health of every dependency the pipeline runs
//! on, and Prometheus metrics.

use actix_web::{web, HttpResponse};
use leadstream_api_conventions::ApiRoute;
use leadstream_projections::ReadModel;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use serde::Serialize;
use serde_json::json;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// What `/health/detailed` inspects.
#[derive(Clone)]
pub struct HealthChecks {
    pool: PgPool,
    /// A metadata-only client; `None` when this process has no broker configured.
    kafka: Option<Arc<BaseConsumer>>,
}

impl HealthChecks {
    /// Checks over `pool` and, when given, the broker at `brokers`.
    pub fn new(pool: PgPool, brokers: Option<&str>) -> Self {
        let kafka = brokers.filter(|b| !b.is_empty()).and_then(|brokers| {
            ClientConfig::new()
                .set("bootstrap.servers", brokers)
                .create::<BaseConsumer>()
                .map_err(|error| tracing::warn!(%error, "cannot create the Kafka health client"))
                .ok()
                .map(Arc::new)
        });
        Self { pool, kafka }
    }
}

/// `GET /health`: the process answers.
/// The operational routes, public on every part that serves HTTP.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::get("/", service_info)
            .summary("The service's name and version")
            .public()
            .answers::<ServiceInfo>(200),
        ApiRoute::get("/health", health)
            .summary("Liveness")
            .public()
            .answers::<Health>(200),
        ApiRoute::get("/health/detailed", health_detailed)
            .summary("PostgreSQL, Kafka, outbox backlog and projection lag; 503 when PostgreSQL is down")
            .public()
            .answers::<DetailedHealth>(200),
        ApiRoute::get("/metrics", metrics)
            .summary("Prometheus metrics")
            .public()
            .answers_text(),
    ]
}

/// What this service is.
#[derive(Serialize, ToSchema)]
pub struct ServiceInfo {
    service: &'static str,
    version: &'static str,
}

/// The process is up.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    status: &'static str,
}

/// The state of every dependency.
#[derive(ToSchema)]
pub struct DetailedHealth {
    /// `healthy`, `degraded` (Kafka down: commands still succeed, the outbox holds them) or
    /// `unhealthy` (PostgreSQL down).
    #[allow(dead_code)]
    status: String,
    /// `postgres`, `kafka`, `outbox` (backlog) and `projections` (lag per projection).
    #[allow(dead_code)]
    #[schema(value_type = Object)]
    checks: serde_json::Value,
}

/// `GET /`: what this service is.
pub async fn service_info() -> HttpResponse {
    HttpResponse::Ok().json(ServiceInfo {
        service: "leadstream",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// `GET /health`: the process answers.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// `GET /health/detailed`: PostgreSQL, Kafka, the outbox backlog and each projection's lag.
/// 503 only when PostgreSQL is down: without Kafka, commands still succeed (the outbox holds
/// them), so the service is `degraded`, not down.
pub async fn health_detailed(checks: web::Data<HealthChecks>) -> HttpResponse {
    let started = Instant::now();
    let postgres = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&checks.pool).await;
    let postgres_ms = started.elapsed().as_secs_f64() * 1000.0;
    let kafka = match &checks.kafka {
        None => json!({ "status": "not_configured" }),
        Some(client) => {
            let client = client.clone();
            let started = Instant::now();
            let brokers = tokio::task::spawn_blocking(move || {
                client
                    .fetch_metadata(None, Duration::from_secs(2))
                    .map(|m| m.brokers().len())
            })
            .await;
            match brokers {
                Ok(Ok(brokers)) => json!({
                    "status": "up", "brokers": brokers, "latency_ms": started.elapsed().as_secs_f64() * 1000.0
                }),
                Ok(Err(error)) => json!({ "status": "down", "error": error.to_string() }),
                Err(error) => json!({ "status": "down", "error": error.to_string() }),
            }
        }
    };
    let (outbox, projections) = match postgres {
        Ok(_) => (outbox_backlog(&checks.pool).await, projection_lag(&checks.pool).await),
        Err(_) => (json!(null), json!(null)),
    };
    let postgres_up = postgres.is_ok();
    let kafka_down = kafka["status"] == "down";
    let status = match (postgres_up, kafka_down) {
        (false, _) => "unhealthy",
        (true, true) => "degraded",
        (true, false) => "healthy",
    };
    let body = json!({
        "status": status,
        "checks": {
            "postgres": match &postgres {
                Ok(_) => json!({ "status": "up", "latency_ms": postgres_ms }),
                Err(error) => json!({ "status": "down", "error": error.to_string() }),
            },
            "kafka": kafka,
            "outbox": outbox,
            "projections": projections,
        }
    });
    if postgres_up {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

async fn outbox_backlog(pool: &PgPool) -> serde_json::Value {
    let backlog: Result<(i64, Option<f64>), _> = sqlx::query_as(
        "SELECT count(*), extract(epoch FROM now() - min(recorded_at))::float8 * 1000
           FROM outbox WHERE published_at IS NULL",
    )
    .fetch_one(pool)
    .await;
    match backlog {
        Ok((unpublished, oldest_ms)) => json!({ "unpublished": unpublished, "oldest_unpublished_ms": oldest_ms }),
        Err(error) => json!({ "error": error.to_string() }),
    }
}

/// Per projection: published events it has not applied yet (by partition offsets).
async fn projection_lag(pool: &PgPool) -> serde_json::Value {
    let names: Vec<&str> = ReadModel::ALL.iter().map(|m| m.name()).collect();
    let types: Vec<&str> = ReadModel::ALL.iter().map(|m| m.aggregate_type()).collect();
    let lag: Result<Vec<(String, i64)>, _> = sqlx::query_as(
        "WITH models AS (SELECT * FROM unnest($1::text[], $2::text[]) AS m(projection, aggregate_type)),
              published AS (
             SELECT m.projection, o.kafka_partition AS partition, max(o.kafka_offset) AS last_offset
               FROM models m JOIN outbox o ON o.aggregate_type = m.aggregate_type AND o.kafka_partition IS NOT NULL
              GROUP BY m.projection, o.kafka_partition)
         SELECT m.projection,
                coalesce(sum(greatest(p.last_offset - coalesce(a.applied_offset, -1), 0)), 0)::bigint
           FROM models m
           LEFT JOIN published p ON p.projection = m.projection
           LEFT JOIN projection_offsets a ON a.projection = m.projection AND a.partition = p.partition
          GROUP BY m.projection",
    )
    .bind(&names)
    .bind(&types)
    .fetch_all(pool)
    .await;
    match lag {
        Ok(rows) => json!(rows
            .into_iter()
            .map(|(name, behind)| (name, json!({ "events_behind": behind })))
            .collect::<serde_json::Map<_, _>>()),
        Err(error) => json!({ "error": error.to_string() }),
    }
}

/// `GET /metrics`: every registered metric in the Prometheus text format.
pub async fn metrics() -> HttpResponse {
    let mut body = String::new();
    match prometheus::TextEncoder::new().encode_utf8(&prometheus::gather(), &mut body) {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(body),
        Err(error) => {
            tracing::error!(%error, "cannot encode metrics");
            HttpResponse::InternalServerError().finish()
        }
    }
}
