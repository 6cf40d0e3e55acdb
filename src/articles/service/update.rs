//! Changing an article, in two phases the handler runs one after the other: authorize and check the
//! version on the article as read; then validate the change (one that changes nothing ends there),
//! render its body, and persist and audit it in the write transaction, on the version checked.

use std::collections::HashSet;

use chrono::{NaiveDateTime, SubsecRound};

use crate::articles::dto::{ArticleResponse, CoverImage, UpdateArticleRequest};
use crate::articles::repo::{self, ArticleRow};
use crate::articles::service::checks::{
    check_authors, check_body, check_cover, check_excerpt, check_published_at, check_references, check_status_allowed,
    check_tags, link_body_media, resolve_cover, CoverChoice, TITLE_MAX,
};
use crate::articles::service::draft::{fields, index, media_uses, render_body, slug_clash, Draft};
use crate::articles::service::summary::full;
use crate::articles::service::Precondition;
use crate::audit::{self, Change as Audited, Resource};
use crate::auth::AuthUser;
use crate::clock::Moment;
use crate::db::{self, DbConn};
use crate::domain::article_status::ArticleStatus;
use crate::domain::body::RenderedBody;
use crate::domain::ids::AuthorId;
use crate::domain::key::ItemKey;
use crate::domain::role::Action;
use crate::domain::slug::Slug;
use crate::domain::validation::{required_text, Violations};
use crate::error::ApiError;
use crate::{media, tags};

/// 404 for what the caller may not see; 403 for what it sees but may not change. A writer's own
/// article is theirs to change until it is visible or an editor scheduled it: what an editor
/// approved for a time is what appears at that time.
fn check_may_edit(user: &AuthUser, row: &ArticleRow, now: NaiveDateTime) -> Result<(), ApiError> {
    if user.role.may(Action::EditAnyArticle) {
        return Ok(());
    }
    let own = row.created_by == Some(user.id);
    match (own, row.is_visible(now)) {
        (true, false) if row.status() == ArticleStatus::Scheduled => Err(ApiError::Forbidden),
        (true, false) => Ok(()),
        (_, true) => Err(ApiError::Forbidden),
        (false, false) => Err(ApiError::NotFound("article")),
    }
}

/// What a change body says about its status, its time and the version it changes: what the checks
/// the contract ranks before a body's 422 need, so it is read even from a body that does not fit.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChangeClaims {
    pub status: Option<ArticleStatus>,
    pub version: Option<i64>,
    /// Whether the body names `published_at` at all.
    pub published_at: bool,
}

impl ChangeClaims {
    pub fn of(req: &UpdateArticleRequest) -> ChangeClaims {
        ChangeClaims {
            status: req.status.value().copied(),
            version: req.version,
            published_at: !req.published_at.is_absent(),
        }
    }
}

/// An article the caller may change, read at the version the change names: what
/// [`authorize_change`] hands to [`update`].
pub struct Changeable(ArticleRow);

/// A change that passed every check on its own fields, before it is rendered and stored.
struct Change {
    draft: Draft,
    author_ids: Option<Vec<AuthorId>>,
    tag_names: Option<Vec<String>>,
}

/// The first phase of a change: who may change what, and whether the change names the current
/// version, in the contract's order: 404, 403, then the status and the time the body asks for
/// (403), then the version (428, 412). The caller answers the 422 of a body that does not fit
/// after this. `claims` is `None` for a body that is not JSON at all: its 400 or 415 ranks right
/// after 404 and 403, so nothing more is checked and the caller answers it.
pub fn authorize_change(
    conn: &mut DbConn,
    user: &AuthUser,
    key: &ItemKey,
    claims: Option<ChangeClaims>,
    if_match: Option<Precondition>,
    now: NaiveDateTime,
) -> Result<Changeable, ApiError> {
    let current = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("article"))?;
    check_may_edit(user, &current, now)?;
    let Some(claims) = claims else { return Ok(Changeable(current)) };
    if let Some(status) = claims.status {
        check_status_allowed(user, status)?;
    }
    // Moving the time of a scheduled (or published, archived) article is scheduling, which
    // writers may not do even to their own article while it is not yet visible.
    if claims.published_at && !current.status().open_to_writers() {
        user.require(Action::EditAnyArticle)?;
    }
    let body_version = claims.version.map(Precondition::Version);
    if_match.or(body_version).unwrap_or(Precondition::Missing).check(current.version)?;
    Ok(Changeable(current))
}

