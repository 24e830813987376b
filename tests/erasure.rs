//! Erasure that erases: a person's identifiers go through a batch, a call, SMS both ways, a CRM
//! sync and an import; after the person's leads are erased, no row of any table and no message
//! on any topic holds them, the event log still holds every event, and the read models equal a
//! rebuild from it.

mod support;

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{read_topic, Caller, TestApp};

/// What identifies the person: nothing of it may survive the erasure.
const IDENTIFIERS: [&str; 6] = [
    "Quillon",
    "Vexmarrow",
    "zyphra-mail",
    "4155559876",
    "periwinkle",
    "azimuth",
];

const EMAIL: &str = "quillon.vexmarrow@zyphra-mail.test";
const PHONE: &str = "+14155559876";

async fn post(app: &TestApp, caller: &Caller, path: &str, body: Value) -> Value {
    let answer = app.call(Method::POST, path, Some(caller), Some(body)).await;
    assert!(answer.status.is_success(), "{path}: {} {}", answer.status, answer.body);
    answer.body
}

/// The person's lead, made by a batch item and waited for.
async fn lead_from_a_batch(app: &TestApp, admin: &Caller) -> String {
    let item = json!({"name": "Quillon Vexmarrow", "email": EMAIL, "phone": PHONE, "company": "Northwind",
                      "message": "We need the periwinkle azimuth plan this week"});
    let accepted = post(app, admin, "/api/v1/batch/qualify", json!({"leads": [item]})).await;
    let batch_id = accepted["batch_id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = app
            .call(
                Method::GET,
                &format!("/api/v1/batch/{batch_id}/status"),
                Some(admin),
                None,
            )
            .await;
        if status.body["status"] != "processing" {
            assert_eq!(status.body["processed"], 1, "{}", status.body);
            return status.body["results"][0]["lead_id"].as_str().unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "the batch did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every row of every table of the app's database that holds one of the identifiers.
async fn rows_naming_the_person(app: &TestApp) -> Vec<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(tables.len() > 20, "the whole schema is scanned: {tables:?}");
    let patterns: Vec<String> = IDENTIFIERS.iter().map(|i| format!("%{i}%")).collect();
    let mut found = vec![];
    for table in tables {
        // The whole row as text: every column, text, jsonb, arrays and all.
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT t::text FROM \"{table}\" t WHERE t::text ILIKE ANY($1)"
        ))
        .bind(&patterns)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        found.extend(rows.into_iter().map(|row| format!("{table}: {row}")));
    }
    found
}

