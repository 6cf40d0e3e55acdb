//! Diesel queries for `users`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::DbConn;
use crate::domain::ids::{AuthorId, UserId};
use crate::domain::role::Role;

/// The row type lives with authentication, which reads accounts too (users depend on auth, never
/// the other way round).
pub use crate::auth::account::UserRow;

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUserRow {
    pub email: String,
    pub email_key: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub author_id: Option<AuthorId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub email_key: Option<String>,
    pub name: Option<String>,
    pub role: Option<Role>,
    pub password_hash: Option<String>,
    pub author_id: Option<Option<AuthorId>>,
    pub updated_at: Option<NaiveDateTime>,
    pub last_login_at: Option<Option<NaiveDateTime>>,
}

pub use crate::auth::account::{find, find_by_email_key};

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn count_with_role(conn: &mut DbConn, role: Role) -> QueryResult<i64> {
    users::table.filter(users::role.eq(role)).count().get_result(conn)
}

pub fn page(conn: &mut DbConn, limit: i64, offset: i64) -> QueryResult<Vec<UserRow>> {
    users::table.order(users::id.asc()).limit(limit).offset(offset).select(UserRow::as_select()).load(conn)
}

pub fn insert(conn: &mut DbConn, row: &NewUserRow) -> QueryResult<UserRow> {
    crate::db::per_engine!(conn, |c| diesel::insert_into(users::table)
        .values(row)
        .returning(UserRow::as_returning())
        .get_result(c))
}

pub fn update(conn: &mut DbConn, id: UserId, changes: &UserChanges) -> QueryResult<UserRow> {
    crate::db::per_engine!(conn, |c| diesel::update(users::table.find(id))
        .set(changes)
        .returning(UserRow::as_returning())
        .get_result(c))
}

pub fn delete(conn: &mut DbConn, id: UserId) -> QueryResult<usize> {
    diesel::delete(users::table.find(id)).execute(conn)
}

/// The oldest account with `role`.
pub fn first_with_role(conn: &mut DbConn, role: Role) -> QueryResult<Option<UserRow>> {
    users::table.filter(users::role.eq(role)).order(users::id.asc()).select(UserRow::as_select()).first(conn).optional()
}
