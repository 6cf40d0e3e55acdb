//! Logging in, tokens and their refusal, refresh rotation and reuse, logout, password changes,
//! and login throttling.

use std::time::{Duration, Instant};

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};

const TEST_SECRET: &[u8] = b"a-test-secret-that-is-at-least-32-bytes-long";

fn sign(claims: &Value, algorithm: Algorithm, secret: &[u8]) -> String {
    jsonwebtoken::encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(secret)).expect("signing")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The claims of `token` with `changes` applied (`null` removes a claim), for forging variants.
fn claims_like(token: &str, changes: Value) -> Value {
    let mut claims = payload(token);
    for (name, value) in changes.as_object().expect("an object") {
        match value {
            Value::Null => claims.as_object_mut().expect("claims").remove(name),
            value => claims.as_object_mut().expect("claims").insert(name.clone(), value.clone()),
        };
    }
    claims
}

/// The claims inside a token, unverified.
fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("a JWT has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[actix_web::test]
async fn logging_in_returns_a_token_pair_and_the_user() {
    let app = TestApp::spawn().await;
    let response = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    response.assert_status(200);
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().is_some_and(|t| t.len() >= 40));
    assert_eq!(body["user"]["email"], ADMIN_EMAIL);
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["user"]["last_login_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(body["user"].get("password_hash").is_none() && body["user"].get("password").is_none());

    let token = body["access_token"].as_str().expect("access token");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("base64url"))
            .expect("json")
    };
    assert_eq!(decode(parts[0])["alg"], "HS256");
    let claims = decode(parts[1]);
    assert_eq!(claims["sub"], body["user"]["id"].to_string());
    assert_eq!(claims["role"], "admin");
    assert_eq!(claims["iss"], "warta");
    assert_eq!(claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"), 900);

    let me = app.get_as(token, "/api/v1/auth/me").await;
    me.assert_status(200);
    assert_eq!(me.json()["email"], ADMIN_EMAIL);
}

#[actix_web::test]
async fn emails_compare_case_insensitively_at_login() {
    let app = TestApp::spawn().await;
    app.login(&ADMIN_EMAIL.to_uppercase(), ADMIN_PASSWORD).await.assert_status(200);
}

#[actix_web::test]
async fn unknown_email_and_wrong_password_answer_alike() {
    let app = TestApp::spawn().await;
    let unknown = app.login("nobody@warta.test", ADMIN_PASSWORD).await;
    let wrong = app.login(ADMIN_EMAIL, "not the password").await;
    unknown.assert_problem(401);
    wrong.assert_problem(401);
    assert_eq!(unknown.body, wrong.body);
    assert_eq!(unknown.header("www-authenticate").as_deref(), Some("Bearer"));
}

#[actix_web::test]
async fn unknown_email_costs_about_as_much_time_as_a_wrong_password() {
    let app = TestApp::spawn().await;
    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    // Few attempts, so neither the account nor the address is throttled.
    for i in 0..4 {
        let started = Instant::now();
        app.login(&format!("nobody{i}@warta.test"), "whatever password").await.assert_status(401);
        unknown.push(started.elapsed());
        let started = Instant::now();
        app.login(ADMIN_EMAIL, "not the password").await.assert_status(401);
        wrong.push(started.elapsed());
    }
    unknown.sort();
    wrong.sort();
    let (unknown, wrong) = (unknown[2].as_secs_f64(), wrong[2].as_secs_f64());
    // Both run one argon2 verification; a missing one would make the unknown email many times faster.
    assert!(unknown > wrong / 3.0, "unknown email {unknown:.4}s vs wrong password {wrong:.4}s");
}

