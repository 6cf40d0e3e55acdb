//! The rules of logging in: throttling failed attempts, issuing and rotating tokens, reuse detection.

use std::time::Duration;

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use crate::audit::{self, Change, Resource};
use crate::auth::account::{self as accounts, UserRow};
use crate::auth::dto::TokenResponse;
use crate::auth::dto::UserResponse;
use crate::auth::jwt::{Grant, JwtKeys};
use crate::auth::repo::{self, NewRefreshTokenRow};
use crate::auth::AuthUser;
use crate::db::{self, DbConn};
use crate::domain::ids::UserId;
use crate::error::ApiError;

/// Failed logins allowed per account, and per client address, inside the window.
pub const MAX_FAILURES_PER_ACCOUNT: usize = 5;
pub const MAX_FAILURES_PER_CLIENT: usize = 20;

/// How long tokens live and how long failures are remembered.
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    pub refresh_ttl: Duration,
    pub login_window: Duration,
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Tokens are stored as hashes only: a leaked database does not leak usable tokens.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What failed attempts are counted under for an account: a hash of its email key. Bounded
/// whatever was typed (a failed login once stored the raw text, up to the 1 MB body limit), and
/// no address book of mistyped emails is kept.
fn failure_key(email_key: &str) -> String {
    hex::encode(Sha256::digest(email_key.as_bytes()))
}

/// Refuses the attempt with 429 when the account or the client has failed too often, else returns
/// the account the email names (if any) for the password check.
///
/// The attempt is recorded as a failure here, in the same transaction as the count, before the
/// password is checked: attempts sent at once then cannot all pass the count while their checks
/// run. A success clears the account's failures, this one included.
pub fn begin_login(
    conn: &mut DbConn,
    email_key: &str,
    client_addr: &str,
    policy: TokenPolicy,
    now: NaiveDateTime,
) -> Result<Option<UserRow>, ApiError> {
    db::write_private(conn, |conn| {
        reserve_attempt(conn, &failure_key(email_key), client_addr, policy, now)?;
        Ok(accounts::find_by_email_key(conn, email_key)?)
    })
}

