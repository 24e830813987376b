//! Nurture sequences and the scheduler, with a clock the test moves: a touchpoint goes out once
//! when due, stopping cancels the rest, and two schedulers never send one twice.

mod support;

use chrono::{Duration, Utc};
use leadstream_command_api::clock::Clock;
use leadstream_command_api::integrations::Integrations;
use leadstream_command_api::scoring::WeightsStore;
use leadstream_command_api::sequences::{Scheduler, SchedulerSettings, SequenceService};
use leadstream_command_api::{lead_event_store, LeadCommandService, LeadFollowUps};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{shared_broker, TestApp};

async fn events_of(app: &TestApp, event_type: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = $1")
        .bind(event_type)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_touchpoint_goes_out_once_when_due_and_stopping_cancels_the_rest() {
    let clock = Clock::manual(Utc::now());
    let app = TestApp::spawn_with(&shared_broker(), |s| {
        s.clock = clock.clone();
        s.scheduler_tick_ms = 50;
    })
    .await;
    let admin = app.register_tenant().await;
    let lead = app
        .create_lead(
            &admin,
            json!({"name": "Ana", "email": "ana@norte.cl", "phone": "+56912345678"}),
        )
        .await;
    let lead_id = lead.body["id"].as_str().unwrap().to_string();
    let started = app
        .call(
            Method::POST,
            "/api/v1/sequences/start",
            Some(&admin),
            Some(json!({"lead_id": lead_id, "sequence_type": "nurture", "channel": "sms"})),
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let s = &started.body;
    assert_eq!(s["status"], "active");
    assert_eq!(s["touchpoints_remaining"], 3);
    let days: Vec<u64> = s["touchpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["day"].as_u64().unwrap())
        .collect();
    assert_eq!(days, [3, 7, 30]);
    let sequence_id = s["sequence_id"].as_str().unwrap().to_string();

    // Nothing is due yet.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.sent_messages().await, 0);
    // Past day 3: exactly one touchpoint, and it stays one.
    clock.advance(Duration::days(3) + Duration::minutes(1));
    app.wait_sent_messages(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.sent_messages().await, 1);
    assert_eq!(events_of(&app, "sequence.touchpoint_sent").await, 1);
    assert_eq!(events_of(&app, "lead.message_sent").await, 1);
    let listed = app
        .call(
            Method::GET,
            &format!("/api/v1/sequences?lead_id={lead_id}"),
            Some(&admin),
            None,
        )
        .await;
    let view = &listed.body["data"][0];
    assert_eq!(view["touchpoints"][0]["state"], "sent", "{view}");
    assert_eq!(view["touchpoints_remaining"], 2);
    assert_eq!(view["next_touchpoint"], view["touchpoints"][1]["due_at"]);

    // Stopping cancels the rest: past day 30 nothing more goes out.
    let stopped = app
        .call(
            Method::POST,
            "/api/v1/sequences/stop",
            Some(&admin),
            Some(json!({"sequence_id": sequence_id, "reason": "booked a visit"})),
        )
        .await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    let view = &stopped.body["data"][0];
    assert_eq!(view["status"], "stopped");
    assert_eq!(view["stop_reason"], "booked a visit");
    assert_eq!(view["touchpoints"][2]["state"], "cancelled");
    clock.advance(Duration::days(40));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.sent_messages().await, 1);
    assert_eq!(events_of(&app, "sequence.stopped").await, 1);

    // Bad input and other tenants.
    for (body, field) in [
        (json!({"lead_id": "x"}), "lead_id"),
        (json!({"lead_id": lead_id, "channel": "fax"}), "channel"),
        (
            json!({"lead_id": lead_id, "touchpoint_days": [3, 3]}),
            "touchpoint_days",
        ),
        (
            json!({"lead_id": lead_id, "touchpoint_days": [0, 400]}),
            "touchpoint_days",
        ),
    ] {
        let refused = app
            .call(Method::POST, "/api/v1/sequences/start", Some(&admin), Some(body))
            .await;
        refused.assert_error(422, "VALIDATION_ERROR");
        assert_eq!(refused.body["details"]["fields"][0]["field"], field);
    }
    // The days are a set: given in any order, the touchpoints fall in theirs.
    let unordered = app
        .call(
            Method::POST,
            "/api/v1/sequences/start",
            Some(&admin),
            Some(json!({"lead_id": lead_id, "touchpoint_days": [7, 3]})),
        )
        .await;
    assert_eq!(unordered.status, StatusCode::CREATED, "{}", unordered.body);
    let days: Vec<u64> = unordered.body["touchpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["day"].as_u64().unwrap())
        .collect();
    assert_eq!(days, [3, 7]);
    let stranger = app.register_tenant().await;
    app.call(
        Method::POST,
        "/api/v1/sequences/start",
        Some(&stranger),
        Some(json!({"lead_id": lead_id})),
    )
    .await
    .assert_error(404, "RESOURCE_NOT_FOUND");
    app.call(
        Method::POST,
        "/api/v1/sequences/stop",
        Some(&stranger),
        Some(json!({"sequence_id": sequence_id})),
    )
    .await
    .assert_error(404, "RESOURCE_NOT_FOUND");
    let theirs = app.call(Method::GET, "/api/v1/sequences", Some(&stranger), None).await;
    assert_eq!(theirs.body["data"], json!([]));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_never_send_one_touchpoint_twice_and_a_converted_lead_stops_itself() {
    let clock = Clock::manual(Utc::now());
    // This app runs no scheduler; the test runs two over its database.
    let app = TestApp::spawn_with(&shared_broker(), |s| {
        s.clock = clock.clone();
        s.scheduler_tick_ms = 0;
    })
    .await;
    let admin = app.register_tenant().await;
    let mut leads = vec![];
    for i in 0..21 {
        let lead = app
            .create_lead(&admin, json!({"email": format!("lead{i}@example.com")}))
            .await;
        let id = lead.body["id"].as_str().unwrap().to_string();
        let started = app
            .call(
                Method::POST,
                "/api/v1/sequences/start",
                Some(&admin),
                Some(json!({"lead_id": id, "channel": "email", "touchpoint_days": [1]})),
            )
            .await;
        assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
        leads.push(id);
    }
    let converted = app
        .call(
            Method::PUT,
            &format!("/api/v1/leads/{}/status", leads[20]),
            Some(&admin),
            Some(json!({"status": "converted"})),
        )
        .await;
    assert_eq!(converted.status, StatusCode::OK);

    let scheduler = || {
        let pool = app.pool.clone();
        Scheduler::new(
            SequenceService::new(pool.clone()),
            LeadFollowUps::new(
                LeadCommandService::new(lead_event_store(pool.clone(), 5), pool.clone()),
                WeightsStore::new(pool.clone()),
            ),
            Integrations::local(pool),
            clock.clone(),
            SchedulerSettings {
                tick: std::time::Duration::from_millis(10),
                batch: 4,
            },
        )
    };
    let (a, b) = (scheduler(), scheduler());
    assert_eq!(a.fire_due().await.unwrap(), 0, "nothing is due before day 1");
    clock.advance(Duration::days(1) + Duration::seconds(1));
    let mut fired = 0;
    for _ in 0..20 {
        let (x, y) = tokio::join!(a.fire_due(), b.fire_due());
        fired += x.unwrap() + y.unwrap();
    }
    assert_eq!(fired, 20, "each due touchpoint once");
    assert_eq!(app.sent_messages().await, 20);
    let distinct: i64 = sqlx::query_scalar("SELECT count(DISTINCT lead_id) FROM outbound_messages")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(distinct, 20);
    assert_eq!(events_of(&app, "sequence.touchpoint_sent").await, 20);
    assert_eq!(events_of(&app, "sequence.completed").await, 20);
    let reasons: Vec<Value> =
        sqlx::query_scalar("SELECT payload->'data'->'reason' FROM events WHERE event_type = 'sequence.stopped'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(reasons, [json!("the lead converted")]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_applied_to_a_filtered_set_of_leads_sends_its_steps_and_logs_them() {
    let clock = Clock::manual(Utc::now());
    let app = TestApp::spawn_with(&shared_broker(), |s| {
        s.clock = clock.clone();
        s.scheduler_tick_ms = 50;
    })
    .await;
    let admin = app.register_tenant().await;
    let created = app
        .call(
            Method::POST,
            "/api/v1/campaigns",
            Some(&admin),
            Some(
                json!({"name": "Compradores", "description": "buyers' follow-up", "steps": [
                {"day": 1, "channel": "sms", "message": "Hola {{name}}, ¿agendamos una visita?"},
                {"day": 3, "channel": "email", "subject": "Options", "message": "Hi {{name}}, three homes for you."}]}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let added = app
        .call(
            Method::POST,
            &format!("/api/v1/campaigns/{id}/steps"),
            Some(&admin),
            Some(json!({"day": 10, "channel": "sms", "message": "Still looking, {{name}}?"})),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.body["steps"].as_array().unwrap().len(), 3);
    let mut last = 0;
    for (name, phone, tags) in [
        ("Ana", Some("+56944440001"), vec!["buyer"]),
        ("Beto", Some("+56944440002"), vec!["buyer"]),
        ("Carla", None, vec!["buyer"]),
        ("Dario", Some("+56944440004"), vec!["seller"]),
    ] {
        let mut body = json!({"name": name, "email": format!("{}@example.com", name.to_lowercase()), "tags": tags});
        if let Some(phone) = phone {
            body["phone"] = json!(phone);
        }
        last = app.create_lead(&admin, body).await.position();
    }
    app.wait_projected(&admin, last).await;
    let path = |tail: &str| format!("/api/v1/campaigns/{id}{tail}");
    let applied = app
        .call(
            Method::POST,
            &path("/apply"),
            Some(&admin),
            Some(json!({"tag": "buyer"})),
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(applied.body["applied"], 2);
    assert_eq!(applied.body["skipped"][0]["reason"], "no address for sms");
    let again = app
        .call(
            Method::POST,
            &path("/apply"),
            Some(&admin),
            Some(json!({"tag": "buyer"})),
        )
        .await;
    assert_eq!(
        again.body["applied"], 0,
        "nobody is in a campaign twice: {}",
        again.body
    );

    clock.advance(Duration::days(1) + Duration::minutes(1));
    app.wait_sent_messages(2).await;
    let sms: Vec<String> = sqlx::query_scalar("SELECT body FROM outbound_messages WHERE channel = 'sms' ORDER BY body")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        sms,
        ["Hola Ana, ¿agendamos una visita?", "Hola Beto, ¿agendamos una visita?"]
    );
    clock.advance(Duration::days(2));
    app.wait_sent_messages(4).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.sent_messages().await, 4);
    let subjects: Vec<Option<String>> =
        sqlx::query_scalar("SELECT subject FROM outbound_messages WHERE channel = 'email'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(subjects, [Some("Options".to_string()), Some("Options".to_string())]);
    let logs = app.call(Method::GET, &path("/logs"), Some(&admin), None).await;
    let data = logs.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    let states: Vec<&str> = data[0]["touchpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["sent", "sent", "pending"]);
    assert_eq!(data[0]["touchpoints"][1]["channel"], "email");
    let shown = app.call(Method::GET, &path(""), Some(&admin), None).await;
    assert_eq!(shown.body["sequences_started"], 2);

    // Bad input, pausing, archiving, other tenants.
    app.call(Method::POST, &path("/apply"), Some(&admin), Some(json!({})))
        .await
        .assert_error(422, "VALIDATION_ERROR");
    let refused = app
        .call(
            Method::POST,
            &path("/steps"),
            Some(&admin),
            Some(json!({"day": 0, "message": "x"})),
        )
        .await;
    refused.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(refused.body["details"]["fields"][0]["field"], "day");
    app.call(
        Method::POST,
        "/api/v1/campaigns",
        Some(&admin),
        Some(json!({"steps": []})),
    )
    .await
    .assert_error(422, "VALIDATION_ERROR");
    let paused = app
        .call(Method::PUT, &path(""), Some(&admin), Some(json!({"status": "paused"})))
        .await;
    assert_eq!(paused.body["status"], "paused");
    app.call(
        Method::POST,
        &path("/apply"),
        Some(&admin),
        Some(json!({"tag": "seller"})),
    )
    .await
    .assert_error(409, "CAMPAIGN_PAUSED");
    let stranger = app.register_tenant().await;
    app.call(Method::GET, &path(""), Some(&stranger), None)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    let gone = app.call(Method::DELETE, &path(""), Some(&admin), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    app.call(Method::GET, &path(""), Some(&admin), None)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    app.stop().await;
}
