//! The rules of bylines: validated fields, unique slugs, and no deleting a byline in use.

use std::collections::HashMap;

use crate::audit::{self, Change, Resource};
use crate::auth::AuthUser;
use crate::authors::dto::{AuthorResponse, CreateAuthorRequest, UpdateAuthorRequest};
use crate::authors::repo::{self, AuthorChanges, AuthorRow, NewAuthorRow};
use crate::db::{self, DbConn};
use crate::domain::ids::AuthorId;
use crate::domain::key::ItemKey;
use crate::domain::pagination::{PageParams, Paginated};
use crate::domain::role::Action;
use crate::domain::slug::Slug;
use crate::domain::validation::{http_url, optional_text, required_text, Violations};
use crate::error::{is_unique_violation, ApiError};
use crate::published;
use chrono::NaiveDateTime;

const NAME_MAX: usize = 200;
const TITLE_MAX: usize = 200;
const BIO_MAX: usize = 10_000;

/// Answers with each author's count of visible articles, in one query for all of them.
fn responses(conn: &mut DbConn, rows: Vec<AuthorRow>, now: NaiveDateTime) -> Result<Vec<AuthorResponse>, ApiError> {
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let counts: HashMap<_, _> = published::repo::counts_by_author(conn, &ids, now)?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let n = counts.get(&row.id).copied().unwrap_or(0);
            AuthorResponse::new(row, n)
        })
        .collect())
}

fn response(conn: &mut DbConn, row: AuthorRow, now: NaiveDateTime) -> Result<AuthorResponse, ApiError> {
    responses(conn, vec![row], now)?.pop().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("author vanished")))
}

fn slug_clash(e: diesel::result::Error) -> ApiError {
    if is_unique_violation(&e) {
        ApiError::Conflict("another author has this slug".into())
    } else {
        e.into()
    }
}

/// Picks the slug of a new author: the given one if free (else 409), or one generated from the name.
fn choose_slug(conn: &mut DbConn, given: Option<Slug>, name: &str) -> Result<String, ApiError> {
    match given {
        Some(slug) if repo::slug_taken(conn, slug.as_str())? => {
            Err(ApiError::Conflict("another author has this slug".into()))
        }
        Some(slug) => Ok(slug.into_string()),
        None => Ok(Slug::generate(name, "author").first_free(|s| repo::slug_taken(conn, s))?.into_string()),
    }
}

pub fn list(conn: &mut DbConn, page: PageParams, now: NaiveDateTime) -> Result<Paginated<AuthorResponse>, ApiError> {
    let total = repo::count(conn)?;
    let rows = repo::page(conn, page.limit(), page.offset())?;
    Ok(Paginated { data: responses(conn, rows, now)?, meta: page.meta(total) })
}

pub fn get(conn: &mut DbConn, key: &ItemKey, now: NaiveDateTime) -> Result<AuthorResponse, ApiError> {
    let row = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("author"))?;
    response(conn, row, now)
}

pub fn create(
    conn: &mut DbConn,
    actor: &AuthUser,
    req: CreateAuthorRequest,
    now: NaiveDateTime,
) -> Result<AuthorResponse, ApiError> {
    let mut v = Violations::new();
    let name = req.name.required("name", &mut v).and_then(|n| v.check(required_text("name", &n, NAME_MAX)));
    let slug = req.slug.or_default("slug", &mut v).and_then(|s| v.check(Slug::parse("slug", &s)));
    let title = req.title.or_default("title", &mut v).and_then(|t| v.check(optional_text("title", &t, TITLE_MAX)));
    let bio = req.bio.or_default("bio", &mut v).and_then(|b| v.check(optional_text("bio", &b, BIO_MAX)));
    let avatar_url = req.avatar_url.or_default("avatar_url", &mut v).and_then(|u| v.check(http_url("avatar_url", &u)));
    v.into_result()?;
    let name = name.unwrap_or_default();
    db::write(conn, |conn| {
        let row = NewAuthorRow {
            slug: choose_slug(conn, slug, &name)?,
            name,
            title,
            bio,
            avatar_url,
            created_at: now,
            updated_at: now,
        };
        let row = repo::insert(conn, &row).map_err(slug_clash)?;
        audit::record(conn, actor, now, Change::Create, Resource::Author, row.id.0, None)?;
        response(conn, row, now)
    })
}

/// What a PATCH asks to change, each field checked on its own; values equal to the stored ones are
/// left out, so that a PATCH that changes nothing writes nothing.
fn changes(req: UpdateAuthorRequest, current: &AuthorRow, v: &mut Violations) -> AuthorChanges {
    let text = |value: Option<Option<String>>, field: &str, max: usize, v: &mut Violations| match value {
        Some(Some(t)) => v.check(optional_text(field, &t, max)).map(Some),
        other => other,
    };
    let title = text(req.title.nullable("title", v), "title", TITLE_MAX, v);
    let bio = text(req.bio.nullable("bio", v), "bio", BIO_MAX, v);
    AuthorChanges {
        name: req.name.present("name", v).and_then(|n| v.check(required_text("name", &n, NAME_MAX))),
        slug: req.slug.present("slug", v).and_then(|s| v.check(Slug::parse("slug", &s))).map(Slug::into_string),
        title,
        bio,
        avatar_url: match req.avatar_url.nullable("avatar_url", v) {
            Some(Some(u)) => v.check(http_url("avatar_url", &u)).map(Some),
            other => other,
        },
        updated_at: None,
    }
    .without_stored(current)
}

/// The author a change names, for a caller who may change it: 404, then 403. Asked before the
/// body is read, so that the contract's order of errors holds (404, 403, then 400/415, then 422).
pub fn find_changeable(conn: &mut DbConn, user: &AuthUser, key: &ItemKey) -> Result<AuthorId, ApiError> {
    let row = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("author"))?;
    user.require(Action::ManageTaxonomy)?;
    Ok(row.id)
}

/// Applies a change. The body is parsed only after the author is found and the role checked, so the
/// contract's order of errors holds (404, then 403, then 400/415, then 422).
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: AuthorId,
    req: UpdateAuthorRequest,
    now: NaiveDateTime,
) -> Result<AuthorResponse, ApiError> {
    db::write(conn, |conn| {
        let current = repo::find_by_key(conn, &ItemKey::Id(id.0))?.ok_or(ApiError::NotFound("author"))?;
        user.require(Action::ManageTaxonomy)?;
        let mut v = Violations::new();
        let mut changes = changes(req, &current, &mut v);
        v.into_result()?;
        if changes.is_empty() {
            return response(conn, current, now);
        }
        changes.updated_at = Some(now);
        let row = repo::update(conn, current.id, &changes).map_err(slug_clash)?;
        audit::record(conn, user, now, Change::Update, Resource::Author, row.id.0, None)?;
        response(conn, row, now)
    })
}

pub fn delete(conn: &mut DbConn, user: &AuthUser, key: &ItemKey, now: NaiveDateTime) -> Result<(), ApiError> {
    db::write(conn, |conn| {
        let current = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("author"))?;
        user.require(Action::ManageTaxonomy)?;
        if published::repo::author_in_use(conn, current.id)? {
            return Err(ApiError::Conflict("the author is bylined on articles".into()));
        }
        repo::delete(conn, current.id)?;
        audit::record(conn, user, now, Change::Delete, Resource::Author, current.id.0, None)?;
        Ok(())
    })
}
