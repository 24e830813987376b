//! The lead list's filters and pagination, and a lead's detail, served from the read model.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;
use support::TestApp;

fn ids(answer: &Value) -> Vec<String> {
    answer["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_searches_and_pages_within_the_tenant() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let agent = app.add_user(&tenant, "agent").await.user_id;
    let mut last = 0;
    let mut created = vec![];
    for i in 0..9 {
        let title = ["CEO", "Analyst", "Sales Manager"][i % 3];
        let body = json!({
            "name": format!("Person {i}"),
            "email": format!("p{i}@{}.com", if i % 3 == 0 { "acme" } else { "globex" }),
            "company": if i == 4 { "Initech" } else { "Other" },
            "source": if i % 2 == 0 { "website_form" } else { "csv" },
            "status": if i < 3 { "qualified" } else { "new" },
            // Varied signals, so the scoring engine gives varied scores and tiers.
            "title": title,
            "message": match i {
                8 => "We want a demo this week, budget approved",
                6 => "Please send more information, we decide next quarter",
                2 => "Just looking, no rush",
                _ => "Hello",
            },
        });
        let answer = app.create_lead(&tenant, body).await;
        let id = answer.body["id"].as_str().unwrap().to_string();
        last = answer.position();
        if i == 5 {
            let moved = app
                .call(
                    Method::PUT,
                    &format!("/api/v1/leads/{id}/pipeline"),
                    Some(&tenant),
                    Some(json!({"stage": "won"})),
                )
                .await;
            let assigned = app
                .call(
                    Method::PUT,
                    &format!("/api/v1/leads/{id}/assign"),
                    Some(&tenant),
                    Some(json!({"agent_id": agent})),
                )
                .await;
            last = moved.position().max(assigned.position());
        }
        created.push(id);
    }
    // Another tenant's lead never shows up.
    let other = app
        .create_lead(&app.register_tenant().await, json!({"email": "p1@globex.com"}))
        .await;
    app.wait_projected(&tenant, last.max(other.position())).await;

    let get = |query: String| {
        let (app, tenant) = (&app, &tenant);
        async move {
            let answer = app
                .call(Method::GET, &format!("/api/v1/leads?{query}"), Some(tenant), None)
                .await;
            assert!(answer.status.is_success(), "{query}: {}", answer.body);
            answer.body
        }
    };
    let all = get("".into()).await;
    assert_eq!(all["total"], 9);
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    assert_eq!(ids(&all), newest_first);

    assert_eq!(get("status=qualified".into()).await["total"], 3);
    assert_eq!(get("source=csv".into()).await["total"], 4);
    assert_eq!(
        ids(&get("pipeline_stage=ganado".into()).await),
        vec![created[5].clone()]
    );
    assert_eq!(
        ids(&get("stage=won".into()).await),
        vec![created[5].clone()],
        "English aliases filter too"
    );
    assert_eq!(
        ids(&get(format!("assigned_to={agent}")).await),
        vec![created[5].clone()]
    );
    assert_eq!(
        get("search=ACME".into()).await["total"],
        3,
        "search is case-insensitive over email"
    );
    assert_eq!(
        ids(&get("search=initech".into()).await),
        vec![created[4].clone()],
        "search covers company"
    );
    assert_eq!(get("search=%25".into()).await["total"], 0, "LIKE wildcards are literal");
    // Scores and tiers come from the engine: the filters must agree with what the list shows.
    let scored: Vec<(String, f64, String)> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let tier = l["tier"].as_str().expect("every lead has a tier").to_string();
            (
                l["id"].as_str().unwrap().to_string(),
                l["score"].as_f64().expect("a score"),
                tier,
            )
        })
        .collect();
    let mut scores: Vec<f64> = scored.iter().map(|(_, s, _)| *s).collect();
    scores.sort_by(f64::total_cmp);
    let (low, high) = (scores[2], scores[6]);
    let in_range: Vec<String> = scored
        .iter()
        .filter(|(_, s, _)| (low..=high).contains(s))
        .map(|(id, _, _)| id.clone())
        .collect();
    assert_eq!(ids(&get(format!("min_score={low}&max_score={high}")).await), in_range);
    let hot: Vec<String> = scored
        .iter()
        .filter(|(_, _, t)| t == "HOT")
        .map(|(id, _, _)| id.clone())
        .collect();
    assert_eq!(
        hot,
        vec![created[8].clone()],
        "the CEO asking for a demo this week is HOT: {scored:?}"
    );
    assert_eq!(ids(&get("tier=HOT".into()).await), hot);
    assert_eq!(
        ids(&get("temperature=hot".into()).await),
        hot,
        "seed 000's name, any case"
    );
    let cold = scored.iter().filter(|(_, _, t)| t == "COLD").count();
    assert!(cold > 0);
    assert_eq!(get("tier=cold".into()).await["total"], cold);
    let refused = app
        .call(Method::GET, "/api/v1/leads?tier=lukewarm", Some(&tenant), None)
        .await;
    refused.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(get("status=new&source=website_form".into()).await["total"], 3);
    assert_eq!(
        get("created_after=2000-01-01&created_before=2999-01-01".into()).await["total"],
        9
    );
    assert_eq!(get("created_after=2999-01-01".into()).await["total"], 0);

    // Page style and offset style agree.
    let page2 = get("page=2&per_page=4".into()).await;
    assert_eq!(ids(&page2), newest_first[4..8].to_vec());
    assert_eq!(
        (page2["page"].clone(), page2["skip"].clone(), page2["total"].clone()),
        (json!(2), json!(4), json!(9))
    );
    assert_eq!(ids(&get("skip=4&limit=4".into()).await), newest_first[4..8].to_vec());

    // Cursor style walks every lead once.
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("limit=2&cursor={c}"),
            None => "limit=2".to_string(),
        };
        let page = get(query).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, newest_first);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 9);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_shows_its_last_ten_activities_newest_first_and_erasure_removes_it() {
    let app = TestApp::spawn().await;
    let tenant = app.register_tenant().await;
    let created = app
        .create_lead(&tenant, json!({"email": "busy@example.com", "name": "Busy"}))
        .await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let mut last = 0;
    for i in 0..12 {
        let answer = app
            .call(
                Method::POST,
                &format!("/api/v1/leads/{id}/activities"),
                Some(&tenant),
                Some(json!({"activity_type": "call", "description": format!("call {i}"), "metadata": {"n": i}})),
            )
            .await;
        assert_eq!(answer.status.as_u16(), 201, "{}", answer.body);
        // Snapshots are taken every 5 events in tests: the state still counts every activity.
        assert_eq!(answer.body["lead"]["activity_count"], i + 1);
        last = answer.position();
    }
    app.wait_projected(&tenant, last).await;
    let detail = app
        .call(Method::GET, &format!("/api/v1/leads/{id}"), Some(&tenant), None)
        .await;
    let activities = detail.body["activities"].as_array().unwrap();
    assert_eq!(activities.len(), 10);
    assert_eq!(activities[0]["description"], "call 11");
    assert_eq!(activities[0]["metadata"], json!({"n": 11}));
    assert_eq!(activities[9]["description"], "call 2");
    assert_eq!(detail.body["activity_count"], 12);
    // Created and scored, twelve activities, and a rescore for each of the first four: more
    // activity and calls count only up to a cap.
    assert_eq!(detail.body["version"], 2 + 12 + 4);

    let erased = app
        .call(Method::DELETE, &format!("/api/v1/leads/{id}"), Some(&tenant), None)
        .await;
    assert_eq!(erased.status.as_u16(), 204);
    let gone = app
        .call(
            Method::GET,
            &format!("/api/v1/leads/{id}?min_position={}", erased.position()),
            Some(&tenant),
            None,
        )
        .await;
    gone.assert_error(404, "RESOURCE_NOT_FOUND");
    let personal: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM leads WHERE email = 'busy@example.com') + (SELECT count(*) FROM lead_activities WHERE lead_id::text = $1)",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(personal, 0, "erasure leaves no personal data in the read model");
    let again = app
        .call(
            Method::PATCH,
            &format!("/api/v1/leads/{id}"),
            Some(&tenant),
            Some(json!({"company": "X"})),
        )
        .await;
    again.assert_error(404, "RESOURCE_NOT_FOUND");
    app.stop().await;
}
