//! Read-your-writes on every read: each authenticated GET the API documents accepts
//! `min_position` (or `X-Min-Position`), refuses a malformed one with 400, and answers with
//! `X-Projection-Caught-Up`; the export and the free slots see the write they were asked to.

mod support;

use chrono::{Datelike, Duration, Utc, Weekday};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Caller, TestApp};
use uuid::Uuid;

/// Every GET of the document that needs credentials, with its path parameters filled in.
async fn authenticated_reads(app: &TestApp, lead: &str) -> Vec<String> {
    let document = app.call(Method::GET, "/openapi.json", None, None).await.body;
    let mut reads = vec![];
    for (path, item) in document["paths"].as_object().expect("paths") {
        let Some(get) = item.get("get") else { continue };
        if get.get("security") == Some(&json!([])) {
            continue;
        }
        let filled = path
            .replace("/leads/{id}", &format!("/leads/{lead}"))
            .replace("{version}", "1")
            .replace("{id}", &Uuid::new_v4().to_string());
        reads.push(filled);
    }
    assert!(reads.len() >= 20, "the document lists the reads: {reads:?}");
    reads
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_honours_min_position_and_refuses_a_malformed_one() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let created = app
        .create_lead(&admin, json!({"name": "Ana", "email": "ana@example.com"}))
        .await;
    let lead = created.body["id"].as_str().unwrap().to_string();
    let position = created.position();
    for path in authenticated_reads(&app, &lead).await {
        let join = if path.contains('?') { '&' } else { '?' };
        for bad in ["abc", "-1", "1.5", ""] {
            app.call(
                Method::GET,
                &format!("{path}{join}min_position={bad}"),
                Some(&admin),
                None,
            )
            .await
            .assert_error(400, "INVALID_MIN_POSITION");
        }
        app.send(Method::GET, &path, Some(&admin), None, &[("x-min-position", "x")])
            .await
            .assert_error(400, "INVALID_MIN_POSITION");
        for answer in [
            app.call(
                Method::GET,
                &format!("{path}{join}min_position={position}"),
                Some(&admin),
                None,
            )
            .await,
            app.send(
                Method::GET,
                &path,
                Some(&admin),
                None,
                &[("x-min-position", &position.to_string())],
            )
            .await,
        ] {
            assert!(answer.status.as_u16() < 500, "GET {path}: {}", answer.body);
            assert_eq!(
                answer.header("x-projection-caught-up").as_deref(),
                Some("true"),
                "GET {path} waited for position {position}: {} {}",
                answer.status,
                answer.body
            );
        }
        // Without a position there is nothing to wait for, and nothing to say.
        let plain = app.call(Method::GET, &path, Some(&admin), None).await;
        assert!(plain.header("x-projection-caught-up").is_none(), "GET {path}");
    }
    app.stop().await;
}

/// The export right after an import holds the imported rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_right_after_an_import_holds_the_imported_rows() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let rows: String = (0..40).map(|i| format!("Lead {i},lead{i}@example.com\n")).collect();
    let imported = app.import_csv(&admin, format!("name,email\n{rows}")).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    let imported = imported.body;
    assert_eq!(imported["imported"], 40, "{imported}");
    let position = imported["position"].as_i64().expect("the import's position");
    let export = app
        .client
        .get(format!(
            "{}/api/v1/leads/export?format=csv&min_position={position}",
            app.base
        ))
        .header(admin.credential.0, &admin.credential.1)
        .send()
        .await
        .unwrap();
    assert_eq!(export.headers()["x-projection-caught-up"], "true");
    let csv = export.text().await.unwrap();
    assert_eq!(csv.lines().count(), 41, "a header and every imported row:\n{csv}");
    for i in 0..40 {
        assert!(csv.contains(&format!("lead{i}@example.com")), "row {i} is missing");
    }
    app.stop().await;
}

async fn slots(app: &TestApp, caller: &Caller, day: &str, position: Option<i64>) -> Vec<String> {
    let after = position.map(|p| format!("&min_position={p}")).unwrap_or_default();
    let answer = app
        .call(
            Method::GET,
            &format!("/api/v1/appointments/available-slots?date={day}{after}"),
            Some(caller),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    if position.is_some() {
        assert_eq!(answer.header("x-projection-caught-up").as_deref(), Some("true"));
    }
    answer.body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap().to_string())
        .collect()
}

/// The free slots right after a booking no longer offer the booked time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slots_right_after_a_booking_no_longer_offer_it() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let hours = json!({"timezone": "UTC", "business_hours": {
        "monday": {"open": "09:00", "close": "17:00"}, "tuesday": {"open": "09:00", "close": "17:00"}}});
    let set = app
        .call(
            Method::PUT,
            "/api/v1/settings/business-hours",
            Some(&admin),
            Some(hours),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let mut monday = Utc::now().date_naive() + Duration::days(7);
    while monday.weekday() != Weekday::Mon {
        monday += Duration::days(1);
    }
    let day = monday.format("%Y-%m-%d").to_string();
    let free = slots(&app, &admin, &day, None).await;
    assert_eq!(free.len(), 16, "{free:?}");
    for (i, starts) in free.iter().take(4).enumerate() {
        let lead = app
            .create_lead(&admin, json!({"name": "Ana", "email": format!("ana{i}@example.com")}))
            .await;
        let booked = app
            .call(
                Method::POST,
                "/api/v1/appointments",
                Some(&admin),
                Some(json!({"lead_id": lead.body["id"], "scheduled_date": starts, "duration": 30})),
            )
            .await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        let now_free = slots(&app, &admin, &day, Some(booked.position())).await;
        assert!(
            !now_free.contains(starts),
            "{starts} is still offered right after its booking"
        );
        assert_eq!(now_free.len(), 15 - i);
    }
    app.stop().await;
}
