//! The rules each field of an article write must meet on its own, and the ones that involve other
//! rows (the category and bylines must exist) or the caller (statuses only editors may set).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};

use crate::articles::dto::{CoverImage, CoverImageInput};
use crate::auth::AuthUser;
use crate::db::DbConn;
use crate::domain::article_status::ArticleStatus;
use crate::domain::body::{self, LinkedImage};
use crate::domain::ids::{AuthorId, CategoryId, MediaId};
use crate::domain::key::ItemKey;
use crate::domain::role::Action;
use crate::domain::validation::{http_url, optional_text, required_text, FieldError, Violations};
use crate::error::ApiError;
use crate::{authors, categories, media};

pub(super) const TITLE_MAX: usize = 300;
const EXCERPT_MAX: usize = 1_000;
const COVER_TEXT_MAX: usize = 500;
const MAX_AUTHORS: usize = 20;
const MAX_TAGS: usize = 30;
const TAG_NAME_MAX: usize = 100;

/// A cover as a write asks for it, each field checked; a library cover is looked up (and its
/// defaults filled in) by [`resolve_cover`] inside the write.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum CoverChoice {
    Outside(CoverImage),
    Library { media_id: MediaId, caption: Option<String>, credit: Option<String>, alt: Option<String> },
}

pub(super) fn check_cover(v: &mut Violations, cover: CoverImageInput) -> Option<CoverChoice> {
    let mut text = |field: &str, value: Option<String>| {
        value.and_then(|t| v.check(optional_text(&format!("cover_image.{field}"), &t, COVER_TEXT_MAX)))
    };
    let caption = text("caption", cover.caption);
    let credit = text("credit", cover.credit);
    let alt = text("alt", cover.alt);
    match (cover.url, cover.media_id) {
        (Some(url), None) => v.check(http_url("cover_image.url", &url)).map(|url| {
            CoverChoice::Outside(CoverImage {
                url,
                caption,
                credit,
                alt,
                media_id: None,
                width: None,
                height: None,
                variants: None,
                srcset: None,
                placeholder: None,
            })
        }),
        (None, Some(media_id)) => Some(CoverChoice::Library { media_id, caption, credit, alt }),
        _ => v.check(Err(FieldError::new("cover_image", "needs either `url` or `media_id`, not both"))),
    }
}

/// The cover as stored and shown: a library cover with its item's sizes and, where the write left
/// them out, its caption, credit and alt text. 422 for an item that does not exist.
pub(super) fn resolve_cover(
    conn: &mut DbConn,
    choice: Option<&CoverChoice>,
    media_url: &str,
) -> Result<Option<CoverImage>, ApiError> {
    let (media_id, caption, credit, alt) = match choice {
        None => return Ok(None),
        Some(CoverChoice::Outside(cover)) => return Ok(Some(cover.clone())),
        Some(CoverChoice::Library { media_id, caption, credit, alt }) => (media_id, caption, credit, alt),
    };
    let item = media::repo::find(conn, *media_id)?
        .ok_or_else(|| ApiError::field("cover_image.media_id", "is not an item of the media library"))?;
    let picture = media::dto::Picture::of(&item, media_url);
    Ok(Some(CoverImage {
        url: picture.url,
        caption: caption.clone().or(item.caption),
        credit: credit.clone().or(item.credit),
        alt: alt.clone().or(item.alt),
        media_id: Some(item.id),
        width: Some(picture.width),
        height: Some(picture.height),
        srcset: Some(picture.srcset),
        variants: Some(picture.variants),
        placeholder: Some(item.placeholder),
    }))
}

