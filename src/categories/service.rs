//! The rules of the category tree: no cycles, parents that exist, unique slugs, no deleting a
//! category that still has sub-categories or articles; and the tree order and breadcrumbs.

use std::collections::HashMap;

use crate::articles;
use crate::audit::{self, Change};
use crate::auth::AuthUser;
use crate::categories::dto::{CategoryRef, CategoryResponse, CreateCategoryRequest, UpdateCategoryRequest};
use crate::categories::repo::{self, CategoryChanges, CategoryRow, NewCategoryRow};
use crate::db::{self, DbConn};
use crate::domain::ids::CategoryId;
use crate::domain::key::ItemKey;
use crate::domain::role::Action;
use crate::domain::slug::Slug;
use crate::domain::time;
use crate::domain::validation::{optional_text, required_text, FieldError, Violations};
use crate::error::{is_unique_violation, ApiError};

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 2_000;

/// The whole tree in memory: categories are few, and paths and tree order need all of them.
pub struct Tree {
    rows: HashMap<CategoryId, CategoryRow>,
    children: HashMap<Option<CategoryId>, Vec<CategoryId>>,
    /// Visible articles filed directly in each category; empty unless loaded with counts.
    direct_counts: HashMap<CategoryId, i64>,
}

impl Tree {
    pub fn new(rows: Vec<CategoryRow>) -> Tree {
        let mut children: HashMap<Option<CategoryId>, Vec<CategoryId>> = HashMap::new();
        for row in &rows {
            children.entry(row.parent_id).or_default().push(row.id);
        }
        let rows: HashMap<CategoryId, CategoryRow> = rows.into_iter().map(|r| (r.id, r)).collect();
        for siblings in children.values_mut() {
            siblings.sort_by_cached_key(|id| {
                let row = &rows[id];
                (row.position, row.name.to_lowercase(), row.id)
            });
        }
        Tree { rows, children, direct_counts: HashMap::new() }
    }

    pub fn load(conn: &mut DbConn) -> Result<Tree, ApiError> {
        Ok(Tree::new(repo::all(conn)?))
    }

    /// The tree with each category's visible articles counted, for answers that show `article_count`.
    pub fn load_with_counts(conn: &mut DbConn) -> Result<Tree, ApiError> {
        let mut tree = Tree::load(conn)?;
        tree.direct_counts = articles::repo::visible_counts_by_category(conn, time::now())?.into_iter().collect();
        Ok(tree)
    }

    /// Visible articles in the category and all its descendants.
    fn article_count(&self, id: CategoryId) -> i64 {
        self.subtree(id).iter().filter_map(|c| self.direct_counts.get(c)).sum()
    }

    /// The breadcrumb of `id`: root first, `id` last.
    pub fn path(&self, id: CategoryId) -> Vec<CategoryRef> {
        let mut path = Vec::new();
        let mut current = self.rows.get(&id);
        // The length bound guards against a cycle that should never be in the database.
        while let Some(row) = current.filter(|_| path.len() <= self.rows.len()) {
            path.push(CategoryRef { id: row.id, slug: row.slug.clone(), name: row.name.clone() });
            current = row.parent_id.and_then(|p| self.rows.get(&p));
        }
        path.reverse();
        path
    }

    /// Whether `candidate` is `ancestor` itself or lies below it.
    pub fn is_within(&self, candidate: CategoryId, ancestor: CategoryId) -> bool {
        self.path(candidate).iter().any(|step| step.id == ancestor)
    }

