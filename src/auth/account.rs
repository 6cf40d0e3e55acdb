//! The account as authentication sees it: the `users` row, read to log in and to know the caller
//! on every request, and the two writes a login makes (its time, a new password). Managing accounts
//! is the `users` module's, which builds on this one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::DbConn;
use crate::domain::ids::{AuthorId, UserId};
use crate::domain::role::Role;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub email_key: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub author_id: Option<AuthorId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_login_at: Option<NaiveDateTime>,
    /// Raised by a password change or reset; access tokens carry it and older ones are refused.
    pub token_epoch: i32,
}

pub fn find(conn: &mut DbConn, id: UserId) -> QueryResult<Option<UserRow>> {
    users::table.find(id).select(UserRow::as_select()).first(conn).optional()
}

pub fn find_by_email_key(conn: &mut DbConn, key: &str) -> QueryResult<Option<UserRow>> {
    // No stored address holds a NUL (addresses are validated), and PostgreSQL refuses one in a
    // bound value instead of matching nothing.
    if key.contains('\0') {
        return Ok(None);
    }
    users::table.filter(users::email_key.eq(key)).select(UserRow::as_select()).first(conn).optional()
}

pub fn record_login(conn: &mut DbConn, id: UserId, at: NaiveDateTime) -> QueryResult<UserRow> {
    crate::db::per_engine!(conn, |c| diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(at))
        .returning(UserRow::as_returning())
        .get_result(c))
}

pub fn set_password_hash(conn: &mut DbConn, id: UserId, hash: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set((users::password_hash.eq(hash), users::updated_at.eq(at))).execute(conn)
}

/// Ends every access token of the account issued so far (they carry the old epoch).
pub fn bump_token_epoch(conn: &mut DbConn, user: UserId) -> QueryResult<usize> {
    diesel::update(users::table.find(user)).set(users::token_epoch.eq(users::token_epoch + 1)).execute(conn)
}
