//! The OpenAPI document, built from the same route lists the servers register from, so every
//! route is described and nothing described is missing. Swagger UI at `/docs` is vendored into
//! the binary: nothing is fetched from the internet.

use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use leadstream_api_conventions::{ApiRoute, ErrorBody, SchemaSource};
use serde_json::{json, Map, Value};
use utoipa::openapi::{RefOr, Schema};

use crate::app::{api_routes, Parts};

/// The document as served, computed once at start-up.
#[derive(Clone)]
pub struct OpenApiDocument(pub Value);

/// The documentation routes.
pub fn routes() -> Vec<ApiRoute> {
    vec![
        ApiRoute::get("/openapi.json", openapi_json)
            .summary("This OpenAPI document")
            .public()
            .answers::<OpenApiObject>(200),
        ApiRoute::get("/docs", docs)
            .summary("Swagger UI over this document (redirects to /docs/)")
            .public()
            .answers_empty(308),
    ]
}

/// An OpenAPI 3.1 document.
#[derive(utoipa::ToSchema)]
pub struct OpenApiObject {
    #[allow(dead_code)]
    openapi: String,
    #[allow(dead_code)]
    #[schema(value_type = Object)]
    paths: Value,
}

async fn openapi_json(document: web::Data<OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok().json(&document.0)
}

async fn docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("location", "/docs/"))
        .finish()
}

/// Swagger UI, served under `/docs/`, reading `/openapi.json`.
pub fn swagger_ui() -> utoipa_swagger_ui::SwaggerUi {
    utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::from("/openapi.json"))
}

/// The OpenAPI document for the routes `parts` serve.
pub fn openapi_document(parts: Parts) -> Value {
    let mut schemas: Vec<(String, RefOr<Schema>)> = vec![];
    (SchemaSource::of::<ErrorBody>().collect)(&mut schemas);
    let mut paths = Map::new();
    for route in api_routes(parts) {
        let operation = operation(&route, &mut schemas);
        let item = paths.entry(route.path).or_insert_with(|| json!({}));
        item[route.method.as_str().to_lowercase()] = operation;
    }
    let mut components = Map::new();
    for (name, schema) in schemas {
        let schema = serde_json::to_value(schema).unwrap_or(Value::Null);
        // Two types documented under one name would make one of them lie (it happened:
        // a sent message and a confirmation were both `MessageAnswer`).
        if let Some(known) = components.get(&name) {
            assert_eq!(known, &schema, "two different schemas are both named {name}");
        }
        components.insert(name, schema);
    }
    components.insert(
        leadstream_api_conventions::field_schema::JSON_VALUE.to_string(),
        json_value_schema(),
    );
    for schema in components.values_mut() {
        refuse_nul_in_free_text(schema);
    }
    for item in paths.values_mut() {
        for operation in item.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
            for parameter in operation["parameters"].as_array_mut().into_iter().flatten() {
                refuse_nul_in_free_text(&mut parameter["schema"]);
            }
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "leadstream",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Event-sourced lead management: commands append events, projections build the read \
                models. Authenticate with `Authorization: Bearer <access token or API key>` or \
                `X-API-Key: <key>`. Every error has the `Error` shape; every response carries \
                `X-Request-ID`, `X-Process-Time` and the `X-RateLimit-*` headers.",
        },
        "security": [{ "bearer": [] }, { "apiKey": [] }],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access token from login or registration, or an API key",
                },
                "apiKey": { "type": "apiKey", "in": "header", "name": "X-API-Key" },
            },
        },
    })
}

