//! A tenant's scoring weights: defaults, admin-only versioned changes, every version readable.

mod support;

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeSet;
use support::TestApp;

const PATH: &str = "/api/v1/scoring/weights";

fn weights(fit: f64) -> serde_json::Value {
    json!({"company_fit": fit, "intent_signal": 0.4, "budget_indicator": 0.1, "urgency": 0.1, "engagement": 0.1})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_change_weights_as_new_versions_and_every_version_stays_readable() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let agent = app.add_user(&admin, "agent").await;

    let defaults = app.call(Method::GET, PATH, Some(&agent), None).await;
    assert_eq!(defaults.status, StatusCode::OK);
    assert_eq!(defaults.body["version"], 1);
    assert_eq!(defaults.body["intent_signal"], 0.35);
    assert!(defaults.body["changed_by"].is_null());

    app.call(Method::PUT, PATH, Some(&agent), Some(weights(0.3)))
        .await
        .assert_error(403, "FORBIDDEN");
    for (body, field) in [
        (json!({"company_fit": 0.5}), "intent_signal"),
        (weights(1.5), "weights"),
        (
            json!({"company_fit": 0, "intent_signal": 0, "budget_indicator": 0, "urgency": 0, "engagement": 0}),
            "weights",
        ),
    ] {
        let answer = app.call(Method::PUT, PATH, Some(&admin), Some(body)).await;
        answer.assert_error(422, "VALIDATION_ERROR");
        assert_eq!(answer.body["details"]["fields"][0]["field"], field);
    }
    app.call(Method::PUT, PATH, Some(&admin), Some(json!({"company_fit": "high"})))
        .await
        .assert_error(400, "INVALID_BODY");

    let saved = app.call(Method::PUT, PATH, Some(&admin), Some(weights(0.3))).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body["version"], 2);
    assert_eq!(saved.body["changed_by"], admin.user_id.to_string());
    assert_eq!(app.call(Method::GET, PATH, Some(&agent), None).await.body["version"], 2);

    // Admins saving at once each get their own version.
    let saves = (0..5).map(|i| {
        let (app, admin) = (&app, &admin);
        async move {
            app.call(Method::PUT, PATH, Some(admin), Some(weights(0.1 * f64::from(i))))
                .await
        }
    });
    let versions: BTreeSet<u64> = join_all(saves)
        .await
        .iter()
        .map(|a| a.body["version"].as_u64().expect("a version"))
        .collect();
    assert_eq!(versions, (3..=7).collect());

    // Old versions explain old scores.
    let first = app.call(Method::GET, &format!("{PATH}/1"), Some(&agent), None).await;
    assert_eq!(first.body, defaults.body);
    let second = app.call(Method::GET, &format!("{PATH}/2"), Some(&agent), None).await;
    assert_eq!(second.body, saved.body);
    app.call(Method::GET, &format!("{PATH}/99"), Some(&agent), None)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    app.stop().await;
}
