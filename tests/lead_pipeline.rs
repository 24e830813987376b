//! A lead command travels the whole pipeline: event store, outbox, Kafka, projection, query.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;
use support::{read_topic, Caller, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_lead_reaches_the_store_the_topic_and_the_read_model() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let created = app
        .create_lead(
            &tenant,
            json!({"first_name": "Ana", "last_name": "Pérez", "email": "Ana@Acme.com", "phone": "+56 9 1234 5678",
                   "company": "Acme", "source": "website_form", "tags": ["VIP"]}),
        )
        .await;
    let id = created.body["id"].as_str().expect("an id").to_string();
    let position = created.position();
    // Created, then scored: the answer names the position of the last of the two.
    assert_eq!(created.body["version"], 2);
    assert_eq!(created.body["position"], position);
    assert!(created.body["lead"]["score_card"]["tier"].is_string());
    assert_eq!(created.header("location"), Some(format!("/api/v1/leads/{id}")));

    // The event store holds the event, with the command's metadata.
    let (event_type, tenant_in_metadata): (String, String) = sqlx::query_as(
        "SELECT event_type, metadata->>'tenant_id' FROM events
          WHERE aggregate_type = 'lead' AND aggregate_id = $1 AND sequence = 1",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (event_type.as_str(), tenant_in_metadata),
        ("lead.created", tenant.tenant_id.to_string())
    );

    // The topic carries the envelope, keyed by the lead, with CloudEvents headers.
    let messages = read_topic(&app.brokers, &app.lead_topic(), 2, Duration::from_secs(20));
    let message = messages
        .iter()
        .find(|m| m.key == id && m.value["sequence"] == 1)
        .expect("the lead's message on the topic");
    let scored = messages
        .iter()
        .find(|m| m.key == id && m.value["sequence"] == 2)
        .expect("the lead's score on the topic");
    assert_eq!(scored.value["event_type"], "lead.scored");
    assert_eq!(scored.value["position"], position);
    assert_eq!(scored.value["data"]["weights_version"], 1);
    let envelope = &message.value;
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("schemas/envelope.v1.json").unwrap()).unwrap();
    let envelope_schema = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = envelope_schema.iter_errors(envelope).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "the message breaks the envelope schema: {errors:?}");
    assert_eq!(envelope["event_type"], "lead.created");
    assert_eq!(envelope["event_version"], "1");
    assert_eq!(envelope["aggregate_type"], "lead");
    assert_eq!(envelope["aggregate_id"], id.as_str());
    assert_eq!(envelope["sequence"], 1);
    assert!(envelope["position"].as_i64().unwrap() < position);
    assert_eq!(envelope["tenant_id"], tenant.tenant_id.to_string());
    // Personal fields travel sealed with the lead's key; the rest as it is.
    for field in ["email", "phone"] {
        assert_eq!(
            envelope["data"][field]["subject"],
            id.as_str(),
            "{field} is sealed for its lead"
        );
    }
    let text = envelope.to_string();
    assert!(
        !text.contains("ana@acme.com") && !text.contains("56912345678"),
        "{text}"
    );
    assert_eq!(envelope["data"]["company"], "Acme");
    assert_eq!(envelope["data"]["source"], "website_form");
    assert!(envelope["correlation_id"].is_string() && envelope["causation_id"].is_string());
    assert!(envelope["occurred_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z') || t.ends_with("+00:00")));
    let event_id = uuid::Uuid::parse_str(envelope["event_id"].as_str().unwrap()).expect("a UUID event id");
    assert_eq!(event_id.get_version_num(), 7, "event ids are UUID v7");
    assert_eq!(message.header("ce_specversion"), Some("1.0"));
    assert_eq!(message.header("ce_id"), Some(event_id.to_string().as_str()));
    assert_eq!(message.header("ce_type"), Some("lead.created"));
    assert_eq!(message.header("ce_source"), Some("/leadstream/lead"));
    assert_eq!(message.header("ce_subject"), Some(id.as_str()));
    assert_eq!(message.header("content-type"), Some("application/json"));

    // A query that asks for the command's position sees the lead. (The harness first waits with
    // its own deadline: right after start-up, joining the consumer group can outlast 2 s.)
    app.wait_projected(&tenant, position).await;
    let detail = app
        .call(
            Method::GET,
            &format!("/api/v1/leads/{id}?min_position={position}"),
            Some(&tenant),
            None,
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert_eq!(detail.header("x-projection-caught-up").as_deref(), Some("true"));
    assert_eq!(detail.body["name"], "Ana Pérez");
    assert_eq!(detail.body["tags"], json!(["vip"]));
    assert_eq!(detail.body["activities"][0]["activity_type"], "lead_created");
    let list = app
        .send(
            Method::GET,
            "/api/v1/leads",
            Some(&tenant),
            None,
            &[("x-min-position", &position.to_string())],
        )
        .await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["data"][0]["id"], id.as_str());
    app.stop().await;
}

/// Creates a few leads and puts each through several commands; returns the last position.
async fn busy_tenant(app: &TestApp, tenant: &Caller) -> i64 {
    let agent = app.add_user(tenant, "agent").await;
    let mut last = 0;
    for i in 0..4 {
        let created = app
            .create_lead(
                tenant,
                json!({"name": format!("Lead {i}"), "email": format!("lead{i}@example.com")}),
            )
            .await;
        let id = created.body["id"].as_str().unwrap().to_string();
        let steps = [
            (
                Method::PATCH,
                format!("/api/v1/leads/{id}"),
                json!({"company": "Acme", "status": "contacted"}),
            ),
            (
                Method::PUT,
                format!("/api/v1/leads/{id}/pipeline"),
                json!({"stage": "follow_up"}),
            ),
            (
                Method::PUT,
                format!("/api/v1/leads/{id}/assign"),
                json!({"agent_id": agent.user_id}),
            ),
            (
                Method::POST,
                format!("/api/v1/leads/{id}/activities"),
                json!({"activity_type": "call", "description": "left a voicemail"}),
            ),
            (
                Method::POST,
                format!("/api/v1/leads/{id}/notes"),
                json!({"note": "prefers mornings"}),
            ),
            (
                Method::POST,
                format!("/api/v1/leads/{id}/tags"),
                json!({"tags": ["buyer", "north"]}),
            ),
            (
                Method::PUT,
                format!("/api/v1/leads/{id}/status"),
                json!({"status": "qualified", "reason": "budget ok"}),
            ),
        ];
        for (method, path, body) in steps {
            let answer = app.call(method, &path, Some(tenant), Some(body)).await;
            assert!(answer.status.is_success(), "{path}: {}", answer.body);
            last = answer.position();
        }
        if i == 3 {
            let erased = app
                .call(Method::DELETE, &format!("/api/v1/leads/{id}"), Some(tenant), None)
                .await;
            assert_eq!(erased.status, StatusCode::NO_CONTENT);
            last = erased.position();
        }
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_projection_receiving_every_event_twice_leaves_the_read_model_unchanged() {
    // One partition, so a marker event published last is also consumed last.
    let app = TestApp::spawn_with(&support::shared_broker(), |s| s.kafka_partitions = 1).await;
    let tenant = app.register_tenant().await;
    let last = busy_tenant(&app, &tenant).await;
    app.wait_projected(&tenant, last).await;
    app.wait_outbox_drained(Duration::from_secs(20)).await;
    let before = app.read_model_checksum().await;
    let events = app.event_count().await;

    // Publish every event a second time, then a marker after them.
    sqlx::query("UPDATE outbox SET published_at = NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    let marker_tenant = app.register_tenant().await;
    let marker = app
        .create_lead(&marker_tenant, json!({"email": "marker@example.com"}))
        .await;
    app.wait_projected(&marker_tenant, marker.position()).await;

    let messages = read_topic(
        &app.brokers,
        &app.lead_topic(),
        (2 * events + 1) as usize,
        Duration::from_secs(20),
    );
    assert_eq!(
        messages.len() as i64,
        2 * events + 1,
        "every event is on the topic twice, plus the marker"
    );
    sqlx::query("DELETE FROM leads WHERE tenant_id = $1")
        .bind(marker_tenant.tenant_id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM lead_activities WHERE tenant_id = $1")
        .bind(marker_tenant.tenant_id)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.read_model_checksum().await,
        before,
        "duplicates changed the read model"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_gives_the_rows_the_live_projection_built() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let last = busy_tenant(&app, &tenant).await;
    app.wait_projected(&tenant, last).await;
    let live = app.read_model_checksum().await;
    let leads: i64 = sqlx::query_scalar("SELECT count(*) FROM leads")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(leads, 3, "three leads remain after one was erased");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadstream"))
        .arg("rebuild")
        .arg("--batch-size")
        .arg("7")
        .env("DATABASE_URL", &app.database_url)
        .env("LOG_FORMAT", "pretty")
        .output()
        .expect("the rebuild command runs");
    assert!(
        output.status.success(),
        "rebuild failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("read models rebuilt"));
    assert_eq!(
        app.read_model_checksum().await,
        live,
        "rebuilt rows differ from the live projection's"
    );
    app.stop().await;
}
