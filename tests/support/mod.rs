//! Black-box test support: each test gets its own database, its own topic prefix and its own
//! app on a random port, against real PostgreSQL and a real Kafka-protocol broker.
#![allow(dead_code)]

use leadstream::local_broker::LocalBroker;
use leadstream::{database, Parts, RunningApp, Settings};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{ClientConfig, TopicPartitionList};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::PgPool;
use std::net::{SocketAddr, TcpListener};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The broker every test of this binary shares: `KAFKA_BROKERS`, or a tansu started once.
pub fn shared_broker() -> String {
    static BROKER: OnceLock<String> = OnceLock::new();
    BROKER
        .get_or_init(|| {
            if let Some(brokers) = std::env::var("KAFKA_BROKERS").ok().filter(|b| !b.is_empty()) {
                return brokers;
            }
            // The broker is started from a thread that lives as long as the test binary: it is
            // killed when the thread that spawned it exits, and test threads exit early.
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Runtime::new().expect("a runtime for the broker");
                runtime.block_on(async move {
                    let addr = free_addr();
                    let dir = std::env::temp_dir().join(format!("leadstream-test-tansu-{}", addr.port()));
                    let broker = LocalBroker::start(addr, "memory://tansu/", &dir).await;
                    match broker {
                        Ok(broker) => {
                            let _ = tx.send(Ok(broker.brokers.clone()));
                            std::future::pending::<()>().await;
                        }
                        Err(error) => {
                            let _ = tx.send(Err(error.to_string()));
                        }
                    }
                });
            });
            rx.recv()
                .expect("broker thread answered")
                .expect("the test broker starts")
        })
        .clone()
}

/// A loopback address nothing listens on right now.
pub fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address")
}

/// Someone the tests call as: a user with an access token, or an API key.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    /// The header that proves who this is, and its value.
    pub credential: (&'static str, String),
}

impl Caller {
    /// The same user or key, proving itself with another header (e.g. a key as `X-API-Key`).
    pub fn with_credential(&self, header: &'static str, value: String) -> Self {
        Self {
            credential: (header, value),
            ..self.clone()
        }
    }
}

/// The password every test user has.
pub const PASSWORD: &str = "Seguro123!";

/// A running app with its own database and topics.
pub struct TestApp {
    pub base: String,
    pub pool: PgPool,
    pub settings: Settings,
    pub brokers: String,
    pub database_url: String,
    pub client: reqwest::Client,
    app: Option<RunningApp>,
    database_name: String,
}

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// `X-Event-Position` as a number.
    pub fn position(&self) -> i64 {
        self.header("x-event-position")
            .and_then(|p| p.parse().ok())
            .expect("an X-Event-Position header")
    }

    /// Asserts this is an error in the one shape, with `status` and `code`.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        assert_eq!(self.body["code"], code, "unexpected code; body: {}", self.body);
        for field in ["error", "message", "details", "request_id"] {
            assert!(
                self.body.get(field).is_some(),
                "error body lacks {field}: {}",
                self.body
            );
        }
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        let request_id = self.header("x-request-id").expect("X-Request-ID on errors too");
        assert_eq!(
            self.body["request_id"],
            request_id.as_str(),
            "the body quotes the request id"
        );
    }
}

impl TestApp {
    /// An app on the shared broker with test defaults.
    pub async fn spawn() -> Self {
        Self::spawn_with(&shared_broker(), |_| {}).await
    }

    /// An app on `brokers`, with settings adjusted by `tweak`.
    pub async fn spawn_with(brokers: &str, tweak: impl FnOnce(&mut Settings)) -> Self {
        if std::env::var_os("RUST_LOG").is_some() {
            leadstream::telemetry::init("pretty");
        }
        let mut settings = Settings::from_env().expect("settings");
        let id = Uuid::new_v4().simple().to_string();
        let server =
            std::env::var("TEST_DATABASE_SERVER").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        let database_name = format!("ls_test_{id}");
        settings.database_url = format!("{server}/{database_name}");
        settings.database_max_connections = 10;
        settings.kafka_topic_prefix = format!("t{}.", &id[..12]);
        settings.kafka_partitions = 2;
        settings.kafka_message_timeout_ms = 5_000;
        settings.http_workers = 1;
        // Small, so that every test also loads aggregates from snapshots.
        settings.snapshot_every = 5;
        // Tests register and log in far more often than a person; the limit has its own test.
        settings.rate_limit_credentials_per_ip = 10_000;
        tweak(&mut settings);
        let pool = database::prepare(&settings.database_url, settings.database_max_connections)
            .await
            .expect("a test database");
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let app = RunningApp::start(&settings, pool.clone(), brokers, Parts::ALL, Some(listener))
            .await
            .expect("the app starts");
        let base = format!("http://{}", app.addr.expect("an HTTP address"));
        Self {
            base,
            pool,
            database_url: settings.database_url.clone(),
            settings,
            brokers: brokers.to_string(),
            client: reqwest::Client::new(),
            app: Some(app),
            database_name,
        }
    }

