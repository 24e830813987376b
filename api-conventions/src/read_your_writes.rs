//! Read-your-writes on every read, declared with the route: a GET may name the position a
//! command returned (`min_position`, or the `X-Min-Position` header) and wait, briefly, until
//! the read models it is served from have passed it. One middleware does this for every route,
//! so no read can forget it; `X-Projection-Caught-Up` says whether the wait got there.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Uri;
use actix_web::middleware::Next;
use actix_web::web;
use futures_util::future::LocalBoxFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::input_limits::percent_decoded;
use crate::ApiError;

/// The longest a read waits for projections to catch up.
pub const MAX_WAIT: Duration = Duration::from_secs(2);
/// The query parameter naming the position to read after.
pub const MIN_POSITION_PARAM: &str = "min_position";
/// Its header alternative.
pub const MIN_POSITION_HEADER: &str = "x-min-position";
/// The answer header that says whether the wait reached the position.
pub const CAUGHT_UP_HEADER: &str = "x-projection-caught-up";

/// A read model: the projection that builds it and the aggregate type whose events it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadModel {
    pub projection: &'static str,
    pub aggregate_type: &'static str,
}

/// What a GET route is served from, for read-your-writes.
#[derive(Debug, Clone, Copy)]
pub enum Reads {
    /// Rows the command side writes in the command's own transaction: current by construction,
    /// so any position already committed is visible.
    Store,
    /// Read models built by these projections; the read waits for each of them.
    Models(&'static [ReadModel]),
}

/// Waits for a projection to pass a position; the query side provides it.
pub trait PositionWaiter: Send + Sync {
    /// Whether `model`'s projection passed `position` before `deadline`.
    fn wait_for(
        &self,
        model: ReadModel,
        position: i64,
        deadline: Instant,
    ) -> LocalBoxFuture<'_, Result<bool, ApiError>>;
}

/// The process's waiter, as app data.
#[derive(Clone)]
pub struct Waiter(pub Arc<dyn PositionWaiter>);

/// Checks a route's own query parameters before any wait, so bad input is refused at once.
pub type QueryCheck = fn(&str) -> Result<(), ApiError>;

/// The position the caller wants to read after: the query parameter, else the header. A
/// malformed one is a 400.
pub fn requested_position(req: &ServiceRequest) -> Result<Option<i64>, ApiError> {
    let parse = |raw: &str| raw.trim().parse::<i64>().ok().filter(|p| *p >= 0).ok_or_else(invalid);
    let from_query = req.query_string().split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decoded(name) == MIN_POSITION_PARAM).then(|| percent_decoded(value))
    });
    // Both are checked when both are sent; the query parameter wins.
    let from_header = match req.headers().get(MIN_POSITION_HEADER) {
        Some(value) => Some(parse(value.to_str().map_err(|_| invalid())?)?),
        None => None,
    };
    match from_query {
        Some(raw) => parse(&raw).map(Some),
        None => Ok(from_header),
    }
}

fn invalid() -> ApiError {
    ApiError::bad_request(
        "INVALID_MIN_POSITION",
        "min_position (or X-Min-Position) must be a non-negative integer",
    )
}

/// The request's URI without `min_position`, so the route's own query type never sees it.
fn without_min_position(uri: &Uri) -> Option<Uri> {
    let query = uri.query()?;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| percent_decoded(pair.split('=').next().unwrap_or_default()) != MIN_POSITION_PARAM)
        .collect();
    let path_and_query = if kept.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{}", uri.path(), kept.join("&"))
    };
    Uri::try_from(path_and_query).ok()
}

/// Middleware for one route: validates the requested position, checks the route's own query
/// first (when it has a check), waits for what the route reads, then answers with
/// `X-Projection-Caught-Up` whenever a position was asked for.
pub async fn read_your_writes(
    reads: Reads,
    check: Option<QueryCheck>,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let position = match requested_position(&req) {
        Ok(position) => position,
        Err(error) => return Ok(req.error_response(error)),
    };
    if let Some(uri) = without_min_position(req.uri()) {
        req.head_mut().uri = uri;
    }
    if let Some(check) = check {
        if let Err(error) = check(req.query_string()) {
            return Ok(req.error_response(error));
        }
    }
    let caught_up = match (position, reads) {
        (None, _) => None,
        (Some(_), Reads::Store) => Some(true),
        (Some(position), Reads::Models(models)) => {
            let Some(waiter) = req.app_data::<web::Data<Waiter>>().cloned() else {
                let error = ApiError::internal("a read-model route is served without a position waiter");
                return Ok(req.error_response(error));
            };
            let deadline = Instant::now() + MAX_WAIT;
            let mut all = true;
            for model in models {
                match waiter.0.wait_for(*model, position, deadline).await {
                    Ok(reached) => all &= reached,
                    Err(error) => return Ok(req.error_response(error)),
                }
            }
            Some(all)
        }
    };
    let mut response = next.call(req).await?.map_into_boxed_body();
    if let Some(caught_up) = caught_up {
        response.headers_mut().insert(
            HeaderName::from_static(CAUGHT_UP_HEADER),
            HeaderValue::from_static(if caught_up { "true" } else { "false" }),
        );
    }
    Ok(response)
}