    /// `id` and every category below it.
    pub fn subtree(&self, id: CategoryId) -> Vec<CategoryId> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            out.extend(self.children.get(&Some(out[i])).into_iter().flatten());
            i += 1;
        }
        out
    }

    fn response(&self, id: CategoryId, nested: bool) -> Option<CategoryResponse> {
        let row = self.rows.get(&id)?;
        let children = nested.then(|| self.level(Some(id), true));
        Some(CategoryResponse {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            parent_id: row.parent_id,
            position: row.position,
            path: self.path(id),
            article_count: self.article_count(id),
            created_at: row.created_at,
            updated_at: row.updated_at,
            children,
        })
    }

    fn level(&self, parent: Option<CategoryId>, nested: bool) -> Vec<CategoryResponse> {
        self.children.get(&parent).into_iter().flatten().filter_map(|&id| self.response(id, nested)).collect()
    }

    /// Every category, depth-first in sibling order.
    pub fn flat(&self) -> Vec<CategoryResponse> {
        let mut out = Vec::with_capacity(self.rows.len());
        let mut stack: Vec<CategoryId> = self.children.get(&None).into_iter().flatten().rev().copied().collect();
        while let Some(id) = stack.pop() {
            out.extend(self.response(id, false));
            stack.extend(self.children.get(&Some(id)).into_iter().flatten().rev());
        }
        out
    }

    /// The roots, each with its `children` nested.
    pub fn nested(&self) -> Vec<CategoryResponse> {
        self.level(None, true)
    }

    pub fn one(&self, id: CategoryId) -> Result<CategoryResponse, ApiError> {
        self.response(id, false).ok_or(ApiError::NotFound("category"))
    }

    pub fn contains(&self, id: CategoryId) -> bool {
        self.rows.contains_key(&id)
    }
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
        if let Some(parent) = req.parent_id.filter(|p| !tree.contains(*p)) {
            return Err(FieldError::new("parent_id", format!("names no category ({parent})")).into());
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
        if let Some(Some(parent)) = req.parent_id {
            if !tree.contains(parent) {
                v.push(FieldError::new("parent_id", format!("names no category ({parent})")));
            } else if tree.is_within(parent, current.id) {
                v.push(FieldError::new("parent_id", "would put the category inside itself"));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i32, name: &str, parent: Option<i32>, position: i32) -> CategoryRow {
        let now = time::now();
        CategoryRow {
            id: CategoryId(id),
            slug: name.to_lowercase(),
            name: name.into(),
            description: String::new(),
            parent_id: parent.map(CategoryId),
            position,
            created_at: now,
            updated_at: now,
        }
    }

    fn tree() -> Tree {
        Tree::new(vec![
            row(1, "Berita", None, 0),
            row(2, "Olahraga", None, 1),
            row(3, "Politik", Some(1), 0),
            row(4, "Dunia", Some(1), 0),
            row(5, "Asia", Some(4), 0),
            row(6, "Ekonomi", Some(1), -1),
        ])
    }

    #[test]
    fn the_flat_list_is_depth_first_by_position_then_name() {
        let names: Vec<String> = tree().flat().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["Berita", "Ekonomi", "Dunia", "Asia", "Politik", "Olahraga"]);
    }

    #[test]
    fn paths_run_from_the_root() {
        let path: Vec<String> = tree().path(CategoryId(5)).into_iter().map(|c| c.slug).collect();
        assert_eq!(path, ["berita", "dunia", "asia"]);
    }

    #[test]
    fn descendants_are_detected_for_the_cycle_check() {
        let tree = tree();
        assert!(tree.is_within(CategoryId(5), CategoryId(1)));
        assert!(tree.is_within(CategoryId(1), CategoryId(1)));
        assert!(!tree.is_within(CategoryId(2), CategoryId(1)));
        let mut below: Vec<i32> = tree.subtree(CategoryId(1)).into_iter().map(|c| c.0).collect();
        below.sort();
        assert_eq!(below, [1, 3, 4, 5, 6]);
    }

    #[test]
    fn nesting_keeps_the_order() {
        let roots = tree().nested();
        assert_eq!(roots.len(), 2);
        let berita_children: Vec<String> = roots[0].children.iter().flatten().map(|c| c.name.clone()).collect();
        assert_eq!(berita_children, ["Ekonomi", "Dunia", "Politik"]);
    }
}
