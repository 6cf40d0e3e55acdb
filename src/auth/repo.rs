//! Diesel queries for refresh tokens and failed logins.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{login_failures, refresh_tokens};
use crate::db::DbConn;
use crate::domain::ids::UserId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: i32,
    pub user_id: UserId,
    pub family: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub spent_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshTokenRow<'a> {
    pub user_id: UserId,
    pub family: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert_refresh_token(conn: &mut DbConn, row: &NewRefreshTokenRow) -> QueryResult<usize> {
    diesel::insert_into(refresh_tokens::table).values(row).execute(conn)
}

pub fn find_refresh_token(conn: &mut DbConn, hash: &str) -> QueryResult<Option<RefreshTokenRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()
}

pub fn spend_refresh_token(conn: &mut DbConn, id: i32, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table.find(id).filter(refresh_tokens::spent_at.is_null()))
        .set(refresh_tokens::spent_at.eq(at))
        .execute(conn)
}

pub fn revoke_family(conn: &mut DbConn, family: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table.filter(refresh_tokens::family.eq(family)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)
}

pub fn revoke_all_for_user(conn: &mut DbConn, user: UserId, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table.filter(refresh_tokens::user_id.eq(user)).filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)
}

/// Whether the login `family` of `user` is still open: some refresh token of it is not revoked.
/// Logout and reuse detection revoke the whole family, which ends its access tokens too.
pub fn session_is_open(conn: &mut DbConn, user: UserId, family: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        refresh_tokens::table
            .filter(refresh_tokens::family.eq(family))
            .filter(refresh_tokens::user_id.eq(user))
            .filter(refresh_tokens::revoked_at.is_null()),
    ))
    .get_result(conn)
}

/// Forgets tokens that can no longer be used, so the table does not grow forever.
pub fn delete_expired_refresh_tokens(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(before))).execute(conn)
}

/// Failures since `since` for an account (its failure key, stored in the `email_key` column) and
/// for a client address, oldest first.
pub fn failures_since(
    conn: &mut DbConn,
    failure_key: &str,
    client_addr: &str,
    since: NaiveDateTime,
) -> QueryResult<(Vec<NaiveDateTime>, Vec<NaiveDateTime>)> {
    let by_email = login_failures::table
        .filter(login_failures::email_key.eq(failure_key))
        .filter(login_failures::failed_at.gt(since))
        .order(login_failures::failed_at.asc())
        .select(login_failures::failed_at)
        .load(conn)?;
    let by_client = login_failures::table
        .filter(login_failures::client_addr.eq(client_addr))
        .filter(login_failures::failed_at.gt(since))
        .order(login_failures::failed_at.asc())
        .select(login_failures::failed_at)
        .load(conn)?;
    Ok((by_email, by_client))
}

pub fn record_failure(
    conn: &mut DbConn,
    failure_key: &str,
    client_addr: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::email_key.eq(failure_key),
            login_failures::client_addr.eq(client_addr),
            login_failures::failed_at.eq(at),
        ))
        .execute(conn)
}

pub fn clear_failures_for_email(conn: &mut DbConn, failure_key: &str) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::email_key.eq(failure_key))).execute(conn)
}

pub fn prune_failures(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(login_failures::table.filter(login_failures::failed_at.le(before))).execute(conn)
}
