//! The `articles` row as read (whole, or without its body for lists) and as written.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::articles;
use crate::domain::article_status::ArticleStatus;
use crate::domain::body::BodyFormat;
use crate::domain::ids::{ArticleId, CategoryId, MediaId, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: ArticleId,
    pub slug: String,
    pub title: String,
    pub custom_excerpt: Option<String>,
    pub excerpt: String,
    pub body: String,
    pub body_format: BodyFormat,
    pub body_html: String,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub cover_url: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub cover_alt: Option<String>,
    pub cover_media: Option<String>,
    pub category_id: CategoryId,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub view_count: i64,
    pub version: i32,
    pub created_by: Option<UserId>,
    pub updated_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ArticleRow {
    pub fn status(&self) -> ArticleStatus {
        self.status
    }

    pub fn is_visible(&self, now: NaiveDateTime) -> bool {
        self.status().is_visible(self.published_at, now)
    }
}

/// An article without its body: all that lists and feeds show. Reading it instead of the whole row
/// keeps several kilobytes of Markdown and HTML per item out of every list query.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct SummaryRow {
    pub id: ArticleId,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub body_format: BodyFormat,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub cover_url: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub cover_alt: Option<String>,
    pub cover_media: Option<String>,
    pub category_id: CategoryId,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub view_count: i64,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SummaryRow {
    pub fn status(&self) -> ArticleStatus {
        self.status
    }
}

impl From<&ArticleRow> for SummaryRow {
    fn from(row: &ArticleRow) -> Self {
        SummaryRow {
            id: row.id,
            slug: row.slug.clone(),
            title: row.title.clone(),
            excerpt: row.excerpt.clone(),
            body_format: row.body_format,
            word_count: row.word_count,
            reading_time_minutes: row.reading_time_minutes,
            cover_url: row.cover_url.clone(),
            cover_caption: row.cover_caption.clone(),
            cover_credit: row.cover_credit.clone(),
            cover_alt: row.cover_alt.clone(),
            cover_media: row.cover_media.clone(),
            category_id: row.category_id,
            status: row.status,
            published_at: row.published_at,
            view_count: row.view_count,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Every column a write sets. `None` stores NULL, so the struct replaces the whole article.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
pub struct ArticleFields {
    pub slug: String,
    pub title: String,
    pub custom_excerpt: Option<String>,
    pub excerpt: String,
    pub body: String,
    pub body_format: BodyFormat,
    pub body_html: String,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub cover_url: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub cover_alt: Option<String>,
    pub cover_media_id: Option<MediaId>,
    pub cover_media: Option<String>,
    pub category_id: CategoryId,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub updated_by: Option<UserId>,
    pub updated_at: NaiveDateTime,
}
