use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder};
use leadstream_api_conventions::ApiError;
use leadstream_domain::lead::LeadError;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::{CommandError, CommandOutcome};

/// The header that carries the global position of a command's last event.
pub const EVENT_POSITION_HEADER: &str = "x-event-position";

/// Renders a command's outcome: the lead's id, version, position and new state, with the
/// position and version also as headers (`X-Event-Position`, `ETag`).
pub fn command_response(status: StatusCode, outcome: CommandOutcome) -> HttpResponse {
    let mut response = command_headers(status, &outcome);
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/api/v1/leads/{}", outcome.lead_id)));
    }
    if status == StatusCode::NO_CONTENT {
        return response.finish();
    }
    response.json(CommandAnswer {
        id: outcome.lead_id,
        version: outcome.version,
        position: outcome.position,
        lead: outcome.lead,
    })
}

/// A response with the outcome's version as `ETag` and position as `X-Event-Position`.
pub fn command_headers(status: StatusCode, outcome: &CommandOutcome) -> HttpResponseBuilder {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, format!("\"{}\"", outcome.version)));
    if let Some(position) = outcome.position {
        response.insert_header((EVENT_POSITION_HEADER, position.to_string()));
    }
    response
}

/// What a lead command answers: the lead's id, its version and event position after the
/// command, and its new state.
#[derive(Serialize, ToSchema)]
pub struct CommandAnswer {
    id: uuid::Uuid,
    /// The lead's version (also in `ETag`); send it back in `If-Match` to make a change conditional.
    version: u64,
    /// The global position of the command's last event (also in `X-Event-Position`); pass it
    /// as `min_position` to read your write.
    position: Option<i64>,
    /// The lead as the command left it.
    #[schema(value_type = Object)]
    lead: leadstream_domain::lead::Lead,
}

/// Reads `If-Match: "<version>"` (quotes optional) as the version a command expects.
pub fn expected_version(req: &actix_web::HttpRequest) -> Result<Option<u64>, ApiError> {
    let Some(raw) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    raw.to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| ApiError::bad_request("INVALID_IF_MATCH", "If-Match must be a lead version, e.g. \"3\""))
}

/// Maps a refused command onto the error shape.
pub fn command_error(error: CommandError) -> ApiError {
    match error {
        CommandError::Domain(LeadError::NotFound | LeadError::Erased) => ApiError::not_found("lead"),
        CommandError::Domain(LeadError::Forbidden(why)) => ApiError::forbidden(why),
        CommandError::Domain(LeadError::AlreadyExists) => ApiError::conflict("LEAD_EXISTS", "lead already exists"),
        CommandError::Domain(LeadError::Invalid(errors)) => ApiError::validation(errors),
        CommandError::VersionMismatch { expected, actual } => ApiError::conflict(
            "VERSION_CONFLICT",
            format!("the lead is at version {actual}, not {expected}; reload and retry"),
        )
        .with_details(json!({ "expected_version": expected, "current_version": actual })),
        CommandError::Contended => {
            ApiError::conflict("WRITE_CONTENDED", "too many concurrent writers on this lead; retry")
        }
        CommandError::Store(e) => ApiError::internal(e),
    }
}

/// The instant a command of this request is issued at, from the app's injected clock (a test's
/// manual clock moves every command, leads included).
pub fn issued_now(req: &actix_web::HttpRequest) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
    req.app_data::<actix_web::web::Data<crate::clock::Clock>>()
        .map(|clock| clock.now())
        .ok_or_else(|| ApiError::internal("no clock registered"))
}

/// The metadata of a command issued by this request: caused by the request's id, correlated by
/// `correlation_id` (the request id when `None`).
pub fn request_metadata(
    principal: &leadstream_api_conventions::Principal,
    issued_at: chrono::DateTime<chrono::Utc>,
    correlation_id: Option<String>,
) -> crate::CommandMetadata {
    let request_id =
        leadstream_api_conventions::current_request_id().unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    crate::CommandMetadata {
        tenant_id: principal.tenant_id,
        issued_at,
        actor: principal.actor.clone(),
        correlation_id: correlation_id.unwrap_or_else(|| request_id.clone()),
        causation_id: request_id,
    }
}
