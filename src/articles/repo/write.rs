//! Writing articles, their bylines, tags and retired slugs. Each write is one statement; the
//! service owns the transaction around them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::articles::repo::rows::{ArticleFields, ArticleRow};
use crate::db::schema::{article_authors, article_slug_redirects, article_tags, articles};
use crate::db::DbConn;
use crate::domain::ids::{ArticleId, AuthorId, TagId, UserId};

pub fn add_redirect(conn: &mut DbConn, slug: &str, article: ArticleId) -> QueryResult<usize> {
    crate::db::per_engine!(conn, |c| diesel::insert_into(article_slug_redirects::table)
        .values((article_slug_redirects::slug.eq(slug), article_slug_redirects::article_id.eq(article)))
        .on_conflict(article_slug_redirects::slug)
        .do_update()
        .set(article_slug_redirects::article_id.eq(article))
        .execute(c))
}

pub fn remove_redirect(conn: &mut DbConn, slug: &str) -> QueryResult<usize> {
    diesel::delete(article_slug_redirects::table.filter(article_slug_redirects::slug.eq(slug))).execute(conn)
}

pub fn insert(conn: &mut DbConn, fields: &ArticleFields, by: UserId, at: NaiveDateTime) -> QueryResult<ArticleRow> {
    crate::db::per_engine!(conn, |c| diesel::insert_into(articles::table)
        .values((fields, articles::created_by.eq(Some(by)), articles::created_at.eq(at), articles::version.eq(1)))
        .returning(ArticleRow::as_returning())
        .get_result(c))
}

/// Writes `fields` if the article is still at `version`, and moves it to the next version.
pub fn update(
    conn: &mut DbConn,
    id: ArticleId,
    version: i32,
    fields: &ArticleFields,
) -> QueryResult<Option<ArticleRow>> {
    crate::db::per_engine!(conn, |c| diesel::update(articles::table.find(id).filter(articles::version.eq(version)))
        .set((fields, articles::version.eq(articles::version + 1)))
        .returning(ArticleRow::as_returning())
        .get_result(c)
        .optional())
}

pub fn delete(conn: &mut DbConn, id: ArticleId, version: i32) -> QueryResult<usize> {
    diesel::delete(articles::table.find(id).filter(articles::version.eq(version))).execute(conn)
}

pub fn set_bylines(conn: &mut DbConn, id: ArticleId, authors: &[AuthorId]) -> QueryResult<()> {
    diesel::delete(article_authors::table.filter(article_authors::article_id.eq(id))).execute(conn)?;
    let rows: Vec<_> = authors
        .iter()
        .enumerate()
        .map(|(i, author)| {
            (
                article_authors::article_id.eq(id),
                article_authors::author_id.eq(*author),
                article_authors::position.eq(i as i32),
            )
        })
        .collect();
    crate::db::per_engine!(conn, |c| diesel::insert_into(article_authors::table).values(&rows).execute(c))?;
    Ok(())
}

pub fn set_tags(conn: &mut DbConn, id: ArticleId, tag_ids: &[TagId]) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id))).execute(conn)?;
    let rows: Vec<_> =
        tag_ids.iter().map(|tag| (article_tags::article_id.eq(id), article_tags::tag_id.eq(*tag))).collect();
    crate::db::per_engine!(conn, |c| diesel::insert_into(article_tags::table).values(&rows).execute(c))?;
    Ok(())
}
