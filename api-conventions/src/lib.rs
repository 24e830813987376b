//! The conventions every leadstream endpoint follows, kept in one place: the JSON error shape,
//! request ids and timing headers, the principal extractor, and limits on input.

mod api_error;
mod http_metrics;
mod idempotency;
mod input_limits;
mod principal;
mod rate_limit;
mod request_context;

pub use api_error::ApiError;
pub use idempotency::{idempotency, IdempotencyStore};
pub use input_limits::{configure_input_limits, route_not_found};
pub use principal::Principal;
pub use rate_limit::{rate_limit, RateLimiter};
pub use request_context::{current_request_id, request_context};