/// The library pictures of a rendered body linked to their files (see `body::link_media`), with
/// the items it uses. 422 naming `body` for an item that does not exist.
pub(super) fn link_body_media(
    conn: &mut DbConn,
    html: String,
    media_url: &str,
) -> Result<(String, BTreeSet<MediaId>), ApiError> {
    let ids = body::media_refs(&html);
    if ids.is_empty() {
        return Ok((html, BTreeSet::new()));
    }
    let items = media::repo::by_ids(conn, &ids.iter().map(|id| MediaId(*id)).collect::<Vec<_>>())?;
    if let Some(missing) = ids.iter().find(|id| !items.iter().any(|item| item.id.0 == **id)) {
        return Err(ApiError::field("body", &format!("media:{missing} is not an item of the media library")));
    }
    let linked: HashMap<i32, LinkedImage> = items
        .iter()
        .map(|item| {
            let picture = media::dto::Picture::of(item, media_url);
            (
                item.id.0,
                LinkedImage { url: picture.url, srcset: picture.srcset, width: picture.width, height: picture.height },
            )
        })
        .collect();
    Ok((body::link_media(&html, &linked), items.iter().map(|item| item.id).collect()))
}

pub(super) fn check_excerpt(v: &mut Violations, excerpt: String) -> Option<String> {
    // An empty excerpt asks for the derived one.
    v.check(optional_text("excerpt", &excerpt, EXCERPT_MAX)).filter(|e| !e.trim().is_empty())
}

pub(super) fn check_authors(v: &mut Violations, ids: &[AuthorId]) {
    if ids.len() > MAX_AUTHORS {
        v.push(FieldError::new("author_ids", format!("at most {MAX_AUTHORS} bylines")));
    }
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        v.push(FieldError::new("author_ids", "names an author twice"));
    }
}

pub(super) fn check_body(v: &mut Violations, body: &str) -> Option<String> {
    v.check(optional_text("body", body, usize::MAX))
}

pub(super) fn check_tags(v: &mut Violations, names: Vec<String>) -> Vec<String> {
    if names.len() > MAX_TAGS {
        v.push(FieldError::new("tags", format!("at most {MAX_TAGS} tags")));
        return Vec::new();
    }
    names
        .into_iter()
        .enumerate()
        .filter_map(|(i, name)| v.check(required_text(&format!("tags[{i}]"), &name, TAG_NAME_MAX)))
        .collect()
}

/// The rules that involve other rows: the category and the bylines must exist.
pub(super) fn check_references(
    conn: &mut DbConn,
    category: CategoryId,
    authors: Option<&[AuthorId]>,
) -> Result<(), ApiError> {
    let mut v = Violations::new();
    if categories::repo::find_by_key(conn, &ItemKey::Id(category.0))?.is_none() {
        v.push(FieldError::new("category_id", format!("names no category ({category})")));
    }
    for (i, id) in authors.unwrap_or_default().iter().enumerate() {
        if !authors::repo::exists(conn, *id)? {
            v.push(FieldError::new(format!("author_ids[{i}]"), format!("names no author ({id})")));
        }
    }
    Ok(v.into_result()?)
}

/// A publication time within years 1 to 9999: stored times compare as text, and feeds format
/// them as RFC 2822 and RFC 3339, which have four-digit years. Kept to the microsecond, which is
/// what PostgreSQL stores: both engines then hold, order and page by the same instant.
pub(super) fn check_published_at(v: &mut Violations, at: DateTime<Utc>) -> Option<NaiveDateTime> {
    let at = at.naive_utc();
    // chrono keeps a leap second as nanoseconds past 999,999,999; no stored time should carry one.
    if (1..=9999).contains(&at.year()) && at.nanosecond() < 1_000_000_000 {
        Some(chrono::SubsecRound::trunc_subsecs(at, 6))
    } else {
        v.push(FieldError::new("published_at", "must be between 0001-01-01 and 9999-12-31 (UTC)"));
        None
    }
}

/// 403 when a writer asks for a status only editors may set.
pub(crate) fn check_status_allowed(user: &AuthUser, status: ArticleStatus) -> Result<(), ApiError> {
    if status.open_to_writers() {
        Ok(())
    } else {
        user.require(Action::EditAnyArticle)
    }
}
