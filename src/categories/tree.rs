//! The category tree in memory: tree order, breadcrumbs, subtrees, depths and article counts rolled
//! up to ancestors. Every walk is iterative and every answer's nesting is bounded, so no shape of
//! stored rows (a chain thousands deep written before the depth limit existed, even a cycle) can
//! overflow a stack while building, serializing or dropping an answer.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use crate::categories::dto::{CategoryRef, CategoryResponse};
use crate::categories::repo::{self, CategoryRow};
use crate::db::DbConn;
use crate::domain::ids::CategoryId;
use crate::error::ApiError;
use crate::published;

/// Categories nest at most this many levels deep; a top-level category is level 1.
pub const MAX_DEPTH: usize = 10;

/// The whole tree in memory: categories are few (see `MAX_CATEGORIES`), and paths and tree order
/// need all of them.
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
    pub fn load_with_counts(conn: &mut DbConn, now: NaiveDateTime) -> Result<Tree, ApiError> {
        let mut tree = Tree::load(conn)?;
        tree.direct_counts = published::repo::counts_by_category(conn, now)?.into_iter().collect();
        Ok(tree)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn contains(&self, id: CategoryId) -> bool {
        self.rows.contains_key(&id)
    }

    /// `id` and its ancestors, `id` first. Stopping at a repeat guards against a cycle that should
    /// never be in the database.
    fn ancestry(&self, id: CategoryId) -> Vec<CategoryId> {
        let mut chain = Vec::new();
        let mut seen = HashSet::new();
        let mut current = self.rows.get(&id);
        while let Some(row) = current.filter(|row| seen.insert(row.id)) {
            chain.push(row.id);
            current = row.parent_id.and_then(|p| self.rows.get(&p));
        }
        chain
    }

    /// The level of `id`: 1 for a top-level category.
    pub fn depth(&self, id: CategoryId) -> usize {
        self.ancestry(id).len()
    }

    /// How many levels the subtree of `id` spans: 1 for a leaf.
    pub fn height(&self, id: CategoryId) -> usize {
        let mut level = vec![id];
        let mut seen: HashSet<CategoryId> = HashSet::from([id]);
        let mut height = 0;
        while !level.is_empty() {
            height += 1;
            level = level
                .iter()
                .flat_map(|c| self.children.get(&Some(*c)).into_iter().flatten())
                .copied()
                .filter(|c| seen.insert(*c))
                .collect();
        }
        height
    }

    /// The breadcrumb of `id`: root first, `id` last. A category stored deeper than `MAX_DEPTH`
    /// (only possible in data from before the limit) gets the root and its nearest `MAX_DEPTH - 1`
    /// steps, so no breadcrumb is longer than the limit.
    pub fn path(&self, id: CategoryId) -> Vec<CategoryRef> {
        let mut chain = self.ancestry(id);
        chain.reverse();
        self.breadcrumb(&chain)
    }

    /// The breadcrumb of a root-first chain of ids, cut as `path` describes.
    fn breadcrumb(&self, chain: &[CategoryId]) -> Vec<CategoryRef> {
        let steps: Box<dyn Iterator<Item = &CategoryId>> = if chain.len() > MAX_DEPTH {
            Box::new(chain[..1].iter().chain(&chain[chain.len() - (MAX_DEPTH - 1)..]))
        } else {
            Box::new(chain.iter())
        };
        steps
            .filter_map(|id| self.rows.get(id))
            .map(|row| CategoryRef { id: row.id, slug: row.slug.clone(), name: row.name.clone() })
            .collect()
    }

    /// Whether `candidate` is `ancestor` itself or lies below it.
    pub fn is_within(&self, candidate: CategoryId, ancestor: CategoryId) -> bool {
        self.ancestry(candidate).contains(&ancestor)
    }

    /// `id` and every category below it.
    pub fn subtree(&self, id: CategoryId) -> Vec<CategoryId> {
        let mut out = vec![id];
        let mut seen: HashSet<CategoryId> = HashSet::from([id]);
        let mut i = 0;
        while i < out.len() {
            let below = self.children.get(&Some(out[i])).into_iter().flatten().filter(|c| seen.insert(**c));
            out.extend(below.copied().collect::<Vec<_>>());
            i += 1;
        }
        out
    }

    /// Every category reachable from the roots, depth-first in sibling order, with its level.
    fn walk(&self) -> Vec<(CategoryId, usize)> {
        let mut out = Vec::with_capacity(self.rows.len());
        let mut stack: Vec<(CategoryId, usize)> =
            self.children.get(&None).into_iter().flatten().rev().map(|id| (*id, 1)).collect();
        while let Some((id, depth)) = stack.pop() {
            out.push((id, depth));
            stack.extend(self.children.get(&Some(id)).into_iter().flatten().rev().map(|c| (*c, depth + 1)));
        }
        out
    }

    /// Visible articles of every category and its descendants, from one pass over the walk.
    fn totals(&self, walk: &[(CategoryId, usize)]) -> HashMap<CategoryId, i64> {
        let mut totals = self.direct_counts.clone();
        // Children come after their parent in the walk, so backwards every child is complete before
        // it is added to its parent.
        for (id, _) in walk.iter().rev() {
            let own = totals.get(id).copied().unwrap_or(0);
            if let Some(parent) = self.rows.get(id).and_then(|r| r.parent_id) {
                *totals.entry(parent).or_default() += own;
            }
        }
        totals
    }

    fn response(&self, id: CategoryId, path: Vec<CategoryRef>, article_count: i64) -> Option<CategoryResponse> {
        let row = self.rows.get(&id)?;
        Some(CategoryResponse {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            parent_id: row.parent_id,
            position: row.position,
            path,
            article_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
            children: None,
        })
    }

    /// Every category with its breadcrumb and rolled-up count, depth-first in sibling order.
    fn responses(&self) -> Vec<(usize, CategoryResponse)> {
        let walk = self.walk();
        let totals = self.totals(&walk);
        let mut chain: Vec<CategoryId> = Vec::new();
        let mut out = Vec::with_capacity(walk.len());
        for (id, depth) in walk {
            chain.truncate(depth - 1);
            chain.push(id);
            let count = totals.get(&id).copied().unwrap_or(0);
            out.extend(self.response(id, self.breadcrumb(&chain), count).map(|r| (depth, r)));
        }
        out
    }

    /// Every category, depth-first in sibling order.
    pub fn flat(&self) -> Vec<CategoryResponse> {
        self.responses().into_iter().map(|(_, r)| r).collect()
    }

    /// The roots, each with its `children` nested. Nesting stops at `MAX_DEPTH + 1` levels: the
    /// descendants of a level-`MAX_DEPTH` category that are stored deeper than the limit (only
    /// possible in data from before it) are listed, in tree order, among that category's `children`.
    pub fn nested(&self) -> Vec<CategoryResponse> {
        let mut roots = Vec::new();
        let mut open: Vec<(usize, CategoryResponse)> = Vec::new();
        let close = |open: &mut Vec<(usize, CategoryResponse)>, roots: &mut Vec<CategoryResponse>| {
            if let Some((_, done)) = open.pop() {
                match open.last_mut() {
                    Some((_, parent)) => parent.children.get_or_insert_with(Vec::new).push(done),
                    None => roots.push(done),
                }
            }
        };
        for (depth, mut response) in self.responses() {
            let level = depth.min(MAX_DEPTH + 1);
            while open.last().is_some_and(|(open_level, _)| *open_level >= level) {
                close(&mut open, &mut roots);
            }
            response.children = Some(Vec::new());
            open.push((level, response));
        }
        while !open.is_empty() {
            close(&mut open, &mut roots);
        }
        roots
    }

    /// One category with its breadcrumb and the visible articles of its whole subtree.
    pub fn one(&self, id: CategoryId) -> Result<CategoryResponse, ApiError> {
        let count = self.subtree(id).iter().filter_map(|c| self.direct_counts.get(c)).sum();
        self.response(id, self.path(id), count).ok_or(ApiError::NotFound("category"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn row(id: i32, name: &str, parent: Option<i32>, position: i32) -> CategoryRow {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a time").naive_utc();
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

    /// A single chain `1 > 2 > ... > n`.
    fn chain(n: i32) -> Tree {
        Tree::new((1..=n).map(|i| row(i, &format!("c{i}"), (i > 1).then_some(i - 1), 0)).collect())
    }

    /// How many levels of `children` a nested answer has.
    fn nesting(roots: &[CategoryResponse]) -> usize {
        let mut level: Vec<&CategoryResponse> = roots.iter().collect();
        let mut depth = 0;
        while !level.is_empty() {
            depth += 1;
            level = level.iter().flat_map(|c| c.children.iter().flatten()).collect();
        }
        depth
    }

    fn count_nested(roots: &[CategoryResponse]) -> usize {
        let mut stack: Vec<&CategoryResponse> = roots.iter().collect();
        let mut n = 0;
        while let Some(c) = stack.pop() {
            n += 1;
            stack.extend(c.children.iter().flatten());
        }
        n
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
        let flat = tree().flat();
        let asia = flat.iter().find(|c| c.name == "Asia").expect("asia");
        assert_eq!(asia.path.iter().map(|c| c.slug.as_str()).collect::<Vec<_>>(), ["berita", "dunia", "asia"]);
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
    fn depth_and_height_count_levels() {
        let tree = tree();
        assert_eq!((tree.depth(CategoryId(1)), tree.height(CategoryId(1))), (1, 3));
        assert_eq!((tree.depth(CategoryId(5)), tree.height(CategoryId(5))), (3, 1));
        assert_eq!((tree.depth(CategoryId(4)), tree.height(CategoryId(4))), (2, 2));
    }

    #[test]
    fn nesting_keeps_the_order() {
        let roots = tree().nested();
        assert_eq!(roots.len(), 2);
        let berita_children: Vec<String> = roots[0].children.iter().flatten().map(|c| c.name.clone()).collect();
        assert_eq!(berita_children, ["Ekonomi", "Dunia", "Politik"]);
        let dunia = &roots[0].children.as_ref().expect("children")[1];
        assert_eq!(dunia.children.as_ref().expect("children")[0].name, "Asia");
        assert_eq!(roots[1].children.as_ref().map(Vec::len), Some(0), "a leaf has an empty list");
    }

    #[test]
    fn counts_roll_up_to_every_ancestor() {
        let mut tree = tree();
        tree.direct_counts = HashMap::from([(CategoryId(5), 2), (CategoryId(3), 1), (CategoryId(1), 4)]);
        let counts: HashMap<String, i64> = tree.flat().into_iter().map(|c| (c.name, c.article_count)).collect();
        assert_eq!(counts["Berita"], 7);
        assert_eq!(counts["Dunia"], 2);
        assert_eq!(counts["Olahraga"], 0);
        assert_eq!(tree.one(CategoryId(1)).expect("berita").article_count, 7);
        assert_eq!(tree.one(CategoryId(4)).expect("dunia").article_count, 2);
    }

    /// Rows from before the depth limit: a chain 10,000 deep is served (flat, nested, serialized and
    /// dropped) on the test thread's ordinary stack, with bounded paths and nesting.
    #[test]
    fn a_chain_ten_thousand_deep_is_served_without_recursion() {
        let tree = chain(10_000);

        let nested = tree.nested();
        assert_eq!(nesting(&nested), MAX_DEPTH + 1);
        assert_eq!(count_nested(&nested), 10_000, "every category is in the tree");
        let json = serde_json::to_vec(&nested).expect("serializes");
        assert!(json.len() < 20 << 20, "{} bytes", json.len());
        drop(nested);

        let flat = tree.flat();
        assert_eq!(flat.len(), 10_000);
        assert!(flat.iter().all(|c| c.path.len() <= MAX_DEPTH));
        let deepest = flat.last().expect("deepest");
        assert_eq!(deepest.path.first().map(|s| s.id), Some(CategoryId(1)), "the root leads");
        assert_eq!(deepest.path.last().map(|s| s.id), Some(CategoryId(10_000)), "the category ends it");
        assert_eq!(tree.depth(CategoryId(10_000)), 10_000);
        assert_eq!(tree.height(CategoryId(1)), 10_000);
        assert!(tree.is_within(CategoryId(10_000), CategoryId(1)));
        assert_eq!(tree.path(CategoryId(10_000)).len(), MAX_DEPTH);
        assert_eq!(tree.one(CategoryId(5_000)).expect("found").path.len(), MAX_DEPTH);
    }

    #[test]
    fn a_cycle_in_the_rows_ends_every_walk() {
        let tree = Tree::new(vec![row(1, "a", Some(2), 0), row(2, "b", Some(1), 0), row(3, "c", None, 0)]);
        assert_eq!(tree.flat().len(), 1);
        assert_eq!(tree.subtree(CategoryId(1)).len(), 2);
        assert_eq!(tree.depth(CategoryId(1)), 2);
        assert_eq!(tree.path(CategoryId(1)).len(), 2);
        assert_eq!(tree.height(CategoryId(1)), 2);
    }
}
