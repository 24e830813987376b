//! CSV in and out: an import with valid rows, duplicates and broken rows gives exact counts and
//! line numbers; an export streams what the list's filters select, and imports back unchanged.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use support::{Caller, TestApp};

const BOUNDARY: &str = "leadstream-test-boundary";

/// A multipart form with the CSV as its `file` field.
fn multipart(csv: &str) -> Vec<u8> {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{BOUNDARY}--\r\n"
    )
    .into_bytes()
}

async fn upload(app: &TestApp, caller: &Caller, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let (header, value) = &caller.credential;
    let response = app
        .client
        .post(format!("{}/api/v1/leads/import", app.base))
        .header(*header, value)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn export(app: &TestApp, caller: &Caller, query: &str) -> (StatusCode, String) {
    let (header, value) = &caller.credential;
    let response = app
        .client
        .get(format!("{}/api/v1/leads/export?{query}", app.base))
        .header(*header, value)
        .send()
        .await
        .unwrap();
    let status = response.status();
    if status == StatusCode::OK {
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
    }
    (status, response.text().await.unwrap())
}

/// The CSV's rows as maps from column to value, without the columns the system sets.
fn rows(csv_text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let mut rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .filter(|(h, _)| !["id", "created_at", "updated_at", "assigned_to"].contains(h))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    rows.sort_by(|a, b| (&a["email"], &a["phone"]).cmp(&(&b["email"], &b["phone"])));
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_counts_exactly_and_an_export_round_trips() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let existing = app
        .create_lead(
            &admin,
            json!({"name": "Already Here", "email": "here@acme.io", "company": "Acme"}),
        )
        .await;
    app.wait_projected(&admin, existing.position()).await;

    // Line numbers count the header as line 1; the quoted message spans lines 3 and 4.
    let csv = "name,email,phone,tags,company,city\n\
               Ana Díaz,ana@studio.io,,vip;buyer,Studio,Santiago\n\
               \"Smith, John\",john@smith.co,+14155550123,,Smith Co,\"line one\nline two\"\n\
               Phone Only,,+56 9 1234 5678,,,\n\
               Ana Again,ANA@studio.io,,,,\n\
               Broken Mail,not-an-email,,,,\n\
               Broken Phone,,12345,,,\n\
               Known,here@acme.io,,,,\n\
               No Contact,,,,Nowhere,\n\
               Same Phone,other@x.io,+56912345678,,,\n";
    let (status, answer) = upload(
        &app,
        &admin,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        multipart(csv),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["imported"], 3, "{answer}");
    assert_eq!(answer["duplicates"], 3, "{answer}");
    assert_eq!(answer["invalid"], 3, "{answer}");
    let lines = |key: &str| -> Vec<u64> {
        answer[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(lines("invalid_rows"), [7, 8, 10]);
    assert_eq!(lines("duplicate_rows"), [6, 9, 11]);
    let reasons: Vec<&str> = answer["invalid_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["errors"][0]["field"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["email", "phone", "email"]);
    assert_eq!(answer["duplicate_rows"][0]["matched_on"], "email");
    assert_eq!(answer["duplicate_rows"][2]["matched_on"], "phone");

    // Export: the three imported and the one that was there, as the list has them.
    let position = answer["position"].as_i64().unwrap();
    app.wait_projected(&admin, position).await;
    let (status, exported) = export(&app, &admin, "format=csv").await;
    assert_eq!(status, StatusCode::OK, "{exported}");
    let first = rows(&exported);
    assert_eq!(first.len(), 4, "{exported}");
    let ana = first.iter().find(|r| r["email"] == "ana@studio.io").unwrap();
    assert_eq!(ana["tags"], "buyer;vip");
    assert_eq!(ana["source"], "csv");
    assert_eq!(
        serde_json::from_str::<Value>(&ana["metadata"]).unwrap(),
        json!({"city": "Santiago"})
    );
    let john = first.iter().find(|r| r["email"] == "john@smith.co").unwrap();
    assert_eq!(john["name"], "Smith, John");
    assert_eq!(
        serde_json::from_str::<Value>(&john["metadata"]).unwrap()["city"],
        "line one\nline two"
    );
    assert!(!john["tier"].is_empty() && !john["score"].is_empty());
    // The list's filters apply.
    let (_, only_csv) = export(&app, &admin, "source=csv").await;
    assert_eq!(rows(&only_csv).len(), 3);
    let (_, searched) = export(&app, &admin, "format=CSV&search=acme").await;
    assert_eq!(rows(&searched).len(), 1);

    // Round trip: the export, imported by another tenant as text/csv, exports the same.
    let other = app.register_tenant().await;
    let (status, again) = upload(&app, &other, "text/csv", exported.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (
            again["imported"].as_u64(),
            again["duplicates"].as_u64(),
            again["invalid"].as_u64()
        ),
        (Some(4), Some(0), Some(0))
    );
    app.wait_projected(&other, again["position"].as_i64().unwrap()).await;
    let (_, second) = export(&app, &other, "format=csv").await;
    assert_eq!(rows(&second), first, "the export round-trips");
    // Importing the same file again finds only duplicates.
    let (_, twice) = upload(&app, &other, "text/csv", exported.into_bytes()).await;
    assert_eq!(
        (twice["imported"].as_u64(), twice["duplicates"].as_u64()),
        (Some(0), Some(4))
    );

    // Bad requests get the error shape and write nothing.
    let events = app.event_count().await;
    let (status, body) = upload(&app, &admin, "application/json", b"{}".to_vec()).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (415, Some("UNSUPPORTED_MEDIA_TYPE"))
    );
    // A file without an e-mail or phone column: each row is refused for what it lacks.
    let (status, body) = upload(&app, &admin, "text/csv", b"first,last\nA,B\n".to_vec()).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    assert_eq!(
        (body["imported"].as_u64(), body["invalid"].as_u64()),
        (Some(0), Some(1)),
        "{body}"
    );
    assert_eq!(body["invalid_rows"][0]["line"], 2, "{body}");
    let no_file = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n--{BOUNDARY}--\r\n");
    let (status, _) = upload(
        &app,
        &admin,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        no_file.into_bytes(),
    )
    .await;
    assert_eq!(status.as_u16(), 422);
    assert_eq!(app.event_count().await, events);
    let (status, body) = export(&app, &admin, "format=xml").await;
    assert_eq!(status.as_u16(), 422, "{body}");
    app.stop().await;
}
