//! Request and response bodies of `/articles`.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::categories::dto::CategoryRef;
use crate::domain::article_status::ArticleStatus;
use crate::domain::body::BodyFormat;
use crate::domain::field::Field;
use crate::domain::ids::{ArticleId, AuthorId, CategoryId, MediaId, TagId};
use crate::domain::slug::Slug;
use crate::domain::validation::FieldError;
use crate::media::dto::Variant;
use crate::tags::dto::TagName;

/// The picture at the top of an article, with the line printed under it ("Ilustrasi/Net"). A
/// picture from the media library also carries its item's id and sizes.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"url": "https://images.warta.example/2023/08/rudal.jpg", "caption": "Ilustrasi",
    "credit": "Net", "alt": "Peluncuran rudal di pesisir timur"}))]
pub struct CoverImage {
    /// An absolute http(s) URL: the library item's original, or the outside picture.
    #[schema(
        pattern = r#"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"<>\\`]+$"#,
        max_length = 2048
    )]
    pub url: String,
    #[schema(max_length = 500, required = true)]
    pub caption: Option<String>,
    #[schema(max_length = 500, required = true)]
    pub credit: Option<String>,
    /// Describes the picture for readers who cannot see it.
    #[schema(max_length = 500, required = true)]
    pub alt: Option<String>,
    /// The library item (library covers only, as the fields below).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_id: Option<MediaId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Resized copies, as in the media item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variants: Option<Vec<Variant>>,
    /// The WebP variants as an HTML `srcset` value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srcset: Option<String>,
    /// A BlurHash to paint while the picture loads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
}

/// A library cover's sizes, stored with the article as JSON so that lists and feeds read no media.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverMedia {
    pub media_id: MediaId,
    pub width: u32,
    pub height: u32,
    pub variants: Vec<Variant>,
    pub srcset: String,
    pub placeholder: String,
}

impl CoverImage {
    /// A cover from its stored columns: an outside picture (`media` is `None`) or a library one.
    pub fn from_stored(
        url: Option<String>,
        caption: Option<String>,
        credit: Option<String>,
        alt: Option<String>,
        media: Option<&str>,
    ) -> Option<CoverImage> {
        let media: Option<CoverMedia> = media.and_then(|json| serde_json::from_str(json).ok());
        url.map(|url| CoverImage {
            url,
            caption,
            credit,
            alt,
            media_id: media.as_ref().map(|m| m.media_id),
            width: media.as_ref().map(|m| m.width),
            height: media.as_ref().map(|m| m.height),
            variants: media.as_ref().map(|m| m.variants.clone()),
            srcset: media.as_ref().map(|m| m.srcset.clone()),
            placeholder: media.map(|m| m.placeholder),
        })
    }

    /// The library sizes, as stored.
    pub fn media(&self) -> Option<CoverMedia> {
        Some(CoverMedia {
            media_id: self.media_id?,
            width: self.width?,
            height: self.height?,
            variants: self.variants.clone()?,
            srcset: self.srcset.clone()?,
            placeholder: self.placeholder.clone()?,
        })
    }
}

/// A cover as a write sends it: a picture from the media library (`media_id`) or from elsewhere
/// (`url`), exactly one of the two. A library cover's `caption`, `credit` and `alt` default to the
/// item's.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[schema(example = json!({"media_id": 42, "caption": "Ilustrasi", "credit": "Net"}))]
pub struct CoverImageInput {
    /// An absolute http(s) URL of a picture outside the library.
    #[serde(default)]
    #[schema(
        pattern = r#"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"<>\\`]+$"#,
        max_length = 2048
    )]
    pub url: Option<String>,
    /// A media library item.
    #[serde(default)]
    pub media_id: Option<MediaId>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub caption: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub credit: Option<String>,
    /// Describes the picture for readers who cannot see it.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub alt: Option<String>,
}

/// The article's category with its breadcrumb.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleCategory {
    pub id: CategoryId,
    pub slug: String,
    pub name: String,
    /// Root first, the category itself last: "Berita > Dunia".
    pub path: Vec<CategoryRef>,
}

/// A byline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorRef {
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
}

/// A tag on an article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagRef {
    pub id: TagId,
    pub slug: String,
    pub name: String,
}

/// An article without its body: what lists and feeds carry.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 42, "slug": "korea-utara-luncurkan-rudal", "title": "Korea Utara Luncurkan Rudal",
    "excerpt": "Pyongyang kembali meluncurkan rudal balistik ke arah Laut Jepang…", "body_format": "markdown",
    "cover_image": {"url": "https://images.warta.example/2023/08/rudal.jpg", "caption": "Ilustrasi", "credit": "Net", "alt": "Peluncuran rudal"},
    "category": {"id": 4, "slug": "dunia", "name": "Dunia", "path": [{"id": 1, "slug": "berita", "name": "Berita"}, {"id": 4, "slug": "dunia", "name": "Dunia"}]},
    "authors": [{"id": 3, "slug": "reni-erina", "name": "Reni Erina"}], "tags": [{"id": 7, "slug": "korea-utara", "name": "Korea Utara"}],
    "status": "published", "published_at": "2023-08-31T07:09:00Z", "published_at_display": "Kamis, 31 Agustus 2023 | 14:09 WIB",
    "reading_time_minutes": 3, "word_count": 512, "view_count": 1024,
    "created_at": "2023-08-31T06:40:00Z", "updated_at": "2023-08-31T07:09:00Z", "version": 4}))]
