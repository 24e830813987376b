//! Rate limits per principal (per IP for anonymous calls), in fixed windows: shared across
//! instances through Redis when configured, in-process otherwise. Every response carries
//! `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (epoch seconds); the
//! request over the limit gets 429 with `Retry-After`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{ApiError, Principal};

/// Where counts live.
enum Counter {
    Local(Mutex<HashMap<String, u64>>),
    Redis(redis::aio::ConnectionManager),
}

/// The limits and their counter.
pub struct RateLimiter {
    per_principal: u64,
    per_ip: u64,
    /// Anonymous routes that check a secret (login, registration, password resets) and so cost a
    /// password hash: each IP also has this smaller budget for them, spent before any hashing.
    credential_routes: &'static [&'static str],
    per_ip_on_credential_routes: u64,
    window: Duration,
    /// Keeps instances that share a Redis apart (e.g. tests), and names the keys.
    namespace: String,
    counter: Counter,
}

/// One request's standing in its window.
struct Standing {
    limit: u64,
    count: u64,
    reset_at: u64,
}

impl RateLimiter {
    /// A limiter that counts in this process.
    pub fn local(per_principal: u64, per_ip: u64, window: Duration, namespace: &str) -> Self {
        Self::with(
            per_principal,
            per_ip,
            window,
            namespace,
            Counter::Local(Mutex::new(HashMap::new())),
        )
    }

    /// A limiter that counts in Redis at `url`, shared by every instance using it.
    pub async fn redis(
        url: &str,
        per_principal: u64,
        per_ip: u64,
        window: Duration,
        namespace: &str,
    ) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("REDIS_URL: {e}"))?;
        let manager = redis::aio::ConnectionManager::new(client)
            .await
            .map_err(|e| format!("cannot reach Redis: {e}"))?;
        Ok(Self::with(
            per_principal,
            per_ip,
            window,
            namespace,
            Counter::Redis(manager),
        ))
    }

    fn with(per_principal: u64, per_ip: u64, window: Duration, namespace: &str, counter: Counter) -> Self {
        let window = window.max(Duration::from_secs(1));
        Self {
            per_principal,
            per_ip,
            credential_routes: &[],
            per_ip_on_credential_routes: u64::MAX,
            window,
            namespace: namespace.to_string(),
            counter,
        }
    }

    /// Gives each IP a budget of `per_ip` anonymous calls per window to `routes` as well.
    pub fn with_credential_routes(mut self, routes: &'static [&'static str], per_ip: u64) -> Self {
        self.credential_routes = routes;
        self.per_ip_on_credential_routes = per_ip;
        self
    }

    async fn hit(&self, subject: &str, limit: u64) -> Result<Standing, String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let window = self.window.as_secs();
        let window_start = now - now % window;
        let key = format!("{}ratelimit:{subject}:{window_start}", self.namespace);
        let count = match &self.counter {
            Counter::Local(counts) => {
                let mut counts = counts.lock().map_err(|_| "rate-limit counter poisoned".to_string())?;
                // Forget past windows so the map holds only the current one.
                let suffix = format!(":{window_start}");
                counts.retain(|k, _| k.ends_with(&suffix));
                let count = counts.entry(key).or_insert(0);
                *count += 1;
                *count
            }
            Counter::Redis(manager) => {
                let mut connection = manager.clone();
                let (count, _): (u64, bool) = redis::pipe()
                    .atomic()
                    .incr(&key, 1)
                    .expire(&key, window as i64 + 1)
                    .query_async(&mut connection)
                    .await
                    .map_err(|e| format!("Redis: {e}"))?;
                count
            }
        };
        Ok(Standing {
            limit,
            count,
            reset_at: window_start + window,
        })
    }
}

/// The budget that decides: one that is spent, else the one with the fewest calls left.
fn tightest(standings: Vec<Standing>) -> Option<Standing> {
    standings
        .into_iter()
        .max_by_key(|s| (s.count > s.limit, std::cmp::Reverse(s.limit.saturating_sub(s.count))))
}

/// Middleware: counts the request against its principal (or its IP when anonymous).
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(limiter) = req.app_data::<web::Data<RateLimiter>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let mut budgets = vec![];
    match Principal::extract(req.request()).await {
        Ok(principal) => budgets.push((format!("principal:{}", principal.actor), limiter.per_principal)),
        Err(_) => {
            let ip = req
                .peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_else(|| "unknown".into());
            if limiter.credential_routes.contains(&req.path()) {
                budgets.push((format!("credentials:{ip}"), limiter.per_ip_on_credential_routes));
            }
            budgets.push((format!("ip:{ip}"), limiter.per_ip));
        }
    };
    let mut standings = vec![];
    for (subject, limit) in budgets {
        standings.push(limiter.hit(&subject, limit).await);
    }
    let standing = match standings.into_iter().collect::<Result<Vec<_>, _>>().map(tightest) {
        Ok(Some(standing)) => standing,
        Ok(None) => return Ok(next.call(req).await?.map_into_boxed_body()),
        Err(error) => {
            // Fail open: an unreachable counter must not take the API down with it.
            tracing::warn!(%error, "rate limit not checked");
            return Ok(next.call(req).await?.map_into_boxed_body());
        }
    };
    let mut response = if standing.count > standing.limit {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let retry_after = standing.reset_at.saturating_sub(now).max(1);
        let error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_EXCEEDED",
            "too many requests; retry later",
        )
        .with_details(json!({ "limit": standing.limit, "retry_after_seconds": retry_after }));
        let mut response = req.error_response(error);
        response
            .headers_mut()
            .insert(HeaderName::from_static("retry-after"), HeaderValue::from(retry_after));
        response
    } else {
        next.call(req).await?.map_into_boxed_body()
    };
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("x-ratelimit-limit"),
        HeaderValue::from(standing.limit),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-remaining"),
        HeaderValue::from(standing.limit.saturating_sub(standing.count)),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-reset"),
        HeaderValue::from(standing.reset_at),
    );
    Ok(response)
}
