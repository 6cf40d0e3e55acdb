//! HTTP handlers of `/auth`.

use actix_web::web::{Data, Json};
use actix_web::{get, post, put, HttpResponse};

use crate::auth::dto::{ChangePasswordRequest, LoginRequest, RefreshRequest, TokenResponse, UserResponse};
use crate::auth::jwt::JwtKeys;
use crate::auth::password::Passwords;
use crate::auth::service::{self, TokenPolicy};
use crate::auth::AuthUser;
use crate::clock::Now;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::validation::email_key;
use crate::error::{ApiError, Problem};
use crate::extract::{ClientAddr, JsonBody};

fn policy(settings: &Settings) -> TokenPolicy {
    TokenPolicy { refresh_ttl: settings.refresh_token_ttl, login_window: settings.login_window }
}

/// Log in with email and password.
///
/// Unknown emails and wrong passwords get the same answer. After 5 failures for one account, or 20
/// from one client address, within 15 minutes, further attempts are refused with 429 and
/// `Retry-After` until the oldest failure leaves the window, even with the right password.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, description = "Logged in", body = TokenResponse),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing or mistyped field", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until another attempt is allowed")))))]
#[post("/auth/login")]
pub async fn login(
    db: Data<Db>,
    keys: Data<JwtKeys>,
    passwords: Data<Passwords>,
    settings: Data<Settings>,
    client: ClientAddr,
    now: Now,
    body: JsonBody<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let (email, password) = body.parse()?.validate()?;
    let (key, client, policy) = (email_key(&email), client.0.to_string(), policy(&settings));
    let user = db
        .run({
            let key = key.clone();
            move |conn| service::begin_login(conn, &key, &client, policy, now.0)
        })
        .await?;
    // The password check runs between two short database calls so that no connection is held
    // while argon2 works.
    let verified = passwords.verify(password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let user = user.filter(|_| verified);
    let tokens = db.run(move |conn| service::finish_login(conn, &keys, policy, &key, user, now.0)).await?;
    Ok(Json(tokens))
}

/// Trade a refresh token for a new pair.
///
/// The presented token is spent. Presenting a spent token again revokes every refresh token of
/// that login (other logins of the user live on).
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, description = "A new pair", body = TokenResponse),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Unknown, spent, revoked or expired refresh token", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing field", body = Problem, content_type = "application/problem+json")))]
#[post("/auth/refresh")]
pub async fn refresh(
    db: Data<Db>,
    keys: Data<JwtKeys>,
    settings: Data<Settings>,
    now: Now,
    body: JsonBody<RefreshRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let RefreshRequest { refresh_token } = body.parse()?;
    let policy = policy(&settings);
    let tokens = db.run(move |conn| service::refresh(conn, &keys, policy, &refresh_token, now.0)).await?;
    Ok(Json(tokens))
}

/// Log out: ends the login the refresh token belongs to, and its access tokens at once.
///
/// Other logins of the account (other devices) stay.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 204, description = "Logged out (also when the token was already spent or unknown)"),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Missing field", body = Problem, content_type = "application/problem+json")))]
#[post("/auth/logout")]
pub async fn logout(db: Data<Db>, now: Now, body: JsonBody<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let RefreshRequest { refresh_token } = body.parse()?;
    db.run(move |conn| service::logout(conn, &refresh_token, now.0)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in user.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses(
    (status = 200, description = "The caller's account", body = UserResponse),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json")))]
#[get("/auth/me")]
pub async fn get_me(db: Data<Db>, user: AuthUser) -> Result<Json<UserResponse>, ApiError> {
    Ok(Json(db.run(move |conn| service::me(conn, user.id)).await?))
}

/// Change one's own password. Ends every login of the account, this one included.
///
/// A wrong `current_password` counts as a failed login of the account and of the client address:
/// the same limits as `POST /auth/login` apply, with 429 and `Retry-After` beyond them.
#[utoipa::path(tag = "auth", security(("bearer" = [])), request_body = ChangePasswordRequest, responses(
    (status = 204, description = "Changed"),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Wrong current password, or a new one that is too short", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until another attempt is allowed")))))]
#[put("/auth/me/password")]
pub async fn change_password(
    db: Data<Db>,
    passwords: Data<Passwords>,
    settings: Data<Settings>,
    client: ClientAddr,
    user: AuthUser,
    now: Now,
    body: JsonBody<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let (current_password, wanted) = body.parse()?.validate()?;
    let (id, client, policy) = (user.id, client.0.to_string(), policy(&settings));
    let (hash, email_key) = db.run(move |conn| service::begin_password_check(conn, id, &client, policy, now.0)).await?;
    if !passwords.verify(current_password, Some(hash)).await? {
        return Err(ApiError::field("current_password", "is not correct"));
    }
    let hash = passwords.hash(wanted).await?;
    db.run(move |conn| service::set_password(conn, &user, &email_key, hash, now.0)).await?;
    Ok(HttpResponse::NoContent().finish())
}