pub struct ArticleSummary {
    pub id: ArticleId,
    pub slug: String,
    pub title: String,
    /// The editor's excerpt, or the start of the body's text cut at a word boundary with `…`.
    pub excerpt: String,
    pub body_format: BodyFormat,
    #[schema(required = true)]
    pub cover_image: Option<CoverImage>,
    pub category: ArticleCategory,
    /// Bylines, in order.
    pub authors: Vec<AuthorRef>,
    pub tags: Vec<TagRef>,
    /// A scheduled article whose time has passed reads as `published`.
    pub status: ArticleStatus,
    #[serde(serialize_with = "crate::domain::time::serialize_opt")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub published_at: Option<NaiveDateTime>,
    /// `published_at` as the page prints it, in the site's time zone: "Kamis, 31 Agustus 2023 | 14:09 WIB".
    #[schema(required = true)]
    pub published_at_display: Option<String>,
    pub reading_time_minutes: i32,
    pub word_count: i32,
    pub view_count: i64,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
    /// Starts at 1 and grows by one with every write; send it back as `If-Match` to change the article.
    pub version: i32,
}

/// A whole article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleResponse {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// The body as written, in `body_format`.
    pub body: String,
    /// The body rendered to HTML and sanitized: safe to insert into a page.
    pub body_html: String,
}

/// A new article. It is a `draft` unless `status` says otherwise: a write never publishes by accident.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"title": "Korea Utara Luncurkan Rudal", "body": "Pyongyang kembali meluncurkan rudal balistik...",
    "category_id": 4, "author_ids": [3], "tags": ["Korea Utara", "Rudal"],
    "cover_image": {"url": "https://images.warta.example/2023/08/rudal.jpg", "caption": "Ilustrasi", "credit": "Net", "alt": "Peluncuran rudal"}}))]
pub struct CreateArticleRequest {
    #[schema(
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 300
    )]
    pub title: String,
    /// Generated from the title when absent.
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    /// Derived from the body when absent.
    #[schema(max_length = 1000)]
    pub excerpt: Option<String>,
    pub body: String,
    /// `markdown` (default) or `html`.
    pub body_format: Option<BodyFormat>,
    pub cover_image: Option<CoverImageInput>,
    pub category_id: CategoryId,
    /// Bylines, in order, each named once.
    #[schema(max_items = 20)]
    pub author_ids: Option<Vec<AuthorId>>,
    /// Tag names; unknown names create tags.
    #[schema(value_type = Option<Vec<TagName>>, max_items = 30)]
    pub tags: Option<Vec<String>>,
    /// Writers may ask for `draft` or `review` only.
    pub status: Option<ArticleStatus>,
    /// With `published`: a future time schedules the article; absent publishes it now.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<DateTime<Utc>>,
}

/// A new article read field by field, for the 422 of a body that does not fit
/// `CreateArticleRequest`: every field of the wrong type and every required field missing, at once.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateProbe {
    title: Field<String>,
    slug: Field<String>,
    excerpt: Field<String>,
    body: Field<String>,
    body_format: Field<BodyFormat>,
    cover_image: Field<CoverImageInput>,
    category_id: Field<CategoryId>,
    author_ids: Field<Vec<AuthorId>>,
    tags: Field<Vec<String>>,
    status: Field<ArticleStatus>,
    published_at: Field<DateTime<Utc>>,
}

