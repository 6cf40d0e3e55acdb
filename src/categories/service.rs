//! The rules of the category tree: no cycles, parents that exist, at most `MAX_DEPTH` levels and
//! `MAX_CATEGORIES` categories, unique slugs, no deleting a category that still has sub-categories
//! or articles. The tree itself (order, breadcrumbs, counts) is `tree.rs`.

use crate::audit::{self, Change, Resource};
use crate::auth::AuthUser;
use crate::categories::dto::{CategoryResponse, CreateCategoryRequest, UpdateCategoryRequest};
use crate::categories::repo::{self, CategoryChanges, CategoryRow, NewCategoryRow};
pub use crate::categories::tree::Tree;
use crate::categories::tree::MAX_DEPTH;
use crate::db::{self, DbConn};
use crate::domain::ids::CategoryId;
use crate::domain::key::ItemKey;
use crate::domain::role::Action;
use crate::domain::slug::Slug;
use crate::domain::validation::{optional_text, required_text, FieldError, Violations};
use crate::error::{is_unique_violation, ApiError};
use crate::published;
use chrono::NaiveDateTime;

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 2_000;
/// How many categories may exist. A site's sections number in the tens or hundreds; the bound keeps
/// every answer that lists them all (and the tree kept in memory per request) small.
pub const MAX_CATEGORIES: i64 = 1_000;

fn slug_clash(e: diesel::result::Error) -> ApiError {
    if is_unique_violation(&e) {
        ApiError::Conflict("another category has this slug".into())
    } else {
        e.into()
    }
}

pub fn list(conn: &mut DbConn, nested: bool, now: NaiveDateTime) -> Result<Vec<CategoryResponse>, ApiError> {
    let tree = Tree::load_with_counts(conn, now)?;
    Ok(if nested { tree.nested() } else { tree.flat() })
}

pub fn get(conn: &mut DbConn, key: &ItemKey, now: NaiveDateTime) -> Result<CategoryResponse, ApiError> {
    let row = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("category"))?;
    Tree::load_with_counts(conn, now)?.one(row.id)
}

/// The fields of a new category, each checked on its own; the tree rules come after.
struct NewFields {
    name: String,
    slug: Option<Slug>,
    description: String,
    parent_id: Option<CategoryId>,
    position: i32,
}

fn new_fields(req: CreateCategoryRequest, v: &mut Violations) -> NewFields {
    NewFields {
        name: req
            .name
            .required("name", v)
            .and_then(|n| v.check(required_text("name", &n, NAME_MAX)))
            .unwrap_or_default(),
        slug: req.slug.or_default("slug", v).and_then(|s| v.check(Slug::parse("slug", &s))),
        description: req
            .description
            .or_default("description", v)
            .and_then(|d| v.check(optional_text("description", &d, DESCRIPTION_MAX)))
            .unwrap_or_default(),
        parent_id: req.parent_id.or_default("parent_id", v),
        position: req.position.or_default("position", v).unwrap_or(0),
    }
}

/// Checks that `parent` exists and that a subtree `height` levels high fits under it.
fn check_parent(tree: &Tree, parent: CategoryId, height: usize, v: &mut Violations) {
    if !tree.contains(parent) {
        v.push(FieldError::new("parent_id", format!("names no category ({parent})")));
    } else if tree.depth(parent) + height > MAX_DEPTH {
        v.push(FieldError::new(
            "parent_id",
            format!("categories nest at most {MAX_DEPTH} levels deep; under this parent the category or one below it would be deeper"),
        ));
    }
}

pub fn create(
    conn: &mut DbConn,
    actor: &AuthUser,
    req: CreateCategoryRequest,
    now: NaiveDateTime,
) -> Result<CategoryResponse, ApiError> {
    let mut v = Violations::new();
    let fields = new_fields(req, &mut v);
    db::write(conn, |conn| {
        let tree = Tree::load(conn)?;
        if let Some(parent) = fields.parent_id {
            check_parent(&tree, parent, 1, &mut v);
        }
        v.into_result()?;
        if tree.len() as i64 >= MAX_CATEGORIES {
            return Err(ApiError::Conflict(format!(
                "there are already {MAX_CATEGORIES} categories, the most a site may have; delete one first"
            )));
        }
        let slug = match fields.slug {
            Some(slug) if repo::slug_taken(conn, slug.as_str())? => {
                return Err(ApiError::Conflict("another category has this slug".into()))
            }
            Some(slug) => slug,
            None => Slug::generate(&fields.name, "category").first_free(|s| repo::slug_taken(conn, s))?,
        };
        let row = NewCategoryRow {
            slug: slug.into_string(),
            name: fields.name,
            description: fields.description,
            parent_id: fields.parent_id,
            position: fields.position,
            created_at: now,
            updated_at: now,
        };
        let id = repo::insert(conn, &row).map_err(slug_clash)?.id;
        audit::record(conn, actor, now, Change::Create, Resource::Category, id.0, None)?;
        Tree::load_with_counts(conn, now)?.one(id)
    })
}

