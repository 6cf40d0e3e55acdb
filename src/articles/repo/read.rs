//! Reading articles by id, slug or retired slug, with their bylines and tags; when the next
//! scheduled article goes live.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::articles::dto::{AuthorRef, TagRef};
use crate::articles::repo::rows::{ArticleRow, SummaryRow};
use crate::db::schema::{article_authors, article_slug_redirects, article_tags, articles, authors, tags};
use crate::db::DbConn;
use crate::domain::article_status::Visibility;
use crate::domain::ids::{ArticleId, AuthorId, TagId};
use crate::domain::key::ItemKey;
use crate::published::repo::pending;

pub fn find_by_key(conn: &mut DbConn, key: &ItemKey) -> QueryResult<Option<ArticleRow>> {
    let query = articles::table.select(ArticleRow::as_select());
    match key {
        ItemKey::Id(id) => query.find(ArticleId(*id)).first(conn).optional(),
        ItemKey::Slug(slug) => query.filter(articles::slug.eq(slug)).first(conn).optional(),
        ItemKey::NoSuchId => Ok(None),
    }
}

/// Just what visibility needs, without the body: for hot paths such as the view beacon.
pub fn status_of(conn: &mut DbConn, key: &ItemKey) -> QueryResult<Option<Visibility>> {
    let query = articles::table.select((articles::id, articles::status, articles::published_at));
    match key {
        ItemKey::Id(id) => query.find(ArticleId(*id)).first(conn).optional(),
        ItemKey::Slug(slug) => query.filter(articles::slug.eq(slug)).first(conn).optional(),
        ItemKey::NoSuchId => Ok(None),
    }
}

pub fn summaries_by_ids(conn: &mut DbConn, ids: &[ArticleId]) -> QueryResult<Vec<SummaryRow>> {
    articles::table.filter(articles::id.eq_any(ids)).select(SummaryRow::as_select()).load(conn)
}

pub fn by_ids(conn: &mut DbConn, ids: &[ArticleId]) -> QueryResult<Vec<ArticleRow>> {
    articles::table.filter(articles::id.eq_any(ids)).select(ArticleRow::as_select()).load(conn)
}

/// The article a retired slug now points to.
pub fn redirect_target(conn: &mut DbConn, slug: &str) -> QueryResult<Option<ArticleId>> {
    article_slug_redirects::table
        .filter(article_slug_redirects::slug.eq(slug))
        .select(article_slug_redirects::article_id)
        .first(conn)
        .optional()
}

/// Whether a slug is in use, by an article or as a retired slug that still redirects.
pub fn slug_taken(conn: &mut DbConn, slug: &str) -> QueryResult<bool> {
    let live = diesel::select(diesel::dsl::exists(articles::table.filter(articles::slug.eq(slug)))).get_result(conn)?;
    Ok(live || redirect_target(conn, slug)?.is_some())
}

/// Bylines of the given articles, in byline order.
pub fn bylines_of(conn: &mut DbConn, ids: &[ArticleId]) -> QueryResult<Vec<(ArticleId, AuthorRef)>> {
    let rows: Vec<(ArticleId, AuthorId, String, String)> = article_authors::table
        .inner_join(authors::table)
        .filter(article_authors::article_id.eq_any(ids))
        .order((article_authors::article_id, article_authors::position))
        .select((article_authors::article_id, authors::id, authors::slug, authors::name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(article, id, slug, name)| (article, AuthorRef { id, slug, name })).collect())
}

/// Tags of the given articles, by name.
pub fn tags_of(conn: &mut DbConn, ids: &[ArticleId]) -> QueryResult<Vec<(ArticleId, TagRef)>> {
    let rows: Vec<(ArticleId, TagId, String, String)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(ids))
        .order((article_tags::article_id, tags::name_key))
        .select((article_tags::article_id, tags::id, tags::slug, tags::name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(article, id, slug, name)| (article, TagRef { id, slug, name })).collect())
}

/// When the next scheduled article becomes visible, if any is scheduled.
pub fn next_scheduled(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Option<NaiveDateTime>> {
    articles::table.filter(pending::<articles::table>(now)).select(diesel::dsl::min(articles::published_at)).first(conn)
}