#[actix_web::test]
async fn login_validates_its_body() {
    let app = TestApp::spawn().await;
    let missing = app.post(None, "/api/v1/auth/login", &json!({"email": ADMIN_EMAIL})).await;
    assert_eq!(missing.error_fields(), ["password"]);
    let wrong_type = app.post(None, "/api/v1/auth/login", &json!({"email": 5, "password": "x"})).await;
    assert_eq!(wrong_type.error_fields(), ["email"]);
    // Every broken field, not only the first.
    let empty = app.post(None, "/api/v1/auth/login", &json!({})).await;
    assert_eq!(empty.error_fields(), ["email", "password"]);
    let nulls = app.post(None, "/api/v1/auth/login", &json!({"email": null, "password": null})).await;
    assert_eq!(nulls.error_fields(), ["email", "password"]);
    let both_wrong = app.post(None, "/api/v1/auth/login", &json!({"email": [], "password": 7})).await;
    assert_eq!(both_wrong.error_fields(), ["email", "password"]);
    app.send_raw(actix_web::http::Method::POST, "/api/v1/auth/login", None, Some("application/json"), b"{".to_vec())
        .await
        .assert_problem(400);
    app.send_raw(actix_web::http::Method::POST, "/api/v1/auth/login", None, Some("text/plain"), b"{}".to_vec())
        .await
        .assert_problem(415);
}

/// Emails fold ASCII case only: a Kelvin sign (U+212A) is not a `k`, so it neither logs in to the
/// account of `k...` nor is refused as its duplicate.
#[actix_web::test]
async fn emails_fold_ascii_case_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let create = |email: &str| json!({"email": email, "name": "Kelvin", "role": "writer", "password": PASSWORD});
    app.post(Some(&admin), "/api/v1/users", &create("kelvin@warta.test")).await.assert_status(201);
    app.login("\u{212A}elvin@warta.test", PASSWORD).await.assert_problem(401);
    app.login("KELVIN@warta.test", PASSWORD).await.assert_status(200);
    let lookalike = app.post(Some(&admin), "/api/v1/users", &create("\u{212A}elvin@warta.test")).await;
    lookalike.assert_status(201);
    assert_eq!(lookalike.json()["email"], "\u{212A}elvin@warta.test");
    let login = app.login("\u{212A}elvin@warta.test", PASSWORD).await;
    login.assert_status(200);
    assert_eq!(login.json()["user"]["id"], lookalike.json()["id"]);
}

/// A failed login keeps a bounded key, whatever was typed; an email longer than any address can be
/// is refused before any work.
#[actix_web::test]
async fn failed_logins_store_a_bounded_key() {
    let app = TestApp::spawn().await;
    let long = format!("{}@warta.test", "a".repeat(240));
    app.login(&long, "whatever password").await.assert_problem(401);
    let huge = format!("{}@warta.test", "b".repeat(512 * 1024));
    assert_eq!(app.login(&huge, "whatever password").await.error_fields(), ["email"]);
    let db = app.db();
    let (rows, longest) = db
        .run_now(|conn| {
            use diesel::prelude::*;
            use warta::db::schema::login_failures::dsl::*;
            let keys: Vec<String> = login_failures.select(email_key).load(conn)?;
            Ok((keys.len(), keys.iter().map(String::len).max().unwrap_or(0)))
        })
        .expect("read");
    assert_eq!(rows, 1, "the refused attempt stored nothing");
    assert!(longest <= 64, "a failure key of {longest} bytes");
}