/// The second phase of a change, on an article [`authorize_change`] let through: validate the
/// change (one that changes nothing ends here, writing nothing), render its body (both outside the
/// write transaction, so a slow body never holds the write lock), then persist and audit it in the
/// transaction, on the version checked.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    article: Changeable,
    req: UpdateArticleRequest,
    at: Moment,
    media_url: &str,
) -> Result<ArticleResponse, ApiError> {
    let Changeable(current) = article;
    let change = validate_change(&current, req)?;
    if changes_nothing(conn, &current, &change, at.now)? {
        return full(conn, current, at.tz, at.now);
    }
    let rendered = render_body(&change.draft)?;
    db::write(conn, |conn| persist_change(conn, user, current, change, rendered, at, media_url))
}

/// The article as the change leaves it, every field checked; each broken field is one entry of the 422.
fn validate_change(current: &ArticleRow, req: UpdateArticleRequest) -> Result<Change, ApiError> {
    let mut v = Violations::new();
    let current_cover = current_cover(current);
    let status = req.status.present("status", &mut v);
    let draft = Draft {
        title: match req.title.present("title", &mut v) {
            Some(t) => v.check(required_text("title", &t, TITLE_MAX)).unwrap_or_default(),
            None => current.title.clone(),
        },
        slug: req.slug.present("slug", &mut v).and_then(|s| v.check(Slug::parse("slug", &s))),
        custom_excerpt: match req.excerpt.nullable("excerpt", &mut v) {
            Some(Some(e)) => check_excerpt(&mut v, e),
            Some(None) => None,
            None => current.custom_excerpt.clone(),
        },
        body: match req.body.present("body", &mut v) {
            Some(b) => check_body(&mut v, &b).unwrap_or_default(),
            None => current.body.clone(),
        },
        body_format: req.body_format.present("body_format", &mut v).unwrap_or(current.body_format),
        cover: match req.cover_image.nullable("cover_image", &mut v) {
            Some(Some(c)) => check_cover(&mut v, c),
            Some(None) => None,
            None => current_cover,
        },
        category_id: req.category_id.present("category_id", &mut v).unwrap_or(current.category_id),
        status: status.unwrap_or(current.status()),
        published_at: match req.published_at.nullable("published_at", &mut v) {
            Some(at) => at.and_then(|at| check_published_at(&mut v, at)),
            // Publishing what was never published, without a time, is publishing now: a time a
            // writer left on a draft does not survive an editor's publish.
            None if publishes(current, status) => None,
            None => current.published_at,
        },
    };
    let author_ids = req.author_ids.present("author_ids", &mut v);
    if let Some(ids) = &author_ids {
        check_authors(&mut v, ids);
    }
    let tag_names = req.tags.present("tags", &mut v).map(|names| check_tags(&mut v, names));
    v.into_result()?;
    Ok(Change { draft, author_ids, tag_names })
}

/// The stored cover as a write would ask for it: a library cover keeps its item and the texts it
/// was stored with.
fn current_cover(current: &ArticleRow) -> Option<CoverChoice> {
    let cover = CoverImage::from_stored(
        current.cover_url.clone(),
        current.cover_caption.clone(),
        current.cover_credit.clone(),
        current.cover_alt.clone(),
        current.cover_media.as_deref(),
    )?;
    Some(match cover.media_id {
        Some(media_id) => {
            CoverChoice::Library { media_id, caption: cover.caption, credit: cover.credit, alt: cover.alt }
        }
        None => CoverChoice::Outside(cover),
    })
}

