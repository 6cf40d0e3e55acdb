//! Reading articles one at a time: who may see which article, the article a retired slug names,
//! and the articles related to one.

use chrono::NaiveDateTime;

use crate::articles::dto::{ArticleResponse, ArticleSummary};
use crate::articles::repo::{self, ArticleRow};
use crate::articles::service::summary::{full, summaries_of};
use crate::auth::AuthUser;
use crate::categories::service::Tree;
use crate::clock::Moment;
use crate::db::DbConn;
use crate::domain::article_status::Visibility;
use crate::domain::ids::ArticleId;
use crate::domain::key::ItemKey;
use crate::domain::role::Action;
use crate::domain::validation::FieldError;
use crate::error::ApiError;

const MAX_RELATED: i64 = 20;

/// The answer to reading one article: the article, or the slug it moved to.
pub enum Lookup {
    Found(Box<ArticleResponse>),
    MovedTo(String),
}

pub(super) fn can_read(viewer: Option<&AuthUser>, row: &ArticleRow, now: NaiveDateTime) -> bool {
    row.is_visible(now) || viewer.is_some_and(|u| u.role.may(Action::EditAnyArticle) || Some(u.id) == row.created_by)
}

pub fn get(conn: &mut DbConn, viewer: Option<&AuthUser>, key: &ItemKey, at: Moment) -> Result<Lookup, ApiError> {
    let Moment { now, tz } = at;
    if let Some(row) = repo::find_by_key(conn, key)? {
        if !can_read(viewer, &row, now) {
            return Err(ApiError::NotFound("article"));
        }
        return Ok(Lookup::Found(Box::new(full(conn, row, tz, now)?)));
    }
    if let Some(target) = retired_slug_target(conn, key)? {
        if let Some(row) = repo::by_ids(conn, &[target])?.pop().filter(|row| can_read(viewer, row, now)) {
            return Ok(Lookup::MovedTo(row.slug));
        }
    }
    Err(ApiError::NotFound("article"))
}

/// The article a slug named before a slug change after publication, when the key is such a slug.
/// Asked only after the key found nothing as it is.
fn retired_slug_target(conn: &mut DbConn, key: &ItemKey) -> Result<Option<ArticleId>, ApiError> {
    match key {
        ItemKey::Slug(slug) => Ok(repo::redirect_target(conn, slug)?),
        ItemKey::Id(_) | ItemKey::NoSuchId => Ok(None),
    }
}

/// What decides whether the article a key names is visible, without reading its body: for hot
/// paths such as the view beacon, which evaluate visibility themselves at the time of each read.
/// A slug retired by a slug change still counts: pages built with the old URL keep counting reads.
pub fn visibility(conn: &mut DbConn, key: &ItemKey) -> Result<Option<Visibility>, ApiError> {
    let found = match repo::status_of(conn, key)? {
        Some(found) => Some(found),
        None => match retired_slug_target(conn, key)? {
            Some(id) => repo::status_of(conn, &ItemKey::Id(id.0))?,
            None => None,
        },
    };
    Ok(found)
}

/// Visible articles related to a visible one (see `repo::related`); 404 for an article the
/// reader cannot see. A slug retired by a slug change still names its article.
pub fn related(
    conn: &mut DbConn,
    key: &ItemKey,
    limit: Option<&str>,
    at: Moment,
) -> Result<Vec<ArticleSummary>, ApiError> {
    let Moment { now, tz } = at;
    // The article first: an unknown one is 404 whatever `limit` says.
    let article = match repo::find_by_key(conn, key)? {
        Some(row) => Some(row),
        None => match retired_slug_target(conn, key)? {
            Some(id) => repo::by_ids(conn, &[id])?.pop(),
            None => None,
        },
    };
    let article = article.filter(|row| row.is_visible(now)).ok_or(ApiError::NotFound("article"))?;
    let limit = crate::domain::pagination::int_param("limit", limit)?.unwrap_or(5);
    if !(1..=MAX_RELATED).contains(&limit) {
        return Err(FieldError::new("limit", format!("must be between 1 and {MAX_RELATED}")).into());
    }
    let ids = repo::related(conn, &article, limit, now)?;
    let tree = Tree::load(conn)?;
    summaries_of(conn, &tree, &ids, tz, now)
}