#[actix_web::test]
async fn bad_access_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let good = app.admin_token().await;
    let id = app.get_as(&good, "/api/v1/auth/me").await.json()["id"].to_string();
    let acct = payload(&good)["acct"].as_i64().expect("acct");
    let epoch = payload(&good)["epoch"].as_i64().expect("epoch");
    let valid = json!({"iat": now() - 10, "exp": now() + 600});
    let forge = |changes: Value| {
        let mut merged = valid.clone();
        merged.as_object_mut().expect("object").extend(changes.as_object().expect("object").clone());
        claims_like(&good, merged)
    };
    let mut tampered = good.clone();
    tampered.pop();
    tampered.push(if good.ends_with('A') { 'B' } else { 'A' });
    let none_token = {
        let enc = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.", enc(&json!({"alg": "none", "typ": "JWT"})), enc(&forge(json!({}))))
    };
    let hs256 = |changes: Value| sign(&forge(changes), Algorithm::HS256, TEST_SECRET);
    let cases = [
        ("expired", hs256(json!({"exp": now() - 120}))),
        ("tampered", tampered),
        ("another secret", sign(&forge(json!({})), Algorithm::HS256, b"another-secret-that-is-32-bytes-or-more")),
        ("alg none", none_token),
        ("another algorithm", sign(&forge(json!({})), Algorithm::HS512, TEST_SECRET)),
        ("wrong issuer", hs256(json!({"iss": "someone-else"}))),
        ("not a jwt", "garbage".to_owned()),
        ("unknown user", hs256(json!({"sub": "9999"}))),
        ("another account with this id", hs256(json!({"acct": acct + 1}))),
        ("no account claim", hs256(json!({"acct": null}))),
        ("an older token epoch", hs256(json!({"epoch": epoch - 1}))),
        ("no token epoch", hs256(json!({"epoch": null}))),
        ("a login that never existed", hs256(json!({"sid": "made-up-session"}))),
        ("no login", hs256(json!({"sid": null}))),
        ("issued in the future", hs256(json!({"iat": now() + 300}))),
        ("a signed id", hs256(json!({"sub": format!("+{id}")}))),
        ("a zero-padded id", hs256(json!({"sub": format!("0{id}")}))),
        ("an id with a space", hs256(json!({"sub": format!(" {id}")}))),
        ("a numeric sub", hs256(json!({"sub": id.parse::<i64>().expect("number")}))),
    ];
    assert_eq!(payload(&good)["sub"], id.trim_matches('"'));
    for (what, token) in cases {
        let response = app.get_as(&token, "/api/v1/auth/me").await;
        assert_eq!(response.status, 401, "{what}: {}", response.text());
        assert_eq!(response.header("www-authenticate").as_deref(), Some("Bearer"), "{what}");
    }
    // The control: a token we sign the same way, with the right secret and issuer, is accepted.
    let forged_right = hs256(json!({}));
    app.get_as(&forged_right, "/api/v1/auth/me").await.assert_status(200);
    // Clocks of instances differ a little: a token dated seconds ahead is still accepted.
    app.get_as(&hs256(json!({"iat": now() + 20})), "/api/v1/auth/me").await.assert_status(200);
    app.get("/api/v1/auth/me").await.assert_problem(401);
    let basic = app.request(actix_web::http::Method::GET, "/api/v1/auth/me", None, None).await;
    basic.assert_problem(401);
}

/// Public routes need no token, but one that is sent must be valid: a client whose login ended
/// learns it on its next request rather than reading on silently as anonymous.
#[actix_web::test]
async fn a_bad_token_is_refused_on_public_routes_too() {
    let app = TestApp::spawn().await;
    let good = app.admin_token().await;
    let mut bad = good.clone();
    bad.pop();
    bad.push(if good.ends_with('A') { 'B' } else { 'A' });
    let category = app.create_category(&good, json!({"name": "Berita"})).await["id"].as_i64().expect("id");
    let body = json!({"title": "Terbit", "body": "b", "category_id": category, "status": "published"});
    let article = app.create_article(&good, body).await["id"].as_i64().expect("id");
    let reads = [
        "/api/v1/categories".to_owned(),
        format!("/api/v1/categories/{category}"),
        "/api/v1/authors".to_owned(),
        "/api/v1/tags".to_owned(),
        "/api/v1/feeds/latest".to_owned(),
        "/api/v1/feeds/trending".to_owned(),
        "/api/v1/syndication/rss.xml".to_owned(),
        "/api/v1/syndication/feed.json".to_owned(),
        format!("/api/v1/articles/{article}/related"),
        "/api/v1/articles".to_owned(),
        format!("/api/v1/articles/{article}"),
    ];
    for path in &reads {
        app.get_as(&bad, path).await.assert_problem(401);
        app.get_as(&good, path).await.assert_status(200);
        app.get(path).await.assert_status(200);
    }
    let beacon = format!("/api/v1/articles/{article}/views");
    app.post(Some(&bad), &beacon, &json!({})).await.assert_problem(401);
    app.post(None, &beacon, &json!({})).await.assert_status(202);
}