impl CreateArticleRequest {
    /// The fields a create body gets wrong, each named as a 422 entry. `field` reads one top-level
    /// field of the body.
    pub fn misfits<'a>(field: impl Fn(&str) -> Option<&'a serde_json::Value>) -> Vec<FieldError> {
        const FIELDS: [&str; 11] = [
            "title",
            "slug",
            "excerpt",
            "body",
            "body_format",
            "cover_image",
            "category_id",
            "author_ids",
            "tags",
            "status",
            "published_at",
        ];
        let object: serde_json::Map<String, serde_json::Value> =
            FIELDS.iter().filter_map(|name| field(name).map(|value| ((*name).to_owned(), value.clone()))).collect();
        let Ok(probe) = serde_json::from_value::<CreateProbe>(serde_json::Value::Object(object)) else {
            return Vec::new();
        };
        let mut errors = Vec::new();
        // A required field missing or null is named like one of the wrong type.
        let mut check = |name: &str, misfit: Option<FieldError>, missing: Option<&str>| {
            if let Some(misfit) = misfit {
                errors.push(misfit);
            } else if let Some(message) = missing {
                errors.push(FieldError::new(name, message));
            }
        };
        fn missing<T>(field: &Field<T>) -> Option<&'static str> {
            match field {
                Field::Absent => Some("is required"),
                Field::Null => Some("must not be null"),
                _ => None,
            }
        }
        check("title", probe.title.misfit("title"), missing(&probe.title));
        check("slug", probe.slug.misfit("slug"), None);
        check("excerpt", probe.excerpt.misfit("excerpt"), None);
        check("body", probe.body.misfit("body"), missing(&probe.body));
        check("body_format", probe.body_format.misfit("body_format"), None);
        check("cover_image", probe.cover_image.misfit("cover_image"), None);
        check("category_id", probe.category_id.misfit("category_id"), missing(&probe.category_id));
        check("author_ids", probe.author_ids.misfit("author_ids"), None);
        check("tags", probe.tags.misfit("tags"), None);
        check("status", probe.status.misfit("status"), None);
        check("published_at", probe.published_at.misfit("published_at"), None);
        errors
    }
}

/// Changes to an article: any subset of the fields. `null` clears `excerpt` (derive it again),
/// `cover_image` and `published_at`; for any other field it is a 422. The version being changed
/// goes in `If-Match` or in `version`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateArticleRequest {
    #[serde(default)]
    #[schema(
        value_type = String,
        pattern = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
        max_length = 300
    )]
    pub title: Field<String>,
    #[serde(default)]
    #[schema(value_type = Slug)]
    pub slug: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub excerpt: Field<String>,
    #[serde(default)]
    #[schema(value_type = String)]
    pub body: Field<String>,
    #[serde(default)]
    #[schema(value_type = BodyFormat)]
    pub body_format: Field<BodyFormat>,
    #[serde(default)]
    #[schema(value_type = Option<CoverImageInput>)]
    pub cover_image: Field<CoverImageInput>,
    #[serde(default)]
    #[schema(value_type = CategoryId)]
    pub category_id: Field<CategoryId>,
    #[serde(default)]
    #[schema(value_type = Vec<AuthorId>, max_items = 20)]
    pub author_ids: Field<Vec<AuthorId>>,
    #[serde(default)]
    #[schema(value_type = Vec<TagName>, max_items = 30)]
    pub tags: Field<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = ArticleStatus)]
    pub status: Field<ArticleStatus>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Field<DateTime<Utc>>,
    /// The version this change is based on, when `If-Match` is not sent.
    pub version: Option<i64>,
}

/// Filters, search and order of `GET /articles`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ArticleListQuery {
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
    /// A category slug; its sub-categories are included.
    #[serde(default, deserialize_with = "crate::extract::non_empty")]
    pub category: Option<String>,
    /// An author slug.
    #[serde(default, deserialize_with = "crate::extract::non_empty")]
    pub author: Option<String>,
    /// A tag slug.
    #[serde(default, deserialize_with = "crate::extract::non_empty")]
    pub tag: Option<String>,
    /// Full-text search over title, excerpt and body, case- and accent-insensitive; best match first
    /// unless `sort` is given: articles with every word in the title, then in the excerpt, then the
    /// rest, each group newest first. A search covers the 1,000 most
    /// recently created articles that match (and `meta.total` counts at most those): a word found
    /// all over the archive costs what a rare one does. Add words to reach older articles.
    pub q: Option<String>,
    /// `-published_at` (newest first, the default without `q`), `published_at`, `title` or
    /// `-view_count`.
    #[param(inline, value_type = Option<ArticleOrder>)]
    pub sort: Option<String>,
    /// Logged-in users only: comma-separated statuses (`draft,review`), or `any`. Writers see their
    /// own unpublished articles and everyone's published ones; editors see all.
    #[param(
        pattern = "^(any|(draft|review|scheduled|published|archived)(,(draft|review|scheduled|published|archived))*)$"
    )]
    pub status: Option<String>,
}

/// Articles related to one article.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedArticles {
    pub data: Vec<ArticleSummary>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct RelatedQuery {
    /// Items, 1 to 20 (default 5).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 20)]
    pub limit: Option<String>,
}

/// The orders of `GET /articles`; a leading `-` means descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
pub enum ArticleOrder {
    #[serde(rename = "-published_at")]
    NewestFirst,
    #[serde(rename = "published_at")]
    OldestFirst,
    #[serde(rename = "title")]
    Title,
    #[serde(rename = "-view_count")]
    MostViewed,
}

impl ArticleOrder {
    pub fn parse(raw: &str) -> Option<ArticleOrder> {
        ArticleOrder::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(raw)).ok()
    }
}
