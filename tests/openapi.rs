//! The OpenAPI document: valid OpenAPI 3.1, the same as `schemas/openapi.json`, listing exactly
//! the routes the servers register, each of which is really served; Swagger UI is served too.

mod support;

use leadstream::app::api_routes;
use leadstream::Parts;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;
use support::TestApp;

fn repo_file(path: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_valid_complete_and_in_step_with_schemas() {
    let app = TestApp::spawn().await;
    let served = app.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(served.status, StatusCode::OK);
    let document = served.body;

    // Valid against the OpenAPI 3.1 schema (vendored from the OpenAPI Initiative's).
    let meta = repo_file("schemas/vendor/openapi-3.1.schema.json");
    let validator = jsonschema::options().build(&meta).expect("the OpenAPI schema compiles");
    let errors: Vec<String> = validator.iter_errors(&document).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "not valid OpenAPI 3.1: {errors:#?}");
    assert!(
        !validator.is_valid(&serde_json::json!({"openapi": "3.1.0", "paths": {}})),
        "the validator refuses a document without info"
    );
    assert_eq!(document["openapi"], "3.1.0");

    // The copy in schemas/ is what the code serves.
    assert!(
        repo_file("schemas/openapi.json") == document,
        "schemas/openapi.json is stale: run `cargo run -- openapi > schemas/openapi.json`"
    );

    // Exactly the registered routes are documented, each with a summary and its answers.
    let registered: BTreeSet<(String, String)> = api_routes(Parts::ALL)
        .iter()
        .map(|r| (r.method.as_str().to_lowercase(), r.path.to_string()))
        .collect();
    let mut documented = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            documented.insert((method.clone(), path.clone()));
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path} has no summary"
            );
            let responses = operation["responses"].as_object().expect("responses");
            assert!(
                responses
                    .keys()
                    .any(|status| status.starts_with('2') || status.starts_with('3')),
                "{method} {path} documents no success"
            );
            assert!(
                responses.contains_key("429"),
                "{method} {path}: every call may be rate limited"
            );
            if operation.get("security") != Some(&Value::Array(vec![])) {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path}: protected, so 401 is documented"
                );
            }
        }
    }
    assert_eq!(documented, registered, "documented and registered routes differ");
    assert!(registered.len() >= 30, "only {} routes", registered.len());

    // Every documented operation is served: none is an unknown route or a wrong method.
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", &uuid::Uuid::now_v7().to_string())
            .replace("{version}", "1");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .client
            .request(method.clone(), format!("{}{concrete}", app.base))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_ne!(body["code"], "ROUTE_NOT_FOUND", "{method} {path} is not served");
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
    }

    // Schemas every endpoint shares are there, and requests and responses point at them.
    let schemas = &document["components"]["schemas"];
    for name in [
        "Error",
        "Lead",
        "CreateLeadRequest",
        "TokenAnswer",
        "UserView",
        "CommandAnswer",
    ] {
        assert!(schemas.get(name).is_some(), "no {name} schema");
    }
    let create = &document["paths"]["/api/v1/leads"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CreateLeadRequest"
    );
    assert_eq!(
        create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CommandAnswer"
    );
    let list_parameters: Vec<&str> = document["paths"]["/api/v1/leads"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for filter in ["status", "pipeline_stage", "search", "cursor", "min_position"] {
        assert!(list_parameters.contains(&filter), "list filter {filter} undocumented");
    }

    // Swagger UI, from the binary.
    let ui = app.client.get(format!("{}/docs/", app.base)).send().await.unwrap();
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().to_lowercase().contains("swagger"));
    app.stop().await;
}
