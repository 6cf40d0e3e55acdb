//! An article as a write leaves it: its body rendered, the stored row made from it, and its text
//! indexed for search.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;

use crate::articles::dto::CoverImage;
use crate::articles::repo::{self, ArticleFields, ArticleRow};
use crate::articles::service::checks::CoverChoice;
use crate::auth::AuthUser;
use crate::db::DbConn;
use crate::domain::article_status::ArticleStatus;
use crate::domain::body::{self, BodyFormat, RenderedBody};
use crate::domain::ids::{CategoryId, MediaId};
use crate::domain::slug::Slug;
use crate::domain::validation::FieldError;
use crate::error::{is_unique_violation, ApiError};

/// An article as a write leaves it, before it is stored.
pub(super) struct Draft {
    pub(super) title: String,
    pub(super) slug: Option<Slug>,
    pub(super) custom_excerpt: Option<String>,
    pub(super) body: String,
    pub(super) body_format: BodyFormat,
    pub(super) cover: Option<CoverChoice>,
    pub(super) category_id: CategoryId,
    pub(super) status: ArticleStatus,
    pub(super) published_at: Option<NaiveDateTime>,
}

/// The library items a stored article uses: its cover's and its body's.
pub(super) fn media_uses(cover: Option<&CoverImage>, body: BTreeSet<MediaId>) -> Vec<MediaId> {
    let mut uses = body;
    uses.extend(cover.and_then(|c| c.media_id));
    uses.into_iter().collect()
}

/// Renders the body of a write that passed every other check: before the write transaction, so a
/// slow body never holds the write lock, and bounded (see `body::render`), so none is slow for long.
pub(super) fn render_body(draft: &Draft) -> Result<RenderedBody, ApiError> {
    body::render(&draft.body, draft.body_format).map_err(|e| FieldError::new("body", e.to_string()).into())
}

pub(super) fn slug_clash(e: diesel::result::Error) -> ApiError {
    if is_unique_violation(&e) {
        ApiError::Conflict("another article has this slug".into())
    } else {
        e.into()
    }
}

/// The stored row of a draft, its rendered body (library pictures linked) and its cover as
/// resolved, with the status and time fixed; also returns the body's text for the search index.
pub(super) fn fields(
    draft: &Draft,
    rendered: RenderedBody,
    cover: Option<&CoverImage>,
    slug: String,
    by: &AuthUser,
    now: NaiveDateTime,
) -> Result<(ArticleFields, String), ApiError> {
    if draft.status == ArticleStatus::Scheduled && draft.published_at.is_none() {
        return Err(FieldError::new("published_at", "is required to schedule an article").into());
    }
    let (status, published_at) = draft.status.resolve(draft.published_at, now);
    let fields = ArticleFields {
        slug,
        title: draft.title.clone(),
        excerpt: draft.custom_excerpt.clone().unwrap_or_else(|| body::derived_excerpt(&rendered.text)),
        custom_excerpt: draft.custom_excerpt.clone(),
        body: draft.body.clone(),
        body_format: draft.body_format,
        body_html: rendered.html,
        word_count: rendered.word_count,
        reading_time_minutes: rendered.reading_time_minutes,
        cover_url: cover.map(|c| c.url.clone()),
        cover_caption: cover.and_then(|c| c.caption.clone()),
        cover_credit: cover.and_then(|c| c.credit.clone()),
        cover_alt: cover.and_then(|c| c.alt.clone()),
        cover_media_id: cover.and_then(|c| c.media_id),
        cover_media: cover.and_then(CoverImage::media).and_then(|m| serde_json::to_string(&m).ok()),
        category_id: draft.category_id,
        status,
        published_at,
        updated_by: Some(by.id),
        updated_at: now,
    };
    Ok((fields, rendered.text))
}

/// A derived excerpt repeats the body's first words; indexing it again would count body words twice
/// and rank body-only matches too high, so only an editor's own excerpt is indexed.
pub(super) fn index(conn: &mut DbConn, row: &ArticleRow, body_text: &str) -> Result<(), ApiError> {
    let excerpt = row.custom_excerpt.as_deref().unwrap_or("");
    Ok(repo::index_text(conn, row.id, &row.title, excerpt, body_text)?)
}
