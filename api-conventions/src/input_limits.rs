use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web::{self, ServiceConfig};
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use leadstream_domain::validation::{nul_character_error, nul_character_path};
use leadstream_domain::ValidationErrors;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

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
    .app_data(web::PathConfig::default().error_handler(|error, req| {
        // `/appointments/available-slots` asked with PUT reaches `/appointments/{id}`: a path
        // served as it is written, with other methods, is 405, not an id that does not parse.
        let literal = req
            .app_data::<web::Data<KnownPaths>>()
            .and_then(|known| known.allowed(req.path(), true));
        match literal {
            Some(allow) => {
                actix_web::error::InternalError::from_response(error, method_not_allowed(req, &allow)).into()
            }
            None => path_error(error).into(),
        }
    }));
}

/// Every path pattern the app serves, with the methods it answers: what the fallback needs to
/// tell an unknown path (404) from a known path asked with another method (405).
pub struct KnownPaths(Vec<(actix_web::dev::ResourceDef, Vec<actix_web::http::Method>)>);

impl KnownPaths {
    /// The paths and methods of `routes`.
    pub fn of(routes: &[crate::ApiRoute]) -> Self {
        let mut known: Vec<(actix_web::dev::ResourceDef, Vec<actix_web::http::Method>)> = vec![];
        for route in routes {
            match known.iter_mut().find(|(def, _)| def.pattern() == Some(route.path)) {
                Some((_, methods)) => methods.push(route.method.clone()),
                None => known.push((actix_web::dev::ResourceDef::new(route.path), vec![route.method.clone()])),
            }
        }
        Self(known)
    }

    /// The methods `path` is served with (`GET, POST`), if it is a known path; with
    /// `literal_only`, only paths registered without parameters count.
    fn allowed(&self, path: &str, literal_only: bool) -> Option<String> {
        let literal = |def: &actix_web::dev::ResourceDef| def.pattern().is_some_and(|p| !p.contains('{'));
        let mut matching = self.0.iter().filter(|(def, _)| def.is_match(path));
        let found = if literal_only {
            matching.find(|(def, _)| literal(def))
        } else {
            let matching: Vec<_> = matching.collect();
            matching
                .iter()
                .find(|(def, _)| literal(def))
                .or_else(|| matching.first())
                .copied()
        };
        found.map(|(_, methods)| methods.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "))
    }
}

/// 405 in the error shape, with `Allow`.
fn method_not_allowed(req: &HttpRequest, allow: &str) -> actix_web::HttpResponse {
    let error = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("{} is not served here; this path answers {allow}", req.method()),
    );
    let mut response = actix_web::ResponseError::error_response(&error);
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(allow) {
        response.headers_mut().insert(actix_web::http::header::ALLOW, value);
    }
    response
}

/// The fallback for requests no route serves: 405 with `Allow` when the path is served with
/// other methods, else 404.
pub async fn route_not_found(
    req: HttpRequest,
    known: Option<web::Data<KnownPaths>>,
) -> Result<actix_web::HttpResponse, actix_web::Error> {
    match known.and_then(|known| known.allowed(req.path(), false)) {
        Some(allow) => Ok(method_not_allowed(&req, &allow)),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, "ROUTE_NOT_FOUND", "no such endpoint").into()),
    }
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

/// Parses a JSON body read by hand, with the JSON extractor's errors and checks.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| json_error(JsonPayloadError::Deserialize(e)))?;
    from_checked_value(value)
}

/// A JSON body, read within the limits, refused with 422 naming the field when any string or
/// key in it holds text PostgreSQL cannot store, then shaped into `T`. Every handler takes its
/// body through this extractor (or [`parse_json`]), so no such text reaches the database.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The parsed body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(value) = body.await?;
            Ok(Json(from_checked_value(value)?))
        })
    }
}

/// A JSON body that may be left out: a request without a body is `None`; a body that is there
/// is read as [`Json`] reads it, and refused as it would be (an unreadable body is not a
/// missing one).
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
        let headers = req.headers();
        let no_body = match headers.get(CONTENT_LENGTH) {
            Some(length) => length.as_bytes() == b"0",
            None => !headers.contains_key(TRANSFER_ENCODING),
        };
        if no_body {
            return Box::pin(async { Ok(OptionalJson(None)) });
        }
        let body = Json::<T>::from_request(req, payload);
        Box::pin(async move { Ok(OptionalJson(Some(body.await?.0))) })
    }
}

/// Shapes a JSON object already read into `T`, as [`Json`] does: what `T` does not read is
/// dropped, what it reads may not hold NUL.
pub fn parse_json_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    from_checked_value(value)
}