/// Whether a change leaves the article exactly as it is (every field, the bylines in order and
/// the set of tags): such a change writes nothing, so the version and `updated_at` stay.
fn changes_nothing(
    conn: &mut DbConn,
    current: &ArticleRow,
    change: &Change,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    let draft = &change.draft;
    let (status, published_at) = draft.status.resolve(draft.published_at, now);
    let same_fields = draft.title == current.title
        && draft.slug.as_ref().is_none_or(|slug| slug.as_str() == current.slug)
        && draft.custom_excerpt == current.custom_excerpt
        && draft.body == current.body
        && draft.body_format == current.body_format
        && draft.cover == current_cover(current)
        && draft.category_id == current.category_id
        && status == current.status()
        // Times are shown (and so sent back) in whole seconds.
        && published_at.map(|at| at.trunc_subsecs(0)) == current.published_at.map(|at| at.trunc_subsecs(0));
    if !same_fields {
        return Ok(false);
    }
    if let Some(ids) = &change.author_ids {
        let bylines: Vec<AuthorId> = repo::bylines_of(conn, &[current.id])?.into_iter().map(|(_, a)| a.id).collect();
        if *ids != bylines {
            return Ok(false);
        }
    }
    if let Some(names) = &change.tag_names {
        // Tags are named case-insensitively (as `tags::service::ensure_named` finds them).
        let asked: HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
        let held: HashSet<String> =
            repo::tags_of(conn, &[current.id])?.into_iter().map(|(_, t)| t.name.to_lowercase()).collect();
        if asked != held {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether a change asks to publish an article that was never published (a draft or one in review).
fn publishes(current: &ArticleRow, status: Option<ArticleStatus>) -> bool {
    status == Some(ArticleStatus::Published) && current.status().open_to_writers()
}

/// Stores a checked and rendered change, in the write transaction: the article must still be at
/// the version the change was checked against (412 otherwise), and the ids it names must exist.
fn persist_change(
    conn: &mut DbConn,
    user: &AuthUser,
    checked: ArticleRow,
    change: Change,
    mut rendered: RenderedBody,
    at: Moment,
    media_url: &str,
) -> Result<ArticleResponse, ApiError> {
    let Moment { now, tz } = at;
    let current = repo::by_ids(conn, &[checked.id])?.pop().ok_or(ApiError::NotFound("article"))?;
    if current.version != checked.version {
        return Err(ApiError::PreconditionFailed);
    }
    let Change { draft, author_ids, tag_names } = change;
    check_references(conn, draft.category_id, author_ids.as_deref())?;
    let cover = resolve_cover(conn, draft.cover.as_ref(), media_url)?;
    let (html, body_media) = link_body_media(conn, std::mem::take(&mut rendered.html), media_url)?;
    rendered.html = html;
    let slug = match &draft.slug {
        Some(slug) if slug.as_str() == current.slug => current.slug.clone(),
        Some(slug) => {
            let ours = repo::redirect_target(conn, slug.as_str())? == Some(current.id);
            if !ours && repo::slug_taken(conn, slug.as_str())? {
                return Err(ApiError::Conflict("another article has this slug".into()));
            }
            repo::remove_redirect(conn, slug.as_str())?;
            // Readers may hold links to a published article: its old slug keeps answering.
            if current.is_visible(now) || current.status() == ArticleStatus::Archived {
                repo::add_redirect(conn, &current.slug, current.id)?;
            }
            slug.as_str().to_owned()
        }
        None => current.slug.clone(),
    };
    let (fields, text) = fields(&draft, rendered, cover.as_ref(), slug, user, now)?;
    let row = repo::update(conn, current.id, current.version, &fields)
        .map_err(slug_clash)?
        .ok_or(ApiError::PreconditionFailed)?;
    media::repo::set_uses(conn, row.id, &media_uses(cover.as_ref(), body_media))?;
    if let Some(ids) = &author_ids {
        repo::set_bylines(conn, row.id, ids)?;
    }
    if let Some(names) = tag_names {
        let tag_ids = tags::service::ensure_named(conn, &names, now)?;
        repo::set_tags(conn, row.id, &tag_ids)?;
    }
    index(conn, &row, &text)?;
    audit::record(
        conn,
        user,
        now,
        Audited::Update,
        Resource::Article,
        row.id.0,
        Some((Some(current.version), Some(row.version))),
    )?;
    full(conn, row, tz, now)
}
