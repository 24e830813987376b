//! `Idempotency-Key` on any POST: a repeat with the same key and body replays the first answer
//! and writes nothing; the same key with another body (or path) is refused with 422; a repeat
//! that arrives while the first is still running waits for its answer.
//!
//! Keys belong to the principal that sent them (a user, or one API key), not to the tenant:
//! two callers of one tenant never see each other's answers. The row is found by a digest of
//! (principal, key), and the saved answer, which may hold a secret (a new API key) or personal
//! data, is encrypted under a key derived from the server's secret, the principal and the
//! Idempotency-Key itself, which is never stored: a dump of the table reveals no answer.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{FromRequest, HttpResponse};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::time::{Duration, Instant};

use crate::{ApiError, Principal};

/// The request header.
const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on answers that are replays of an earlier one.
const REPLAYED: &str = "idempotent-replayed";
/// The answer headers kept and replayed with the body.
const KEPT_HEADERS: [&str; 4] = ["content-type", "location", "etag", "x-event-position"];
/// How long a repeat waits for the first request's answer.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(10);

/// Where first answers are kept.
#[derive(Clone)]
pub struct IdempotencyStore {
    pool: PgPool,
    secret: Vec<u8>,
}

impl IdempotencyStore {
    /// A store in `pool`'s database, sealing answers with keys derived from `secret`.
    pub fn new(pool: PgPool, secret: &[u8]) -> Self {
        Self {
            pool,
            secret: secret.to_vec(),
        }
    }
}

/// SHA-256 of `pieces`, each preceded by its length, so no two lists of pieces hash alike.
fn length_prefixed_sha256(pieces: &[&[u8]]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for piece in pieces {
        hash.update((piece.len() as u64).to_be_bytes());
        hash.update(piece);
    }
    hash.finalize().into()
}

/// One principal's use of one Idempotency-Key: the row's name and the answer's cipher.
struct ScopedKey {
    digest: String,
    cipher: ChaCha20Poly1305,
}

impl ScopedKey {
    fn new(secret: &[u8], actor: &str, key: &str) -> Self {
        // The row's name does not involve the secret: a new secret must not change a key's scope.
        let digest = length_prefixed_sha256(&[actor.as_bytes(), key.as_bytes()]);
        let sealing = length_prefixed_sha256(&[
            b"leadstream idempotent answer",
            secret,
            actor.as_bytes(),
            key.as_bytes(),
        ]);
        Self {
            digest: digest.iter().map(|b| format!("{b:02x}")).collect(),
            cipher: ChaCha20Poly1305::new(Key::from_slice(&sealing)),
        }
    }

    /// The answer's body, sealed: a random nonce, then the ciphertext.
    fn seal(&self, body: &[u8]) -> Option<Vec<u8>> {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self.cipher.encrypt(&nonce, body).ok()?;
        Some([nonce.as_slice(), &sealed].concat())
    }

    /// A sealed body opened again; `None` when it was not sealed under this key.
    fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 12 {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(12);
        self.cipher.decrypt(Nonce::from_slice(nonce), ciphertext).ok()
    }
}

/// What the store says about a key.
enum Claim {
    /// This request is the first: run it and save its answer.
    First,
    /// The first request's answer, to replay.
    Answered(HttpResponse),
    /// The key was used for another request.
    Mismatch,
    /// The first request is still running.
    Running,
}

