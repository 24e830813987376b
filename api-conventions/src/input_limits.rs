use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::web::{self, ServiceConfig};
use serde_json::json;

use crate::ApiError;

/// The largest JSON body any endpoint reads.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// The largest raw body read whole (CSV uploads; and any body an `Idempotency-Key` makes the
/// idempotency layer hash). Endpoints set their own, lower limits.
pub const MAX_RAW_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Registers body-size limits and turns every extractor failure into the one error shape.
pub fn configure_input_limits(cfg: &mut ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(MAX_JSON_BODY_BYTES)
            .error_handler(|error, _| json_error(error).into()),
    )
    .app_data(web::PayloadConfig::new(MAX_RAW_BODY_BYTES))
    .app_data(web::QueryConfig::default().error_handler(|error, _| query_error(error).into()))
    .app_data(web::PathConfig::default().error_handler(|error, _| path_error(error).into()));
}

/// The fallback for paths no route serves.
pub async fn route_not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        "ROUTE_NOT_FOUND",
        "no such endpoint",
    ))
}

/// Reads a body of at most `limit` bytes, for endpoints that take more than the JSON limit.
pub async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, ApiError> {
    use futures_util::StreamExt;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request("INVALID_BODY", format!("cannot read the body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Parses a JSON body read by hand, with the JSON extractor's errors.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| json_error(JsonPayloadError::Deserialize(e)))
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        format!("request body exceeds {limit} bytes"),
    )
    .with_details(json!({ "limit_bytes": limit }))
}

fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            too_large(MAX_JSON_BODY_BYTES)
        }
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the body as application/json",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::bad_request(
            "INVALID_BODY",
            format!("the body does not match the expected fields: {e}"),
        ),
        JsonPayloadError::Deserialize(e) => {
            ApiError::bad_request("MALFORMED_JSON", format!("the body is not valid JSON: {e}"))
        }
        other => ApiError::bad_request("INVALID_BODY", other.to_string()),
    }
}

fn query_error(error: QueryPayloadError) -> ApiError {
    ApiError::bad_request("INVALID_QUERY", format!("the query string is invalid: {error}"))
}

fn path_error(error: PathError) -> ApiError {
    // A path segment that cannot be an id names nothing that exists.
    ApiError::new(
        StatusCode::NOT_FOUND,
        "RESOURCE_NOT_FOUND",
        format!("no such resource: {error}"),
    )
}
