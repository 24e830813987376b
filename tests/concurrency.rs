//! Concurrent writers on one lead: optimistic concurrency, and no lost updates.

mod support;

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_expecting_the_same_version_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let created = app.create_lead(&tenant, json!({"email": "race@example.com"})).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    // Created and scored: the version every writer expects.
    let seen = created.body["version"].as_u64().unwrap();
    let if_match = format!("\"{seen}\"");

    let path = format!("/api/v1/leads/{id}");
    let writers = (0..12).map(|i| {
        let path = path.clone();
        let (app, tenant, if_match) = (&app, &tenant, &if_match);
        async move {
            app.send(
                Method::PATCH,
                &path,
                Some(tenant),
                Some(json!({"company": format!("Company {i}")})),
                &[("if-match", if_match.as_str())],
            )
            .await
        }
    });
    let answers = join_all(writers).await;
    let winners: Vec<_> = answers.iter().filter(|a| a.status == StatusCode::OK).collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one writer wins version {seen}: {:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    for loser in answers.iter().filter(|a| a.status != StatusCode::OK) {
        loser.assert_error(409, "VERSION_CONFLICT");
        assert_eq!(loser.body["details"]["current_version"], seen + 2);
    }
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_id = $1")
        .bind(&id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // The creation's two events, then the winner's update and the rescore a new company causes.
    assert_eq!(events as u64, seen + 2, "one create and one winning update");
    assert_eq!(winners[0].body["version"], seen + 2);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_without_an_expected_version_are_retried_and_none_is_lost() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let created = app.create_lead(&tenant, json!({"email": "many@example.com"})).await;
    let id = created.body["id"].as_str().unwrap().to_string();

    let path = format!("/api/v1/leads/{id}/tags");
    let writers = (0..12).map(|i| {
        let path = path.clone();
        let (app, tenant) = (&app, &tenant);
        async move {
            app.call(
                Method::POST,
                &path,
                Some(tenant),
                Some(json!({"tags": [format!("tag-{i:02}")]})),
            )
            .await
        }
    });
    let answers = join_all(writers).await;
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    let last = answers.iter().map(|a| a.position()).max().unwrap();
    app.wait_projected(&tenant, last).await;
    let detail = app
        .call(Method::GET, &format!("/api/v1/leads/{id}"), Some(&tenant), None)
        .await;
    let expected: Vec<String> = (0..12).map(|i| format!("tag-{i:02}")).collect();
    assert_eq!(detail.body["tags"], json!(expected), "every concurrent tag survived");
    // Tags are not a scoring input: each write is one event, so the versions handed out are
    // exactly the twelve after creation's: each write landed once.
    let base = created.body["version"].as_i64().unwrap();
    assert_eq!(detail.body["version"], base + 12);
    let mut versions: Vec<i64> = answers.iter().map(|a| a.body["version"].as_i64().unwrap()).collect();
    versions.sort();
    assert_eq!(versions, (base + 1..=base + 12).collect::<Vec<_>>());
    app.stop().await;
}
