use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing::Instrument;
use uuid::Uuid;

/// The header that carries the request id both ways.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served on this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Middleware: gives every request an id (the client's, when it sent a sane one), runs the
/// request inside a tracing span and the id's task-local scope so error bodies can quote it,
/// and stamps `X-Request-ID` and `X-Process-Time` on every response, errors included.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::now_v7().to_string());
    let span = tracing::info_span!("request", request_id = %request_id, method = %req.method(), path = %req.path());
    // Handler and extractor errors are rendered into responses inside this scope (by the
    // route), so their bodies can quote the request id.
    let served = REQUEST_ID.scope(request_id.clone(), next.call(req));
    let mut response = served.instrument(span.clone()).await?.map_into_boxed_body();
    let elapsed = started.elapsed();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let method = response.request().method().to_string();
    crate::http_metrics::record_request(&method, &route, response.status().as_u16(), elapsed);
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("{:.3}", elapsed.as_secs_f64() * 1000.0)) {
        headers.insert(HeaderName::from_static("x-process-time"), value);
    }
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = elapsed.as_secs_f64() * 1000.0,
            "served"
        )
    });
    Ok(response)
}
