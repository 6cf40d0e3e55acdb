//! Creating an article: the caller's role and status, every field checked, the body rendered, then
//! the row, its bylines, tags, search text and audit entry stored in one write transaction.

use crate::articles::dto::{ArticleResponse, CreateArticleRequest};
use crate::articles::repo;
use crate::articles::service::checks::{
    check_authors, check_body, check_cover, check_excerpt, check_published_at, check_references, check_status_allowed,
    check_tags, link_body_media, resolve_cover, TITLE_MAX,
};
use crate::articles::service::draft::{fields, index, media_uses, render_body, slug_clash, Draft};
use crate::articles::service::summary::full;
use crate::audit::{self, Change as Audited, Resource};
use crate::auth::AuthUser;
use crate::clock::Moment;
use crate::db::{self, DbConn};
use crate::domain::article_status::ArticleStatus;
use crate::domain::body::BodyFormat;
use crate::domain::role::Action;
use crate::domain::slug::Slug;
use crate::domain::validation::{required_text, Violations};
use crate::error::ApiError;
use crate::{media, tags};

pub fn create(
    conn: &mut DbConn,
    user: &AuthUser,
    req: CreateArticleRequest,
    at: Moment,
    media_url: &str,
) -> Result<ArticleResponse, ApiError> {
    let Moment { now, tz } = at;
    user.require(Action::WriteOwnDrafts)?;
    let status = req.status.unwrap_or(ArticleStatus::Draft);
    check_status_allowed(user, status)?;
    let mut v = Violations::new();
    let draft = Draft {
        title: v.check(required_text("title", &req.title, TITLE_MAX)).unwrap_or_default(),
        slug: req.slug.and_then(|s| v.check(Slug::parse("slug", &s))),
        custom_excerpt: req.excerpt.and_then(|e| check_excerpt(&mut v, e)),
        body: check_body(&mut v, &req.body).unwrap_or_default(),
        body_format: req.body_format.unwrap_or(BodyFormat::Markdown),
        cover: req.cover_image.and_then(|c| check_cover(&mut v, c)),
        category_id: req.category_id,
        status,
        published_at: req.published_at.and_then(|at| check_published_at(&mut v, at)),
    };
    let author_ids = req.author_ids.unwrap_or_default();
    check_authors(&mut v, &author_ids);
    let tag_names = check_tags(&mut v, req.tags.unwrap_or_default());
    v.into_result()?;
    let mut rendered = render_body(&draft)?;
    db::write(conn, |conn| {
        check_references(conn, draft.category_id, Some(&author_ids))?;
        let cover = resolve_cover(conn, draft.cover.as_ref(), media_url)?;
        let (html, body_media) = link_body_media(conn, std::mem::take(&mut rendered.html), media_url)?;
        rendered.html = html;
        let slug = match &draft.slug {
            Some(slug) if repo::slug_taken(conn, slug.as_str())? => {
                return Err(ApiError::Conflict("another article has this slug".into()))
            }
            Some(slug) => slug.clone(),
            None => Slug::generate(&draft.title, "article").first_free(|s| repo::slug_taken(conn, s))?,
        };
        let (fields, text) = fields(&draft, rendered, cover.as_ref(), slug.into_string(), user, now)?;
        let row = repo::insert(conn, &fields, user.id, now).map_err(slug_clash)?;
        media::repo::set_uses(conn, row.id, &media_uses(cover.as_ref(), body_media))?;
        repo::set_bylines(conn, row.id, &author_ids)?;
        let tag_ids = tags::service::ensure_named(conn, &tag_names, now)?;
        repo::set_tags(conn, row.id, &tag_ids)?;
        index(conn, &row, &text)?;
        audit::record(conn, user, now, Audited::Create, Resource::Article, row.id.0, Some((None, Some(row.version))))?;
        full(conn, row, tz, now)
    })
}
