//! Request and response bodies of `/categories`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// A new category.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Dunia", "parent_id": 1, "description": "Berita internasional", "position": 2}))]
pub struct CreateCategoryRequest {
    #[schema(
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 200
    )]
    pub name: String,
    /// Generated from the name when absent.
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// The parent category; absent or `null` for a top-level one.
    pub parent_id: Option<CategoryId>,
    /// Order among siblings (default 0).
    pub position: Option<i32>,
}

/// Changes to a category; absent fields stay as they are. `parent_id: null` moves it to the top
/// level; a move under one of its own descendants is refused with 422. Renaming keeps the slug.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateCategoryRequest {
    #[schema(
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 200
    )]
    pub name: Option<String>,
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    #[schema(value_type = Option<CategoryId>)]
    pub parent_id: Option<Option<CategoryId>>,
    pub position: Option<i32>,
}

/// `?tree=true` nests sub-categories under their parents.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CategoryListQuery {
    #[param(value_type = Option<bool>)]
    pub tree: Option<String>,
}
