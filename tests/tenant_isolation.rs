//! The tenant-isolation matrix: for every route the servers register, a principal of tenant A
//! aimed at tenant B's resources gets 404 (so ids do not leak) or sees only its own data, and
//! B's data is unchanged afterwards. A route added without a row here fails the test.

mod support;

use leadstream::app::api_routes;
use leadstream::Parts;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{Answer, Caller, TestApp};

/// What tenant A does on one route, and what must come of it.
enum Probe {
    /// Not tenant data: registration, login, password resets, operations.
    Public,
    /// A's call with B's resource id in the path: must be 404.
    ForeignId { path: String, body: Option<Value> },
    /// A's own collection or profile: must succeed and show nothing of B's.
    OwnScope { path: String, body: Option<Value> },
    /// A CSV upload.
    Import,
    /// A provider delivery (or WhatsApp handshake) signed with A's own secret, aimed at B's
    /// tenant: must be refused.
    Webhook,
}

/// B's resources, which A must not reach.
struct Victim {
    lead: String,
    user: String,
    key: String,
    batch: String,
    sequence: String,
    call: String,
    appointment: String,
    campaign: String,
    tenant: String,
    ids: Vec<String>,
}

fn probe(method: &Method, path: &str, b: &Victim, a: &Caller) -> Option<Probe> {
    let lead = |tail: &str| format!("/api/v1/leads/{}{tail}", b.lead);
    let foreign = |path: String, body: Option<Value>| Some(Probe::ForeignId { path, body });
    let own = |path: &str, body: Option<Value>| {
        Some(Probe::OwnScope {
            path: path.to_string(),
            body,
        })
    };
    let user = format!("/api/v1/users/{}", b.user);
    match (method.as_str(), path) {
        (_, "/" | "/health" | "/health/detailed" | "/metrics" | "/openapi.json" | "/docs") => Some(Probe::Public),
        ("POST", "/api/v1/auth/register" | "/api/v1/auth/confirm" | "/api/v1/auth/login") => Some(Probe::Public),
        ("POST", "/api/v1/auth/forgot-password" | "/api/v1/auth/reset-password") => Some(Probe::Public),
        ("GET", "/api/v1/auth/me") => own(path, None),
        ("GET", "/api/v1/users") => own(path, None),
        ("POST", "/api/v1/users") => own(
            path,
            Some(json!({"email": "new-agent@a.example", "password": "Seguro123!"})),
        ),
        ("GET", "/api/v1/users/{id}") => foreign(user, None),
        ("PUT" | "PATCH", "/api/v1/users/{id}") => foreign(user, Some(json!({"is_active": false}))),
        ("GET", "/api/v1/api-keys") => own(path, None),
        ("POST", "/api/v1/api-keys") => own(path, Some(json!({"name": "a's key"}))),
        ("DELETE", "/api/v1/api-keys/{id}") => foreign(format!("/api/v1/api-keys/{}", b.key), None),
        ("GET", "/api/v1/leads") => own(path, None),
        ("GET", "/api/v1/leads/export") => own("/api/v1/leads/export?format=csv", None),
        // A's CSV names B's lead's phone: for A it is no duplicate, and B's lead stays as it is.
        ("POST", "/api/v1/leads/import") => Some(Probe::Import),
        ("POST", "/api/v1/leads") => own(path, Some(json!({"email": "b-lead@b.example"}))),
        ("GET", "/api/v1/leads/{id}") => foreign(lead(""), None),
        ("PATCH" | "PUT", "/api/v1/leads/{id}") => foreign(lead(""), Some(json!({"company": "Hijacked"}))),
        ("DELETE", "/api/v1/leads/{id}") => foreign(lead(""), None),
        // A valid assignee of A's own, so that only the lead's tenant can refuse.
        ("PUT", "/api/v1/leads/{id}/assign") => foreign(lead("/assign"), Some(json!({"agent_id": a.user_id}))),
        ("PUT", "/api/v1/leads/{id}/pipeline") => foreign(lead("/pipeline"), Some(json!({"stage": "ganado"}))),
        ("PUT", "/api/v1/leads/{id}/status") => foreign(lead("/status"), Some(json!({"status": "lost"}))),
        ("POST", "/api/v1/leads/{id}/activities") => foreign(
            lead("/activities"),
            Some(json!({"activity_type": "call", "description": "x"})),
        ),
        ("POST", "/api/v1/leads/{id}/notes") => foreign(lead("/notes"), Some(json!({"note": "x"}))),
        ("POST", "/api/v1/leads/{id}/tags") => foreign(lead("/tags"), Some(json!({"tags": ["x"]}))),
        ("POST", "/api/v1/leads/{id}/score") => foreign(lead("/score"), None),
        ("POST", "/api/v1/leads/{id}/recalculate") => foreign(lead("/recalculate"), None),
        ("POST", "/api/v1/leads/{id}/qualify") => foreign(
            lead("/qualify"),
            Some(json!({"criteria": {"budget": "low", "decision_maker": false}})),
        ),
        ("POST", "/api/v1/qualify") => own(path, Some(json!({"email": "in@a.example", "company": "A Corp"}))),
        ("POST", "/api/v1/batch/qualify") => own(
            path,
            Some(json!({"leads": [{"email": "batch@a.example", "company": "A Corp"}]})),
        ),
        ("GET", "/api/v1/batch/{id}/status") => foreign(format!("/api/v1/batch/{}/status", b.batch), None),
        ("GET", "/api/v1/sms" | "/api/v1/emails") => own(path, None),
        ("GET", "/api/v1/sequences") => own(path, None),
        ("POST", "/api/v1/sequences/start") => foreign(path.to_string(), Some(json!({"lead_id": b.lead}))),
        ("POST", "/api/v1/sequences/stop") => foreign(path.to_string(), Some(json!({"sequence_id": b.sequence}))),
        ("POST", "/api/v1/sms") => foreign(path.to_string(), Some(json!({"lead_id": b.lead, "message": "hi"}))),
        ("POST", "/api/v1/emails") => foreign(
            path.to_string(),
            Some(json!({"lead_id": b.lead, "subject": "x", "content": "hi"})),
        ),
        ("POST", "/api/v1/calls") => foreign(path.to_string(), Some(json!({"lead_id": b.lead}))),
        ("POST", "/api/v1/calls/{id}/start") => foreign(format!("/api/v1/calls/{}/start", b.call), None),
        ("POST", "/api/v1/calls/{id}/respond") => {
            foreign(format!("/api/v1/calls/{}/respond", b.call), Some(json!({"text": "hi"})))
        }
        ("POST", "/api/v1/calls/{id}/end") => foreign(format!("/api/v1/calls/{}/end", b.call), Some(json!({}))),
        ("GET", "/api/v1/calls") => own(path, None),
        ("GET", "/api/v1/calls/{id}") => foreign(format!("/api/v1/calls/{}", b.call), None),
        ("POST" | "GET", "/api/v1/webhooks/inbound/{provider}") => Some(Probe::Webhook),
        ("PUT", "/api/v1/webhooks/inbound/{provider}/secret") => own(
            "/api/v1/webhooks/inbound/whatsapp/secret",
            Some(json!({"secret": "a-secret-of-tenant-a", "verify_token": "a-token"})),
        ),
        ("POST", "/api/v1/appointments") => foreign(
            path.to_string(),
            Some(json!({"lead_id": b.lead, "scheduled_date": "2099-01-05T15:00:00Z"})),
        ),
        ("PUT", "/api/v1/appointments/{id}") => foreign(
            format!("/api/v1/appointments/{}", b.appointment),
            Some(json!({"status": "cancelled"})),
        ),
        ("DELETE" | "GET", "/api/v1/appointments/{id}") => {
            foreign(format!("/api/v1/appointments/{}", b.appointment), None)
        }
        ("POST", "/api/v1/appointments/{id}/remind") => foreign(
            format!("/api/v1/appointments/{}/remind", b.appointment),
            Some(json!({})),
        ),
        ("GET", "/api/v1/appointments" | "/api/v1/appointments/available-slots") => own(path, None),
        ("GET", "/api/v1/settings/business-hours") => own(path, None),
        ("POST", "/api/v1/campaigns") => own(
            path,
            Some(json!({"name": "A's campaign", "steps": [{"day": 2, "message": "hi {{name}}"}]})),
        ),
        ("GET", "/api/v1/campaigns") => own(path, None),
        ("GET" | "DELETE", "/api/v1/campaigns/{id}") => foreign(format!("/api/v1/campaigns/{}", b.campaign), None),
        ("PUT", "/api/v1/campaigns/{id}") => foreign(
            format!("/api/v1/campaigns/{}", b.campaign),
            Some(json!({"status": "paused"})),
        ),
        ("POST", "/api/v1/campaigns/{id}/steps") => foreign(
            format!("/api/v1/campaigns/{}/steps", b.campaign),
            Some(json!({"day": 9, "message": "x"})),
        ),
        ("POST", "/api/v1/campaigns/{id}/apply") => foreign(
            format!("/api/v1/campaigns/{}/apply", b.campaign),
            Some(json!({"lead_ids": [b.lead]})),
        ),
        ("GET", "/api/v1/campaigns/{id}/logs") => foreign(format!("/api/v1/campaigns/{}/logs", b.campaign), None),
        ("PUT", "/api/v1/settings/business-hours") => own(
            path,
            Some(
                json!({"timezone": "Europe/Madrid", "business_hours": {"friday": {"open": "10:00", "close": "12:00"}}}),
            ),
        ),
        // The lead's id is in the body here.
        ("POST", "/api/v1/crm/sync") => foreign(path.to_string(), Some(json!({"lead_id": b.lead, "crm": "hubspot"}))),
        ("GET", "/api/v1/scoring/weights") => own(path, None),
        ("PUT", "/api/v1/scoring/weights") => own(
            path,
            Some(json!({"company_fit": 1, "intent_signal": 0, "budget_indicator": 0, "urgency": 0, "engagement": 0})),
        ),
        // B saved versions 2 and 3; A saves at most one version here, so 3 is only B's.
        ("GET", "/api/v1/scoring/weights/{version}") => foreign("/api/v1/scoring/weights/3".into(), None),
        _ => None,
    }
}

