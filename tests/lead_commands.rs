//! What lead commands answer and append.

mod support;

use reqwest::Method;
use serde_json::json;
use support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_that_changes_nothing_appends_nothing() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let created = app.create_lead(&tenant, json!({"email": "same@example.com"})).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/leads/{id}/assign");
    let agent = json!({"agent_id": app.add_user(&tenant, "agent").await.user_id});
    let first = app.call(Method::PUT, &path, Some(&tenant), Some(agent.clone())).await;
    let events = app.event_count().await;
    let again = app.call(Method::PUT, &path, Some(&tenant), Some(agent)).await;
    assert_eq!(again.status.as_u16(), 200, "{}", again.body);
    assert_eq!(again.body["version"], first.body["version"]);
    assert_eq!(
        again.position(),
        first.position(),
        "the answer names the unchanged state's position"
    );
    assert_eq!(
        app.event_count().await,
        events,
        "a repeated assignment appends no event"
    );
    let unchanged = app
        .call(
            Method::PATCH,
            &format!("/api/v1/leads/{id}"),
            Some(&tenant),
            Some(json!({"email": "SAME@example.com"})),
        )
        .await;
    assert_eq!(
        unchanged.body["version"], first.body["version"],
        "an update to the same (normalised) email is silent"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_patch_may_change_fields_status_and_stage_in_one_append() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let created = app.create_lead(&tenant, json!({"email": "move@example.com"})).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let patched = app
        .call(
            Method::PATCH,
            &format!("/api/v1/leads/{id}"),
            Some(&tenant),
            Some(json!({"title": "CEO", "status": "qualified", "pipeline_stage": "scheduled"})),
        )
        .await;
    assert_eq!(patched.status.as_u16(), 200, "{}", patched.body);
    assert_eq!(patched.body["version"], 6);
    assert_eq!(patched.header("etag").as_deref(), Some("\"6\""));
    let types: Vec<String> =
        sqlx::query_scalar("SELECT event_type FROM events WHERE aggregate_id = $1 ORDER BY sequence")
            .bind(&id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        types,
        [
            "lead.created",
            "lead.scored",
            "lead.updated",
            "lead.status_changed",
            "lead.stage_changed",
            // A CEO title is a scoring input.
            "lead.scored"
        ]
    );
    app.wait_projected(&tenant, patched.position()).await;
    let detail = app
        .call(Method::GET, &format!("/api/v1/leads/{id}"), Some(&tenant), None)
        .await;
    assert_eq!(
        (
            detail.body["title"].as_str(),
            detail.body["status"].as_str(),
            detail.body["pipeline_stage"].as_str()
        ),
        (Some("CEO"), Some("qualified"), Some("agendado"))
    );
    app.stop().await;
}