#[actix_web::test]
async fn refreshing_rotates_the_refresh_token() {
    let app = TestApp::spawn().await;
    let first = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.json();
    let refreshed = app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": first["refresh_token"]})).await;
    refreshed.assert_status(200);
    let second = refreshed.json();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    app.get_as(second["access_token"].as_str().expect("token"), "/api/v1/auth/me").await.assert_status(200);
    let again = app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": second["refresh_token"]})).await;
    again.assert_status(200);
}

#[actix_web::test]
async fn reusing_a_spent_refresh_token_revokes_that_login_only() {
    let app = TestApp::spawn().await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.json();
    let other_login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.json();
    let newer = app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": login["refresh_token"]})).await.json();
    app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": login["refresh_token"]})).await.assert_problem(401);
    app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": newer["refresh_token"]})).await.assert_problem(401);
    app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": other_login["refresh_token"]}))
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn unknown_refresh_tokens_are_refused() {
    let app = TestApp::spawn().await;
    app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": "made-up"})).await.assert_problem(401);
    app.post(None, "/api/v1/auth/refresh", &json!({})).await.assert_problem(422);
}

#[actix_web::test]
async fn logging_out_spends_the_refresh_token() {
    let app = TestApp::spawn().await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.json();
    let response = app.post(None, "/api/v1/auth/logout", &json!({"refresh_token": login["refresh_token"]})).await;
    response.assert_status(204);
    assert!(response.body.is_empty());
    app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": login["refresh_token"]})).await.assert_problem(401);
    app.post(None, "/api/v1/auth/logout", &json!({"refresh_token": login["refresh_token"]})).await.assert_status(204);
}

fn access(pair: &Value) -> &str {
    pair["access_token"].as_str().expect("access_token")
}

/// Logout ends the access tokens of that login at once (refreshed ones included), and only those.
#[actix_web::test]
async fn logging_out_ends_the_access_tokens_of_that_login_only() {
    let app = TestApp::spawn().await;
    let phone = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.json();
    let laptop = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.json();
    let refreshed = app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": phone["refresh_token"]})).await;
    let refreshed = refreshed.json();
    assert_eq!(payload(access(&refreshed))["sid"], payload(access(&phone))["sid"], "a refresh keeps the login");
    assert_ne!(payload(access(&laptop))["sid"], payload(access(&phone))["sid"], "each login is its own");
    for pair in [&phone, &refreshed, &laptop] {
        app.get_as(access(pair), "/api/v1/auth/me").await.assert_status(200);
    }

    app.post(None, "/api/v1/auth/logout", &json!({"refresh_token": refreshed["refresh_token"]}))
        .await
        .assert_status(204);
    app.get_as(access(&phone), "/api/v1/auth/me").await.assert_problem(401);
    app.get_as(access(&refreshed), "/api/v1/auth/me").await.assert_problem(401);
    app.get_as(access(&refreshed), "/api/v1/categories").await.assert_problem(401);
    app.get_as(access(&laptop), "/api/v1/auth/me").await.assert_status(200);
}

/// A password change ends every access token of the account at once, on every device.
#[actix_web::test]
async fn a_password_change_ends_every_access_token_at_once() {
    let app = TestApp::spawn().await;
    let (_, token) = app.user_with_token("editor").await;
    let email = app.get_as(&token, "/api/v1/auth/me").await.json()["email"].as_str().expect("email").to_owned();
    let other_device = app.login(&email, PASSWORD).await.json();
    let change = json!({"current_password": PASSWORD, "new_password": "brand new passphrase"});
    app.put(Some(&token), "/api/v1/auth/me/password", &change).await.assert_status(204);
    app.get_as(&token, "/api/v1/auth/me").await.assert_problem(401);
    app.get_as(access(&other_device), "/api/v1/auth/me").await.assert_problem(401);
    let fresh = app.login(&email, "brand new passphrase").await.json();
    app.get_as(access(&fresh), "/api/v1/auth/me").await.assert_status(200);
}

/// An admin's password reset ends the account's access tokens at once; the admin's stay.
#[actix_web::test]
async fn an_admins_password_reset_ends_the_accounts_access_tokens_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, token) = app.user_with_token("writer").await;
    app.patch(Some(&admin), &format!("/api/v1/users/{id}"), &json!({"name": "Renamed"})).await.assert_status(200);
    app.get_as(&token, "/api/v1/auth/me").await.assert_status(200);
    let reset = json!({"password": "a reset passphrase"});
    app.patch(Some(&admin), &format!("/api/v1/users/{id}"), &reset).await.assert_status(200);
    app.get_as(&token, "/api/v1/auth/me").await.assert_problem(401);
    app.get_as(&admin, "/api/v1/auth/me").await.assert_status(200);
}

