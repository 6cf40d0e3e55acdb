//! Request and response bodies of `/authors`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::authors::repo::AuthorRow;
use crate::domain::field::Field;
use crate::domain::ids::AuthorId;
use crate::domain::slug::Slug;

/// A public byline.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 3, "slug": "reni-erina", "name": "Reni Erina", "title": "Wartawan",
    "bio": "Meliput politik luar negeri sejak 2015.", "avatar_url": "https://cdn.warta.example/authors/reni.jpg",
    "article_count": 42, "created_at": "2023-01-05T03:00:00Z", "updated_at": "2023-06-01T08:30:00Z"}))]
pub struct AuthorResponse {
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
    /// A job title such as "Wartawan" or "Redaktur".
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(required = true)]
    pub bio: Option<String>,
    #[schema(required = true)]
    pub avatar_url: Option<String>,
    /// Visible articles bylined to this author.
    pub article_count: i64,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl AuthorResponse {
    pub fn new(row: AuthorRow, article_count: i64) -> Self {
        AuthorResponse {
            id: row.id,
            slug: row.slug,
            name: row.name,
            title: row.title,
            bio: row.bio,
            avatar_url: row.avatar_url,
            article_count,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A new byline. The slug is generated from the name when not given; `null` for an optional field
/// means the same as leaving it out.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Reni Erina", "title": "Wartawan", "bio": "Meliput politik luar negeri sejak 2015."}))]
pub struct CreateAuthorRequest {
    #[serde(default)]
    #[schema(
        value_type = String,
        required = true,
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 200
    )]
    pub name: Field<String>,
    /// Lowercase letters and digits joined by hyphens, at least one letter, at most 120 characters.
    #[serde(default)]
    #[schema(value_type = Option<Slug>)]
    pub slug: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub title: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub bio: Field<String>,
    /// An absolute http(s) URL.
    #[serde(default)]
    #[schema(
        value_type = Option<String>,
        pattern = r#"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"<>\\`]+$"#,
        max_length = 2048
    )]
    pub avatar_url: Field<String>,
}

/// Changes to a byline; absent fields stay as they are, `null` clears `title`, `bio` or
/// `avatar_url` (`name` and `slug` cannot be `null`), and a change to the values already stored
/// changes nothing (not even `updated_at`). Renaming never changes the slug; send `slug` to change it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateAuthorRequest {
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
    #[schema(value_type = Option<String>, max_length = 200)]
    pub title: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub bio: Field<String>,
    /// An absolute http(s) URL.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = r#"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"<>\\`]+$"#, max_length = 2048)]
    pub avatar_url: Field<String>,
}
