use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use leadstream_domain::ValidationErrors;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt;
use utoipa::ToSchema;

use crate::request_context::current_request_id;

/// Every error any endpoint returns, rendered as
/// `{"error", "code", "message", "details", "request_id"}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Value,
}

impl ApiError {
    /// An error with an explicit status and machine-readable code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Value::Null,
        }
    }

    /// Attaches structured details (field errors, limits, …).
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// Malformed input the server cannot read (bad JSON, bad query string).
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// Well-formed input whose fields break a rule; `details` lists each field.
    pub fn validation(errors: ValidationErrors) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "some fields are invalid",
        )
        .with_details(json!({ "fields": errors.0 }))
    }

    /// A resource that does not exist for the caller's tenant.
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND", format!("{what} not found"))
    }

    /// A write that lost a race or contradicts the current state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// No credentials where they are required.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "AUTHENTICATION_REQUIRED", message)
    }

    /// Credentials were given and are no good (`code` says how).
    pub fn bad_credentials(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// The caller is known, and its role does not allow this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    /// A failure of ours; the cause is logged, not shown.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "internal error; quote the request_id when reporting it",
        )
    }
}

/// The one error shape every endpoint answers with.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// The HTTP status's reason phrase.
    pub error: String,
    /// A stable, machine-readable code such as `VALIDATION_ERROR`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// More about it, or `null`: for validation errors, `fields` lists each rejected field.
    #[schema(value_type = Option<Object>)]
    pub details: Value,
    /// The request's id, as in `X-Request-ID`: quote it when reporting a problem.
    pub request_id: Option<String>,
}

impl ApiError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(ErrorBody {
            error: self.status.canonical_reason().unwrap_or("Error").to_string(),
            code: self.code.to_string(),
            message: self.message.clone(),
            details: self.details.clone(),
            request_id: current_request_id(),
        })
    }
}