#[actix_web::test]
async fn changing_the_password_ends_every_login() {
    let app = TestApp::spawn().await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.json();
    let token = login["access_token"].as_str().expect("token");
    let path = "/api/v1/auth/me/password";
    let wrong =
        app.put(Some(token), path, &json!({"current_password": "nope", "new_password": "brand new passphrase"})).await;
    assert_eq!(wrong.error_fields(), ["current_password"]);
    let short = app.put(Some(token), path, &json!({"current_password": ADMIN_PASSWORD, "new_password": "short"})).await;
    assert_eq!(short.error_fields(), ["new_password"]);
    assert_eq!(app.put(Some(token), path, &json!({})).await.error_fields(), ["current_password", "new_password"]);
    let nulls = json!({"current_password": null, "new_password": null});
    assert_eq!(app.put(Some(token), path, &nulls).await.error_fields(), ["current_password", "new_password"]);
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_status(200);
    app.put(None, path, &json!({"current_password": ADMIN_PASSWORD, "new_password": "brand new passphrase"}))
        .await
        .assert_problem(401);

    let changed = app
        .put(Some(token), path, &json!({"current_password": ADMIN_PASSWORD, "new_password": "brand new passphrase"}))
        .await;
    changed.assert_status(204);
    app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": login["refresh_token"]})).await.assert_problem(401);
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_problem(401);
    app.login(ADMIN_EMAIL, "brand new passphrase").await.assert_status(200);
}

/// A stolen access token cannot guess the password through `PUT /auth/me/password` faster than
/// through the login: a wrong `current_password` is a failed login of the account and the address.
#[actix_web::test]
async fn wrong_current_passwords_are_throttled_like_failed_logins() {
    let app = TestApp::spawn_with(|s| s.login_window = Duration::from_secs(60)).await;
    let token = app.admin_token().await;
    let path = "/api/v1/auth/me/password";
    let guess =
        |i: usize| json!({"current_password": format!("guess number {i}"), "new_password": "brand new passphrase"});
    app.login(ADMIN_EMAIL, "not the password").await.assert_problem(401);
    for i in 0..4 {
        assert_eq!(app.put(Some(&token), path, &guess(i)).await.error_fields(), ["current_password"]);
    }
    let throttled = app.put(Some(&token), path, &guess(5)).await;
    throttled.assert_problem(429);
    let retry_after: u64 = throttled.header("retry-after").expect("Retry-After").parse().expect("seconds");
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    // The right password is refused too while throttled, and so is a login.
    let right = json!({"current_password": ADMIN_PASSWORD, "new_password": "brand new passphrase"});
    app.put(Some(&token), path, &right).await.assert_problem(429);
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_problem(429);
}

/// Wrong current passwords count for the client address as well: 20 of them, over accounts, lock
/// the address out of logging in to any account.
#[actix_web::test]
async fn wrong_current_passwords_count_for_the_client_address() {
    let app = TestApp::spawn_with(|s| s.login_window = Duration::from_secs(60)).await;
    let path = "/api/v1/auth/me/password";
    for _ in 0..5 {
        let (_, token) = app.user_with_token("writer").await;
        for i in 0..4 {
            let guess = json!({"current_password": format!("guess {i}"), "new_password": "brand new passphrase"});
            app.put(Some(&token), path, &guess).await.assert_problem(422);
        }
    }
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_problem(429);
}