/// A digest of every row tenant `tenant` owns, in every table that holds tenant data.
async fn tenant_digest(app: &TestApp, tenant: uuid::Uuid) -> Vec<String> {
    let mut digests = vec![];
    for (table, order) in [
        ("users", "id"),
        ("api_keys", "id"),
        ("leads", "id"),
        ("lead_activities", "lead_id, sequence"),
        ("tenants", "id"),
        ("scoring_weights", "version"),
        ("crm_requests", "id"),
        ("batch_jobs", "batch_id"),
        ("outbound_messages", "id"),
        ("sequences", "sequence_id"),
        ("calls", "id"),
        ("call_lookup", "call_id"),
        ("placed_calls", "id"),
        ("appointments", "id"),
        ("agent_bookings", "appointment_id"),
        ("appointment_reminders", "appointment_id, minutes_before"),
        ("business_hours", "tenant_id"),
        ("inbound_webhook_secrets", "provider"),
        ("inbound_webhook_receipts", "provider, event_id"),
        ("campaigns", "id"),
    ] {
        let column = if table == "tenants" { "id" } else { "tenant_id" };
        let digest: String = sqlx::query_scalar(&format!(
            "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY {order}), '')) FROM {table} t WHERE {column} = $1"
        ))
        .bind(tenant)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        digests.push(format!("{table}:{digest}"));
    }
    let events: String = sqlx::query_scalar(
        "SELECT md5(coalesce(string_agg(e::text, '|' ORDER BY aggregate_id, sequence), '')) FROM events e
          WHERE metadata->>'tenant_id' = $1",
    )
    .bind(tenant.to_string())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    digests.push(format!("events:{events}"));
    digests
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_route_lets_one_tenant_read_or_change_anothers_data() {
    let app = TestApp::spawn().await;
    let a = app.register_tenant().await;
    let b = app.register_tenant().await;
    let b_agent = app.add_user(&b, "agent").await;
    let (_, b_key) = app.api_key(&b, "agent").await;
    let b_lead = app
        .create_lead(
            &b,
            json!({"name": "Secreto", "email": "secret@b.example", "phone": "+56911112222", "company": "B Corp"}),
        )
        .await;
    let lead = b_lead.body["id"].as_str().unwrap().to_string();
    let note = app
        .call(
            Method::POST,
            &format!("/api/v1/leads/{lead}/notes"),
            Some(&b),
            Some(json!({"note": "b's note"})),
        )
        .await;
    app.wait_projected(&b, note.position()).await;
    for fit in [0.5, 0.6] {
        let body =
            json!({"company_fit": fit, "intent_signal": 0.5, "budget_indicator": 0, "urgency": 0, "engagement": 0});
        let saved = app
            .call(Method::PUT, "/api/v1/scoring/weights", Some(&b), Some(body))
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    }
    let batch = app
        .call(
            Method::POST,
            "/api/v1/batch/qualify",
            Some(&b),
            Some(json!({"leads": [{"email": "batch@b.example", "company": "B Corp"}]})),
        )
        .await;
    assert_eq!(batch.status, StatusCode::ACCEPTED, "{}", batch.body);
    let batch = batch.body["batch_id"].as_str().unwrap().to_string();
    // B's batch finishes before the digest, so its work does not count as A's doing.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while app
        .call(Method::GET, &format!("/api/v1/batch/{batch}/status"), Some(&b), None)
        .await
        .body["status"]
        == "processing"
    {
        assert!(std::time::Instant::now() < deadline, "B's batch did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let last: i64 = sqlx::query_scalar("SELECT max(position) FROM outbox WHERE aggregate_type = 'lead'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.wait_projected(&b, last).await;
    let sequence = app
        .call(
            Method::POST,
            "/api/v1/sequences/start",
            Some(&b),
            Some(json!({"lead_id": lead})),
        )
        .await;
    assert_eq!(sequence.status, StatusCode::CREATED, "{}", sequence.body);
    let sequence = sequence.body["sequence_id"].as_str().unwrap().to_string();
    // B's call, appointment, hours and webhook secret, projected before the digest.
    let call = app
        .call(Method::POST, "/api/v1/calls", Some(&b), Some(json!({"lead_id": lead})))
        .await;
    assert_eq!(call.status, StatusCode::CREATED, "{}", call.body);
    let call_position = call.position();
    let call = call.body["call_id"].as_str().unwrap().to_string();
    let booked = app
        .call(
            Method::POST,
            "/api/v1/appointments",
            Some(&b),
            Some(json!({"lead_id": lead, "scheduled_date": "2099-01-05T15:00:00Z"})),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let booked_position = booked.position();
    let appointment = booked.body["id"].as_str().unwrap().to_string();
    for path in [
        format!("/api/v1/calls/{call}?min_position={call_position}"),
        format!("/api/v1/appointments/{appointment}?min_position={booked_position}"),
    ] {
        let seen = app.call(Method::GET, &path, Some(&b), None).await;
        assert_eq!(seen.header("x-projection-caught-up").as_deref(), Some("true"), "{path}");
    }
    let last: i64 = sqlx::query_scalar("SELECT max(position) FROM outbox WHERE aggregate_type = 'lead'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.wait_projected(&b, last).await;
    let secret = app
        .call(
            Method::PUT,
            "/api/v1/webhooks/inbound/whatsapp/secret",
            Some(&b),
            Some(json!({"secret": "b-secret-of-tenant-b", "verify_token": "b-token"})),
        )
        .await;
    assert_eq!(secret.status, StatusCode::OK);
    let campaign = app
        .call(
            Method::POST,
            "/api/v1/campaigns",
            Some(&b),
            Some(json!({"name": "B's campaign", "steps": [{"day": 3, "message": "hola {{name}}"}]})),
        )
        .await;
    assert_eq!(campaign.status, StatusCode::CREATED, "{}", campaign.body);
    let campaign = campaign.body["id"].as_str().unwrap().to_string();
    app.call(
        Method::PUT,
        "/api/v1/settings/business-hours",
        Some(&b),
        Some(
            json!({"timezone": "America/Santiago", "business_hours": {"monday": {"open": "09:00", "close": "13:00"}}}),
        ),
    )
    .await;
    let victim = Victim {
        ids: vec![
            lead.clone(),
            b.user_id.to_string(),
            b_agent.user_id.to_string(),
            b_key["id"].as_str().unwrap().to_string(),
            b.tenant_id.to_string(),
            batch.clone(),
            sequence.clone(),
            call.clone(),
            appointment.clone(),
            campaign.clone(),
        ],
        batch,
        sequence,
        call,
        appointment,
        campaign,
        tenant: b.tenant_id.to_string(),
        lead,
        user: b_agent.user_id.to_string(),
        key: b_key["id"].as_str().unwrap().to_string(),
    };
    let before = tenant_digest(&app, b.tenant_id).await;

    let mut checked = 0;
    for route in api_routes(Parts::ALL) {
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let probe = probe(&method, route.path, &victim, &a)
            .unwrap_or_else(|| panic!("{method} {} has no row in the isolation matrix", route.path));
        let answer: Answer = match probe {
            Probe::Public => continue,
            Probe::Webhook => {
                // A's own secret, B's tenant in the URL.
                let a_secret = app
                    .call(
                        Method::PUT,
                        "/api/v1/webhooks/inbound/whatsapp/secret",
                        Some(&a),
                        Some(json!({"secret": "a-secret-of-tenant-a", "verify_token": "a-token"})),
                    )
                    .await;
                assert_eq!(a_secret.status, StatusCode::OK);
                let url = format!(
                    "{}/api/v1/webhooks/inbound/whatsapp?tenant_id={}",
                    app.base, victim.tenant
                );
                let (status, expected) = if method == Method::GET {
                    let status = app
                        .client
                        .get(format!(
                            "{url}&hub.mode=subscribe&hub.verify_token=a-token&hub.challenge=1"
                        ))
                        .send()
                        .await
                        .unwrap()
                        .status();
                    (status, StatusCode::FORBIDDEN)
                } else {
                    let body = serde_json::to_vec(&json!({"entry": [{"changes": [{"value": {"messages": [
                        {"from": "56911112222", "id": "wamid.a", "text": {"body": "hola"}}]}}]}]}))
                    .unwrap();
                    let signature = leadstream_command_api::webhooks::sign("a-secret-of-tenant-a", &body);
                    let status = app
                        .client
                        .post(&url)
                        .header("x-hub-signature-256", format!("sha256={signature}"))
                        .body(body)
                        .send()
                        .await
                        .unwrap()
                        .status();
                    (status, StatusCode::UNAUTHORIZED)
                };
                assert_eq!(status, expected, "{method} {}", route.path);
                checked += 1;
                continue;
            }
            Probe::ForeignId { path, body } => {
                let answer = app.call(method.clone(), &path, Some(&a), body).await;
                answer.assert_error(404, "RESOURCE_NOT_FOUND");
                answer
            }
            Probe::Import => {
                let (header, value) = &a.credential;
                let response = app
                    .client
                    .post(format!("{}{}", app.base, route.path))
                    .header(*header, value)
                    .header("content-type", "text/csv")
                    .body("name,phone\nNot B,+56911112222\n")
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let body: Value = response.json().await.unwrap();
                assert_eq!(body["imported"], 1, "B's lead is no duplicate for A: {body}");
                app.wait_projected(&a, body["position"].as_i64().unwrap()).await;
                checked += 1;
                continue;
            }
            Probe::OwnScope { path, body } => {
                let answer = app.call(method.clone(), &path, Some(&a), body).await;
                assert!(answer.status.is_success(), "{method} {path}: {}", answer.body);
                if let Some(position) = answer.header("x-event-position").and_then(|p| p.parse().ok()) {
                    app.wait_projected(&a, position).await;
                }
                answer
            }
        };
        let text = answer.body.to_string();
        for id in &victim.ids {
            assert!(
                !text.contains(id.as_str()),
                "{method} {}: B's id {id} leaked: {text}",
                route.path
            );
        }
        assert!(
            !text.contains("secret@b.example"),
            "{method} {}: B's lead leaked",
            route.path
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} routes were probed");

    // A's lists, read after everything A did, still hold nothing of B's.
    for path in ["/api/v1/leads", "/api/v1/users", "/api/v1/api-keys"] {
        let list = app.call(Method::GET, path, Some(&a), None).await;
        assert_eq!(list.status, StatusCode::OK);
        for id in &victim.ids {
            assert!(!list.body.to_string().contains(id.as_str()), "{path} shows B's {id}");
        }
    }
    assert_eq!(tenant_digest(&app, b.tenant_id).await, before, "B's data changed");
    // And B's own view of its lead is as B left it.
    let mine = app
        .call(Method::GET, &format!("/api/v1/leads/{}", victim.lead), Some(&b), None)
        .await;
    assert_eq!(mine.body["company"], "B Corp");
    app.stop().await;
}
