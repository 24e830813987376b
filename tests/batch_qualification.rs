//! Batch qualification: accepted at once, worked through in the background, its progress kept
//! as events, so a killed service resumes the batch without doing any item twice.

mod support;

use leadstream_command_api::batch::item_lead_id;
use leadstream_command_api::{lead_event_store, CommandMetadata, LeadCommandService};
use leadstream_domain::lead::{CreateLead, LeadAccess, LeadAction, LeadCommand};
use leadstream_domain::scoring::ScoringWeights;
use leadstream_domain::values::{EmailAddress, TenantId};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{free_addr, read_topic, Caller, TestApp};

fn leads(n: usize, tag: &str) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({"email": format!("lead{i}.{tag}@company{}.com", i % 37), "company": format!("Company {}", i % 37),
                   "name": format!("Lead {i}"), "message": if i % 3 == 0 { "need a demo this week" } else { "info please" }})
        })
        .collect()
}

async fn status(app: &TestApp, caller: &Caller, batch_id: &str) -> Value {
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/batch/{batch_id}/status"),
            Some(caller),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

async fn wait_finished(app: &TestApp, caller: &Caller, batch_id: &str, limit: Duration) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let body = status(app, caller, batch_id).await;
        if body["status"] != "processing" {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "batch unfinished after {limit:?}: {}",
            body["processed"]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn count(app: &TestApp, sql: &str, batch_id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(batch_id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_batch_reports_failures_and_announces_its_completion() {
    let app = TestApp::spawn_with(&support::shared_broker(), |s| s.batch_max_leads = 25).await;
    let admin = app.register_tenant().await;
    let mut items = leads(3, "small");
    items[1] = json!({"email": "not an email", "company": "Broken"});
    items.push(json!({"email": "nocompany@somewhere.io"}));
    let body = json!({"leads": items, "webhook_url": "https://example.com/hooks/batch", "priority": "high"});
    let accepted = app
        .call(Method::POST, "/api/v1/batch/qualify", Some(&admin), Some(body))
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    assert_eq!(accepted.body["status"], "processing");
    assert_eq!(accepted.body["total_leads"], 4);
    let batch_id = accepted.body["batch_id"].as_str().unwrap().to_string();
    let status_url = accepted.body["status_url"].as_str().unwrap();
    assert_eq!(status_url, format!("/api/v1/batch/{batch_id}/status"));

    let done = wait_finished(&app, &admin, &batch_id, Duration::from_secs(30)).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        (done["processed"].as_u64(), done["failed"].as_u64()),
        (Some(2), Some(2))
    );
    let results = done["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["index"], 0);
    assert!(results[0]["lead_id"].is_string() && results[0]["tier"].is_string());
    assert!(
        results[1]["error"].as_str().unwrap().contains("email"),
        "{}",
        results[1]
    );
    assert!(
        results[3]["error"].as_str().unwrap().contains("company"),
        "{}",
        results[3]
    );
    assert!(done["processing_time_ms"].is_u64() && done["completed_at"].is_string());

    // batch.completed reaches the batch topic, with the webhook for the subscriber.
    let topic = format!("{}batch", app.settings.kafka_topic_prefix);
    let messages = read_topic(&app.brokers, &topic, 6, Duration::from_secs(30));
    let completed: Vec<&Value> = messages
        .iter()
        .map(|m| &m.value)
        .filter(|v| v["event_type"] == "batch.completed")
        .collect();
    assert_eq!(completed.len(), 1, "{messages:?}");
    assert_eq!(completed[0]["aggregate_id"], batch_id.as_str());
    assert_eq!(completed[0]["data"]["webhook_url"], "https://example.com/hooks/batch");
    assert_eq!(completed[0]["data"]["processed"], 2);

    // Over the configured size, or malformed: refused whole, nothing kept.
    let events = app.event_count().await;
    let too_many = app
        .call(
            Method::POST,
            "/api/v1/batch/qualify",
            Some(&admin),
            Some(json!({"leads": leads(26, "big")})),
        )
        .await;
    too_many.assert_error(422, "VALIDATION_ERROR");
    assert!(too_many.body["details"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("at most 25"));
    for bad in [
        json!({"leads": []}),
        json!({"leads": [1, 2]}),
        json!({"leads": leads(1, "x"), "priority": "asap"}),
    ] {
        app.call(Method::POST, "/api/v1/batch/qualify", Some(&admin), Some(bad))
            .await
            .assert_error(422, "VALIDATION_ERROR");
    }
    assert_eq!(app.event_count().await, events);
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM batch_jobs")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(jobs, 1);

    // Another tenant cannot see the batch.
    let stranger = app.register_tenant().await;
    app.call(
        Method::GET,
        &format!("/api/v1/batch/{batch_id}/status"),
        Some(&stranger),
        None,
    )
    .await
    .assert_error(404, "RESOURCE_NOT_FOUND");
    app.stop().await;
}

/// The service as its own process, working batches only.
fn batch_service(app: &TestApp) -> Child {
    Command::new(env!("CARGO_BIN_EXE_leadstream"))
        .arg("command-api")
        .env("DATABASE_URL", &app.database_url)
        .env("KAFKA_BROKERS", &app.brokers)
        .env("KAFKA_TOPIC_PREFIX", &app.settings.kafka_topic_prefix)
        .env("HTTP_ADDR", free_addr().to_string())
        .env("BATCH_WORKERS", "1")
        .env("BATCH_POLL_MS", "50")
        .env("DATABASE_MAX_CONNECTIONS", "5")
        .env("LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the service starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_500_survives_a_killed_service_without_doing_any_item_twice() {
    // This app takes requests and reads status; the batch is worked by a separate process.
    let app = TestApp::spawn_with(&support::shared_broker(), |s| s.batch_workers = 0).await;
    let admin = app.register_tenant().await;
    let body = json!({"leads": leads(500, "big")});
    let accepted = app
        .call(Method::POST, "/api/v1/batch/qualify", Some(&admin), Some(body))
        .await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.body);
    let batch_id = accepted.body["batch_id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        status(&app, &admin, &batch_id).await["processed"],
        0,
        "no worker, no progress"
    );

    // A worker that died after making item 0's lead but before recording its outcome: the lead
    // is there, its outcome is not. The next worker must find it, not make a second one.
    let crashed_lead = item_lead_id(uuid::Uuid::parse_str(&batch_id).unwrap(), 0);
    let leads = LeadCommandService::new(lead_event_store(app.pool.clone(), 5), app.pool.clone());
    let create = CreateLead {
        lead_id: crashed_lead,
        email: Some(EmailAddress::parse("lead0.big@company0.com").unwrap()),
        ..CreateLead::default()
    };
    let command = LeadCommand {
        tenant_id: TenantId(admin.tenant_id),
        issued_at: chrono::Utc::now(),
        access: LeadAccess::WholeTenant,
        weights: ScoringWeights::default(),
        action: LeadAction::Create(Box::new(create)),
    };
    let metadata = CommandMetadata {
        tenant_id: TenantId(admin.tenant_id),
        issued_at: command.issued_at,
        actor: "test".into(),
        correlation_id: format!("batch:{batch_id}"),
        causation_id: format!("batch:{batch_id}:0"),
    };
    leads.execute(crashed_lead, command, None, &metadata).await.unwrap();

    // Mid-way, the status is exact: every result counted, nothing beyond.
    let mut service = batch_service(&app);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mid = loop {
        let body = status(&app, &admin, &batch_id).await;
        if body["processed"].as_u64().unwrap() >= 40 {
            break body;
        }
        assert!(Instant::now() < deadline, "the worker made no progress");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    service.kill().expect("the service is killed");
    service.wait().unwrap();
    let processed = mid["processed"].as_u64().unwrap();
    assert_eq!(mid["status"], "processing");
    assert!(processed < 500, "the batch finished before the kill: {processed}");
    assert_eq!(
        mid["results"].as_array().unwrap().len() as u64,
        processed,
        "{}",
        mid["results"][0]
    );
    assert_eq!(mid["failed"], 0);

    // Dead service, no progress.
    let stopped = status(&app, &admin, &batch_id).await["processed"].as_u64().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        status(&app, &admin, &batch_id).await["processed"].as_u64().unwrap(),
        stopped
    );

    let mut service = batch_service(&app);
    let done = wait_finished(&app, &admin, &batch_id, Duration::from_secs(180)).await;
    service.kill().unwrap();
    service.wait().unwrap();
    assert_eq!(done["status"], "completed", "{}", done["status"]);
    assert_eq!(done["processed"], 500);
    assert_eq!(done["failed"], 0);
    let results = done["results"].as_array().unwrap();
    let indexes: Vec<u64> = results.iter().map(|r| r["index"].as_u64().unwrap()).collect();
    assert_eq!(indexes, (0..500).collect::<Vec<_>>(), "each item once, in order");
    let lead_ids: std::collections::BTreeSet<&str> = results.iter().map(|r| r["lead_id"].as_str().unwrap()).collect();
    assert_eq!(lead_ids.len(), 500);
    assert_eq!(
        results[0]["lead_id"],
        crashed_lead.to_string(),
        "item 0 kept the lead made before the crash"
    );
    let item0_created = count(
        &app,
        "SELECT count(*) FROM events WHERE event_type = 'lead.created' AND aggregate_id = $1",
        &crashed_lead.to_string(),
    )
    .await;
    assert_eq!(item0_created, 1);

    // Exactly one lead per item, one outcome per item, one completion.
    let created = count(
        &app,
        "SELECT count(*) FROM events WHERE event_type = 'lead.created'
            AND metadata->>'correlation_id' = 'batch:' || $1",
        &batch_id,
    )
    .await;
    assert_eq!(created, 500);
    let outcomes = count(
        &app,
        "SELECT count(*) FROM events WHERE aggregate_type = 'batch' AND aggregate_id = $1
            AND event_type = 'batch.item_qualified'",
        &batch_id,
    )
    .await;
    assert_eq!(outcomes, 500);
    let completions = count(
        &app,
        "SELECT count(*) FROM events WHERE aggregate_type = 'batch' AND aggregate_id = $1
            AND event_type = 'batch.completed'",
        &batch_id,
    )
    .await;
    assert_eq!(completions, 1);

    // And the list shows all 500.
    let position: i64 = sqlx::query_scalar("SELECT max(position) FROM outbox WHERE aggregate_type = 'lead'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.wait_projected(&admin, position).await;
    let listed = app.call(Method::GET, "/api/v1/leads?limit=1", Some(&admin), None).await;
    assert_eq!(listed.body["total"], 500, "{}", listed.body);
    app.stop().await;
}