#[actix_web::test]
async fn a_deleted_users_token_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, token) = app.user_with_token("editor").await;
    app.get_as(&token, "/api/v1/auth/me").await.assert_status(200);
    app.delete(Some(&admin), &format!("/api/v1/users/{id}")).await.assert_status(204);
    app.get_as(&token, "/api/v1/auth/me").await.assert_problem(401);
    app.post(Some(&token), "/api/v1/authors", &json!({"name": "Reni Erina"})).await.assert_problem(401);
}

/// Ids are never handed out twice: a deleted user's token can never name a later account, and an
/// article's id keeps meaning that article in links, caches and the audit log.
#[actix_web::test]
async fn ids_of_deleted_users_and_articles_are_never_reused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, token) = app.user_with_token("writer").await;
    app.delete(Some(&admin), &format!("/api/v1/users/{id}")).await.assert_status(204);
    let email = format!("admin-baru-{}@warta.test", crate::helpers::unique());
    let body = json!({"email": email, "name": "Admin Baru", "role": "admin", "password": PASSWORD});
    let created = app.post(Some(&admin), "/api/v1/users", &body).await;
    created.assert_status(201);
    assert!(created.json()["id"].as_i64() > Some(id), "a new id: {}", created.text());
    app.get_as(&token, "/api/v1/auth/me").await.assert_problem(401);
    app.get_as(&token, "/api/v1/users").await.assert_problem(401);

    let category = app.create_category(&admin, json!({"name": "Berita"})).await["id"].as_i64().expect("id");
    let article = |title: &str| json!({"title": title, "body": "b", "category_id": category});
    let first = app.create_article(&admin, article("Pertama")).await["id"].as_i64().expect("id");
    app.request_with(
        actix_web::http::Method::DELETE,
        &format!("/api/v1/articles/{first}"),
        Some(&admin),
        &[("If-Match", "\"1\"")],
        None,
    )
    .await
    .assert_status(204);
    let second = app.create_article(&admin, article("Kedua")).await["id"].as_i64().expect("id");
    assert!(second > first, "{second} after {first}");
    let history = app.get_as(&admin, &format!("/api/v1/audit?article={second}")).await.json();
    assert_eq!(history["meta"]["total"], 1, "the new article's history is its own: {history}");
}

#[actix_web::test]
async fn a_demotion_takes_effect_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, token) = app.user_with_token("editor").await;
    app.post(Some(&token), "/api/v1/authors", &json!({"name": "Satu"})).await.assert_status(201);
    app.patch(Some(&admin), &format!("/api/v1/users/{id}"), &json!({"role": "writer"})).await.assert_status(200);
    app.post(Some(&token), "/api/v1/authors", &json!({"name": "Dua"})).await.assert_problem(403);
}

#[actix_web::test]
async fn five_failures_throttle_the_account_until_the_window_passes() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        app.login(ADMIN_EMAIL, "not the password").await.assert_problem(401);
    }
    let throttled = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    throttled.assert_problem(429);
    let retry_after: u64 = throttled.header("retry-after").expect("Retry-After").parse().expect("seconds");
    assert!((1..=900).contains(&retry_after), "Retry-After {retry_after}: within the 15-minute window");
    // Refused attempts do not count, so waiting out the window is enough.
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_problem(429);
    // A minute before the window ends it still holds; once it has passed, the right password works.
    assert!(retry_after > 60, "Retry-After {retry_after}");
    app.clock.advance(Duration::from_secs(retry_after - 60));
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_problem(429);
    app.clock.advance(Duration::from_secs(60));
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_status(200);
}

/// The count and the attempt are one step: a burst sent at once cannot all pass the count while
/// their password checks run.
#[actix_web::test]
async fn a_burst_of_wrong_passwords_sent_at_once_is_throttled_too() {
    let app = TestApp::spawn_with(|s| s.login_window = Duration::from_secs(60)).await;
    let attempts = (0..20).map(|_| app.login(ADMIN_EMAIL, "not the password"));
    let statuses: Vec<u16> = futures_util::future::join_all(attempts).await.iter().map(|r| r.status).collect();
    let checked = statuses.iter().filter(|&&s| s == 401).count();
    assert_eq!(checked, 5, "five checked, the rest refused: {statuses:?}");
    assert_eq!(statuses.iter().filter(|&&s| s == 429).count(), 15, "{statuses:?}");
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_problem(429);
}