fn from_checked_value<T: DeserializeOwned>(mut value: Value) -> Result<T, ApiError> {
    // Every body is an object of named fields (serde would also fill a struct from a list).
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "INVALID_BODY",
            "the body must be a JSON object of named fields",
        ));
    }
    integral_numbers_as_integers(&mut value);
    // What the endpoint does not read is dropped, not stored: only the fields it reads matter.
    let mut ignored = vec![];
    let parsed = serde_ignored::deserialize(&value, |path| ignored.push(steps(&path)))
        .map_err(|e| json_error(JsonPayloadError::Deserialize(e)))?;
    let mut unread = value;
    for path in &ignored {
        remove_path(&mut unread, path);
    }
    match nul_character_path("", &unread) {
        Some(path) => Err(ApiError::validation(ValidationErrors(vec![nul_character_error(path)]))),
        None => Ok(parsed),
    }
}

/// `332.0` is the integer 332, as JSON Schema reads numbers: written so, it still fills an
/// integer field (serde would refuse it).
fn integral_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            if let Some(float) = number.as_f64() {
                if float.fract() == 0.0 && float.abs() < 9.0e15 {
                    *value = Value::from(float as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// Removes the member at `path` (serde_ignored's `a.b.0.c`) from `value`.
/// One step from a JSON value into a part of it.
enum Step {
    Key(String),
    Index(usize),
}

/// The steps serde_ignored's `path` takes from the root (an `Option` or newtype is no step in
/// the JSON; a key may hold any character, dots included).
fn steps(path: &serde_ignored::Path<'_>) -> Vec<Step> {
    use serde_ignored::Path;
    match path {
        Path::Root => vec![],
        Path::Seq { parent, index } => {
            let mut steps = steps(parent);
            steps.push(Step::Index(*index));
            steps
        }
        Path::Map { parent, key } => {
            let mut steps = steps(parent);
            steps.push(Step::Key(key.clone()));
            steps
        }
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => steps(parent),
    }
}

/// Removes the key `steps` lead to from `value`.
fn remove_path(value: &mut Value, steps: &[Step]) {
    let Some((Step::Key(last), parents)) = steps.split_last() else {
        return;
    };
    let mut at = value;
    for step in parents {
        at = match (at, step) {
            (Value::Object(map), Step::Key(key)) => match map.get_mut(key) {
                Some(next) => next,
                None => return,
            },
            (Value::Array(items), Step::Index(index)) => match items.get_mut(*index) {
                Some(next) => next,
                None => return,
            },
            _ => return,
        };
    }
    if let Value::Object(map) = at {
        map.remove(last);
    }
}

/// Middleware: a query parameter or path segment holding a NUL character (`%00`) is refused
/// with 422 naming it, before any handler reads it. (Header values cannot hold one: the HTTP
/// parser refuses them.)
pub async fn refuse_unstorable_text(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let nul = |raw: &str| raw.contains("%00");
    let offending = req
        .query_string()
        .split('&')
        .find(|pair| nul(pair))
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            percent_decoded(name).replace('\0', "\\u0000")
        })
        .or_else(|| nul(req.path()).then(|| "path".to_string()));
    match offending {
        Some(field) => {
            let error = ApiError::validation(ValidationErrors(vec![nul_character_error(field)]));
            Ok(req.error_response(error))
        }
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// A query-string part, percent-decoded (lossily).
pub(crate) fn percent_decoded(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b'+', ..) => {
                out.push(b' ');
                i += 1;
            }
            (byte, ..) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Step {
        day: u32,
        #[allow(dead_code)]
        weight: f64,
    }

    #[test]
    fn integral_numbers_fill_integer_fields_and_fractions_do_not() {
        let step: Step = parse_json(br#"{"day": 332.0, "weight": 2}"#).unwrap();
        assert_eq!(step.day, 332);
        assert!(parse_json::<Step>(br#"{"day": 3.5, "weight": 1}"#).is_err());
    }

    #[test]
    fn unread_fields_may_hold_anything_read_ones_may_not_hold_nul() {
        let step: Step = parse_json(b"{\"day\": 1, \"weight\": 1, \"note\\u0000\": \"a\\u0000\"}").unwrap();
        assert_eq!(step.day, 1);
        #[derive(Debug, serde::Deserialize)]
        struct Named {
            #[allow(dead_code)]
            name: String,
        }
        let refused = parse_json::<Named>(b"{\"name\": \"a\\u0000b\"}").unwrap_err();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn unread_keys_inside_optional_parts_and_keys_with_dots_are_dropped() {
        #[derive(Debug, serde::Deserialize)]
        struct Criteria {
            budget: Option<String>,
        }
        #[derive(Debug, serde::Deserialize)]
        struct Body {
            criteria: Option<Criteria>,
        }
        let body: Body =
            parse_json(b"{\"criteria\": {\"budget\": \"high\", \"a.b\\u0000\": 1}, \"x.\\u0000\": {}}").unwrap();
        assert_eq!(body.criteria.and_then(|c| c.budget).as_deref(), Some("high"));
    }

    #[test]
    fn a_body_is_an_object() {
        let refused = parse_json::<Step>(b"[1, 2]").unwrap_err();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    }
}