/// Middleware: applies `Idempotency-Key` to POSTs from an identified principal.
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get(IDEMPOTENCY_KEY)
        .map(|v| v.to_str().map(str::to_owned));
    let store = req.app_data::<web::Data<IdempotencyStore>>().cloned();
    let (Some(key), Some(store), true) = (key, store, req.method() == Method::POST) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = match key {
        Ok(key) if !key.is_empty() && key.len() <= 255 => key,
        _ => {
            let error = ApiError::bad_request(
                "INVALID_IDEMPOTENCY_KEY",
                "Idempotency-Key must be 1-255 visible ASCII characters",
            );
            return Ok(req.error_response(error));
        }
    };
    // Without a principal the handler answers 401 itself; there is nothing to key on.
    let Ok(principal) = Principal::extract(req.request()).await else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let body = match req.extract::<Bytes>().await {
        Ok(body) => body,
        Err(error) => {
            let error = ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("cannot read the body: {error}"),
            );
            return Ok(req.error_response(error));
        }
    };
    req.set_payload(Payload::from(body.clone()));
    let tenant = principal.tenant_id.0;
    let scoped = ScopedKey::new(&store.secret, &principal.actor, &key);
    let key = scoped.digest.clone();
    let request = [req.path().as_bytes(), b"\n", &body].concat();

    let deadline = Instant::now() + WAIT_FOR_FIRST;
    loop {
        // Errors are rendered here, inside the request-id scope, so their bodies quote it.
        let claimed = match claim(&store.pool, tenant, &scoped, &request).await {
            Ok(claimed) => claimed,
            Err(error) => return Ok(req.error_response(ApiError::internal(error))),
        };
        match claimed {
            Claim::First => break,
            Claim::Answered(response) => return Ok(req.into_response(response)),
            Claim::Mismatch => {
                let error = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used for a different request",
                );
                return Ok(req.error_response(error));
            }
            Claim::Running if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(20)).await,
            Claim::Running => {
                let error = ApiError::conflict(
                    "IDEMPOTENCY_IN_PROGRESS",
                    "the first request with this key is still running",
                );
                return Ok(req.error_response(error));
            }
        }
    }

    let response = match next.call(req).await {
        Ok(response) => response,
        Err(error) => {
            forget(&store.pool, tenant, &key).await;
            return Err(error);
        }
    };
    let (http_request, response) = response.into_parts();
    let status = response.status();
    let mut headers = Map::new();
    for name in KEPT_HEADERS {
        if let Some(value) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            headers.insert(name.to_string(), json!(value));
        }
    }
    let kept = response.headers().clone();
    let body = to_bytes(response.into_body()).await.unwrap_or_default();
    if status.is_server_error() {
        // Our failure, not an answer: let a retry run the request again.
        forget(&store.pool, tenant, &key).await;
    } else {
        match scoped.seal(&body) {
            Some(sealed) => {
                if let Err(error) = save(&store.pool, tenant, &key, status, Value::Object(headers), &sealed).await {
                    tracing::error!(%error, "cannot save the idempotent answer");
                }
            }
            None => tracing::error!("cannot seal the idempotent answer"),
        }
    }
    let mut rebuilt = HttpResponse::build(status);
    for (name, value) in kept.iter() {
        rebuilt.insert_header((name.clone(), value.clone()));
    }
    Ok(ServiceResponse::new(http_request, rebuilt.body(body)))
}

/// Whether the stored request matches, then the saved status, headers and body (if answered).
type StoredAnswer = (bool, Option<i16>, Option<Value>, Option<Vec<u8>>);

async fn claim(pool: &PgPool, tenant: uuid::Uuid, scoped: &ScopedKey, request: &[u8]) -> Result<Claim, sqlx::Error> {
    let key = scoped.digest.as_str();
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (tenant_id, key, request_hash)
         VALUES ($1, $2, encode(sha256($3), 'hex')) ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(key)
    .bind(request)
    .execute(pool)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::First);
    }
    let stored: Option<StoredAnswer> = sqlx::query_as(
        "SELECT request_hash = encode(sha256($3), 'hex'), response_status, response_headers, response_body
           FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
    )
    .bind(tenant)
    .bind(key)
    .bind(request)
    .fetch_optional(pool)
    .await?;
    Ok(match stored {
        // Forgotten between our insert and select: try to claim it again.
        None => Claim::Running,
        Some((false, ..)) => Claim::Mismatch,
        Some((true, Some(status), headers, body)) => {
            let body = body.and_then(|sealed| scoped.open(&sealed));
            Claim::Answered(replay(status, headers, body))
        }
        Some((true, None, ..)) => Claim::Running,
    })
}

fn replay(status: i16, headers: Option<Value>, body: Option<Vec<u8>>) -> HttpResponse {
    let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    if let Some(Value::Object(headers)) = headers {
        for (name, value) in headers {
            if let (Ok(name), Some(Ok(value))) = (
                HeaderName::try_from(name.as_str()),
                value.as_str().map(HeaderValue::from_str),
            ) {
                response.insert_header((name, value));
            }
        }
    }
    response.insert_header((REPLAYED, "true"));
    response.body(body.unwrap_or_default())
}

async fn save(
    pool: &PgPool,
    tenant: uuid::Uuid,
    key: &str,
    status: StatusCode,
    headers: Value,
    body: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys SET response_status = $3, response_headers = $4, response_body = $5
          WHERE tenant_id = $1 AND key = $2",
    )
    .bind(tenant)
    .bind(key)
    .bind(status.as_u16() as i16)
    .bind(headers)
    .bind(body)
    .execute(pool)
    .await?;
    Ok(())
}

async fn forget(pool: &PgPool, tenant: uuid::Uuid, key: &str) {
    let forgotten = sqlx::query("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2")
        .bind(tenant)
        .bind(key)
        .execute(pool)
        .await;
    if let Err(error) = forgotten {
        tracing::error!(%error, "cannot release an idempotency key");
    }
}