/// 429 when the account (`failure_key`) or the client has failed too often; else records this
/// attempt as a failure, to be cleared if it succeeds.
fn reserve_attempt(
    conn: &mut DbConn,
    failure_key: &str,
    client_addr: &str,
    policy: TokenPolicy,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let window = chrono_duration(policy.login_window);
    repo::prune_failures(conn, now - window)?;
    let (by_email, by_client) = repo::failures_since(conn, failure_key, client_addr, now - window)?;
    let retry_after = |failures: &[NaiveDateTime], limit: usize| -> Option<u64> {
        if failures.len() < limit {
            return None;
        }
        // Once this failure leaves the window, fewer than `limit` remain.
        let frees_at = failures[failures.len() - limit] + window;
        Some(((frees_at - now).num_milliseconds().max(0) as u64).div_ceil(1000).max(1))
    };
    let wait = [retry_after(&by_email, MAX_FAILURES_PER_ACCOUNT), retry_after(&by_client, MAX_FAILURES_PER_CLIENT)]
        .into_iter()
        .flatten()
        .max();
    if let Some(retry_after) = wait {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    repo::record_failure(conn, failure_key, client_addr, now)?;
    Ok(())
}

/// Before `PUT /auth/me/password` checks the current password: the check counts as a login attempt
/// of the account from `client_addr` (429 when throttled), so a stolen access token cannot guess
/// passwords faster than the login form allows. Returns the stored hash and the account's email key.
pub fn begin_password_check(
    conn: &mut DbConn,
    user: UserId,
    client_addr: &str,
    policy: TokenPolicy,
    now: NaiveDateTime,
) -> Result<(String, String), ApiError> {
    db::write_private(conn, |conn| {
        let row = accounts::find(conn, user)?.ok_or(ApiError::Unauthorized)?;
        reserve_attempt(conn, &failure_key(&row.email_key), client_addr, policy, now)?;
        Ok((row.password_hash, row.email_key))
    })
}

/// Settles an attempt after the password check: a failure is already counted (`begin_login`);
/// a success clears the account's failures and starts a new login (a new refresh-token family).
pub fn finish_login(
    conn: &mut DbConn,
    keys: &JwtKeys,
    policy: TokenPolicy,
    email_key: &str,
    user: Option<UserRow>,
    now: NaiveDateTime,
) -> Result<TokenResponse, ApiError> {
    let Some(user) = user else {
        return Err(ApiError::BadCredentials);
    };
    db::write_private(conn, |conn| {
        repo::clear_failures_for_email(conn, &failure_key(email_key))?;
        let user = accounts::record_login(conn, user.id, now)?;
        repo::delete_expired_refresh_tokens(conn, now)?;
        issue_pair(conn, keys, policy, user, &crate::auth::random_token(), now)
    })
}

fn issue_pair(
    conn: &mut DbConn,
    keys: &JwtKeys,
    policy: TokenPolicy,
    user: UserRow,
    family: &str,
    now: NaiveDateTime,
) -> Result<TokenResponse, ApiError> {
    let refresh_token = crate::auth::random_token();
    repo::insert_refresh_token(
        conn,
        &NewRefreshTokenRow {
            user_id: user.id,
            family,
            token_hash: &token_hash(&refresh_token),
            created_at: now,
            expires_at: now + chrono_duration(policy.refresh_ttl),
        },
    )?;
    let epoch = user.token_epoch;
    let user = UserResponse::from(user);
    let grant = Grant { user: user.id, role: user.role, account_created: user.created_at, epoch, session: family };
    Ok(TokenResponse {
        access_token: keys.issue(grant)?,
        token_type: "Bearer",
        expires_in: keys.ttl.as_secs(),
        refresh_token,
        user,
    })
}

/// Trades a refresh token for a new pair. A token presented a second time means it was stolen or
/// replayed: the whole login it belongs to is revoked, and the caller must log in again.
pub fn refresh(
    conn: &mut DbConn,
    keys: &JwtKeys,
    policy: TokenPolicy,
    token: &str,
    now: NaiveDateTime,
) -> Result<TokenResponse, ApiError> {
    let hash = token_hash(token);
    // The revocation of a reused family must commit even though the answer is a 401.
    let outcome = db::write_private(conn, |conn| {
        let Some(row) = repo::find_refresh_token(conn, &hash)? else {
            return Ok(Err(ApiError::Unauthorized));
        };
        if row.revoked_at.is_some() || row.expires_at <= now {
            return Ok(Err(ApiError::Unauthorized));
        }
        if row.spent_at.is_some() {
            tracing::warn!(user_id = %row.user_id, "a spent refresh token was presented again; revoking that login");
            repo::revoke_family(conn, &row.family, now)?;
            return Ok(Err(ApiError::Unauthorized));
        }
        repo::spend_refresh_token(conn, row.id, now)?;
        let Some(user) = accounts::find(conn, row.user_id)? else {
            return Ok(Err(ApiError::Unauthorized));
        };
        issue_pair(conn, keys, policy, user, &row.family, now).map(Ok)
    })?;
    outcome
}

/// Ends the login a refresh token belongs to. Unknown tokens are ignored: logging out twice is fine.
pub fn logout(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    let hash = token_hash(token);
    db::write_private(conn, |conn| {
        if let Some(row) = repo::find_refresh_token(conn, &hash)? {
            repo::revoke_family(conn, &row.family, now)?;
        }
        Ok(())
    })
}

/// The caller's own account.
pub fn me(conn: &mut DbConn, id: UserId) -> Result<UserResponse, ApiError> {
    let row = accounts::find(conn, id)?.ok_or(ApiError::Unauthorized)?;
    Ok(UserResponse::from(row))
}

/// Ends every login of the account at once: its refresh tokens are revoked and its access tokens,
/// which carry the previous token epoch, are refused from the next request on. Inside the caller's
/// transaction.
pub fn end_every_login(conn: &mut DbConn, user: UserId, now: NaiveDateTime) -> Result<(), ApiError> {
    repo::revoke_all_for_user(conn, user, now)?;
    accounts::bump_token_epoch(conn, user)?;
    Ok(())
}

/// Stores a new password hash and ends every login of the user. The right current password was
/// given, so the account's failed attempts are cleared as after a login.
pub fn set_password(
    conn: &mut DbConn,
    user: &AuthUser,
    email_key: &str,
    password_hash: String,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    db::write_private(conn, |conn| {
        repo::clear_failures_for_email(conn, &failure_key(email_key))?;
        accounts::set_password_hash(conn, user.id, &password_hash, now)?;
        end_every_login(conn, user.id, now)?;
        audit::record(conn, user, now, Change::Update, Resource::User, user.id.0, None)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::db::tests::memory_conn;
    use crate::domain::role::Role;
    use crate::users::repo::{self as users, NewUserRow};

    const POLICY: TokenPolicy =
        TokenPolicy { refresh_ttl: Duration::from_secs(3600), login_window: Duration::from_secs(900) };

    fn now() -> NaiveDateTime {
        Clock::system().now()
    }

    fn user(conn: &mut DbConn) -> UserRow {
        let now = Clock::system().now();
        users::insert(
            conn,
            &NewUserRow {
                email: "a@b.c".into(),
                email_key: "a@b.c".into(),
                name: "A".into(),
                role: Role::Writer,
                password_hash: "x".into(),
                author_id: None,
                created_at: now,
                updated_at: now,
            },
        )
        .expect("insert")
    }

    #[test]
    fn a_reused_refresh_token_revokes_its_login_only() {
        let conn = &mut memory_conn();
        let keys = JwtKeys::new(&[1; 32], "warta", Duration::from_secs(60), Clock::system());
        let row = user(conn);
        let first = finish_login(conn, &keys, POLICY, "a@b.c", Some(row.clone()), now()).expect("login");
        let other = finish_login(conn, &keys, POLICY, "a@b.c", Some(row), now()).expect("second login");
        let second = refresh(conn, &keys, POLICY, &first.refresh_token, now()).expect("refresh");
        assert!(matches!(refresh(conn, &keys, POLICY, &first.refresh_token, now()), Err(ApiError::Unauthorized)));
        assert!(matches!(refresh(conn, &keys, POLICY, &second.refresh_token, now()), Err(ApiError::Unauthorized)));
        assert!(refresh(conn, &keys, POLICY, &other.refresh_token, now()).is_ok(), "the other login lives on");
    }

    #[test]
    fn five_failures_throttle_the_account() {
        let conn = &mut memory_conn();
        let keys = JwtKeys::new(&[1; 32], "warta", Duration::from_secs(60), Clock::system());
        for _ in 0..5 {
            begin_login(conn, "x@y.z", "1.1.1.1", POLICY, now()).expect("allowed");
            assert!(finish_login(conn, &keys, POLICY, "x@y.z", None, now()).is_err());
        }
        match begin_login(conn, "x@y.z", "2.2.2.2", POLICY, now()) {
            Err(ApiError::TooManyRequests { retry_after }) => {
                assert!((899..=900).contains(&retry_after), "{retry_after}")
            }
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(begin_login(conn, "other@y.z", "2.2.2.2", POLICY, now()).is_ok(), "other accounts are not affected");
    }
}
