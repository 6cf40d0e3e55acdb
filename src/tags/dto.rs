//! Request and response bodies of `/tags`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::field::Field;
use crate::domain::ids::TagId;
use crate::domain::slug::Slug;
use crate::tags::repo::TagRow;

/// A label articles carry.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "slug": "korea-utara", "name": "Korea Utara", "article_count": 12}))]
pub struct TagResponse {
    pub id: TagId,
    pub slug: String,
    /// As first written; names compare case-insensitively.
    pub name: String,
    /// Visible articles with this tag (also for signed-in callers, who see tags with none).
    pub article_count: i64,
}

impl TagResponse {
    pub fn new(row: TagRow, article_count: i64) -> Self {
        TagResponse { id: row.id, slug: row.slug, name: row.name, article_count }
    }
}

/// A new tag. Tags are usually created by naming them on an article; this creates one ahead of time.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Korea Utara"}))]
pub struct CreateTagRequest {
    #[serde(default)]
    #[schema(
        value_type = String,
        required = true,
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 100
    )]
    pub name: Field<String>,
    /// Generated from the name when absent or `null`.
    #[serde(default)]
    #[schema(value_type = Option<Slug>)]
    pub slug: Field<String>,
}

/// A rename. Renaming keeps the slug; send `slug` to change it. Neither can be `null`, and a
/// change to the values already stored changes nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Korea Utara"}))]
pub struct UpdateTagRequest {
    #[serde(default)]
    #[schema(
        value_type = String,
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 100
    )]
    pub name: Field<String>,
    #[serde(default)]
    #[schema(value_type = Slug)]
    pub slug: Field<String>,
}

/// A tag's name as articles give it: some character other than whitespace, at most 100 characters.
/// A schema of its own so that lists of names (`tags` on an article) can state the rule per item.
pub struct TagName;

impl utoipa::PartialSchema for TagName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"))
            .max_length(Some(100))
            .examples(["Korea Utara"])
            .into()
    }
}

impl ToSchema for TagName {}