    /// Sends a request as `caller` (when given) with an optional JSON body.
    pub async fn call(&self, method: Method, path: &str, caller: Option<&Caller>, body: Option<Value>) -> Answer {
        self.send(method, path, caller, body, &[]).await
    }

    /// Like [`TestApp::call`], with extra headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        caller: Option<&Caller>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(Caller {
            credential: (name, value),
            ..
        }) = caller
        {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the request is answered");
        read_answer(response).await
    }

    /// Imports `csv` as a `text/csv` body as `caller`.
    pub async fn import_csv(&self, caller: &Caller, csv: impl Into<String>) -> Answer {
        let response = self
            .client
            .post(format!("{}/api/v1/leads/import", self.base))
            .header(caller.credential.0, &caller.credential.1)
            .header("content-type", "text/csv")
            .body(csv.into())
            .send()
            .await
            .expect("the import is answered");
        read_answer(response).await
    }

    /// Registers a new tenant and returns its first admin, logged in.
    pub async fn register_tenant(&self) -> Caller {
        let email = format!("admin-{}@example.com", Uuid::new_v4().simple());
        let answer = self
            .call(
                Method::POST,
                "/api/v1/auth/register",
                None,
                Some(serde_json::json!({
                    "business_name": "Inmobiliaria de prueba",
                    "email": email,
                    "password": PASSWORD,
                })),
            )
            .await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "register failed: {}", answer.body);
        let confirmed = self.confirm_registration(&email, 0).await;
        assert_eq!(
            confirmed.status,
            StatusCode::CREATED,
            "confirm failed: {}",
            confirmed.body
        );
        caller_from_login(&confirmed)
    }

    /// Confirms the registration mailed to `email` (the mail after the `seen` ones before it).
    pub async fn confirm_registration(&self, email: &str, seen: i64) -> Answer {
        let mail = leadstream::local_mail::wait_for_mail(&self.pool, email, seen, Duration::from_secs(10))
            .await
            .expect("a confirmation mail");
        let token = leadstream::local_mail::token_in(&mail).expect("a token in the mail");
        self.call(
            Method::POST,
            "/api/v1/auth/confirm",
            None,
            Some(serde_json::json!({ "token": token })),
        )
        .await
    }

    /// Adds a user with `role` to `admin`'s tenant and returns it, logged in.
    pub async fn add_user(&self, admin: &Caller, role: &str) -> Caller {
        let email = format!("{role}-{}@example.com", Uuid::new_v4().simple());
        let body = serde_json::json!({"email": email, "password": PASSWORD, "role": role, "name": "Test User"});
        let created = self.call(Method::POST, "/api/v1/users", Some(admin), Some(body)).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "user not created: {}",
            created.body
        );
        self.login(&email, PASSWORD).await
    }

    /// Logs in and returns the user (asserting 200).
    pub async fn login(&self, email: &str, password: &str) -> Caller {
        let body = serde_json::json!({"email": email, "password": password});
        let answer = self.call(Method::POST, "/api/v1/auth/login", None, Some(body)).await;
        assert_eq!(answer.status, StatusCode::OK, "login failed: {}", answer.body);
        caller_from_login(&answer)
    }

    /// Creates an API key with `role` as `owner` and returns a caller using it as a bearer token.
    pub async fn api_key(&self, owner: &Caller, role: &str) -> (Caller, Value) {
        let body = serde_json::json!({"name": format!("{role} key"), "role": role});
        let answer = self
            .call(Method::POST, "/api/v1/api-keys", Some(owner), Some(body))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "key not created: {}", answer.body);
        let key = answer.body["key"].as_str().expect("the key, once").to_string();
        (
            owner.with_credential("authorization", format!("Bearer {key}")),
            answer.body,
        )
    }

    /// Creates a lead as `caller` and returns the answer (asserting 201).
    pub async fn create_lead(&self, caller: &Caller, body: Value) -> Answer {
        let answer = self.call(Method::POST, "/api/v1/leads", Some(caller), Some(body)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "create failed: {}", answer.body);
        answer
    }

    /// Waits until the projection has applied the event at `position`.
    pub async fn wait_projected(&self, caller: &Caller, position: i64) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let answer = self
                .call(
                    Method::GET,
                    &format!("/api/v1/leads?limit=1&min_position={position}"),
                    Some(caller),
                    None,
                )
                .await;
            if answer.header("x-projection-caught-up").as_deref() == Some("true") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "position {position} was not projected in 30 s"
            );
        }
    }

    /// Waits until every outbox row is published.
    pub async fn wait_outbox_drained(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let backlog: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                .fetch_one(&self.pool)
                .await
                .expect("outbox backlog");
            if backlog == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{backlog} outbox rows still unpublished after {limit:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The number of events in the store.
    pub async fn event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.pool)
            .await
            .expect("event count")
    }

    /// A checksum over every row of the lead read model and its activities.
    pub async fn read_model_checksum(&self) -> (String, String) {
        let leads: String =
            sqlx::query_scalar("SELECT md5(coalesce(string_agg(l::text, '|' ORDER BY l.id), '')) FROM leads l")
                .fetch_one(&self.pool)
                .await
                .expect("leads checksum");
        let activities: String = sqlx::query_scalar(
            "SELECT md5(coalesce(string_agg(a::text, '|' ORDER BY a.lead_id, a.sequence), '')) FROM lead_activities a",
        )
        .fetch_one(&self.pool)
        .await
        .expect("activities checksum");
        (leads, activities)
    }

    /// A count (or any `bigint`) the query returns.
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.pool).await.expect("a count")
    }

    /// How many messages the local messaging stand-in was asked to send.
    pub async fn sent_messages(&self) -> i64 {
        self.count("SELECT count(*) FROM outbound_messages").await
    }

    /// Waits (at most 5 s) until `count` messages went out.
    pub async fn wait_sent_messages(&self, count: i64) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.sent_messages().await < count {
            assert!(Instant::now() < deadline, "{count} messages did not go out");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sends `body` to the provider's inbound webhook, signed with `secret` in the provider's header.
    pub async fn deliver_webhook(
        &self,
        tenant: &Caller,
        provider: &str,
        header: &str,
        secret: &str,
        body: &Value,
    ) -> Answer {
        let raw = serde_json::to_vec(body).unwrap();
        let signature = leadstream_command_api::webhooks::sign(secret, &raw);
        let response = self
            .client
            .post(format!(
                "{}/api/v1/webhooks/inbound/{provider}?tenant_id={}",
                self.base, tenant.tenant_id
            ))
            .header("content-type", "application/json")
            .header(
                header,
                if provider == "whatsapp" {
                    format!("sha256={signature}")
                } else {
                    signature
                },
            )
            .body(raw)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.json().await.unwrap_or(Value::Null);
        Answer { status, headers, body }
    }

    /// The lead topic's name for this app.
    pub fn lead_topic(&self) -> String {
        format!("{}lead", self.settings.kafka_topic_prefix)
    }

    /// Stops the app and drops its database.
    pub async fn stop(mut self) {
        if let Some(app) = self.app.take() {
            app.stop().await;
        }
        self.pool.close().await;
        let server = self.database_url.trim_end_matches(&self.database_name).to_string();
        if let Ok(admin) = database::connect(&format!("{server}postgres"), 1).await {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.database_name
            ))
            .execute(&admin)
            .await;
        }
    }
}