#[actix_web::test]
async fn a_successful_login_clears_the_accounts_failures() {
    let app = TestApp::spawn_with(|s| s.login_window = Duration::from_secs(60)).await;
    for _ in 0..4 {
        app.login(ADMIN_EMAIL, "not the password").await.assert_status(401);
    }
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_status(200);
    for _ in 0..4 {
        app.login(ADMIN_EMAIL, "not the password").await.assert_status(401);
    }
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_status(200);
}

#[actix_web::test]
async fn twenty_failures_from_one_address_throttle_that_address() {
    let app = TestApp::spawn_with(|s| s.login_window = Duration::from_secs(60)).await;
    for i in 0..20 {
        app.login(&format!("nobody{i}@warta.test"), "whatever").await.assert_status(401);
    }
    let throttled = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    throttled.assert_problem(429);
    assert!(throttled.header("retry-after").is_some());
}

#[actix_web::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let app = TestApp::spawn_with(|s| {
        s.login_window = Duration::from_secs(60);
        s.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    let login_from = |ip: &'static str, email: String, password: &'static str| {
        let request = app.client.post(app.url("/api/v1/auth/login")).insert_header(("X-Forwarded-For", ip));
        async move { request.send_json(&json!({"email": email, "password": password})).await.expect("sent").status() }
    };
    for i in 0..20 {
        assert_eq!(login_from("203.0.113.7", format!("n{i}@warta.test"), "whatever").await, 401);
    }
    assert_eq!(login_from("203.0.113.7", ADMIN_EMAIL.into(), ADMIN_PASSWORD).await, 429);
    assert_eq!(login_from("203.0.113.8", ADMIN_EMAIL.into(), ADMIN_PASSWORD).await, 200);
}

#[actix_web::test]
async fn new_accounts_can_log_in_with_their_password() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.post(
        Some(&admin),
        "/api/v1/users",
        &json!({"email": "Reni@Warta.Test", "name": "Reni Erina", "role": "writer", "password": PASSWORD}),
    )
    .await
    .assert_status(201);
    let login = app.login("reni@warta.test", PASSWORD).await;
    login.assert_status(200);
    assert_eq!(login.json()["user"]["email"], "Reni@Warta.Test");
    assert_eq!(login.json()["user"]["role"], "writer");
}

/// The resident memory of process `pid` in bytes (Linux).
fn resident_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

/// Each failed login runs one argon2id check with 19 MiB of working memory. Freshly allocated per
/// check, that memory stayed with the allocator: about 100 failed logins took the process from
/// 23 MB to 500-900 MB for good. The hashing buffers are now a fixed set, reused, so memory after
/// many failures is what it was after the first few. (`bench/login_rss.sh` prints the figures.)
#[actix_web::test]
async fn failed_logins_do_not_grow_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = [
        ("WARTA_TRUSTED_PROXIES", "127.0.0.1"),
        ("WARTA_ADMIN_EMAIL", ADMIN_EMAIL),
        ("WARTA_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("WARTA_JWT_SECRET", "a-test-secret-that-is-at-least-32-bytes-long"),
        ("WARTA_LOG", "warn"),
    ];
    let served = crate::cli::serve(dir.path(), &env);
    let (port, pid) = (served.port, served.child.id());
    let client = awc::Client::builder().timeout(Duration::from_secs(60)).finish();
    // Each attempt from its own address and for an unknown email: no throttle stops the check.
    let round = |first: usize, count: usize| {
        let client = client.clone();
        futures_util::future::join_all((first..first + count).map(move |i| {
            let request = client
                .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
                .insert_header(("X-Forwarded-For", format!("10.9.{}.{}", i / 250, i % 250 + 1)));
            async move {
                let body = json!({"email": format!("nobody{i}@warta.test"), "password": "wrong password"});
                request.send_json(&body).await.expect("answered").status().as_u16()
            }
        }))
    };
    const PARALLEL: usize = 8;
    assert!(round(0, PARALLEL).await.iter().all(|&s| s == 401));
    let Some(before) = resident_bytes(pid) else {
        crate::cli::terminate(served);
        return; // Not Linux: nothing to measure.
    };
    for r in 1..=15 {
        assert!(round(r * PARALLEL, PARALLEL).await.iter().all(|&s| s == 401));
    }
    let after = resident_bytes(pid).expect("RSS");
    crate::cli::terminate(served);
    let buffers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(PARALLEL) as u64;
    let allowed = buffers * 20 * 1024 * 1024 + 48 * 1024 * 1024;
    assert!(
        after <= before + allowed,
        "RSS grew from {} MB to {} MB over 120 failed logins (allowed {} MB more)",
        before >> 20,
        after >> 20,
        allowed >> 20
    );
}

