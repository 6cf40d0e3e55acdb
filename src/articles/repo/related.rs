//! Articles related to one: sharing a tag, then in its category.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::articles::repo::rows::ArticleRow;
use crate::db::schema::{article_tags, articles};
use crate::db::DbConn;
use crate::domain::ids::{ArticleId, TagId};
use crate::published::repo::visible;

/// Visible articles related to `article`: those sharing a tag with it first, then those in its
/// category, newest first within each group, never the article itself.
pub fn related(conn: &mut DbConn, article: &ArticleRow, limit: i64, now: NaiveDateTime) -> QueryResult<Vec<ArticleId>> {
    let its_tags: Vec<TagId> =
        article_tags::table.filter(article_tags::article_id.eq(article.id)).select(article_tags::tag_id).load(conn)?;
    let sharing_a_tag =
        article_tags::table.filter(article_tags::tag_id.eq_any(its_tags)).select(article_tags::article_id);
    let mut ids: Vec<ArticleId> = articles::table
        .filter(visible(now))
        .filter(articles::id.ne(article.id))
        .filter(articles::id.eq_any(sharing_a_tag))
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit)
        .select(articles::id)
        .load(conn)?;
    let missing = limit - ids.len() as i64;
    if missing > 0 {
        let candidates: Vec<ArticleId> = articles::table
            .filter(articles::category_id.eq(article.category_id))
            .filter(visible(now))
            .filter(articles::id.ne(article.id))
            .order((articles::published_at.desc(), articles::id.desc()))
            .limit(limit)
            .select(articles::id)
            .load(conn)?;
        for candidate in candidates {
            if ids.len() as i64 >= limit {
                break;
            }
            if !ids.contains(&candidate) {
                ids.push(candidate);
            }
        }
    }
    Ok(ids)
}
