//! Outbound SMS and e-mail: sent through the provider trait, recorded as `lead.message_sent` on
//! the lead's stream and timeline, listed per channel.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{read_topic, TestApp};

async fn outbound(app: &TestApp) -> Vec<(String, String, Option<String>, String)> {
    sqlx::query_as("SELECT channel, recipient, subject, body FROM outbound_messages ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_go_out_through_the_provider_and_land_on_the_timeline() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let with_phone = app
        .create_lead(
            &admin,
            json!({"name": "Ana", "email": "ana@norte.cl", "phone": "+56912345678"}),
        )
        .await;
    let ana = with_phone.body["id"].as_str().unwrap().to_string();
    let mail_only = app.create_lead(&admin, json!({"email": "leo@sur.cl"})).await;
    let leo = mail_only.body["id"].as_str().unwrap().to_string();

    // The lead's own phone, when none is given.
    let sms = app
        .call(
            Method::POST,
            "/api/v1/sms",
            Some(&admin),
            Some(json!({"lead_id": ana, "message": "Thank you for your interest! We'll call you soon."})),
        )
        .await;
    assert_eq!(sms.status, StatusCode::CREATED, "{}", sms.body);
    assert_eq!(sms.body["to"], "+56912345678");
    assert_eq!(sms.body["status"], "sent");
    assert!(sms.body["provider_message_id"].as_str().unwrap().starts_with("local-"));
    let email = app
        .call(
            Method::POST,
            "/api/v1/emails",
            Some(&admin),
            Some(json!({"lead_id": leo, "subject": "Your visit", "content": "See you on Monday"})),
        )
        .await;
    assert_eq!(email.status, StatusCode::CREATED, "{}", email.body);
    assert_eq!(email.body["to"], "leo@sur.cl");
    assert_eq!(
        outbound(&app).await,
        [
            (
                "sms".into(),
                "+56912345678".into(),
                None,
                "Thank you for your interest! We'll call you soon.".into()
            ),
            (
                "email".into(),
                "leo@sur.cl".into(),
                Some("Your visit".into()),
                "See you on Monday".into()
            ),
        ]
    );
    let payload: Value = sqlx::query_scalar(
        "SELECT payload->'data' FROM events WHERE aggregate_id = $1 AND event_type = 'lead.message_sent'",
    )
    .bind(&ana)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(payload["channel"], "sms");
    assert_eq!(payload["message_id"], sms.body["id"]);
    // Our outreach is not the lead's engagement: the score did not move, no lead.scored followed.
    assert_eq!(sms.body["version"], 3);

    // Listed per channel, filterable by lead, and on the lead's timeline.
    app.wait_projected(&admin, email.position()).await;
    let listed = app.call(Method::GET, "/api/v1/sms", Some(&admin), None).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["data"][0]["id"], sms.body["id"]);
    assert_eq!(
        listed.body["data"][0]["body"],
        "Thank you for your interest! We'll call you soon."
    );
    let emails = app
        .call(
            Method::GET,
            &format!("/api/v1/emails?lead_id={leo}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(emails.body["total"], 1);
    assert_eq!(emails.body["data"][0]["subject"], "Your visit");
    let none = app
        .call(
            Method::GET,
            &format!("/api/v1/emails?lead_id={ana}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(none.body["total"], 0);
    let detail = app
        .call(Method::GET, &format!("/api/v1/leads/{ana}"), Some(&admin), None)
        .await;
    assert_eq!(
        detail.body["activities"][0]["activity_type"], "sms_sent",
        "{}",
        detail.body
    );

    // Both reached the lead topic.
    let messages = read_topic(&app.brokers, &app.lead_topic(), 6, std::time::Duration::from_secs(30));
    let sent: Vec<&Value> = messages
        .iter()
        .map(|m| &m.value)
        .filter(|v| v["event_type"] == "lead.message_sent")
        .collect();
    assert_eq!(sent.len(), 2, "{messages:?}");

    // A lead without a phone cannot be texted until one is given: its state, not the request, is
    // what stands in the way.
    let sent_before = app.sent_messages().await;
    app.call(
        Method::POST,
        "/api/v1/sms",
        Some(&admin),
        Some(json!({"lead_id": leo, "message": "hi"})),
    )
    .await
    .assert_error(409, "LEAD_HAS_NO_PHONE");
    assert_eq!(app.sent_messages().await, sent_before);
    // Bad input is named and sends nothing.
    for (path, body, field) in [
        (
            "/api/v1/sms",
            json!({"lead_id": ana, "phone": "555", "message": "hi"}),
            "phone",
        ),
        ("/api/v1/sms", json!({"lead_id": ana}), "message"),
        ("/api/v1/emails", json!({"lead_id": "nope", "content": "hi"}), "lead_id"),
        (
            "/api/v1/emails",
            json!({"lead_id": leo, "to": "not mail", "content": "hi"}),
            "to",
        ),
    ] {
        let refused = app.call(Method::POST, path, Some(&admin), Some(body)).await;
        refused.assert_error(422, "VALIDATION_ERROR");
        assert_eq!(refused.body["details"]["fields"][0]["field"], field, "{}", refused.body);
    }
    app.call(Method::GET, "/api/v1/sms?limit=0", Some(&admin), None)
        .await
        .assert_error(422, "VALIDATION_ERROR");
    // Another tenant's lead is not found, and nothing goes out to it.
    let stranger = app.register_tenant().await;
    app.call(
        Method::POST,
        "/api/v1/sms",
        Some(&stranger),
        Some(json!({"lead_id": ana, "message": "hi"})),
    )
    .await
    .assert_error(404, "RESOURCE_NOT_FOUND");
    let theirs = app.call(Method::GET, "/api/v1/sms", Some(&stranger), None).await;
    assert_eq!(theirs.body["total"], 0);
    assert_eq!(outbound(&app).await.len(), 2);
    app.stop().await;
}
