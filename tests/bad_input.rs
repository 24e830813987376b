//! Bad input on every endpoint gets a 4xx in the one error shape and writes nothing.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::{Answer, Caller, TestApp};
use uuid::Uuid;

/// A request (method, path, tenant, body) and the status and error code it must get.
type Case<'a> = (Method, String, Option<&'a Caller>, Option<Value>, u16, &'static str);

async fn raw(app: &TestApp, method: Method, path: &str, caller: &Caller, content_type: &str, body: Vec<u8>) -> Answer {
    let (header, credential) = &caller.credential;
    let response = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header(*header, credential)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    Answer { status, headers, body }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_rejects_bad_input_in_the_error_shape_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.register_tenant().await;
    let stranger = app.register_tenant().await;
    let lead = app.create_lead(&owner, json!({"email": "owner@example.com"})).await;
    let id = lead.body["id"].as_str().unwrap().to_string();
    let unknown = Uuid::now_v7();
    let events_before = app.event_count().await;

    let cases: Vec<Case> = vec![
        (
            Method::POST,
            "/api/v1/leads".into(),
            Some(&owner),
            Some(json!({"email": "not-an-email"})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::POST,
            "/api/v1/leads".into(),
            Some(&owner),
            Some(json!({"phone": "555-1234"})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::POST,
            "/api/v1/leads".into(),
            Some(&owner),
            Some(json!({"name": "Nobody"})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::POST,
            "/api/v1/leads".into(),
            Some(&owner),
            Some(json!({"email": "a@b.co", "pipeline_stage": "closing"})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::POST,
            "/api/v1/leads".into(),
            Some(&owner),
            Some(json!({"email": "a@b.co", "score": 140})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::POST,
            "/api/v1/leads".into(),
            Some(&owner),
            Some(json!({"email": 12})),
            400,
            "INVALID_BODY",
        ),
        (
            Method::POST,
            "/api/v1/leads".into(),
            None,
            Some(json!({"email": "a@b.co"})),
            401,
            "AUTHENTICATION_REQUIRED",
        ),
        (
            Method::PATCH,
            format!("/api/v1/leads/{id}"),
            Some(&owner),
            Some(json!({"email": "nope"})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::PATCH,
            format!("/api/v1/leads/{id}"),
            Some(&owner),
            Some(json!({"pipeline_stage": "closing"})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::PATCH,
            format!("/api/v1/leads/{unknown}"),
            Some(&owner),
            Some(json!({"company": "X"})),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::PATCH,
            format!("/api/v1/leads/{id}"),
            Some(&stranger),
            Some(json!({"company": "X"})),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::PUT,
            format!("/api/v1/leads/{id}"),
            Some(&stranger),
            Some(json!({"company": "X"})),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::PATCH,
            "/api/v1/leads/not-a-uuid".into(),
            Some(&owner),
            Some(json!({"company": "X"})),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::DELETE,
            format!("/api/v1/leads/{unknown}"),
            Some(&owner),
            None,
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::DELETE,
            format!("/api/v1/leads/{id}"),
            Some(&stranger),
            None,
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::PUT,
            format!("/api/v1/leads/{id}/assign"),
            Some(&owner),
            Some(json!({"agent_id": "bob"})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::PUT,
            format!("/api/v1/leads/{id}/assign"),
            Some(&owner),
            Some(json!({})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::PUT,
            format!("/api/v1/leads/{id}/assign"),
            Some(&stranger),
            Some(json!({"agent_id": stranger.user_id})),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::PUT,
            format!("/api/v1/leads/{id}/assign"),
            Some(&owner),
            // Another tenant's user, like any id the body names that the caller cannot see.
            Some(json!({"agent_id": stranger.user_id})),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::PUT,
            format!("/api/v1/leads/{id}/pipeline"),
            Some(&owner),
            Some(json!({"stage": "closing"})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::PUT,
            format!("/api/v1/leads/{unknown}/pipeline"),
            Some(&owner),
            Some(json!({"stage": "ganado"})),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::PUT,
            format!("/api/v1/leads/{id}/status"),
            Some(&owner),
            Some(json!({"status": "hot"})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::POST,
            format!("/api/v1/leads/{id}/activities"),
            Some(&owner),
            Some(json!({"description": "no type"})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::POST,
            format!("/api/v1/leads/{id}/activities"),
            Some(&stranger),
            Some(json!({"activity_type": "call"})),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::POST,
            format!("/api/v1/leads/{id}/notes"),
            Some(&owner),
            Some(json!({"note": "   "})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::POST,
            format!("/api/v1/leads/{id}/tags"),
            Some(&owner),
            Some(json!({"tags": ["x".repeat(51)]})),
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::GET,
            format!("/api/v1/leads/{id}"),
            Some(&stranger),
            None,
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::GET,
            format!("/api/v1/leads/{unknown}"),
            Some(&owner),
            None,
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            Method::GET,
            "/api/v1/leads?status=hot&limit=1000".into(),
            Some(&owner),
            None,
            422,
            "VALIDATION_ERROR",
        ),
        (
            Method::GET,
            "/api/v1/leads?limit=ten".into(),
            Some(&owner),
            None,
            400,
            "INVALID_QUERY",
        ),
        (
            Method::GET,
            "/api/v1/leads?min_position=-3".into(),
            Some(&owner),
            None,
            400,
            "INVALID_MIN_POSITION",
        ),
        (
            Method::GET,
            "/api/v1/leads".into(),
            None,
            None,
            401,
            "AUTHENTICATION_REQUIRED",
        ),
        (
            Method::GET,
            "/api/v1/nothing-here".into(),
            Some(&owner),
            None,
            404,
            "ROUTE_NOT_FOUND",
        ),
    ];
    for (method, path, tenant, body, status, code) in cases {
        let answer = app.call(method.clone(), &path, tenant, body.clone()).await;
        assert_eq!(
            answer.status.as_u16(),
            status,
            "{method} {path} {body:?}: {}",
            answer.body
        );
        answer.assert_error(status, code);
    }

    // Bad filters are refused before any read-your-writes wait (which would last 2 s here).
    let started = std::time::Instant::now();
    let unreachable = app
        .call(
            Method::GET,
            "/api/v1/leads?status=hot&min_position=999999999",
            Some(&owner),
            None,
        )
        .await;
    unreachable.assert_error(422, "VALIDATION_ERROR");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1500),
        "validation waited for the projection"
    );

    // Field errors name the field.
    let answer = app
        .call(
            Method::POST,
            "/api/v1/leads",
            Some(&owner),
            Some(json!({"email": "x", "phone": "1"})),
        )
        .await;
    let fields: Vec<&str> = answer.body["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "phone"]);

    // Bodies that are not JSON, or too large, or of another type.
    let path = format!("/api/v1/leads/{id}");
    raw(
        &app,
        Method::POST,
        "/api/v1/leads",
        &owner,
        "application/json",
        b"{\"email\": ".to_vec(),
    )
    .await
    .assert_error(400, "MALFORMED_JSON");
    raw(
        &app,
        Method::PATCH,
        &path,
        &owner,
        "application/json",
        b"not json".to_vec(),
    )
    .await
    .assert_error(400, "MALFORMED_JSON");
    let huge = serde_json::to_vec(&json!({"email": "big@example.com", "message": "x".repeat(70 * 1024)})).unwrap();
    raw(&app, Method::POST, "/api/v1/leads", &owner, "application/json", huge)
        .await
        .assert_error(413, "PAYLOAD_TOO_LARGE");
    raw(
        &app,
        Method::POST,
        "/api/v1/leads",
        &owner,
        "text/plain",
        b"{}".to_vec(),
    )
    .await
    .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    let bad_if_match = app
        .send(
            Method::PATCH,
            &path,
            Some(&owner),
            Some(json!({"company": "X"})),
            &[("if-match", "soon")],
        )
        .await;
    bad_if_match.assert_error(400, "INVALID_IF_MATCH");

    assert_eq!(app.event_count().await, events_before, "rejected requests wrote events");
    app.stop().await;
}

/// What schemathesis found on the edges: a known path asked with an undeclared method, a page
/// number that overflowed the offset (a panic), and a name part dropped unchecked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeclared_methods_huge_pages_and_unused_name_parts_get_clear_answers() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    for (method, path, allow) in [
        (Method::TRACE, "/health", "GET"),
        (Method::DELETE, "/api/v1/leads", "GET, POST"),
        (Method::PATCH, "/api/v1/auth/login", "POST"),
        // A literal path beside one with an id (`/appointments/{id}` answers PUT).
        (Method::PUT, "/api/v1/appointments/available-slots", "GET"),
    ] {
        let answer = app.call(method.clone(), path, Some(&admin), None).await;
        answer.assert_error(405, "METHOD_NOT_ALLOWED");
        let mut allowed: Vec<String> = answer
            .header("allow")
            .expect("an Allow header")
            .split(',')
            .map(|m| m.trim().to_string())
            .collect();
        allowed.sort();
        assert_eq!(allowed.join(", "), allow, "{method} {path}");
    }
    app.call(Method::GET, "/api/v1/nothing-here", Some(&admin), None)
        .await
        .assert_error(404, "ROUTE_NOT_FOUND");

    let huge = app
        .call(
            Method::GET,
            &format!("/api/v1/users?page={}&per_page=4", i64::MAX),
            Some(&admin),
            None,
        )
        .await;
    huge.assert_error(400, "INVALID_QUERY");
    for path in ["/api/v1/calls?page=2000000", "/api/v1/leads?page=2000000"] {
        app.call(Method::GET, path, Some(&admin), None)
            .await
            .assert_error(422, "VALIDATION_ERROR");
    }

    let register = json!({"business_name": "B", "email": "parts@example.com", "password": support::PASSWORD,
                          "name": "Ana", "last_name": "\u{9b}"});
    let answer = app
        .call(Method::POST, "/api/v1/auth/register", None, Some(register))
        .await;
    answer.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(answer.body["details"]["fields"][0]["field"], "last_name");
    app.stop().await;
}
