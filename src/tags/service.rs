//! The rules of tags: one tag per name (compared case-insensitively), unique slugs, and readers see
//! only the tags of articles they can see.

use std::collections::HashMap;

use crate::audit::{self, Change, Resource};
use crate::auth::AuthUser;
use crate::db::{self, DbConn};
use crate::domain::ids::TagId;
use crate::domain::key::ItemKey;
use crate::domain::pagination::{PageParams, Paginated};
use crate::domain::role::Action;
use crate::domain::slug::Slug;
use crate::domain::validation::{required_text, Violations};
use crate::error::{is_unique_violation, ApiError};
use crate::published;
use crate::tags::dto::{CreateTagRequest, TagResponse, UpdateTagRequest};
use crate::tags::repo::{self, NewTagRow, TagChanges, TagRow};
use chrono::NaiveDateTime;

const NAME_MAX: usize = 100;

/// Answers with each tag's count of visible articles, in one query for all of them.
fn responses(conn: &mut DbConn, rows: Vec<TagRow>, now: NaiveDateTime) -> Result<Vec<TagResponse>, ApiError> {
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let counts: HashMap<_, _> = published::repo::counts_by_tag(conn, &ids, now)?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let n = counts.get(&row.id).copied().unwrap_or(0);
            TagResponse::new(row, n)
        })
        .collect())
}

fn response(conn: &mut DbConn, row: TagRow, now: NaiveDateTime) -> Result<TagResponse, ApiError> {
    responses(conn, vec![row], now)?.pop().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("tag vanished")))
}

fn name_key(name: &str) -> String {
    name.to_lowercase()
}

fn clash(e: diesel::result::Error) -> ApiError {
    if is_unique_violation(&e) {
        ApiError::Conflict("another tag has this name or slug".into())
    } else {
        e.into()
    }
}

/// Who reads the tags. A tag named only by articles readers cannot see (a draft about an embargoed
/// story) must not show to them; the newsroom's own accounts, who name tags on drafts, see all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anonymous: only tags that name a visible article.
    Readers,
    /// Any signed-in account (writers pick tags for their drafts): every tag.
    Newsroom,
}

pub fn list(
    conn: &mut DbConn,
    audience: Audience,
    page: PageParams,
    now: NaiveDateTime,
) -> Result<Paginated<TagResponse>, ApiError> {
    let (total, rows) = match audience {
        Audience::Newsroom => (repo::count(conn)?, repo::page(conn, page.limit(), page.offset())?),
        Audience::Readers => {
            let total = published::repo::count_tags_in_view(conn, now)?;
            let ids = published::repo::tags_in_view(conn, now, page.limit(), page.offset())?;
            let mut rows = repo::by_ids(conn, &ids)?;
            rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
            (total, rows)
        }
    };
    Ok(Paginated { data: responses(conn, rows, now)?, meta: page.meta(total) })
}

/// One tag; to readers a tag that names no visible article does not exist.
pub fn get(conn: &mut DbConn, audience: Audience, key: &ItemKey, now: NaiveDateTime) -> Result<TagResponse, ApiError> {
    let row = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("tag"))?;
    if audience == Audience::Readers && !published::repo::tag_in_view(conn, row.id, now)? {
        return Err(ApiError::NotFound("tag"));
    }
    response(conn, row, now)
}

pub fn create(
    conn: &mut DbConn,
    actor: &AuthUser,
    req: CreateTagRequest,
    now: NaiveDateTime,
) -> Result<TagResponse, ApiError> {
    let mut v = Violations::new();
    let name = req
        .name
        .required("name", &mut v)
        .and_then(|n| v.check(required_text("name", &n, NAME_MAX)))
        .unwrap_or_default();
    let slug = req.slug.or_default("slug", &mut v).and_then(|s| v.check(Slug::parse("slug", &s)));
    v.into_result()?;
    db::write(conn, |conn| {
        if repo::name_taken(conn, &name_key(&name))? {
            return Err(ApiError::Conflict("a tag with this name already exists".into()));
        }
        let slug = match slug {
            Some(slug) if repo::slug_taken(conn, slug.as_str())? => {
                return Err(ApiError::Conflict("another tag has this slug".into()))
            }
            Some(slug) => slug,
            None => Slug::generate(&name, "tag").first_free(|s| repo::slug_taken(conn, s))?,
        };
        let row =
            NewTagRow { slug: slug.into_string(), name_key: name_key(&name), name, created_at: now, updated_at: now };
        let row = repo::insert(conn, &row).map_err(clash)?;
        audit::record(conn, actor, now, Change::Create, Resource::Tag, row.id.0, None)?;
        response(conn, row, now)
    })
}

/// The tag a change names, for a caller who may change it: 404, then 403. Asked before the
/// body is read, so that the contract's order of errors holds (404, 403, then 400/415, then 422).
pub fn find_changeable(conn: &mut DbConn, user: &AuthUser, key: &ItemKey) -> Result<TagId, ApiError> {
    let row = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("tag"))?;
    user.require(Action::ManageTaxonomy)?;
    Ok(row.id)
}

/// Applies a rename or a new slug; values equal to the stored ones change nothing.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: TagId,
    req: UpdateTagRequest,
    now: NaiveDateTime,
) -> Result<TagResponse, ApiError> {
    db::write(conn, |conn| {
        let current = repo::find_by_key(conn, &ItemKey::Id(id.0))?.ok_or(ApiError::NotFound("tag"))?;
        user.require(Action::ManageTaxonomy)?;
        let mut v = Violations::new();
        let name = req.name.present("name", &mut v).and_then(|n| v.check(required_text("name", &n, NAME_MAX)));
        let slug = req.slug.present("slug", &mut v).and_then(|s| v.check(Slug::parse("slug", &s)));
        v.into_result()?;
        let name = name.filter(|n| *n != current.name);
        let slug = slug.map(Slug::into_string).filter(|s| *s != current.slug);
        if name.is_none() && slug.is_none() {
            return response(conn, current, now);
        }
        let changes = TagChanges { name_key: name.as_deref().map(name_key), name, slug, updated_at: Some(now) };
        let row = repo::update(conn, current.id, &changes).map_err(clash)?;
        audit::record(conn, user, now, Change::Update, Resource::Tag, row.id.0, None)?;
        response(conn, row, now)
    })
}

/// Deletes a tag; articles that carried it simply lose it.
pub fn delete(conn: &mut DbConn, user: &AuthUser, key: &ItemKey, now: NaiveDateTime) -> Result<(), ApiError> {
    db::write(conn, |conn| {
        let current = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("tag"))?;
        user.require(Action::ManageTaxonomy)?;
        repo::delete(conn, current.id)?;
        audit::record(conn, user, now, Change::Delete, Resource::Tag, current.id.0, None)?;
        Ok(())
    })
}

/// The tags an article names, in order and without repeats (names compare case-insensitively);
/// unknown names create tags. Runs inside the caller's transaction.
pub fn ensure_named(conn: &mut DbConn, names: &[String], now: NaiveDateTime) -> Result<Vec<TagId>, ApiError> {
    let mut ids = Vec::with_capacity(names.len());
    for name in names {
        let key = name_key(name);
        let id = match repo::find_by_name_key(conn, &key)? {
            Some(tag) => tag.id,
            None => {
                let slug = Slug::generate(name, "tag").first_free(|s| repo::slug_taken(conn, s))?;
                let row = NewTagRow {
                    slug: slug.into_string(),
                    name: name.clone(),
                    name_key: key,
                    created_at: now,
                    updated_at: now,
                };
                repo::insert(conn, &row).map_err(clash)?.id
            }
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}
