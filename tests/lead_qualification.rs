//! Qualification over HTTP: stated criteria on a known lead, a new lead qualified in one call
//! (seed 001's answer), enrichment from the lead's own data, and routing to a CRM.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::TestApp;

async fn event_types(app: &TestApp, lead_id: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT event_type FROM events WHERE aggregate_id = $1 ORDER BY sequence")
        .bind(lead_id)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stated_criteria_qualify_a_lead_and_show_in_the_read_model() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let created = app
        .create_lead(
            &admin,
            json!({"name": "Ana", "email": "ana@studio-norte.cl", "phone": "+56 9 8765 4321", "company": "Studio Norte",
                   "message": "Quisiera más información", "metadata": {"employees": 40, "location": "Valparaíso"}}),
        )
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let before = created.body["lead"]["score_card"]["overall_score"].as_f64().unwrap();
    let path = format!("/api/v1/leads/{id}/qualify");

    let criteria = json!({"criteria": {"budget": "high", "timeline": "immediate", "decision_maker": true}});
    let qualified = app.call(Method::POST, &path, Some(&admin), Some(criteria)).await;
    assert_eq!(qualified.status, StatusCode::OK, "{}", qualified.body);
    let lead = &qualified.body["lead"];
    assert_eq!(
        lead["criteria"],
        json!({"budget": "high", "timeline": "immediate", "decision_maker": true})
    );
    let card = &lead["score_card"];
    assert!(card["overall_score"].as_f64().unwrap() > before + 20.0, "{card}");
    assert_eq!(card["sub_scores"]["budget_indicator"], 100.0);
    let positive: Vec<&str> = card["factors"]["positive"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["signal"].as_str().unwrap())
        .collect();
    for signal in ["budget_confirmed", "immediate_timeline", "decision_maker"] {
        assert!(positive.contains(&signal), "{signal} missing from {positive:?}");
    }
    // The local enricher stated only what the data shows.
    let enrichment = &lead["enrichment"];
    assert_eq!(enrichment["provider"], "local");
    assert_eq!(enrichment["email_domain"], "studio-norte.cl");
    assert_eq!(enrichment["website"], "https://studio-norte.cl");
    assert_eq!(enrichment["company_size"], "11-50");
    assert_eq!(enrichment["location"], "Valparaíso");
    assert_eq!(enrichment["country"], "CL");
    assert_eq!(enrichment["linkedin_url"], Value::Null);
    let types = event_types(&app, &id).await;
    assert_eq!(
        types[2..5],
        ["lead.enriched", "lead.qualified", "lead.scored"],
        "{types:?}"
    );

    // A later qualification keeps earlier answers it does not restate; enrichment that did not
    // change is not recorded again.
    let doubt = json!({"criteria": {"decision_maker": false}});
    let requalified = app.call(Method::POST, &path, Some(&admin), Some(doubt)).await;
    assert_eq!(requalified.status, StatusCode::OK, "{}", requalified.body);
    assert_eq!(
        requalified.body["lead"]["criteria"],
        json!({"budget": "high", "timeline": "immediate", "decision_maker": false})
    );
    let types = event_types(&app, &id).await;
    assert_eq!(types.iter().filter(|t| *t == "lead.enriched").count(), 1);
    assert_eq!(types.iter().filter(|t| *t == "lead.qualified").count(), 2);

    app.wait_projected(&admin, requalified.position()).await;
    let detail = app
        .call(Method::GET, &format!("/api/v1/leads/{id}"), Some(&admin), None)
        .await;
    let row = &detail.body;
    assert_eq!(row["criteria"]["decision_maker"], false, "{}", detail.body);
    assert_eq!(row["enrichment"]["country"], "CL");
    assert_eq!(row["score"], requalified.body["lead"]["score_card"]["overall_score"]);

    // Bad criteria are named; nothing is written.
    let events = app.event_count().await;
    let bad = app
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({"criteria": {"budget": "lots", "timeline": "someday"}})),
        )
        .await;
    bad.assert_error(422, "VALIDATION_ERROR");
    let fields: Vec<&str> = bad.body["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["criteria.budget", "criteria.timeline"]);
    assert_eq!(app.event_count().await, events);

    // Another tenant's lead is not found, and not enriched.
    let stranger = app.register_tenant().await;
    let foreign = app.call(Method::POST, &path, Some(&stranger), Some(json!({}))).await;
    foreign.assert_error(404, "RESOURCE_NOT_FOUND");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inbound_lead_is_created_and_qualified_in_one_call() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let body = json!({
        "email": "john@acme.com",
        "company": "Acme Corp",
        "name": "John Smith",
        "title": "VP of Sales",
        "message": "Looking for automation solutions for our 50-person sales team, need a demo this week",
        "source": "website_form",
        "metadata": {"utm_source": "google", "landing_page": "/enterprise", "employees": 50}
    });
    let answer = app
        .call(Method::POST, "/api/v1/qualify", Some(&admin), Some(body))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let a = &answer.body;
    assert_eq!(a["tier"], "HOT", "{a}");
    assert_eq!(a["recommended_action"], "route_to_ae");
    assert!(a["score"].as_f64().unwrap() >= 80.0);
    assert!(a["reasoning"].as_str().unwrap().starts_with("HOT"));
    for part in ["company_fit", "intent_signal", "budget_indicator", "urgency"] {
        let value = a["scoring_breakdown"][part].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&value), "{part} = {value}");
    }
    assert!(a["processing_time_ms"].is_u64());
    assert!(a["created_at"].is_string());
    assert_eq!(a["enrichment"]["email_domain"], "acme.com");
    assert_eq!(a["enrichment"]["company_size"], "11-50");
    assert_eq!(a["enrichment"]["estimated_revenue"], Value::Null);
    let id = a["id"].as_str().unwrap();
    assert_eq!(answer.header("location").unwrap(), format!("/api/v1/leads/{id}"));
    assert_eq!(
        event_types(&app, id).await,
        ["lead.created", "lead.enriched", "lead.qualified", "lead.scored"]
    );
    app.wait_projected(&admin, answer.position()).await;
    let listed = app
        .call(Method::GET, "/api/v1/leads?tier=hot", Some(&admin), None)
        .await;
    assert_eq!(listed.body["data"][0]["id"], id, "{}", listed.body);

    // Seed 001 requires e-mail and company; the answer names both, and nothing is written.
    let events = app.event_count().await;
    let missing = app
        .call(
            Method::POST,
            "/api/v1/qualify",
            Some(&admin),
            Some(json!({"name": "Nobody"})),
        )
        .await;
    missing.assert_error(422, "VALIDATION_ERROR");
    let fields: Vec<&str> = missing.body["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "company"]);
    assert_eq!(app.event_count().await, events);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_is_routed_to_a_crm_through_the_crm_trait() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let created = app
        .create_lead(&admin, json!({"email": "lee@bigcorp.com", "company": "BigCorp"}))
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let sync = json!({"lead_id": id, "crm": "HubSpot", "pipeline_id": "default", "owner_email": "rep@yourcompany.com"});
    let routed = app
        .call(Method::POST, "/api/v1/crm/sync", Some(&admin), Some(sync.clone()))
        .await;
    assert_eq!(routed.status, StatusCode::OK, "{}", routed.body);
    let payload: Value =
        sqlx::query_scalar("SELECT payload->'data' FROM events WHERE aggregate_id = $1 AND event_type = 'lead.routed'")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(payload["crm"], "hubspot");
    assert_eq!(payload["pipeline_id"], "default");
    assert_eq!(payload["owner_email"], "rep@yourcompany.com");
    // The local CRM recorded the request it would have sent, with the lead in it.
    let (crm, request, pushes): (String, Value, i32) =
        sqlx::query_as("SELECT crm, request, pushes FROM crm_requests WHERE lead_id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(crm, "hubspot");
    assert_eq!(request["lead"]["email"], "lee@bigcorp.com");
    assert_eq!(pushes, 1);
    let external_id = payload["external_id"].as_str().unwrap().to_string();
    assert!(external_id.starts_with("local-hubspot-"));
    // Syncing again updates the same CRM record.
    let again = app
        .call(Method::POST, "/api/v1/crm/sync", Some(&admin), Some(sync))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    let ids: Vec<Value> = sqlx::query_scalar(
        "SELECT payload->'data'->'external_id' FROM events WHERE aggregate_id = $1 AND event_type = 'lead.routed'",
    )
    .bind(&id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(ids, [json!(external_id), json!(external_id)]);

    let unknown_crm = app
        .call(
            Method::POST,
            "/api/v1/crm/sync",
            Some(&admin),
            Some(json!({"lead_id": id, "crm": "pipedrive"})),
        )
        .await;
    unknown_crm.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(unknown_crm.body["details"]["fields"][0]["field"], "crm");
    let stranger = app.register_tenant().await;
    let foreign = app
        .call(
            Method::POST,
            "/api/v1/crm/sync",
            Some(&stranger),
            Some(json!({"lead_id": id, "crm": "salesforce"})),
        )
        .await;
    foreign.assert_error(404, "RESOURCE_NOT_FOUND");
    let requests: i64 = sqlx::query_scalar("SELECT count(*) FROM crm_requests")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(requests, 1, "nothing was sent for a refused sync");
    app.stop().await;
}

/// `/qualify` reads the lead's fields and `criteria` as any body is read: keys it does not read
/// are dropped, whatever they hold, and a read field holding NUL is refused with its name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qualify_drops_what_it_does_not_read_and_refuses_nul_in_what_it_reads() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let taken = app
        .call(
            Method::POST,
            "/api/v1/qualify",
            Some(&admin),
            Some(json!({"email": "nul@keys.io", "company": "Keys", "x\u{0}": 1,
                        "criteria": {"budget": "high", "y\u{0}": {"z": "\u{0}"}}})),
        )
        .await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    assert_eq!(
        taken.body["scoring_breakdown"]["budget_indicator"], 1.0,
        "the criteria were read"
    );
    let refused = app
        .call(
            Method::POST,
            "/api/v1/qualify",
            Some(&admin),
            Some(json!({"email": "nul@keys.io", "company": "K\u{0}eys"})),
        )
        .await;
    refused.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(
        refused.body["details"]["fields"][0]["field"], "company",
        "{}",
        refused.body
    );
    app.stop().await;
}