/// Every message of every topic of the app that holds one of the identifiers.
fn messages_naming_the_person(app: &TestApp) -> (usize, Vec<String>) {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &app.brokers)
        .create()
        .unwrap();
    let metadata = consumer.fetch_metadata(None, Duration::from_secs(10)).unwrap();
    let topics: Vec<String> = metadata
        .topics()
        .iter()
        .map(|t| t.name().to_string())
        .filter(|name| name.starts_with(&app.settings.kafka_topic_prefix))
        .collect();
    assert!(topics.iter().any(|t| t.ends_with("lead")), "{topics:?}");
    let (mut read, mut found) = (0, vec![]);
    for topic in topics {
        for message in read_topic(&app.brokers, &topic, usize::MAX, Duration::from_secs(3)) {
            read += 1;
            let text = format!("{} {} {:?}", message.key, message.value, message.headers).to_lowercase();
            if IDENTIFIERS.iter().any(|i| text.contains(&i.to_lowercase())) {
                found.push(format!("{topic}: {}", message.value));
            }
        }
    }
    (read, found)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_person_is_in_no_table_and_on_no_topic() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let lead = lead_from_a_batch(&app, &admin).await;
    // Someone else, who stays: the read models keep them, so "equal to a rebuild" compares rows.
    let bystander = app
        .create_lead(&admin, json!({"name": "Ada Stays", "email": "ada@stays.test"}))
        .await;
    let bystander = bystander.body["id"].as_str().unwrap().to_string();
    post(
        &app,
        &admin,
        &format!("/api/v1/leads/{bystander}/notes"),
        json!({"note": "keeps her note"}),
    )
    .await;

    post(
        &app,
        &admin,
        &format!("/api/v1/leads/{lead}/notes"),
        json!({"note": "Quillon asked about azimuth"}),
    )
    .await;
    // A call with the person's words.
    let call = post(
        &app,
        &admin,
        "/api/v1/calls",
        json!({"lead_id": lead, "purpose": "periwinkle follow-up"}),
    )
    .await;
    let call_id = call["call_id"].as_str().unwrap().to_string();
    post(&app, &admin, &format!("/api/v1/calls/{call_id}/start"), json!({})).await;
    post(
        &app,
        &admin,
        &format!("/api/v1/calls/{call_id}/respond"),
        json!({"text": "This is Quillon Vexmarrow, call me at 4155559876 about periwinkle"}),
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/api/v1/calls/{call_id}/end"),
        json!({"reason": "completed"}),
    )
    .await;
    // SMS both ways: ours through the provider, the person's reply through its signed webhook.
    post(
        &app,
        &admin,
        "/api/v1/sms",
        json!({"lead_id": lead, "message": "Hi Quillon, about azimuth"}),
    )
    .await;
    let secret = "telnyx-secret-of-this-tenant";
    let set = app
        .call(
            Method::PUT,
            "/api/v1/webhooks/inbound/telnyx/secret",
            Some(&admin),
            Some(json!({"secret": secret})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let reply = json!({"data": {"event_type": "message.received", "id": "sms-q1",
        "payload": {"from": {"phone_number": PHONE}, "text": "periwinkle, yes please", "id": "sms-q1"}}});
    let taken = app
        .deliver_webhook(&admin, "telnyx", "x-telnyx-signature", secret, &reply)
        .await;
    assert_eq!(taken.body["status"], "processed", "{}", taken.body);
    // A CRM sync, and an import that brings the person twice: once known, once with a new address.
    post(
        &app,
        &admin,
        "/api/v1/crm/sync",
        json!({"lead_id": lead, "crm": "HubSpot"}),
    )
    .await;
    let imported = app
        .import_csv(
            &admin,
            format!(
                "name,email,phone,message\nQuillon Vexmarrow,{EMAIL},,again\nQuillon V.,q.vexmarrow@second.test,,periwinkle\n"
            ),
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    assert_eq!(imported.body["imported"], 1, "{}", imported.body);
    assert_eq!(imported.body["duplicates"], 1, "{}", imported.body);
    let last = app.count("SELECT max(position) FROM outbox").await;
    app.wait_projected(&admin, last).await;
    app.wait_outbox_drained(Duration::from_secs(20)).await;
    assert!(
        !rows_naming_the_person(&app).await.is_empty(),
        "the scan finds the person while it is a lead"
    );
    let (_, on_topics) = messages_naming_the_person(&app);
    assert!(on_topics.is_empty(), "personal fields travel sealed: {on_topics:?}");

    // Erase the person: every lead a search for the name finds.
    let found = app
        .call(Method::GET, "/api/v1/leads?search=Vexmarrow", Some(&admin), None)
        .await;
    let ids: Vec<String> = found.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2, "{}", found.body);
    let events_before = app.event_count().await;
    let mut position = 0;
    for id in &ids {
        let erased = app
            .call(Method::DELETE, &format!("/api/v1/leads/{id}"), Some(&admin), None)
            .await;
        assert_eq!(erased.status, StatusCode::NO_CONTENT, "{}", erased.body);
        position = position.max(erased.position());
    }
    app.wait_projected(&admin, position).await;
    app.wait_outbox_drained(Duration::from_secs(20)).await;

    assert_eq!(rows_naming_the_person(&app).await, Vec::<String>::new());
    let (read, on_topics) = messages_naming_the_person(&app);
    assert!(read as i64 >= events_before, "every event was read back: {read}");
    assert_eq!(on_topics, Vec::<String>::new());
    assert_eq!(
        app.event_count().await,
        events_before + 2,
        "the log keeps every event; erasure adds one per lead"
    );
    // The log is still readable as what happened, without the person.
    let gone = app
        .call(Method::GET, &format!("/api/v1/leads/{lead}"), Some(&admin), None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let kept: (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE event_type = 'lead.scored'), count(*) FILTER (WHERE event_type = 'call.turn_recorded')
           FROM events",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        kept.0 >= 2 && kept.1 == 1,
        "scores and the call's turns stay in the log: {kept:?}"
    );

    // The read models equal a rebuild from the shredded log, and still hold the bystander.
    let remaining: Vec<String> = sqlx::query_scalar("SELECT id::text FROM leads")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(remaining, std::slice::from_ref(&bystander));
    let timeline = app
        .count(&format!(
            "SELECT count(*) FROM lead_activities WHERE lead_id = '{bystander}'"
        ))
        .await;
    assert!(timeline > 0, "the bystander keeps a timeline");
    let live = app.read_model_checksum().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadstream"))
        .args(["rebuild"])
        .env("DATABASE_URL", &app.database_url)
        .output()
        .expect("the rebuild runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(app.read_model_checksum().await, live);
    // The keys are gone for good; their rows stay as tombstones so nothing is sealed for the
    // person again. The lead is gone: a second erasure finds nothing.
    let destroyed = app
        .count(&format!(
            "SELECT count(*) FROM personal_data_keys WHERE key IS NULL AND subject_id IN ('{}')",
            ids.join("','")
        ))
        .await;
    assert_eq!(destroyed, 2);
    let again = app
        .call(Method::DELETE, &format!("/api/v1/leads/{lead}"), Some(&admin), None)
        .await;
    again.assert_error(404, "RESOURCE_NOT_FOUND");
    app.stop().await;
}
