//! Voice calls end to end: over HTTP, and driven by signed provider webhooks.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use support::{read_topic, Caller, TestApp};

async fn lead_with_phone(app: &TestApp, admin: &Caller) -> String {
    let lead = app
        .create_lead(
            admin,
            json!({"first_name": "John", "last_name": "Doe", "email": "john@acme.com", "phone": "+14155550123", "company": "Acme Corp"}),
        )
        .await;
    lead.body["id"].as_str().unwrap().to_string()
}

async fn post(app: &TestApp, caller: &Caller, path: &str, body: Value) -> support::Answer {
    app.call(Method::POST, path, Some(caller), Some(body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_goes_from_queued_through_its_turns_to_a_summary_over_http() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let lead_id = lead_with_phone(&app, &admin).await;

    let created = post(
        &app,
        &admin,
        "/api/v1/calls",
        json!({"lead_id": lead_id, "purpose": "Discovery call to understand needs", "voice_settings": {"language": "en-US"}}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["status"], "queued");
    assert_eq!(created.body["phone"], "+14155550123", "the lead's own phone");
    let call_id = created.body["call_id"].as_str().unwrap().to_string();
    let dialled: Vec<(String, String)> =
        sqlx::query_as("SELECT phone, language FROM placed_calls WHERE call_id = $1::uuid")
            .bind(&call_id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(dialled, [("+14155550123".to_string(), "en".to_string())]);

    let path = |tail: &str| format!("/api/v1/calls/{call_id}/{tail}");
    post(&app, &admin, &path("respond"), json!({"text": "hello?"}))
        .await
        .assert_error(409, "CALL_NOT_STARTED");
    let started = post(&app, &admin, &path("start"), json!({})).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert_eq!(started.body["status"], "in_progress");
    assert_eq!(
        started.body["opening_message"],
        "Hi John, this is Alex calling about discovery call to understand needs. I hope I'm catching you at a good time!"
    );
    let first = post(
        &app,
        &admin,
        &path("respond"),
        json!({"text": "Hi, yes I have a few minutes to chat"}),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["analysis"]["intent"], "positive_confirmation");
    assert_eq!(first.body["analysis"]["interest_signals"], json!(["verbal_interest"]));
    assert!(first.body["analysis"]["sentiment"].as_f64().unwrap() > 0.0);
    assert_eq!(first.body["conversation_state"], "discovery");
    assert!(first.body["ai_response"].as_str().unwrap().contains("Acme Corp"));
    let second = post(
        &app,
        &admin,
        &path("respond"),
        json!({"text": "Honestly it sounds too expensive"}),
    )
    .await;
    assert_eq!(second.body["analysis"]["objections"], json!(["price"]));
    assert_eq!(second.body["conversation_state"], "objection_handling");
    let third = post(
        &app,
        &admin,
        &path("respond"),
        json!({"text": "OK, can we schedule a demo this week?"}),
    )
    .await;
    assert_eq!(third.body["analysis"]["intent"], "schedule_request");
    assert_eq!(third.body["should_continue"], false);
    let ended = post(
        &app,
        &admin,
        &path("end"),
        json!({"reason": "completed", "outcome": "appointment_scheduled"}),
    )
    .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(ended.body["status"], "completed");
    let summary = &ended.body["summary"];
    assert_eq!(summary["total_exchanges"], 3);
    assert_eq!(summary["objections_raised"], json!(["price"]));
    assert_eq!(summary["outcome"], "appointment_scheduled");
    let analytics = &ended.body["analytics"];
    assert!((0.0..=1.0).contains(&analytics["conversion_probability"].as_f64().unwrap()));
    assert_eq!(analytics["total_turns"], 3);
    post(&app, &admin, &path("respond"), json!({"text": "one more thing"}))
        .await
        .assert_error(409, "CALL_FINISHED");

    // The read model: detail with the transcript, the list with filters.
    let position = ended.position();
    let detail = app
        .call(
            Method::GET,
            &format!("/api/v1/calls/{call_id}?min_position={position}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(detail.header("x-projection-caught-up").as_deref(), Some("true"));
    assert_eq!(detail.body["status"], "completed");
    assert_eq!(detail.body["transcript"].as_array().unwrap().len(), 3);
    assert_eq!(
        detail.body["transcript"][1]["customer_text"],
        "Honestly it sounds too expensive"
    );
    assert_eq!(detail.body["summary"], *summary);
    let listed = app
        .call(
            Method::GET,
            &format!("/api/v1/calls?lead_id={lead_id}&status=completed"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(listed.body["total"], 1);
    let none = app
        .call(Method::GET, "/api/v1/calls?status=queued", Some(&admin), None)
        .await;
    assert_eq!(none.body["total"], 0);
    app.call(Method::GET, "/api/v1/calls?status=ringing", Some(&admin), None)
        .await
        .assert_error(422, "VALIDATION_ERROR");

    // The lead heard about it: a call_completed activity, which counts as engagement.
    let last: i64 = sqlx::query_scalar("SELECT max(position) FROM outbox WHERE aggregate_type = 'lead'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.wait_projected(&admin, last).await;
    let lead = app
        .call(Method::GET, &format!("/api/v1/leads/{lead_id}"), Some(&admin), None)
        .await;
    let kinds: Vec<&str> = lead.body["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["activity_type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"call_completed"), "{kinds:?}");

    // Every call event reached the call topic, keyed by the call.
    let topic = format!("{}call", app.settings.kafka_topic_prefix);
    let messages = read_topic(&app.brokers, &topic, 6, Duration::from_secs(20));
    let types: Vec<&str> = messages
        .iter()
        .map(|m| m.value["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "call.created",
            "call.started",
            "call.turn_recorded",
            "call.turn_recorded",
            "call.turn_recorded",
            "call.completed"
        ]
    );
    assert!(messages.iter().all(|m| m.key == call_id));

    // Bad input, and other tenants.
    for (body, field) in [
        (json!({}), "lead_id"),
        (json!({"lead_id": lead_id, "phone_number": "555"}), "phone_number"),
        (json!({"lead_id": lead_id, "language": "klingon"}), "language"),
    ] {
        let refused = post(&app, &admin, "/api/v1/calls", body).await;
        refused.assert_error(422, "VALIDATION_ERROR");
        assert_eq!(refused.body["details"]["fields"][0]["field"], field);
    }
    post(&app, &admin, &path("respond"), json!({}))
        .await
        .assert_error(422, "VALIDATION_ERROR");
    let stranger = app.register_tenant().await;
    post(&app, &stranger, &path("start"), json!({}))
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    app.call(Method::GET, &format!("/api/v1/calls/{call_id}"), Some(&stranger), None)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    post(&app, &stranger, "/api/v1/calls", json!({"lead_id": lead_id}))
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    app.stop().await;
}
