//! `Idempotency-Key` on POST: repeats replay the first answer and write nothing.

mod support;

use futures::future::join_all;
use reqwest::Method;
use serde_json::json;
use support::TestApp;

/// `POST /api/v1/leads` as `tenant` with `body` and `Idempotency-Key: key`.
async fn post(app: &TestApp, tenant: &support::Caller, body: serde_json::Value, key: &str) -> support::Answer {
    app.send(
        Method::POST,
        "/api/v1/leads",
        Some(tenant),
        Some(body),
        &[("idempotency-key", key)],
    )
    .await
}

async fn lead_events(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'lead.created'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_post_replays_the_first_answer_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let body = json!({"email": "once@example.com"});
    let first = post(&app, &tenant, body.clone(), "create-once-1").await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.body);
    let again = post(&app, &tenant, body.clone(), "create-once-1").await;
    assert_eq!(again.status.as_u16(), 201);
    assert_eq!(again.body, first.body, "the same answer, byte for byte");
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("x-event-position"), first.header("x-event-position"));
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert!(again.header("x-request-id").is_some());
    assert_eq!(lead_events(&app).await, 1);

    // The same key with another body is refused; another tenant's same key is its own.
    let other = post(&app, &tenant, json!({"email": "twice@example.com"}), "create-once-1").await;
    other.assert_error(422, "IDEMPOTENCY_KEY_REUSED");
    let elsewhere = post(&app, &app.register_tenant().await, body, "create-once-1").await;
    assert_eq!(elsewhere.status.as_u16(), 201);
    assert_ne!(elsewhere.body["id"], first.body["id"]);
    assert_eq!(lead_events(&app).await, 2);

    // A rejected request's answer is replayed too, and still writes nothing.
    let bad = post(&app, &tenant, json!({"email": "nope"}), "bad-email-1").await;
    bad.assert_error(422, "VALIDATION_ERROR");
    let bad_again = post(&app, &tenant, json!({"email": "nope"}), "bad-email-1").await;
    assert_eq!(bad_again.status.as_u16(), 422);
    assert_eq!(bad_again.header("idempotent-replayed").as_deref(), Some("true"));

    let too_long = "k".repeat(256);
    let invalid = post(&app, &tenant, json!({"email": "a@b.co"}), &too_long).await;
    invalid.assert_error(400, "INVALID_IDEMPOTENCY_KEY");
    assert_eq!(lead_events(&app).await, 2);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_post_sent_concurrently_creates_one_lead() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let body = json!({"email": "race@example.com", "name": "Race"});
    let sends = (0..6).map(|_| {
        let body = body.clone();
        let (app, tenant) = (&app, &tenant);
        async move { post(app, tenant, body, "race-1").await }
    });
    let answers = join_all(sends).await;
    for answer in &answers {
        assert_eq!(answer.status.as_u16(), 201, "{}", answer.body);
        assert_eq!(
            answer.body["id"], answers[0].body["id"],
            "every repeat names the one lead"
        );
    }
    assert_eq!(lead_events(&app).await, 1);
    app.stop().await;
}

/// Keys belong to the principal, not the tenant, and saved answers are sealed: a new API key
/// made with an Idempotency-Key is replayed to its maker, and appears nowhere in the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_per_principal_and_saved_answers_are_not_in_clear() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let colleague = app.add_user(&admin, "admin").await;
    let body = json!({"email": "shared-key@example.com"});
    let mine = post(&app, &admin, body.clone(), "same-key").await;
    assert_eq!(mine.status.as_u16(), 201, "{}", mine.body);
    // Another person of the same tenant using the same key and body gets an answer of its own:
    // it is not shown the first caller's answer (nor refused as a reuse).
    let theirs = post(&app, &colleague, json!({"email": "other-key@example.com"}), "same-key").await;
    assert_eq!(theirs.status.as_u16(), 201, "{}", theirs.body);
    assert!(theirs.header("idempotent-replayed").is_none());
    assert_ne!(theirs.body["id"], mine.body["id"]);
    let again = post(&app, &admin, body, "same-key").await;
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.body, mine.body);

    let make_key = || {
        app.send(
            Method::POST,
            "/api/v1/api-keys",
            Some(&admin),
            Some(json!({"name": "ci"})),
            &[("idempotency-key", "key-for-ci")],
        )
    };
    let made = make_key().await;
    assert_eq!(made.status.as_u16(), 201, "{}", made.body);
    let secret = made.body["key"].as_str().unwrap().to_string();
    let replayed = make_key().await;
    assert_eq!(
        replayed.body["key"],
        secret.as_str(),
        "the maker can still read its answer"
    );
    let dump: String = sqlx::query_scalar(
        "SELECT string_agg(i::text || encode(coalesce(response_body, ''), 'escape'), '|') FROM idempotency_keys i",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for clear in [secret.as_str(), "key-for-ci", "same-key", "shared-key@example.com"] {
        assert!(!dump.contains(clear), "{clear:?} is stored in clear");
    }
    app.stop().await;
}
