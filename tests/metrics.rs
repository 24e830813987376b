//! `/metrics` counts requests by route pattern and the pipeline's events. (Its own test binary:
//! the registry is process-wide, so counts are exact only with one app in the process.)

mod support;

use reqwest::Method;
use serde_json::json;
use std::time::Duration;
use support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_and_events_through_the_pipeline() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let created = app.create_lead(&tenant, json!({"email": "metered@example.com"})).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    app.wait_outbox_drained(Duration::from_secs(20)).await;
    app.wait_projected(&tenant, created.position()).await;
    let detail = app
        .call(Method::GET, &format!("/api/v1/leads/{id}"), Some(&tenant), None)
        .await;
    assert_eq!(detail.status.as_u16(), 200);
    app.call(Method::GET, "/api/v1/nowhere", Some(&tenant), None).await;

    let expected = [
        r#"http_requests_total{method="POST",route="/api/v1/leads",status="201"} 1"#,
        r#"http_requests_total{method="GET",route="/api/v1/leads/{id}",status="200"} 1"#,
        r#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"http_request_duration_seconds_count{method="POST",route="/api/v1/leads"} 1"#,
        // One create: lead.created and lead.scored.
        r#"leadstream_events_appended_total{aggregate_type="lead"} 2"#,
        r#"leadstream_events_published_total{aggregate_type="lead"} 2"#,
        r#"leadstream_events_projected_total{projection="leads"} 2"#,
    ];
    // The projection counts an event just after its commit, which may trail the read above.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let text = loop {
        let response = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        let text = response.text().await.unwrap();
        let missing: Vec<&str> = expected
            .iter()
            .copied()
            .filter(|line| !text.lines().any(|l| l == *line))
            .collect();
        if missing.is_empty() {
            break text;
        }
        assert!(std::time::Instant::now() < deadline, "missing {missing:?} in:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(!text.contains(&id), "raw ids never become labels");
    app.stop().await;
}
