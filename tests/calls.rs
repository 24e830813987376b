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

    // Voice settings name a language as a string, or none.
    for settings in [json!({"language": 5}), json!({"language": null}), json!("en")] {
        post(
            &app,
            &admin,
            "/api/v1/calls",
            json!({"lead_id": lead_id, "voice_settings": settings}),
        )
        .await
        .assert_error(422, "VALIDATION_ERROR");
    }
    // A call nobody answered fails.
    let unanswered = post(&app, &admin, "/api/v1/calls", json!({"lead_id": lead_id})).await;
    let other = unanswered.body["call_id"].as_str().unwrap().to_string();
    // The end's body may be left out, but one that is there is read: a wrong one ends nothing.
    post(
        &app,
        &admin,
        &format!("/api/v1/calls/{other}/end"),
        json!({"reason": false}),
    )
    .await
    .assert_error(400, "INVALID_BODY");
    let failed = post(
        &app,
        &admin,
        &format!("/api/v1/calls/{other}/end"),
        json!({"reason": "no_answer"}),
    )
    .await;
    assert_eq!(failed.body["status"], "failed", "{}", failed.body);

    // Every call event reached the call topic, keyed by the call.
    let topic = format!("{}call", app.settings.kafka_topic_prefix);
    let messages = read_topic(&app.brokers, &topic, 8, Duration::from_secs(20));
    let theirs: Vec<&str> = messages
        .iter()
        .filter(|m| m.key == other)
        .map(|m| m.value["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(theirs, ["call.created", "call.failed"]);
    let messages: Vec<_> = messages.into_iter().filter(|m| m.key == call_id).collect();
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

async fn set_secret(app: &TestApp, admin: &Caller, provider: &str, body: Value) -> Value {
    let answer = app
        .call(
            Method::PUT,
            &format!("/api/v1/webhooks/inbound/{provider}/secret"),
            Some(admin),
            Some(body),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_call_driven_by_signed_provider_webhooks_and_a_replay_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let vapi = set_secret(&app, &admin, "vapi", json!({"secret": "vapi-secret-of-this-tenant"})).await;
    assert_eq!(vapi["signature_header"], "x-vapi-signature");
    assert_eq!(
        vapi["webhook_url"],
        format!("/api/v1/webhooks/inbound/vapi?tenant_id={}", admin.tenant_id).as_str()
    );
    let secret = "vapi-secret-of-this-tenant";
    let lead_id = lead_with_phone(&app, &admin).await;
    let created = post(&app, &admin, "/api/v1/calls", json!({"lead_id": lead_id})).await;
    let call_id = created.body["call_id"].as_str().unwrap().to_string();
    let call = json!({"id": "vapi-call-1", "customer": {"number": "+14155550123"}, "metadata": {"call_id": call_id}});
    let answered = json!({"message": {"type": "status-update", "status": "in-progress", "call": call}});

    // A bad signature is refused and writes nothing.
    let (events, receipts) = (
        app.event_count().await,
        app.count("SELECT count(*) FROM inbound_webhook_receipts").await,
    );
    let forged = app
        .deliver_webhook(&admin, "vapi", "x-vapi-signature", "not-the-secret", &answered)
        .await;
    forged.assert_error(401, "INVALID_SIGNATURE");
    let unsigned = app
        .client
        .post(format!(
            "{}/api/v1/webhooks/inbound/vapi?tenant_id={}",
            app.base, admin.tenant_id
        ))
        .json(&answered)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let stranger = app.register_tenant().await;
    app.deliver_webhook(&stranger, "vapi", "x-vapi-signature", secret, &answered)
        .await
        .assert_error(401, "INVALID_SIGNATURE");
    app.deliver_webhook(&admin, "retell", "x-retell-signature", secret, &answered)
        .await
        .assert_error(401, "INVALID_SIGNATURE");
    app.deliver_webhook(&admin, "fax", "x-fax-signature", secret, &answered)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    assert_eq!(app.event_count().await, events);
    assert_eq!(
        app.count("SELECT count(*) FROM inbound_webhook_receipts").await,
        receipts
    );

    // Answered, a turn, a replay of it, the end-of-call report.
    let taken = app
        .deliver_webhook(&admin, "vapi", "x-vapi-signature", secret, &answered)
        .await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    assert_eq!(taken.body["status"], "processed");
    let said = json!({"message": {"type": "transcript", "role": "user", "transcriptType": "final",
        "transcript": "Yes, how much does it cost?", "call": call}});
    assert_eq!(
        app.deliver_webhook(&admin, "vapi", "x-vapi-signature", secret, &said)
            .await
            .body["status"],
        "processed"
    );
    let before_replay = app.event_count().await;
    let replay = app
        .deliver_webhook(&admin, "vapi", "x-vapi-signature", secret, &said)
        .await;
    assert_eq!(replay.status, StatusCode::OK);
    assert_eq!(replay.body["status"], "duplicate");
    assert_eq!(
        app.event_count().await,
        before_replay,
        "a replayed event changes nothing"
    );
    let report = json!({"message": {"type": "end-of-call-report", "endedReason": "customer-ended-call",
        "outcome": "callback requested", "call": call, "transcript": "AI: Hi\nUser: Yes, how much does it cost?"}});
    let ended = app
        .deliver_webhook(&admin, "vapi", "x-vapi-signature", secret, &report)
        .await;
    assert_eq!(
        ended.body["actions"][0],
        format!("call {call_id} completed").as_str(),
        "{}",
        ended.body
    );
    let detail = app
        .call(Method::GET, &format!("/api/v1/calls/{call_id}"), Some(&admin), None)
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut detail = detail;
    while detail.body["status"] != "completed" {
        assert!(std::time::Instant::now() < deadline, "{}", detail.body);
        tokio::time::sleep(Duration::from_millis(50)).await;
        detail = app
            .call(Method::GET, &format!("/api/v1/calls/{call_id}"), Some(&admin), None)
            .await;
    }
    assert_eq!(
        detail.body["transcript"].as_array().unwrap().len(),
        1,
        "the report repeats the turn already heard"
    );
    assert_eq!(detail.body["transcript"][0]["analysis"]["intent"], "pricing_inquiry");
    assert_eq!(detail.body["summary"]["outcome"], "callback_requested");
    assert_eq!(
        app.count("SELECT count(*) FROM events WHERE aggregate_type = 'call' AND metadata->>'actor' = 'webhook:vapi'")
            .await,
        3
    );

    // Telnyx: a call from an unknown number is an inbound call with a new lead.
    set_secret(
        &app,
        &admin,
        "telnyx",
        json!({"secret": "telnyx-secret-of-this-tenant"}),
    )
    .await;
    let telnyx =
        |event: &str, id: &str, payload: Value| json!({"data": {"event_type": event, "id": id, "payload": payload}});
    let leg = json!({"call_control_id": "cc-9", "from": "+15550001111", "to": "+15559990000"});
    for (event, id, payload) in [
        ("call.answered", "evt-1", leg.clone()),
        (
            "call.transcription",
            "evt-2",
            json!({"call_control_id": "cc-9", "transcription_data": {"transcript": "I'd like to book a visit"}}),
        ),
        (
            "call.hangup",
            "evt-3",
            json!({"call_control_id": "cc-9", "hangup_cause": "normal_clearing"}),
        ),
    ] {
        let taken = app
            .deliver_webhook(
                &admin,
                "telnyx",
                "x-telnyx-signature",
                "telnyx-secret-of-this-tenant",
                &telnyx(event, id, payload),
            )
            .await;
        assert_eq!(taken.body["status"], "processed", "{event}: {}", taken.body);
    }
    let inbound: (String, String) = sqlx::query_as(
        "SELECT payload->'data'->>'direction', payload->'data'->>'provider' FROM events WHERE event_type = 'call.created'
          AND payload->'data'->>'provider_call_id' = 'cc-9'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(inbound, ("inbound".to_string(), "telnyx".to_string()));
    assert_eq!(
        app.count("SELECT count(*) FROM events WHERE event_type = 'call.completed'")
            .await,
        2
    );

    // Inbound SMS from an unknown number creates a lead; a second one finds it.
    for (id, text) in [
        ("sms-1", "Hello, I'm interested in your services"),
        ("sms-2", "Are you there?"),
    ] {
        let sms = telnyx(
            "message.received",
            id,
            json!({"from": {"phone_number": "+15557770000"}, "text": text, "id": id}),
        );
        let taken = app
            .deliver_webhook(
                &admin,
                "telnyx",
                "x-telnyx-signature",
                "telnyx-secret-of-this-tenant",
                &sms,
            )
            .await;
        assert_eq!(taken.body["status"], "processed", "{}", taken.body);
    }
    assert_eq!(
        app.count("SELECT count(DISTINCT aggregate_id) FROM events WHERE event_type = 'lead.created' AND payload->'data'->>'source' = 'telnyx'").await,
        2,
        "one lead for the caller, one for the texter: the second SMS found the first's lead"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM events WHERE event_type = 'lead.message_received'")
            .await,
        2
    );
    let lead_topic = read_topic(&app.brokers, &app.lead_topic(), 1000, Duration::from_secs(5));
    let received = lead_topic
        .iter()
        .filter(|m| m.value["event_type"] == "lead.message_received")
        .count();
    assert_eq!(received, 2, "lead.message_received reaches the lead topic");

    // WhatsApp: the verification handshake, then a signed message.
    set_secret(
        &app,
        &admin,
        "whatsapp",
        json!({"secret": "whatsapp-app-secret-123", "verify_token": "tok-123"}),
    )
    .await;
    let handshake = |token: &str| {
        format!(
            "/api/v1/webhooks/inbound/whatsapp?tenant_id={}&hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444",
            admin.tenant_id
        )
    };
    let wrong = app.call(Method::GET, &handshake("nope"), None, None).await;
    wrong.assert_error(403, "FORBIDDEN");
    let right = app
        .client
        .get(format!("{}{}", app.base, handshake("tok-123")))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    assert_eq!(right.text().await.unwrap(), "1158201444");
    let whatsapp = json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {
        "messages": [{"from": "56933334444", "id": "wamid.77", "type": "text", "text": {"body": "Hola, ¿sigue disponible el depto?"}}]}}]}]});
    let taken = app
        .deliver_webhook(
            &admin,
            "whatsapp",
            "x-hub-signature-256",
            "whatsapp-app-secret-123",
            &whatsapp,
        )
        .await;
    assert_eq!(taken.body["status"], "processed", "{}", taken.body);

    // GoHighLevel: a new contact is a new lead.
    set_secret(&app, &admin, "ghl", json!({"secret": "ghl-secret-of-this-tenant"})).await;
    let contact = json!({"type": "ContactCreate", "locationId": "loc-001", "contactId": "contact-001",
        "firstName": "Marta", "body": "I'm interested in buying a home", "phone": "+1-555-010-0999"});
    let taken = app
        .deliver_webhook(&admin, "ghl", "x-ghl-signature", "ghl-secret-of-this-tenant", &contact)
        .await;
    assert_eq!(taken.body["status"], "processed", "{}", taken.body);
    let last: i64 = app
        .count("SELECT max(position) FROM outbox WHERE aggregate_type = 'lead'")
        .await;
    app.wait_projected(&admin, last).await;
    let leads = app
        .call(Method::GET, "/api/v1/leads?limit=50", Some(&admin), None)
        .await;
    let sources: std::collections::BTreeMap<String, String> = leads.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["phone"].as_str().unwrap_or("").to_string(),
                l["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(sources.get("+15550001111").map(String::as_str), Some("telnyx"));
    assert_eq!(sources.get("+15557770000").map(String::as_str), Some("telnyx"));
    assert_eq!(sources.get("+56933334444").map(String::as_str), Some("whatsapp"));
    assert_eq!(sources.get("+15550100999").map(String::as_str), Some("ghl"));
    let whatsapp_lead = leads.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["phone"] == "+56933334444")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let timeline = app
        .call(
            Method::GET,
            &format!("/api/v1/leads/{whatsapp_lead}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        timeline.body["activities"][0]["activity_type"], "whatsapp_received",
        "{}",
        timeline.body
    );
    // Only admins set secrets.
    let agent = app.add_user(&admin, "agent").await;
    app.call(
        Method::PUT,
        "/api/v1/webhooks/inbound/vapi/secret",
        Some(&agent),
        Some(json!({})),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    app.stop().await;
}
