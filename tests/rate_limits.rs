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
        s.rate_limit_per_ip = 5;
        s.rate_limit_window_secs = WINDOW_SECS;
        s.redis_url = redis_url;
    })
    .await
}

async fn assert_limits(app: &TestApp) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    // Registering is anonymous (asking, then confirming): these take four of the IP's five calls.
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
        [1, 4, 6, 7],
        "one other principal; four calls to the credential routes (two registrations, asked and confirmed), \
         which also count among the IP's six anonymous calls; seven from the limited one"
    );
    app.stop().await;
}

/// The routes that hash a password have a tighter budget per IP, spent before any hashing: a
/// flood of logins is refused at once instead of queueing Argon2 work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_routes_have_a_tighter_budget_per_ip() {
    let app = TestApp::spawn_with(&support::shared_broker(), |s| {
        s.rate_limit_credentials_per_ip = 3;
        s.rate_limit_window_secs = WINDOW_SECS;
    })
    .await;
    let admin = app.register_tenant().await;
    let me = app.call(Method::GET, "/api/v1/auth/me", Some(&admin), None).await;
    let email = me.body["email"].as_str().unwrap().to_string();
    let login = serde_json::json!({"email": email, "password": support::PASSWORD});
    let first = app
        .call(Method::POST, "/api/v1/auth/login", None, Some(login.clone()))
        .await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.body);
    // Registering took two of the three (asking, then confirming); this login the last one.
    assert_eq!(first.header("x-ratelimit-limit").as_deref(), Some("3"));
    assert_eq!(first.header("x-ratelimit-remaining").as_deref(), Some("0"));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/forgot-password",
        "/api/v1/auth/register",
    ] {
        let refused = app.call(Method::POST, path, None, Some(login.clone())).await;
        refused.assert_error(429, "RATE_LIMIT_EXCEEDED");
        assert!(refused.header("retry-after").is_some());
    }
    // The rest of the API keeps its own budgets.
    let health = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(health.status.as_u16(), 200);
    let leads = app.call(Method::GET, "/api/v1/leads", Some(&admin), None).await;
    assert_eq!(leads.status.as_u16(), 200);
    app.stop().await;
}
