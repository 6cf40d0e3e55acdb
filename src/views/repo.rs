//! Diesel queries for view buckets and totals.

use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::schema::{article_views, articles};
use crate::db::DbConn;
use crate::domain::ids::ArticleId;

/// Adds `views` reads to an article's bucket for `hour` (seconds since 1970, a multiple of 3600).
pub fn add_to_bucket(conn: &mut DbConn, article: ArticleId, hour: i64, views: i64) -> QueryResult<usize> {
    crate::db::per_engine!(conn, |c| diesel::insert_into(article_views::table)
        .values((article_views::article_id.eq(article), article_views::hour.eq(hour), article_views::views.eq(views)))
        .on_conflict((article_views::hour, article_views::article_id))
        .do_update()
        .set(article_views::views.eq(article_views::views + excluded(article_views::views)))
        .execute(c))
}

pub fn add_to_total(conn: &mut DbConn, article: ArticleId, views: i64) -> QueryResult<usize> {
    diesel::update(articles::table.find(article))
        .set(articles::view_count.eq(articles::view_count + views))
        .execute(conn)
}

/// Whether the article still exists: reads of an article deleted since are dropped.
pub fn article_exists(conn: &mut DbConn, article: ArticleId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(articles::table.find(article))).get_result(conn)
}

pub fn prune_before(conn: &mut DbConn, hour: i64) -> QueryResult<usize> {
    diesel::delete(article_views::table.filter(article_views::hour.lt(hour))).execute(conn)
}
