//! Rate limits: per principal, per IP for anonymous calls, headers on every response, 429 with
//! Retry-After in the error shape; counted in-process or shared through Redis.

mod support;

use reqwest::Method;
use std::time::{SystemTime, UNIX_EPOCH};
use support::TestApp;

// An hour-long window: a test never straddles two windows in practice.
const WINDOW_SECS: u64 = 3600;

async fn app_with_limits(redis_url: Option<String>) -> TestApp {
    TestApp::spawn_with(&support::shared_broker(), |s| {
        s.rate_limit_per_principal = 5;
        s.rate_limit_per_ip = 3;
        s.rate_limit_window_secs = WINDOW_SECS;
        s.redis_url = redis_url;
    })
    .await
}

async fn assert_limits(app: &TestApp) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    // Registering is anonymous: these take two of the IP's three calls.
    let (a, b) = (app.register_tenant().await, app.register_tenant().await);
    for remaining in (0..5).rev() {
        let answer = app.call(Method::GET, "/api/v1/leads", Some(&a), None).await;
        assert_eq!(answer.status.as_u16(), 200, "{}", answer.body);
        assert_eq!(answer.header("x-ratelimit-limit").as_deref(), Some("5"));
        assert_eq!(answer.header("x-ratelimit-remaining"), Some(remaining.to_string()));
        let reset: u64 = answer.header("x-ratelimit-reset").unwrap().parse().unwrap();
        assert!(
            reset > now && reset <= now + WINDOW_SECS,
            "reset {reset} is the window's end"
        );
    }
    let limited = app.call(Method::GET, "/api/v1/leads", Some(&a), None).await;
    limited.assert_error(429, "RATE_LIMIT_EXCEEDED");
    assert_eq!(limited.header("x-ratelimit-remaining").as_deref(), Some("0"));
    let retry_after: u64 = limited.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=WINDOW_SECS).contains(&retry_after));
    // Writes are limited too, and refused before they write.
    let events = app.event_count().await;
    let refused = app
        .call(
            Method::POST,
            "/api/v1/leads",
            Some(&a),
            Some(serde_json::json!({"email": "x@y.co"})),
        )
        .await;
    refused.assert_error(429, "RATE_LIMIT_EXCEEDED");
    assert_eq!(app.event_count().await, events);

    // Another principal has its own budget.
    let other = app.call(Method::GET, "/api/v1/leads", Some(&b), None).await;
    assert_eq!(other.status.as_u16(), 200);
    assert_eq!(other.header("x-ratelimit-remaining").as_deref(), Some("4"));

    // Anonymous calls count per IP: one left after the two registrations.
    let last = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(last.status.as_u16(), 200);
    assert_eq!(last.header("x-ratelimit-remaining").as_deref(), Some("0"));
    app.call(Method::GET, "/health", None, None)
        .await
        .assert_error(429, "RATE_LIMIT_EXCEEDED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_counted_in_process() {
    let app = app_with_limits(None).await;
    assert_limits(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_counted_in_redis_are_shared_there() {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let app = app_with_limits(Some(url.clone())).await;
    assert_limits(&app).await;
    // The counts live in Redis, under this app's namespace, where other instances read them.
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut redis = client.get_multiplexed_async_connection().await.unwrap();
    let pattern = format!("{}ratelimit:*", app.settings.kafka_topic_prefix);
    let keys: Vec<String> = redis::cmd("KEYS").arg(&pattern).query_async(&mut redis).await.unwrap();
    let mut counts = vec![];
    for key in &keys {
        let count: u64 = redis::cmd("GET").arg(key).query_async(&mut redis).await.unwrap();
        counts.push(count);
    }
    counts.sort();
    assert_eq!(
        counts,
        [1, 4, 7],
        "one other principal, four anonymous calls (two registrations), seven from the limited one"
    );
    app.stop().await;
}
