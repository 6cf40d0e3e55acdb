//! Article answers assembled from rows, bylines, tags and the category tree.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use chrono_tz::Tz;

use crate::articles::dto::{ArticleCategory, ArticleResponse, ArticleSummary, CoverImage};
use crate::articles::repo::{self, ArticleRow, SummaryRow};
use crate::categories::service::Tree;
use crate::db::DbConn;
use crate::domain::display_date;
use crate::domain::ids::ArticleId;
use crate::error::ApiError;

/// Summaries of the articles `ids` names, in that order.
pub fn summaries_of(
    conn: &mut DbConn,
    tree: &Tree,
    ids: &[ArticleId],
    tz: Tz,
    now: NaiveDateTime,
) -> Result<Vec<ArticleSummary>, ApiError> {
    let mut rows = repo::summaries_by_ids(conn, ids)?;
    let order: HashMap<_, _> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|row| order.get(&row.id).copied().unwrap_or(usize::MAX));
    summarize(conn, tree, &rows, tz, now)
}

/// Assembles summaries, in the order of `rows`, with three queries in all, whatever their number.
fn summarize(
    conn: &mut DbConn,
    tree: &Tree,
    rows: &[SummaryRow],
    tz: Tz,
    now: NaiveDateTime,
) -> Result<Vec<ArticleSummary>, ApiError> {
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let mut bylines: HashMap<_, Vec<_>> = HashMap::new();
    for (article, author) in repo::bylines_of(conn, &ids)? {
        bylines.entry(article).or_default().push(author);
    }
    let mut tags: HashMap<_, Vec<_>> = HashMap::new();
    for (article, tag) in repo::tags_of(conn, &ids)? {
        tags.entry(article).or_default().push(tag);
    }
    rows.iter()
        .map(|row| {
            let path = tree.path(row.category_id);
            let leaf = path
                .last()
                .cloned()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("article {} has no category", row.id)))?;
            Ok(ArticleSummary {
                id: row.id,
                slug: row.slug.clone(),
                title: row.title.clone(),
                excerpt: row.excerpt.clone(),
                body_format: row.body_format,
                cover_image: CoverImage::from_stored(
                    row.cover_url.clone(),
                    row.cover_caption.clone(),
                    row.cover_credit.clone(),
                    row.cover_alt.clone(),
                    row.cover_media.as_deref(),
                ),
                category: ArticleCategory { id: leaf.id, slug: leaf.slug, name: leaf.name, path },
                authors: bylines.remove(&row.id).unwrap_or_default(),
                tags: tags.remove(&row.id).unwrap_or_default(),
                status: row.status().effective(row.published_at, now),
                published_at: row.published_at,
                published_at_display: row.published_at.map(|at| display_date::display(&at, tz)),
                reading_time_minutes: row.reading_time_minutes,
                word_count: row.word_count,
                view_count: row.view_count,
                created_at: row.created_at,
                updated_at: row.updated_at,
                version: row.version,
            })
        })
        .collect()
}

pub(super) fn full(
    conn: &mut DbConn,
    row: ArticleRow,
    tz: Tz,
    now: NaiveDateTime,
) -> Result<ArticleResponse, ApiError> {
    let tree = Tree::load(conn)?;
    let summary = summarize(conn, &tree, &[SummaryRow::from(&row)], tz, now)?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("article {} vanished", row.id)))?;
    Ok(ArticleResponse { summary, body: row.body, body_html: row.body_html })
}
