//! Request and response bodies of `/media`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::field::Field;
use crate::domain::ids::{MediaId, UserId};
use crate::media::repo::{MediaListing, MediaRow};

/// A resized copy of a picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    #[schema(example = "image/webp")]
    pub mime_type: String,
    /// Absolute, under `WARTA_MEDIA_URL`; it changes when the content does.
    pub url: String,
}

/// Where the picture's subject is, as fractions of its width and height from the top left, so
/// crops keep it in frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FocalPoint {
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.5)]
    pub x: f64,
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.35)]
    pub y: f64,
}

/// Who uploaded an item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Uploader {
    pub id: UserId,
    pub name: String,
}

/// A picture in the library.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 42, "url": "https://warta.example/media/3f/3f9a0c1d2e4b5a6978/original.jpg",
    "filename": "banjir-jakarta.jpg", "mime_type": "image/jpeg", "width": 4000, "height": 3000, "bytes": 5123456,
    "sha256": "3f9a0c1d2e4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c4b5a69",
    "alt": "Warga menembus banjir", "caption": "Banjir di Kampung Melayu", "credit": "Ilustrasi/Net",
    "focal_point": null, "placeholder": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
    "variants": [{"width": 320, "height": 240, "mime_type": "image/webp", "url": "https://warta.example/media/3f/3f9a0c1d2e4b5a6978/320.webp"}],
    "srcset": "https://warta.example/media/3f/3f9a0c1d2e4b5a6978/320.webp 320w", "usage_count": 0,
    "created_by": {"id": 1, "name": "Admin"}, "created_at": "2026-12-04T03:00:00Z", "updated_at": "2026-12-04T03:00:00Z"}))]
pub struct MediaResponse {
    pub id: MediaId,
    /// The original, re-encoded with all metadata removed.
    pub url: String,
    /// As uploaded.
    pub filename: String,
    pub mime_type: String,
    pub width: u32,
    pub height: u32,
    /// Of the file as uploaded.
    pub bytes: i64,
    /// Of the file as uploaded (hex), so a client can tell it already sent it.
    pub sha256: String,
    #[schema(required = true)]
    pub alt: Option<String>,
    #[schema(required = true)]
    pub caption: Option<String>,
    #[schema(required = true)]
    pub credit: Option<String>,
    #[schema(required = true)]
    pub focal_point: Option<FocalPoint>,
    /// A BlurHash to paint while the picture loads.
    pub placeholder: String,
    pub variants: Vec<Variant>,
    /// The WebP variants as an HTML `srcset` value.
    pub srcset: String,
    /// Articles that use it, as cover or in the body.
    pub usage_count: i64,
    /// `null` once the uploader's account is deleted.
    #[schema(required = true)]
    pub created_by: Option<Uploader>,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::domain::time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

/// A variant as stored in its row: its key, not its URL, which depends on `WARTA_MEDIA_URL`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredVariant {
    pub width: u32,
    pub height: u32,
    pub mime_type: String,
    pub key: String,
}

/// An item's files as URLs: what a cover and a picture in a body show.
pub struct Picture {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub variants: Vec<Variant>,
    pub srcset: String,
}

impl Picture {
    /// `media_url` is `WARTA_MEDIA_URL`, without a trailing slash.
    pub fn of(row: &MediaRow, media_url: &str) -> Picture {
        let variants: Vec<Variant> = serde_json::from_str::<Vec<StoredVariant>>(&row.variants)
            .unwrap_or_default()
            .into_iter()
            .map(|v| Variant {
                width: v.width,
                height: v.height,
                mime_type: v.mime_type,
                url: format!("{media_url}/{}", v.key),
            })
            .collect();
        Picture {
            url: format!("{media_url}/{}", row.file_key),
            width: u32::try_from(row.width).unwrap_or(0),
            height: u32::try_from(row.height).unwrap_or(0),
            srcset: srcset(&variants),
            variants,
        }
    }
}

impl MediaResponse {
    /// `media_url` is `WARTA_MEDIA_URL`, without a trailing slash.
    pub fn new(listing: MediaListing, media_url: &str) -> MediaResponse {
        let MediaListing { row, uploader, usage_count } = listing;
        let Picture { url, width, height, variants, srcset } = Picture::of(&row, media_url);
        MediaResponse {
            id: row.id,
            url,
            filename: row.filename,
            mime_type: row.mime_type,
            width,
            height,
            bytes: row.bytes,
            sha256: row.sha256,
            alt: row.alt,
            caption: row.caption,
            credit: row.credit,
            focal_point: row.focal_x.zip(row.focal_y).map(|(x, y)| FocalPoint { x, y }),
            placeholder: row.placeholder,
            srcset,
            variants,
            usage_count,
            created_by: row.created_by.zip(uploader).map(|(id, name)| Uploader { id, name }),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The WebP variants as an HTML `srcset`: `URL 320w, URL 640w`.
pub fn srcset(variants: &[Variant]) -> String {
    variants
        .iter()
        .filter(|v| v.mime_type == "image/webp")
        .map(|v| format!("{} {}w", v.url, v.width))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The form of `POST /media` (`multipart/form-data`), for the OpenAPI document; the handler reads
/// the parts as they stream in.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The picture: JPEG, PNG, WebP or GIF, recognised by its content.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    #[schema(max_length = 500)]
    pub alt: Option<String>,
    #[schema(max_length = 500)]
    pub caption: Option<String>,
    #[schema(max_length = 200)]
    pub credit: Option<String>,
}

/// Changes to an item's words and focal point; `null` clears a field.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"caption": "Banjir di Kampung Melayu", "credit": "Ilustrasi/Net", "focal_point": {"x": 0.5, "y": 0.35}}))]
pub struct UpdateMediaRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub alt: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub caption: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub credit: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<FocalPoint>)]
    pub focal_point: Field<FocalPoint>,
}

/// `GET /media`'s query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct MediaListQuery {
    /// Words in the filename, alt text, caption or credit.
    pub q: Option<String>,
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<String>,
}
