//! Diesel queries over visible articles (see `domain::article_status` for the rule) and over every
//! article when the question is whether something is in use.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{article_tags, articles, tags};
use crate::db::DbConn;
use crate::domain::article_status::ArticleStatus;
use crate::domain::ids::TagId;

/// The stored statuses of articles that are visible once their `published_at` has passed.
fn live() -> [&'static str; 2] {
    [ArticleStatus::Published.as_str(), ArticleStatus::Scheduled.as_str()]
}

/// Tags that name at least one visible article, by name then id: one page of them.
pub fn tags_in_view(conn: &mut DbConn, now: NaiveDateTime, limit: i64, offset: i64) -> QueryResult<Vec<TagId>> {
    let in_view = article_tags::table
        .inner_join(articles::table)
        .filter(articles::status.eq_any(live()))
        .filter(articles::published_at.le(now))
        .select(article_tags::tag_id);
    tags::table
        .filter(tags::id.eq_any(in_view))
        .order((tags::name_key.asc(), tags::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(tags::id)
        .load(conn)
}

/// How many tags name at least one visible article.
pub fn count_tags_in_view(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<i64> {
    let in_view = article_tags::table
        .inner_join(articles::table)
        .filter(articles::status.eq_any(live()))
        .filter(articles::published_at.le(now))
        .select(article_tags::tag_id);
    tags::table.filter(tags::id.eq_any(in_view)).count().get_result(conn)
}

/// Whether a tag names at least one visible article.
pub fn tag_in_view(conn: &mut DbConn, tag: TagId, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        article_tags::table
            .inner_join(articles::table)
            .filter(article_tags::tag_id.eq(tag))
            .filter(articles::status.eq_any(live()))
            .filter(articles::published_at.le(now)),
    ))
    .get_result(conn)
}
