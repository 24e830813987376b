//! Leads are scored by the aggregate: on creation, when an input changes, and on request with
//! the tenant's current weights; the read model shows the tier and the card.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;
use support::{read_topic, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_is_scored_on_creation_rescored_on_change_and_on_request() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let created = app
        .create_lead(
            &admin,
            json!({"name": "María Soto", "email": "maria@acme-logistics.com", "phone": "+56912345678",
                   "company": "Acme Logistics", "title": "VP Operations", "source": "website_form",
                   "message": "We'd like a demo this month", "metadata": {"company_size": 50}}),
        )
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let card = &created.body["lead"]["score_card"];
    assert_eq!(card["tier"], "HOT", "{card}");
    assert_eq!(card["recommended_action"], "route_to_ae");
    assert_eq!(card["weights_version"], 1);
    assert!(card["overall_score"].as_f64().unwrap() >= 80.0);
    assert!(card["reasoning"].as_str().unwrap().starts_with("HOT"));
    assert!(!card["factors"]["positive"].as_array().unwrap().is_empty());
    let path = format!("/api/v1/leads/{id}");

    // The score is the engine's: a client cannot set it.
    let refused = app
        .call(Method::PATCH, &path, Some(&admin), Some(json!({"score": 99})))
        .await;
    refused.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(refused.body["details"]["fields"][0]["field"], "score");

    // New weights apply when asked: a new card with their version; asking again changes nothing.
    let only_fit = json!({"company_fit": 1, "intent_signal": 0, "budget_indicator": 0, "urgency": 0, "engagement": 0});
    let weights = app
        .call(Method::PUT, "/api/v1/scoring/weights", Some(&admin), Some(only_fit))
        .await;
    assert_eq!(weights.body["version"], 2);
    let rescored = app
        .call(Method::POST, &format!("{path}/score"), Some(&admin), None)
        .await;
    assert_eq!(rescored.status, StatusCode::OK, "{}", rescored.body);
    let card = &rescored.body["lead"]["score_card"];
    assert_eq!(card["weights_version"], 2);
    assert_eq!(card["overall_score"], card["sub_scores"]["company_fit"]);
    let again = app
        .call(Method::POST, &format!("{path}/recalculate"), Some(&admin), None)
        .await;
    assert_eq!(
        again.body["version"], rescored.body["version"],
        "an unchanged card appends nothing"
    );

    // Back to the default weights, and a message that cools the lead: it changes tier.
    let defaults =
        json!({"company_fit": 0.3, "intent_signal": 0.35, "budget_indicator": 0.1, "urgency": 0.2, "engagement": 0.05});
    app.call(Method::PUT, "/api/v1/scoring/weights", Some(&admin), Some(defaults))
        .await;
    let cooled = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"message": "Just looking, no rush, too expensive for us", "source": "csv"})),
        )
        .await;
    assert_eq!(cooled.status, StatusCode::OK, "{}", cooled.body);
    let cooled_card = &cooled.body["lead"]["score_card"];
    assert_ne!(cooled_card["tier"], "HOT", "{cooled_card}");
    assert_eq!(cooled_card["weights_version"], 3);
    assert!(cooled_card["factors"]["negative"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["signal"] == "no_rush"));

    // The read model shows the tier, the card and the move on the timeline.
    app.wait_projected(&admin, cooled.position()).await;
    let detail = app.call(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(detail.body["tier"], cooled_card["tier"]);
    assert_eq!(detail.body["score"], cooled_card["overall_score"]);
    assert_eq!(detail.body["qualification"], *cooled_card);
    let moves: Vec<&serde_json::Value> = detail.body["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["activity_type"] == "tier_changed")
        .collect();
    assert_eq!(moves.len(), 1, "{}", detail.body["activities"]);
    assert_eq!(moves[0]["metadata"]["from"], "HOT");

    // And the events are on the topic for analysts and subscribers.
    let events = app.event_count().await as usize;
    let messages = read_topic(&app.brokers, &app.lead_topic(), events, Duration::from_secs(20));
    let types: Vec<&str> = messages.iter().filter_map(|m| m.value["event_type"].as_str()).collect();
    assert!(
        types.contains(&"lead.scored") && types.contains(&"lead.score_changed"),
        "{types:?}"
    );
    app.stop().await;
}