/// The password hash of the account `email`, read from the database.
fn stored_hash(app: &TestApp, address: &str) -> String {
    let db = app.db();
    let address = address.to_owned();
    db.run_now(move |conn| {
        use diesel::prelude::*;
        use warta::db::schema::users::dsl::*;
        Ok(users.filter(email.eq(address)).select(password_hash).first::<String>(conn)?)
    })
    .expect("the account exists")
}

/// Tests hash with argon2's smallest parameters (production keeps OWASP's); a hash carries its
/// parameters, so hashes made at either cost verify on a server set to the other.
#[actix_web::test]
async fn hashes_made_at_another_cost_still_verify() {
    let production = TestApp::spawn_with(|s| s.fast_password_hashing = false).await;
    assert!(stored_hash(&production, ADMIN_EMAIL).starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    let database = production.database.clone();
    let fast = TestApp::spawn_with(move |s| {
        s.database = database;
        s.fast_password_hashing = true;
    })
    .await;
    let admin = fast.admin_token().await;
    let email = format!("cheap-{}@warta.test", crate::helpers::unique());
    let body = json!({"email": email, "name": "Cheap", "role": "writer", "password": PASSWORD});
    fast.post(Some(&admin), "/api/v1/users", &body).await.assert_status(201);
    assert!(stored_hash(&production, &email).starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
    production.login(&email, PASSWORD).await.assert_status(200);
    production.login(&email, "not the password").await.assert_problem(401);
    // A plain test server hashes cheaply, its first admin included.
    let plain = TestApp::spawn().await;
    assert!(stored_hash(&plain, ADMIN_EMAIL).starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
}

/// Lifetimes are kept on the server's clock: an access token ends after `WARTA_ACCESS_TOKEN_TTL`
/// (15 minutes) and its refresh token still trades for a new pair until `WARTA_REFRESH_TOKEN_TTL`.
#[actix_web::test]
async fn an_access_token_ends_with_its_lifetime_and_a_refresh_token_with_its_own() {
    let app = TestApp::spawn().await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_status(200).json();
    let access = login["access_token"].as_str().expect("access_token").to_owned();
    let refresh = login["refresh_token"].as_str().expect("refresh_token").to_owned();
    app.get_as(&access, "/api/v1/auth/me").await.assert_status(200);

    app.clock.advance(Duration::from_secs(14 * 60));
    app.get_as(&access, "/api/v1/auth/me").await.assert_status(200);
    app.clock.advance(Duration::from_secs(2 * 60));
    app.get_as(&access, "/api/v1/auth/me").await.assert_problem(401);

    let renewed =
        app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": refresh})).await.assert_status(200).json();
    let access = renewed["access_token"].as_str().expect("access_token");
    app.get_as(access, "/api/v1/auth/me").await.assert_status(200);

    let refresh = renewed["refresh_token"].as_str().expect("refresh_token");
    app.clock.advance(Duration::from_secs(31 * 24 * 3600));
    app.post(None, "/api/v1/auth/refresh", &json!({"refresh_token": refresh})).await.assert_problem(401);
}
