//! With the broker down, commands still succeed; when it returns, the outbox drains and every
//! event is on the topic exactly once, in order per lead.

mod support;

use leadstream::local_broker::LocalBroker;
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;
use support::{free_addr, read_topic, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_succeed_while_the_broker_is_down_and_the_backlog_drains_exactly_once() {
    // This test's own broker, on disk so that topics and messages survive its restart.
    let dir = std::env::temp_dir().join(format!("leadstream-outage-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let storage = "sqlite://tansu.db";
    let addr = free_addr();
    let broker = LocalBroker::start(addr, storage, &dir).await.expect("a broker");
    let app = TestApp::spawn_with(&broker.brokers, |s| s.kafka_message_timeout_ms = 2_000).await;
    let tenant = app.register_tenant().await;

    let mut ids = vec![];
    for i in 0..3 {
        let created = app
            .create_lead(&tenant, json!({"email": format!("before{i}@example.com")}))
            .await;
        ids.push(created.body["id"].as_str().unwrap().to_string());
    }
    app.wait_outbox_drained(Duration::from_secs(20)).await;

    broker.stop().await;
    for i in 0..3 {
        let created = app
            .create_lead(&tenant, json!({"email": format!("during{i}@example.com")}))
            .await;
        ids.push(created.body["id"].as_str().unwrap().to_string());
    }
    for id in &ids {
        for step in 0..2 {
            let answer = app
                .call(
                    Method::PATCH,
                    &format!("/api/v1/leads/{id}"),
                    Some(&tenant),
                    Some(json!({"company": format!("Co {step}")})),
                )
                .await;
            assert!(
                answer.status.is_success(),
                "a command failed while the broker was down: {}",
                answer.body
            );
        }
    }
    let backlog: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        backlog >= 15,
        "events wait in the outbox while the broker is down (backlog {backlog})"
    );

    let broker = LocalBroker::start(addr, storage, &dir)
        .await
        .expect("the broker restarts");
    app.wait_outbox_drained(Duration::from_secs(60)).await;

    let events = app.event_count().await as usize;
    // Per lead: created and scored; an update naming a company and its rescore; an update that
    // leaves the score card as it was.
    assert_eq!(events, 6 * 5);
    let messages = read_topic(&app.brokers, &app.lead_topic(), events + 1, Duration::from_secs(10));
    let mut per_lead: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut ordered: Vec<_> = messages.iter().collect();
    ordered.sort_by_key(|m| (m.partition, m.offset));
    for message in ordered {
        per_lead
            .entry(message.key.clone())
            .or_default()
            .push(message.value["sequence"].as_i64().unwrap());
    }
    assert_eq!(per_lead.len(), ids.len());
    for (lead, sequences) in &per_lead {
        assert_eq!(
            sequences,
            &vec![1, 2, 3, 4, 5],
            "lead {lead}: each event once, in order"
        );
    }

    // And the read model caught up from the drained backlog.
    let position: i64 = sqlx::query_scalar("SELECT max(position) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.wait_projected(&tenant, position).await;
    let list = app.call(Method::GET, "/api/v1/leads", Some(&tenant), None).await;
    assert_eq!(list.body["total"], 6);
    let written_while_down = app
        .call(Method::GET, &format!("/api/v1/leads/{}", ids[5]), Some(&tenant), None)
        .await;
    assert_eq!(written_while_down.body["company"], "Co 1");
    assert_eq!(
        written_while_down.body["version"], 5,
        "created, scored, updated, scored, updated"
    );
    let health = app.call(Method::GET, "/health/detailed", None, None).await;
    assert_eq!(health.body["status"], "healthy", "{}", health.body);
    assert_eq!(health.body["checks"]["kafka"]["status"], "up");
    assert_eq!(health.body["checks"]["outbox"]["unpublished"], 0);
    assert_eq!(health.body["checks"]["projections"]["leads"]["events_behind"], 0);
    app.stop().await;
    broker.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
