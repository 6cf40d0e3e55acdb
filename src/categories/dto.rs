//! Request and response bodies of `/categories`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::field::Field;
use crate::domain::ids::CategoryId;
use crate::domain::slug::Slug;

/// One step of a breadcrumb.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "slug": "berita", "name": "Berita"}))]
pub struct CategoryRef {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
}

/// A section of the site.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 4, "slug": "dunia", "name": "Dunia", "description": "Berita internasional",
    "parent_id": 1, "position": 2, "path": [{"id": 1, "slug": "berita", "name": "Berita"}, {"id": 4, "slug": "dunia", "name": "Dunia"}],
    "article_count": 120, "created_at": "2023-01-01T00:00:00Z", "updated_at": "2023-01-01T00:00:00Z"}))]
pub struct CategoryResponse {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// `null` for a top-level category.
    #[schema(required = true)]
    pub parent_id: Option<CategoryId>,
    /// Order among siblings, lowest first; ties go by name.
    pub position: i32,
    /// The breadcrumb: the root first, this category last.
    pub path: Vec<CategoryRef>,
    /// Visible articles in this category and its descendants.
    pub article_count: i64,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
    /// Sub-categories, in order; only with `?tree=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion, value_type = Vec<CategoryResponse>)]
    pub children: Option<Vec<CategoryResponse>>,
}

/// All categories: a flat list in tree order, or the roots with nested `children` (`?tree=true`).
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryList {
    pub data: Vec<CategoryResponse>,
}

/// A new category. `null` for an optional field means the same as leaving it out.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Dunia", "parent_id": 1, "description": "Berita internasional", "position": 2}))]
pub struct CreateCategoryRequest {
    #[serde(default)]
    #[schema(
        value_type = String,
        required = true,
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 200
    )]
    pub name: Field<String>,
    /// Generated from the name when absent.
    #[serde(default)]
    #[schema(value_type = Option<Slug>)]
    pub slug: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Field<String>,
    /// The parent category; absent or `null` for a top-level one. A top-level category is level 1;
    /// the parent must be at level 9 or above (categories nest at most 10 levels deep).
    #[serde(default)]
    #[schema(value_type = Option<CategoryId>)]
    pub parent_id: Field<CategoryId>,
    /// Order among siblings (default 0).
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub position: Field<i32>,
}

/// Changes to a category; absent fields stay as they are, and a change to the values already
/// stored changes nothing (not even `updated_at`). `name`, `slug` and `position` cannot be `null`;
/// `description: null` empties it. `parent_id: null` moves the category to the top level; a move
/// under one of its own descendants, or one that would put the category or any category below it
/// deeper than 10 levels, is refused with 422. Renaming keeps the slug.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateCategoryRequest {
    #[serde(default)]
    #[schema(
        value_type = String,
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 200
    )]
    pub name: Field<String>,
    #[serde(default)]
    #[schema(value_type = Slug)]
    pub slug: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<CategoryId>)]
    pub parent_id: Field<CategoryId>,
    #[serde(default)]
    #[schema(value_type = i32)]
    pub position: Field<i32>,
}

/// `?tree=true` nests sub-categories under their parents.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CategoryListQuery {
    #[param(value_type = Option<bool>)]
    pub tree: Option<String>,
}
