//! Who may call: registration and login, tokens and API keys, roles, password resets. Every
//! refusal is a 401 or 403 in the one error shape.

mod support;

use leadstream_api_conventions::AccessTokens;
use leadstream_domain::identity::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{Caller, TestApp, PASSWORD};
use uuid::Uuid;

const SECRET: &str = "a test secret that is long enough for HS256 use";

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

async fn app() -> TestApp {
    TestApp::spawn_with(&support::shared_broker(), |s| s.jwt_secret = Some(SECRET.into())).await
}

fn bearer(caller: &Caller, token: &str) -> Caller {
    caller.with_credential("authorization", format!("Bearer {token}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_login_and_me() {
    let app = app().await;
    let email = format!("owner-{}@example.com", Uuid::new_v4().simple());
    let username = format!("owner{}", &Uuid::new_v4().simple().to_string()[..8]);
    let asked = app
        .call(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(
                json!({"email": email.to_uppercase(), "password": PASSWORD, "broker_name": "Inmobiliaria Activa",
                        "username": username, "first_name": "Ana", "last_name": "Pérez"}),
            ),
        )
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    let tenants = || async { app.count("SELECT count(*) FROM tenants").await };
    assert_eq!(tenants().await, 0, "nothing exists before the address confirms it");
    let registered = app.confirm_registration(&email, 0).await;
    assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.body);
    assert_eq!(registered.body["token_type"], "bearer");
    assert_eq!(registered.body["expires_in"], 3600);
    assert_eq!(registered.body["user"]["role"], "admin");
    assert_eq!(registered.body["user"]["email"], email.as_str());
    assert_eq!(registered.body["user"]["name"], "Ana Pérez");
    assert_eq!(registered.body["tenant"]["name"], "Inmobiliaria Activa");
    assert!(registered.body["user"].get("password_hash").is_none());
    // The token is spent.
    let (_, mail) = leadstream::local_mail::newest_mail(&app.pool, &email).await.unwrap();
    let spent = leadstream::local_mail::token_in(mail.as_deref().unwrap())
        .unwrap()
        .to_string();
    app.call(
        Method::POST,
        "/api/v1/auth/confirm",
        None,
        Some(json!({ "token": spent })),
    )
    .await
    .assert_error(400, "INVALID_CONFIRMATION_TOKEN");
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "stored as Argon2id: {stored}");

    // Log in by e-mail and by username; both tokens work.
    for login in [
        json!({"email": email, "password": PASSWORD}),
        json!({"username": username, "password": PASSWORD}),
    ] {
        let answer = app.call(Method::POST, "/api/v1/auth/login", None, Some(login)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let caller = support::caller_from_login(&answer);
        let me = app.call(Method::GET, "/api/v1/auth/me", Some(&caller), None).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert_eq!(me.body["email"], email.as_str());
        assert_eq!(me.body["role"], "admin");
        assert_eq!(me.body["tenant"]["id"], registered.body["tenant"]["id"]);
    }

    // Wrong passwords and unknown users look the same.
    for login in [
        json!({"email": email, "password": "Wrong123!"}),
        json!({"email": "nobody@example.com", "password": PASSWORD}),
    ] {
        app.call(Method::POST, "/api/v1/auth/login", None, Some(login))
            .await
            .assert_error(401, "INVALID_CREDENTIALS");
    }
    // The same address cannot register twice, and a stranger cannot tell: the answer is the
    // same as for a new address, and only the address's owner is told, by mail.
    let again = json!({"email": email, "password": PASSWORD, "business_name": "Otra"});
    let taken = app.call(Method::POST, "/api/v1/auth/register", None, Some(again)).await;
    let fresh_email = format!("fresh-{}@example.com", Uuid::new_v4().simple());
    let fresh = json!({"email": fresh_email, "password": PASSWORD, "business_name": "Otra"});
    let fresh = app.call(Method::POST, "/api/v1/auth/register", None, Some(fresh)).await;
    assert_eq!((taken.status, &taken.body), (fresh.status, &fresh.body));
    let notice = leadstream::local_mail::wait_for_mail(&app.pool, &email, 1, Duration::from_secs(10))
        .await
        .expect("a notice to the owner");
    assert!(notice.contains("already has one"), "{notice}");
    assert!(
        leadstream::local_mail::token_in(&notice).is_none(),
        "a notice confirms nothing"
    );
    leadstream::local_mail::wait_for_mail(&app.pool, &fresh_email, 0, Duration::from_secs(10))
        .await
        .expect("the new address's confirmation");
    // A username is checked when the registration is confirmed, by whoever holds the mailbox.
    let other_email = format!("other-{}@example.com", Uuid::new_v4().simple());
    let same_username = json!({"email": other_email, "username": username.to_uppercase(),
                               "password": PASSWORD, "business_name": "Otra"});
    let asked = app
        .call(Method::POST, "/api/v1/auth/register", None, Some(same_username))
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED);
    app.confirm_registration(&other_email, 0)
        .await
        .assert_error(409, "USERNAME_TAKEN");
    for (body, field) in [
        (
            json!({"email": "new@example.com", "password": "password", "business_name": "B"}),
            "password",
        ),
        (
            json!({"email": "new@example.com", "password": "Short1!", "business_name": "B"}),
            "password",
        ),
        (
            json!({"email": "not-an-email", "password": PASSWORD, "business_name": "B"}),
            "email",
        ),
        (
            json!({"email": "new@example.com", "password": PASSWORD}),
            "business_name",
        ),
    ] {
        let answer = app.call(Method::POST, "/api/v1/auth/register", None, Some(body)).await;
        answer.assert_error(422, "VALIDATION_ERROR");
        assert_eq!(answer.body["details"]["fields"][0]["field"], field, "{}", answer.body);
    }
    assert_eq!(tenants().await, 1, "refused registrations leave nothing behind");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_malformed_expired_and_wrongly_signed_credentials_are_refused() {
    let app = app().await;
    let admin = app.register_tenant().await;
    let me = "/api/v1/auth/me";
    app.call(Method::GET, me, None, None)
        .await
        .assert_error(401, "AUTHENTICATION_REQUIRED");

    let tokens = |secret: &str| AccessTokens::new(secret.as_bytes(), Duration::from_secs(3600));
    let issue = |secret: &str, at: u64| {
        tokens(secret)
            .issue(admin.user_id, admin.tenant_id, Role::Admin, 0, at)
            .token
    };
    // The test knows the app's secret: a token it signs now is accepted, which shows the
    // refusals below are about what is wrong with each token, not about the test's signing.
    let fresh = app
        .call(Method::GET, me, Some(&bearer(&admin, &issue(SECRET, now()))), None)
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);

    let expired = issue(SECRET, now() - 7200);
    app.call(Method::GET, me, Some(&bearer(&admin, &expired)), None)
        .await
        .assert_error(401, "TOKEN_EXPIRED");
    let forged = issue("another secret that is long enough for HS256", now());
    app.call(Method::GET, me, Some(&bearer(&admin, &forged)), None)
        .await
        .assert_error(401, "INVALID_TOKEN");
    for malformed in [
        "Bearer not-a-token",
        "Bearer ",
        "Basic YWRtaW46cGFzcw==",
        "eyJhbGciOiJIUzI1NiJ9",
    ] {
        let caller = admin.with_credential("authorization", malformed.to_string());
        let answer = app.call(Method::GET, me, Some(&caller), None).await;
        answer.assert_error(401, "INVALID_TOKEN");
        assert_eq!(answer.header("www-authenticate").as_deref(), Some("Bearer"));
    }
    // The provisional tenant header proves nothing any more.
    let tenant_header = admin.with_credential("x-tenant-id", admin.tenant_id.to_string());
    for path in [me, "/api/v1/leads"] {
        app.call(Method::GET, path, Some(&tenant_header), None)
            .await
            .assert_error(401, "AUTHENTICATION_REQUIRED");
    }
    app.call(
        Method::POST,
        "/api/v1/leads",
        Some(&tenant_header),
        Some(json!({"email": "x@example.com"})),
    )
    .await
    .assert_error(401, "AUTHENTICATION_REQUIRED");
    assert_eq!(app.event_count().await, 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_work_as_bearer_or_header_list_by_prefix_and_die_when_revoked() {
    let app = app().await;
    let admin = app.register_tenant().await;
    let (as_bearer, created) = app.api_key(&admin, "admin").await;
    let key = created["key"].as_str().unwrap().to_string();
    assert!(key.starts_with(created["prefix"].as_str().unwrap()));
    let as_header = admin.with_credential("x-api-key", key.clone());
    for caller in [&as_bearer, &as_header] {
        let lead = app
            .create_lead(caller, json!({"email": "from-a-key@example.com"}))
            .await;
        assert!(lead.body["id"].is_string());
        let me = app.call(Method::GET, "/api/v1/auth/me", Some(caller), None).await;
        assert_eq!(me.body["authenticated_by"], "api_key");
    }
    let actor: String = sqlx::query_scalar("SELECT metadata->>'actor' FROM events LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(actor, format!("api_key:{}", created["id"].as_str().unwrap()));

    // Listed by prefix; the key itself and its hash are never shown again.
    let listed = app.call(Method::GET, "/api/v1/api-keys", Some(&admin), None).await;
    assert_eq!(listed.body["total"], 1);
    let shown = listed.body["data"][0].clone();
    assert_eq!(shown["prefix"], created["prefix"]);
    assert!(shown.get("key").is_none() && shown.get("key_hash").is_none());
    assert!(!listed.body.to_string().contains(&key));
    let stored: Vec<u8> = sqlx::query_scalar("SELECT key_hash FROM api_keys")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32, "a SHA-256, not the key");

    let id = created["id"].as_str().unwrap();
    let revoked = app
        .call(Method::DELETE, &format!("/api/v1/api-keys/{id}"), Some(&admin), None)
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    for caller in [&as_bearer, &as_header] {
        app.call(Method::GET, "/api/v1/leads", Some(caller), None)
            .await
            .assert_error(401, "INVALID_API_KEY");
    }
    for made_up in ["lsk_made_up", "   "] {
        let unknown = admin.with_credential("x-api-key", made_up.into());
        app.call(Method::GET, "/api/v1/leads", Some(&unknown), None)
            .await
            .assert_error(401, "INVALID_API_KEY");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_decide_who_manages_users_keys_and_assignments() {
    let app = app().await;
    let admin = app.register_tenant().await;
    let agent = app.add_user(&admin, "agent").await;
    let colleague = app.add_user(&admin, "agent").await;

    // Agents manage nobody.
    let new_user = json!({"email": "x@example.com", "password": PASSWORD});
    app.call(Method::POST, "/api/v1/users", Some(&agent), Some(new_user))
        .await
        .assert_error(403, "FORBIDDEN");
    app.call(Method::GET, "/api/v1/users", Some(&agent), None)
        .await
        .assert_error(403, "FORBIDDEN");
    let colleague_path = format!("/api/v1/users/{}", colleague.user_id);
    app.call(Method::GET, &colleague_path, Some(&agent), None)
        .await
        .assert_error(403, "FORBIDDEN");
    app.call(
        Method::PUT,
        &colleague_path,
        Some(&agent),
        Some(json!({"is_active": false})),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    // Nobody raises themselves; an admin grants no more than admin.
    let own_path = format!("/api/v1/users/{}", agent.user_id);
    app.call(Method::PUT, &own_path, Some(&agent), Some(json!({"role": "admin"})))
        .await
        .assert_error(403, "FORBIDDEN");
    let renamed = app
        .call(Method::PUT, &own_path, Some(&agent), Some(json!({"name": "Beto"})))
        .await;
    assert_eq!(renamed.body["name"], "Beto", "{}", renamed.body);
    let superadmin = json!({"email": "boss@example.com", "password": PASSWORD, "role": "superadmin"});
    app.call(Method::POST, "/api/v1/users", Some(&admin), Some(superadmin))
        .await
        .assert_error(403, "FORBIDDEN");
    // An agent's key is an agent's key.
    let admin_key = json!({"name": "mine", "role": "admin"});
    app.call(Method::POST, "/api/v1/api-keys", Some(&agent), Some(admin_key))
        .await
        .assert_error(403, "FORBIDDEN");

    // Agents see and change only their leads; only admins assign.
    let admins_lead = app.create_lead(&admin, json!({"email": "a@example.com"})).await;
    let agents_lead = app.create_lead(&agent, json!({"email": "b@example.com"})).await;
    assert_eq!(agents_lead.body["lead"]["assigned_to"], agent.user_id.to_string());
    app.wait_projected(&admin, agents_lead.position().max(admins_lead.position()))
        .await;
    let admins_id = admins_lead.body["id"].as_str().unwrap();
    let agents_id = agents_lead.body["id"].as_str().unwrap();
    let listed = app.call(Method::GET, "/api/v1/leads", Some(&agent), None).await;
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["data"][0]["id"], agents_id);
    assert_eq!(
        app.call(Method::GET, "/api/v1/leads", Some(&admin), None).await.body["total"],
        2
    );
    app.call(Method::GET, &format!("/api/v1/leads/{admins_id}"), Some(&agent), None)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    app.call(
        Method::POST,
        &format!("/api/v1/leads/{admins_id}/notes"),
        Some(&agent),
        Some(json!({"note": "mine now"})),
    )
    .await
    .assert_error(404, "RESOURCE_NOT_FOUND");
    app.call(
        Method::PUT,
        &format!("/api/v1/leads/{agents_id}/assign"),
        Some(&agent),
        Some(json!({"agent_id": colleague.user_id})),
    )
    .await
    .assert_error(403, "FORBIDDEN");
    let reassigned = app
        .call(
            Method::PUT,
            &format!("/api/v1/leads/{agents_id}/assign"),
            Some(&admin),
            Some(json!({"agent_id": colleague.user_id})),
        )
        .await;
    assert_eq!(reassigned.status, StatusCode::OK, "{}", reassigned.body);
    // Now it is the colleague's, and out of the first agent's reach.
    app.call(
        Method::POST,
        &format!("/api/v1/leads/{agents_id}/notes"),
        Some(&agent),
        Some(json!({"note": "still mine?"})),
    )
    .await
    .assert_error(404, "RESOURCE_NOT_FOUND");

    // A deactivated user's token and keys stop working at once.
    let (agent_key, _) = app.api_key(&colleague, "agent").await;
    let deactivated = app
        .call(
            Method::PUT,
            &format!("/api/v1/users/{}", colleague.user_id),
            Some(&admin),
            Some(json!({"is_active": false})),
        )
        .await;
    assert_eq!(deactivated.body["is_active"], false, "{}", deactivated.body);
    app.call(Method::GET, "/api/v1/leads", Some(&colleague), None)
        .await
        .assert_error(401, "INVALID_TOKEN");
    app.call(Method::GET, "/api/v1/leads", Some(&agent_key), None)
        .await
        .assert_error(401, "INVALID_API_KEY");
    // And the right password no longer logs in: it is known, so it is told why.
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(colleague.user_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let login = json!({"email": email, "password": PASSWORD});
    app.call(Method::POST, "/api/v1/auth/login", None, Some(login))
        .await
        .assert_error(403, "FORBIDDEN");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_token_works_once_and_retires_old_sessions() {
    let app = TestApp::spawn_with(&support::shared_broker(), |s| {
        s.jwt_secret = Some(SECRET.into());
        s.password_reset_ttl_secs = 2;
    })
    .await;
    let admin = app.register_tenant().await;
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(admin.user_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let forgot = |email: String| {
        let app = &app;
        async move {
            let mails = || async {
                sqlx::query_as::<_, (i64, Option<String>)>(
                    "SELECT count(*), (array_agg(body ORDER BY id DESC))[1] FROM sent_mail WHERE recipient = $1",
                )
                .bind(&email)
                .fetch_one(&app.pool)
                .await
                .unwrap()
            };
            let (before, _) = mails().await;
            let answer = app
                .call(
                    Method::POST,
                    "/api/v1/auth/forgot-password",
                    None,
                    Some(json!({ "email": email })),
                )
                .await;
            assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
            // The mail is made in the background, so the answer's timing tells nothing.
            let deadline = std::time::Instant::now() + Duration::from_secs(2);
            let mail = loop {
                let (count, newest) = mails().await;
                if count > before || std::time::Instant::now() > deadline {
                    break newest.filter(|_| count > before);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            };
            mail.map(|body| body.lines().find(|l| l.len() == 43).expect("a token line").to_string())
        }
    };
    // An unknown address gets the same answer, and no mail.
    assert_eq!(forgot("nobody@example.com".into()).await, None);

    let token = forgot(email.clone()).await.expect("a reset mail");
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM password_reset_tokens WHERE token_hash = sha256($1::bytea)")
            .bind(token.as_bytes())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, 1, "stored as its SHA-256");
    let weak = json!({"token": token, "password": "weak"});
    app.call(Method::POST, "/api/v1/auth/reset-password", None, Some(weak))
        .await
        .assert_error(422, "VALIDATION_ERROR");
    let reset = json!({"token": token, "password": "Nueva456#"});
    let answer = app
        .call(Method::POST, "/api/v1/auth/reset-password", None, Some(reset.clone()))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // Once only; the old password and the old session are gone, the new password works.
    app.call(Method::POST, "/api/v1/auth/reset-password", None, Some(reset))
        .await
        .assert_error(400, "INVALID_RESET_TOKEN");
    app.call(Method::GET, "/api/v1/auth/me", Some(&admin), None)
        .await
        .assert_error(401, "INVALID_TOKEN");
    let old = json!({"email": email, "password": PASSWORD});
    app.call(Method::POST, "/api/v1/auth/login", None, Some(old))
        .await
        .assert_error(401, "INVALID_CREDENTIALS");
    app.login(&email, "Nueva456#").await;

    // An expired token is refused.
    let late = forgot(email.clone()).await.expect("a second reset mail");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    app.call(
        Method::POST,
        "/api/v1/auth/reset-password",
        None,
        Some(json!({"token": late, "password": "Otra789$"})),
    )
    .await
    .assert_error(400, "INVALID_RESET_TOKEN");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_makes_a_superadmin_who_manages_admins() {
    let app = app().await;
    let owner = app.register_tenant().await;
    let second_admin = app.add_user(&owner, "admin").await;
    let second_path = format!("/api/v1/users/{}", second_admin.user_id);
    // Admins do not manage each other.
    app.call(Method::PUT, &second_path, Some(&owner), Some(json!({"role": "agent"})))
        .await
        .assert_error(403, "FORBIDDEN");

    let email = app.call(Method::GET, "/api/v1/auth/me", Some(&owner), None).await.body["email"]
        .as_str()
        .unwrap()
        .to_string();
    let set_role = |email: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_leadstream"))
            .args(["set-role", email, "superadmin"])
            .env("DATABASE_URL", &app.database_url)
            .env("LOG_FORMAT", "pretty")
            .output()
            .expect("the set-role command runs")
    };
    let output = set_role(&email);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        !set_role("nobody@example.com").status.success(),
        "an unknown user is an error"
    );

    // The role is read on every request: the same token now acts as a superadmin.
    let me = app.call(Method::GET, "/api/v1/auth/me", Some(&owner), None).await;
    assert_eq!(me.body["effective_role"], "superadmin");
    let demoted = app
        .call(Method::PUT, &second_path, Some(&owner), Some(json!({"role": "agent"})))
        .await;
    assert_eq!(demoted.body["role"], "agent", "{}", demoted.body);
    // The demoted user's token acts as an agent at once.
    app.call(Method::GET, "/api/v1/users", Some(&second_admin), None)
        .await
        .assert_error(403, "FORBIDDEN");
    app.stop().await;
}

/// The privilege hole: a key acting for its owner must never change the owner's credentials or
/// mint keys that outlive it. Every attempt is 403 and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_never_manage_credentials_and_own_passwords_need_the_current_one() {
    let app = app().await;
    let admin = app.register_tenant().await;
    let me = app.call(Method::GET, "/api/v1/auth/me", Some(&admin), None).await;
    let email = me.body["email"].as_str().expect("the admin's e-mail").to_string();
    let agent = app.add_user(&admin, "agent").await;
    let own_path = format!("/api/v1/users/{}", admin.user_id);
    let agent_path = format!("/api/v1/users/{}", agent.user_id);
    let users_before: String = sqlx::query_scalar("SELECT md5(string_agg(u::text, '|' ORDER BY id)) FROM users u")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for role in ["agent", "admin"] {
        let (key, _) = app.api_key(&admin, role).await;
        for (path, body) in [
            (&own_path, json!({"password": "Tomado123!"})),
            (
                &own_path,
                json!({"password": "Tomado123!", "current_password": PASSWORD}),
            ),
            (&own_path, json!({"role": "agent"})),
            (&own_path, json!({"email": "thief@example.com"})),
            (&agent_path, json!({"password": "Tomado123!"})),
            (&agent_path, json!({"role": "admin"})),
            (&agent_path, json!({"is_active": false})),
        ] {
            for method in [Method::PUT, Method::PATCH] {
                app.call(method, path, Some(&key), Some(body.clone()))
                    .await
                    .assert_error(403, "USER_CREDENTIAL_REQUIRED");
            }
        }
        let new_user = json!({"email": "made-by-key@example.com", "password": PASSWORD, "role": "agent"});
        app.call(Method::POST, "/api/v1/users", Some(&key), Some(new_user))
            .await
            .assert_error(403, "USER_CREDENTIAL_REQUIRED");
        app.call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&key),
            Some(json!({"name": "child", "role": "agent"})),
        )
        .await
        .assert_error(403, "USER_CREDENTIAL_REQUIRED");
        app.call(Method::GET, "/api/v1/api-keys", Some(&key), None)
            .await
            .assert_error(403, "USER_CREDENTIAL_REQUIRED");
    }
    // Nor can a key revoke a key.
    let keys = app.call(Method::GET, "/api/v1/api-keys", Some(&admin), None).await;
    assert_eq!(keys.body["total"], 2, "only the two keys the admin made: {}", keys.body);
    let (key, _) = app.api_key(&admin, "admin").await;
    let first = keys.body["data"][0]["id"].as_str().unwrap();
    app.call(Method::DELETE, &format!("/api/v1/api-keys/{first}"), Some(&key), None)
        .await
        .assert_error(403, "USER_CREDENTIAL_REQUIRED");
    let revoked: i64 = app
        .count("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL")
        .await;
    assert_eq!(revoked, 0);
    let users_after: String = sqlx::query_scalar("SELECT md5(string_agg(u::text, '|' ORDER BY id)) FROM users u")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users_before, users_after, "no user row changed");
    app.login(&email, PASSWORD).await;

    // Signed in, a user changes its own password only with the current one.
    let change = json!({"password": "Nueva456#"});
    app.call(Method::PUT, &own_path, Some(&admin), Some(change))
        .await
        .assert_error(403, "CURRENT_PASSWORD_REQUIRED");
    let wrong = json!({"password": "Nueva456#", "current_password": "Wrong123!"});
    app.call(Method::PUT, &own_path, Some(&admin), Some(wrong))
        .await
        .assert_error(403, "CURRENT_PASSWORD_REQUIRED");
    app.login(&email, PASSWORD).await;
    let right = json!({"password": "Nueva456#", "current_password": PASSWORD});
    let changed = app.call(Method::PUT, &own_path, Some(&admin), Some(right)).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    app.login(&email, "Nueva456#").await;
    app.stop().await;
}