/// What a PATCH asks to change, each field checked on its own; values equal to the stored ones are
/// left out, so that a PATCH that changes nothing writes nothing.
fn changes(req: UpdateCategoryRequest, current: &CategoryRow, v: &mut Violations) -> CategoryChanges {
    CategoryChanges {
        name: req.name.present("name", v).and_then(|n| v.check(required_text("name", &n, NAME_MAX))),
        slug: req.slug.present("slug", v).and_then(|s| v.check(Slug::parse("slug", &s))).map(Slug::into_string),
        description: req
            .description
            .nullable("description", v)
            .and_then(|d| v.check(optional_text("description", d.as_deref().unwrap_or(""), DESCRIPTION_MAX))),
        parent_id: req.parent_id.nullable("parent_id", v),
        position: req.position.present("position", v),
        updated_at: None,
    }
    .without_stored(current)
}

/// The category a change names, for a caller who may change it: 404, then 403. Asked before the
/// body is read, so that the contract's order of errors holds (404, 403, then 400/415, then 422).
pub fn find_changeable(conn: &mut DbConn, user: &AuthUser, key: &ItemKey) -> Result<CategoryId, ApiError> {
    let row = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("category"))?;
    user.require(Action::ManageTaxonomy)?;
    Ok(row.id)
}

/// Applies a change. The write transaction takes SQLite's write lock first, so two concurrent
/// moves are checked one after the other and cannot together form a cycle.
pub fn update(
    conn: &mut DbConn,
    user: &AuthUser,
    id: CategoryId,
    req: UpdateCategoryRequest,
    now: NaiveDateTime,
) -> Result<CategoryResponse, ApiError> {
    db::write(conn, |conn| {
        let current = repo::find_by_key(conn, &ItemKey::Id(id.0))?.ok_or(ApiError::NotFound("category"))?;
        user.require(Action::ManageTaxonomy)?;
        let mut v = Violations::new();
        let mut changes = changes(req, &current, &mut v);
        let tree = Tree::load(conn)?;
        if let Some(Some(parent)) = changes.parent_id {
            if tree.is_within(parent, current.id) {
                v.push(FieldError::new("parent_id", "would put the category inside itself"));
            } else {
                // The deepest descendant moves along, so it is what must stay within the limit.
                check_parent(&tree, parent, tree.height(current.id), &mut v);
            }
        }
        v.into_result()?;
        if changes.is_empty() {
            return Tree::load_with_counts(conn, now)?.one(current.id);
        }
        changes.updated_at = Some(now);
        let id = repo::update(conn, current.id, &changes).map_err(slug_clash)?.id;
        audit::record(conn, user, now, Change::Update, Resource::Category, id.0, None)?;
        Tree::load_with_counts(conn, now)?.one(id)
    })
}

pub fn delete(conn: &mut DbConn, user: &AuthUser, key: &ItemKey, now: NaiveDateTime) -> Result<(), ApiError> {
    db::write(conn, |conn| {
        let current = repo::find_by_key(conn, key)?.ok_or(ApiError::NotFound("category"))?;
        user.require(Action::ManageTaxonomy)?;
        if repo::has_children(conn, current.id)? {
            return Err(ApiError::Conflict("the category has sub-categories".into()));
        }
        if published::repo::any_in_categories(conn, &[current.id])? {
            return Err(ApiError::Conflict("the category has articles".into()));
        }
        repo::delete(conn, current.id)?;
        audit::record(conn, user, now, Change::Delete, Resource::Category, current.id.0, None)?;
        Ok(())
    })
}
