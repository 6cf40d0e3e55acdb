//! The rules of the category tree: no cycles, parents that exist, at most `MAX_DEPTH` levels and
//! `MAX_CATEGORIES` categories, unique slugs, no deleting a category that still has sub-categories
//! or articles. The tree itself (order, breadcrumbs, counts) is `tree.rs`.

use crate::articles;
use crate::audit::{self, Change};
use crate::auth::AuthUser;
use crate::categories::dto::{CategoryResponse, CreateCategoryRequest, UpdateCategoryRequest};
use crate::categories::repo::{self, CategoryChanges, NewCategoryRow};
pub use crate::categories::tree::Tree;
use crate::categories::tree::MAX_DEPTH;
use crate::db::{self, DbConn};
use crate::domain::key::ItemKey;
use crate::domain::role::Action;
use crate::domain::slug::Slug;
use crate::domain::time;
use crate::domain::validation::{optional_text, required_text, FieldError, Violations};
use crate::error::{is_unique_violation, ApiError};

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 2_000;
/// How many categories may exist. A site's sections number in the tens or hundreds; the bound keeps
/// every answer that lists them all (and the tree kept in memory per request) small.
pub const MAX_CATEGORIES: i64 = 1_000;

fn too_deep() -> FieldError {
    FieldError::new(
        "parent_id",
        format!("categories nest at most {MAX_DEPTH} levels deep; under this parent the category or one below it would be deeper"),
    )
}

fn slug_clash(e: diesel::result::Error) -> ApiError {
    if is_unique_violation(&e) {
        ApiError::Conflict("another category has this slug".into())
    } else {
        e.into()
    }
}

pub fn list(conn: &mut DbConn, nested: bool) -> Result<Vec<CategoryResponse>, ApiError> {
    let tree = Tree::load_with_counts(conn)?;
    Ok(if nested { tree.nested() } else { tree.flat() })
}

pub fn get(conn: &mut DbConn, key: &ItemKey) -> Result<CategoryResponse, ApiError> {
    let row = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("category"))?;
    Tree::load_with_counts(conn)?.one(row.id)
}

pub fn create(conn: &mut DbConn, actor: &AuthUser, req: CreateCategoryRequest) -> Result<CategoryResponse, ApiError> {
    let mut v = Violations::new();
    let name = v.check(required_text("name", &req.name, NAME_MAX)).unwrap_or_default();
    let slug = req.slug.and_then(|s| v.check(Slug::parse("slug", &s)));
    let description =
        req.description.and_then(|d| v.check(optional_text("description", &d, DESCRIPTION_MAX))).unwrap_or_default();
    v.into_result()?;
    db::write(conn, |conn| {
        let tree = Tree::load(conn)?;
        if tree.len() as i64 >= MAX_CATEGORIES {
            return Err(ApiError::Conflict(format!(
                "there are already {MAX_CATEGORIES} categories, the most a site may have; delete one first"
            )));
        }
        if let Some(parent) = req.parent_id {
            if !tree.contains(parent) {
                return Err(FieldError::new("parent_id", format!("names no category ({parent})")).into());
            }
            if tree.depth(parent) + 1 > MAX_DEPTH {
                return Err(too_deep().into());
            }
        }
        let slug = match slug {
            Some(slug) if repo::slug_taken(conn, slug.as_str())? => {
                return Err(ApiError::Conflict("another category has this slug".into()))
            }
            Some(slug) => slug,
            None => Slug::generate(&name, "category").first_free(|s| repo::slug_taken(conn, s))?,
        };
        let now = time::now();
        let row = NewCategoryRow {
            slug: slug.into_string(),
            name,
            description,
            parent_id: req.parent_id,
            position: req.position.unwrap_or(0),
            created_at: now,
            updated_at: now,
        };
        let id = repo::insert(conn, &row).map_err(slug_clash)?.id;
        audit::record(conn, actor, Change::Create, "category", id.0, None)?;
        Tree::load_with_counts(conn)?.one(id)
    })
}

/// Applies a change. The write transaction takes SQLite's write lock first, so two concurrent
/// moves are checked one after the other and cannot together form a cycle.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    key: &ItemKey,
    body: Result<UpdateCategoryRequest, ApiError>,
) -> Result<CategoryResponse, ApiError> {
    db::write(conn, |conn| {
        let current = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("category"))?;
        user.require(Action::ManageTaxonomy)?;
        let req = body?;
        let mut v = Violations::new();
        let changes = CategoryChanges {
            name: req.name.and_then(|n| v.check(required_text("name", &n, NAME_MAX))),
            slug: req.slug.and_then(|s| v.check(Slug::parse("slug", &s))).map(Slug::into_string),
            description: req.description.and_then(|d| v.check(optional_text("description", &d, DESCRIPTION_MAX))),
            parent_id: req.parent_id,
            position: req.position,
            updated_at: Some(time::now()),
        };
        let tree = Tree::load(conn)?;
        if let Some(Some(parent)) = req.parent_id.filter(|p| *p != current.parent_id) {
            if !tree.contains(parent) {
                v.push(FieldError::new("parent_id", format!("names no category ({parent})")));
            } else if tree.is_within(parent, current.id) {
                v.push(FieldError::new("parent_id", "would put the category inside itself"));
            } else if tree.depth(parent) + tree.height(current.id) > MAX_DEPTH {
                // The deepest descendant moves along, so it is what must stay within the limit.
                v.push(too_deep());
            }
        }
        v.into_result()?;
        let id = repo::update(conn, current.id, &changes).map_err(slug_clash)?.id;
        audit::record(conn, user, Change::Update, "category", id.0, None)?;
        Tree::load_with_counts(conn)?.one(id)
    })
}

pub fn delete(conn: &mut DbConn, user: &AuthUser, key: &ItemKey) -> Result<(), ApiError> {
    db::write(conn, |conn| {
        let current = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("category"))?;
        user.require(Action::ManageTaxonomy)?;
        if repo::has_children(conn, current.id)? {
            return Err(ApiError::Conflict("the category has sub-categories".into()));
        }
        if articles::repo::any_in_categories(conn, &[current.id])? {
            return Err(ApiError::Conflict("the category has articles".into()));
        }
        repo::delete(conn, current.id)?;
        audit::record(conn, user, Change::Delete, "category", current.id.0, None)?;
        Ok(())
    })
}