fn operation(route: &ApiRoute, schemas: &mut Vec<(String, RefOr<Schema>)>) -> Value {
    let doc = &route.doc;
    let mut parameters = vec![];
    for name in route
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
    {
        // Resources are named by UUID; versions by number.
        let schema = if name == "version" {
            json!({ "type": "integer", "minimum": 1 })
        } else {
            json!({ "type": "string", "format": "uuid" })
        };
        parameters.push(json!({ "name": name, "in": "path", "required": true, "schema": schema }));
    }
    if let Some(query) = doc.query {
        let mut own = vec![];
        (query.collect)(&mut own);
        let properties = own
            .first()
            .and_then(|(_, schema)| serde_json::to_value(schema).ok())
            .and_then(|schema| schema.get("properties").cloned())
            .and_then(|p| p.as_object().cloned())
            .unwrap_or_default();
        for (name, schema) in properties {
            let mut parameter = json!({ "name": name, "in": "query", "required": false, "schema": schema });
            if let Some(description) = schema.get("description") {
                parameter["description"] = description.clone();
            }
            parameters.push(parameter);
        }
    }
    if doc.reads.is_some() {
        parameters.push(json!({
            "name": "min_position", "in": "query", "required": false,
            "description": "Read your writes: wait (at most 2 s) until the read models this route reads have \
                passed this event position (a command's `position`); `X-Projection-Caught-Up` says whether they did",
            "schema": { "type": "integer", "minimum": 0, "maximum": i64::MAX, "format": "int64" }
        }));
        parameters.push(json!({
            "name": "X-Min-Position", "in": "header", "required": false,
            "description": "The header alternative to `min_position`",
            "schema": { "type": "integer", "minimum": 0, "maximum": i64::MAX, "format": "int64" }
        }));
    }
    if route.method == Method::POST && !doc.public {
        parameters.push(json!({
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "Repeating a POST with the same key and body returns the first answer and writes nothing",
            "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]([\t -~]*[!-~])?$" }
        }));
    }
    if doc.conflicts && route.path.starts_with("/api/v1/leads/{id}") {
        parameters.push(json!({
            "name": "If-Match", "in": "header", "required": false,
            "description": "The lead version the change expects, e.g. \"3\"; 409 VERSION_CONFLICT when it moved on",
            "schema": { "type": "string", "pattern": "^(W/)?\"?[0-9]{1,18}\"?$" }
        }));
    }

    let mut responses = Map::new();
    if let Some((status, body)) = doc.response {
        let mut answer = json!({ "description": reason(status) });
        if doc.reads.is_some() {
            answer["headers"] = json!({
                "X-Projection-Caught-Up": {
                    "description": "With `min_position`: whether the read models had passed it before the answer",
                    "schema": { "type": "string", "enum": ["true", "false"] }
                }
            });
        }
        if let Some(body) = body {
            (body.collect)(schemas);
            answer["content"] = json!({ "application/json": { "schema": schema_ref(&(body.name)()) } });
        } else if let Some(media_type) = doc.text {
            answer["content"] = json!({ media_type: { "schema": { "type": "string" } } });
        }
        responses.insert(status.to_string(), answer);
    }
    // 429 for every route; 422 too: a query parameter or path segment holding a NUL is refused.
    let mut errors = vec![422, 429];
    if doc.request.is_some() {
        errors.extend([400, 413, 415, 422]);
    }
    if doc.query.is_some() {
        errors.extend([400, 422]);
    }
    if doc.reads.is_some() {
        errors.push(400);
    }
    if !doc.public {
        errors.extend([401, 403]);
    }
    // A public route that takes a body checks what it carries: a password, a token, a signature.
    if doc.public && doc.request.is_some() {
        errors.push(401);
    }
    // A path names a resource; so may a body (`lead_id`): either may not exist for the caller.
    if route.path.contains('{') || (doc.request.is_some() && !doc.public) {
        errors.push(404);
    }
    // `Idempotency-Key`: malformed (400), its first request still running (409), or used
    // before for another request (422, as the IETF draft on the header says).
    if route.method == Method::POST && !doc.public {
        errors.extend([400, 409, 422]);
    }
    // `If-Match`: malformed (400).
    if doc.conflicts && route.path.starts_with("/api/v1/leads/{id}") {
        errors.push(400);
    }
    if doc.conflicts {
        errors.push(409);
    }
    errors.sort_unstable();
    errors.dedup();
    for status in errors {
        responses.insert(
            status.to_string(),
            json!({
                "description": reason(status),
                "content": { "application/json": { "schema": schema_ref("Error") } }
            }),
        );
    }

    let mut operation = json!({
        "operationId": operation_id(route),
        "summary": doc.summary,
        "tags": [tag(route.path)],
        "parameters": parameters,
        "responses": responses,
    });
    if let Some(body) = doc.request {
        (body.collect)(schemas);
        let content = match doc.upload {
            Some(media_type) => json!({
                "multipart/form-data": { "schema": schema_ref(&(body.name)()) },
                // The file's own text: any body is text on the wire, so only its NUL-free-ness
                // is declared (a type would be one the server cannot tell apart).
                media_type: { "schema": { "pattern": NO_NUL } }
            }),
            None => {
                json!({ "application/json": { "schema": body_schema(&(body.name)(), doc.one_of_fields, doc.one_positive_fields) } })
            }
        };
        operation["requestBody"] = json!({ "required": !doc.body_optional, "content": content });
    }
    if doc.public {
        operation["security"] = json!([]);
    }
    operation
}

