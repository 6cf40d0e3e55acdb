//! Diesel queries for `audit_log`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::audit::change::{Change, Resource};
use crate::db::schema::audit_log;
use crate::db::DbConn;
use crate::domain::ids::{ArticleId, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i32,
    pub at: NaiveDateTime,
    pub user_id: Option<UserId>,
    pub user_email: String,
    pub action: Change,
    pub resource: Resource,
    pub resource_id: i32,
    pub article_id: Option<ArticleId>,
    pub version_before: Option<i32>,
    pub version_after: Option<i32>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditRow<'a> {
    pub at: NaiveDateTime,
    pub user_id: Option<UserId>,
    pub user_email: &'a str,
    pub action: Change,
    pub resource: Resource,
    pub resource_id: i32,
    pub article_id: Option<ArticleId>,
    pub version_before: Option<i32>,
    pub version_after: Option<i32>,
}

pub fn insert(conn: &mut DbConn, row: &NewAuditRow) -> QueryResult<usize> {
    diesel::insert_into(audit_log::table).values(row).execute(conn)
}

/// Newest first, optionally for one user and one article.
pub fn page(
    conn: &mut DbConn,
    user: Option<UserId>,
    article: Option<ArticleId>,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let filtered = || {
        let mut query = audit_log::table.into_boxed();
        if let Some(user) = user {
            query = query.filter(audit_log::user_id.eq(user));
        }
        if let Some(article) = article {
            query = query.filter(audit_log::article_id.eq(article));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows =
        filtered().order(audit_log::id.desc()).limit(limit).offset(offset).select(AuditRow::as_select()).load(conn)?;
    Ok((rows, total))
}
