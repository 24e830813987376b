//! Text PostgreSQL cannot store (a NUL character) is refused with 422 naming the field, in any
//! JSON body, query string or CSV cell, and nothing is written: never a 500.

mod support;

use reqwest::Method;
use serde_json::{json, Map, Value};
use support::TestApp;
use uuid::Uuid;

const NUL: &str = "a\u{0}b";

/// A body for `schema` with every string (and every string in a list or map) holding a NUL.
fn poisoned(schema: &Value, components: &Value, depth: usize) -> Value {
    let mut schema = schema;
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        schema = &components[reference.trim_start_matches("#/components/schemas/")];
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if depth > 4 {
        return json!(NUL);
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let body: Map<String, Value> = properties
            .iter()
            .map(|(name, property)| (name.clone(), poisoned(property, components, depth + 1)))
            .collect();
        return Value::Object(body);
    }
    // Only text can hold a NUL; other leaves get a value of their type.
    if !types.is_empty() && !types.contains(&"string") && !types.contains(&"array") && !types.contains(&"object") {
        return match types[0] {
            "integer" => json!(1),
            "number" => json!(1.0),
            "boolean" => json!(true),
            _ => Value::Null,
        };
    }
    if types.contains(&"array") {
        return json!([poisoned(&schema["items"], components, depth + 1)]);
    }
    if types.contains(&"object") {
        return json!({ "k": NUL });
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut body = Map::new();
        for part in parts {
            if let Value::Object(fields) = poisoned(part, components, depth + 1) {
                body.extend(fields);
            }
        }
        return Value::Object(body);
    }
    if let Some(variants) = schema.get("oneOf").or(schema.get("anyOf")).and_then(Value::as_array) {
        let variant = variants.iter().find(|v| v["type"] != "null").unwrap_or(&variants[0]);
        return poisoned(variant, components, depth + 1);
    }
    json!(NUL)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_characters_in_any_write_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.register_tenant().await;
    let lead = app
        .create_lead(&admin, json!({"name": "Ana", "email": "ana@example.com"}))
        .await;
    let lead = lead.body["id"].as_str().unwrap().to_string();
    let document = app.call(Method::GET, "/openapi.json", None, None).await.body;
    let components = &document["components"]["schemas"];
    let events = app.event_count().await;
    let (mut checked, mut named) = (0, 0);
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else {
                continue;
            };
            let body = poisoned(schema, components, 0);
            if !body.to_string().contains("\\u0000") {
                continue; // no text in this body to hold one
            }
            let filled = path
                .replace("/leads/{id}", &format!("/leads/{lead}"))
                .replace("{provider}", "vapi")
                .replace("{id}", &Uuid::new_v4().to_string());
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let answer = app
                .call(method.clone(), &filled, Some(&admin), Some(body.clone()))
                .await;
            assert!(
                answer.status.is_client_error(),
                "{method} {filled} with {body}: {} {}",
                answer.status,
                answer.body
            );
            // Text the route reads is refused naming the field; a body whose shape the document
            // leaves open may be refused for its shape first (400): either way, nothing is written.
            if answer.status.as_u16() == 422 {
                answer.assert_error(422, "VALIDATION_ERROR");
                let field = answer.body["details"]["fields"][0]["field"]
                    .as_str()
                    .unwrap_or_default();
                assert!(!field.is_empty(), "{method} {filled} names the field: {}", answer.body);
                named += 1;
            } else if !path.contains('{') || path.starts_with("/api/v1/leads/{id}") {
                answer.assert_error(400, "INVALID_BODY");
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} write routes take a JSON body?");
    assert!(named >= 20, "only {named} of {checked} routes named the field");

    // The reported case: a NUL inside metadata is named by its path.
    let metadata = app
        .call(
            Method::POST,
            "/api/v1/leads",
            Some(&admin),
            Some(json!({"email": "b@example.com", "metadata": {"k": NUL}})),
        )
        .await;
    metadata.assert_error(422, "VALIDATION_ERROR");
    assert_eq!(metadata.body["details"]["fields"][0]["field"], "metadata.k");

    // Query strings and path segments.
    for path in [
        "/api/v1/leads?search=a%00b",
        "/api/v1/calls?status=%00",
        "/api/v1/leads/export?format=csv&source=x%00",
        "/api/v1/webhooks/inbound/va%00pi",
    ] {
        let answer = app.call(Method::GET, path, Some(&admin), None).await;
        answer.assert_error(422, "VALIDATION_ERROR");
    }
    let search = app
        .call(Method::GET, "/api/v1/leads?search=a%00b", Some(&admin), None)
        .await;
    assert_eq!(search.body["details"]["fields"][0]["field"], "search");

    // A CSV cell.
    let import = app
        .import_csv(&admin, "name,email\nok,ok@example.com\nbad\u{0},bad@example.com\n")
        .await;
    import.assert_error(422, "VALIDATION_ERROR");
    let import = import.body;
    assert_eq!(import["details"]["fields"][0]["field"], "file");
    assert!(import["details"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("line 3"));

    assert_eq!(app.event_count().await, events, "nothing was appended");
    app.stop().await;
}