// What text PostgreSQL refuses (a NUL), the server refuses in every field: a string the
// document otherwise leaves free says so with this pattern.
use leadstream_api_conventions::field_schema::NO_NUL;

/// Adds [`NO_NUL`] to every string schema under `schema` that has no pattern, enum or format.
fn refuse_nul_in_free_text(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let is_string = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                _ => false,
            };
            let constrained = ["pattern", "enum", "format", "const"]
                .iter()
                .any(|k| map.contains_key(*k));
            if is_string && !constrained {
                map.insert("pattern".into(), json!(NO_NUL));
            }
            for (key, value) in map.iter_mut() {
                // Examples and defaults are values, not schemas.
                if !matches!(key.as_str(), "example" | "examples" | "default" | "enum" | "const") {
                    refuse_nul_in_free_text(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(refuse_nul_in_free_text),
        _ => {}
    }
}

/// Any JSON value whose strings and keys hold no NUL (metadata).
fn json_value_schema() -> Value {
    let me = schema_ref(leadstream_api_conventions::field_schema::JSON_VALUE);
    json!({
        "description": "Any JSON value; no string or key in it holds a NUL character",
        "anyOf": [
            { "type": ["null", "boolean", "number"] },
            { "type": "string", "pattern": NO_NUL },
            { "type": "array", "items": me },
            { "type": "object", "additionalProperties": me, "propertyNames": { "pattern": NO_NUL } }
        ]
    })
}

/// The body schema `name`, needing at least one of `one_of` given (present and not `null`).
/// The body `name`, giving at least one of `one_of` and with at least one of `one_positive`
/// above zero.
fn body_schema(name: &str, one_of: &[&str], one_positive: &[&str]) -> Value {
    let any = |fields: &[&str], field_schema: Value| -> Option<Value> {
        let given: Vec<Value> = fields
            .iter()
            .map(|field| json!({ "required": [field], "properties": { *field: field_schema.clone() } }))
            .collect();
        (!given.is_empty()).then(|| json!({ "anyOf": given }))
    };
    let rules: Vec<Value> = [
        any(one_of, json!({ "not": { "type": "null" } })),
        any(one_positive, json!({ "exclusiveMinimum": 0 })),
    ]
    .into_iter()
    .flatten()
    .collect();
    if rules.is_empty() {
        return schema_ref(name);
    }
    json!({ "allOf": std::iter::once(schema_ref(name)).chain(rules).collect::<Vec<_>>() })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// `post_api_v1_leads_id_notes` for `POST /api/v1/leads/{id}/notes`.
fn operation_id(route: &ApiRoute) -> String {
    let path: String = route
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = path.split('_').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("_");
    format!(
        "{}_{}",
        route.method.as_str().to_lowercase(),
        if path.is_empty() { "root" } else { &path }
    )
}

/// The API area a path belongs to: `leads`, `auth`, `users`, … or `operations`.
fn tag(path: &str) -> &str {
    path.strip_prefix("/api/v1/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("operations")
}

fn reason(status: u16) -> &'static str {
    actix_web::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Response")
}
