use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::web::{self, ServiceConfig};
use serde_json::json;

use crate::ApiError;

/// The largest JSON body any endpoint reads.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// Registers body-size limits and turns every extractor failure into the one error shape.
pub fn configure_input_limits(cfg: &mut ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(MAX_JSON_BODY_BYTES)
            .error_handler(|error, _| json_error(error).into()),
    )
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

fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("request body exceeds {MAX_JSON_BODY_BYTES} bytes"),
        )
        .with_details(json!({ "limit_bytes": MAX_JSON_BODY_BYTES })),
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