/// The user a register or login answer logged in.
pub fn caller_from_login(answer: &Answer) -> Caller {
    let id = |value: &Value| value.as_str().and_then(|v| Uuid::parse_str(v).ok()).expect("a UUID");
    Caller {
        tenant_id: id(&answer.body["user"]["tenant_id"]),
        user_id: id(&answer.body["user"]["id"]),
        credential: (
            "authorization",
            format!(
                "Bearer {}",
                answer.body["access_token"].as_str().expect("an access token")
            ),
        ),
    }
}

async fn read_answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    Answer { status, headers, body }
}

/// A message read back from a topic with a plain consumer.
#[derive(Debug, Clone)]
pub struct TopicMessage {
    pub partition: i32,
    pub offset: i64,
    pub key: String,
    pub value: Value,
    pub headers: Vec<(String, String)>,
}

impl TopicMessage {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Reads every message of `topic` (all partitions, from the start) until `expected` arrived or
/// `limit` passed.
pub fn read_topic(brokers: &str, topic: &str, expected: usize, limit: Duration) -> Vec<TopicMessage> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("test-reader-{}", Uuid::new_v4()))
        .set("enable.auto.commit", "false")
        .create()
        .expect("a consumer");
    let deadline = Instant::now() + limit;
    // The relay creates its topics as the app starts: wait until this one exists.
    let partitions = loop {
        let partitions = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(5))
            .ok()
            .and_then(|m| {
                m.topics()
                    .first()
                    .filter(|t| t.error().is_none())
                    .map(|t| t.partitions().len())
            })
            .unwrap_or(0);
        if partitions > 0 || Instant::now() > deadline {
            break partitions;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut assignment = TopicPartitionList::new();
    for partition in 0..partitions as i32 {
        assignment
            .add_partition_offset(topic, partition, rdkafka::Offset::Beginning)
            .expect("an assignment");
    }
    consumer.assign(&assignment).expect("assigned");
    let mut messages = vec![];
    while messages.len() < expected && Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => messages.push(TopicMessage {
                partition: m.partition(),
                offset: m.offset(),
                key: m
                    .key()
                    .map(|k| String::from_utf8_lossy(k).into_owned())
                    .unwrap_or_default(),
                value: m
                    .payload()
                    .and_then(|p| serde_json::from_slice(p).ok())
                    .unwrap_or(Value::Null),
                headers: m
                    .headers()
                    .map(|hs| {
                        hs.iter()
                            .map(|h| {
                                (
                                    h.key.to_string(),
                                    h.value
                                        .map(|v| String::from_utf8_lossy(v).into_owned())
                                        .unwrap_or_default(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }),
            Some(Err(error)) => eprintln!("consumer error while reading back: {error}"),
            None => {}
        }
    }
    messages
}
