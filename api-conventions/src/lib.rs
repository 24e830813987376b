//! The conventions every leadstream endpoint follows, kept in one place: the JSON error shape,
//! request ids and timing headers, authentication and the principal, and limits on input.

mod access_token;
mod api_error;
mod api_key;
mod api_route;
mod authenticator;
pub mod field_schema;
mod http_metrics;
mod idempotency;
mod input_limits;
mod principal;
mod rate_limit;
mod read_your_writes;
mod request_context;

pub use access_token::{AccessClaims, AccessTokens, IssuedToken, TokenRejection};
pub use api_error::{ApiError, ErrorBody};
pub use api_key::{hash_secret, random_token, NewApiKey};
pub use api_route::{register_routes, ApiRoute, RouteDoc, SchemaSource};
pub use authenticator::Authenticator;
pub use idempotency::{idempotency, IdempotencyStore};
pub use input_limits::{
    configure_input_limits, parse_json, parse_json_value, read_body, refuse_unstorable_text, route_not_found, Json,
    KnownPaths, OptionalJson,
};
pub use principal::{Credential, Principal};
pub use rate_limit::{rate_limit, RateLimiter};
pub use read_your_writes::{
    PositionWaiter, QueryCheck, ReadModel, Reads, Waiter, CAUGHT_UP_HEADER, MAX_WAIT, MIN_POSITION_HEADER,
    MIN_POSITION_PARAM,
};
pub use request_context::{current_request_id, request_context};
