//! HTTP handlers of `/media` (the library) and of the files it serves.

use actix_web::http::header;
use actix_web::web::{Data, Json, Path, Query};
use actix_web::{delete, get, patch, post, HttpRequest, HttpResponse};

use crate::auth::AuthUser;
use crate::clock::Now;
use crate::db::Db;
use crate::domain::ids::MediaId;
use crate::domain::pagination::{PageParams, PageQuery, Paginated};
use crate::domain::role::Action;
use crate::error::{ApiError, Problem};
use crate::extract::JsonBody;
use crate::media::dto::{MediaListQuery, MediaResponse, UpdateMediaRequest, UploadForm};
use crate::media::images::Format;
use crate::media::service::{self, Library};
use crate::media::store::valid_key;
use crate::media::upload;
use crate::responses;

/// The whole form must arrive within this; a large picture on a slow line takes a while.
const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
/// Room for the form's other parts and boundaries on top of the file's limit.
const FORM_OVERHEAD: u64 = 64 * 1024;
/// Files never change under their URL.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Upload a picture (writer and above). It is recognised by its content, checked, re-encoded with
/// all metadata removed and resized; the same bytes uploaded again answer the item they made.
#[utoipa::path(tag = "media", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"), responses(
    (status = 201, description = "Stored", body = MediaResponse, headers(("Location" = String, description = "The new item"))),
    (status = 200, description = "These bytes were uploaded before: the item they made", body = MediaResponse),
    (status = 400, description = "The form could not be read", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a newsroom role", body = Problem, content_type = "application/problem+json"),
    (status = 408, description = "The form did not arrive within two minutes", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "The file is over `WARTA_MAX_UPLOAD_BYTES`", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not multipart/form-data, or the file is not a JPEG, PNG, WebP or GIF (`errors` names `file`)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "No file, an empty, corrupt or truncated one, one over 50 megapixels, or a text field too long", body = Problem, content_type = "application/problem+json")))]
#[post("/media")]
pub async fn upload_media(
    req: HttpRequest,
    db: Data<Db>,
    library: Data<Library>,
    now: Now,
    user: AuthUser,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::WriteOwnDrafts)?;
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
        return Err(ApiError::UnsupportedMediaType {
            message: "the request body must be multipart/form-data".into(),
            errors: Vec::new(),
        });
    }
    let limit = library.max_upload_bytes;
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit + FORM_OVERHEAD) {
        return Err(ApiError::PayloadTooLarge(usize::try_from(limit).unwrap_or(usize::MAX)));
    }
    let upload = actix_web::rt::time::timeout(UPLOAD_TIMEOUT, upload::read(form, limit))
        .await
        .map_err(|_| ApiError::RequestTimeout(UPLOAD_TIMEOUT.as_secs()))??;
    let stored = service::create(library.into_inner(), &db, user, upload, now.0).await?;
    if stored.created {
        Ok(responses::created(format!("/api/v1/media/{}", stored.item.id), &stored.item))
    } else {
        Ok(HttpResponse::Ok().json(&stored.item))
    }
}

/// The library, newest first (writer and above); `q` searches filename, alt text, caption and credit.
#[utoipa::path(tag = "media", security(("bearer" = [])), params(MediaListQuery), responses(
    (status = 200, description = "A page of items", body = Paginated<MediaResponse>,
        headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))),
    (status = 400, description = "A paging parameter is not a number", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a newsroom role", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A paging parameter is out of range", body = Problem, content_type = "application/problem+json")))]
#[get("/media")]
pub async fn list_media(
    req: HttpRequest,
    db: Data<Db>,
    library: Data<Library>,
    user: AuthUser,
    query: Query<MediaListQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Action::WriteOwnDrafts)?;
    let query = query.into_inner();
    let page = PageParams::parse(&PageQuery { page: query.page, per_page: query.per_page })?;
    let items = db.run(move |conn| service::list(conn, &library, query.q.as_deref(), page)).await?;
    Ok(responses::page(&req, &items))
}

/// One item (writer and above).
#[utoipa::path(tag = "media", security(("bearer" = [])), params(("id" = i32, Path, description = "The item's id")), responses(
    (status = 200, description = "The item", body = MediaResponse),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a newsroom role", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json")))]
#[get("/media/{id}")]
pub async fn get_media(
    db: Data<Db>,
    library: Data<Library>,
    user: AuthUser,
    id: Path<String>,
) -> Result<Json<MediaResponse>, ApiError> {
    user.require(Action::WriteOwnDrafts)?;
    let id = media_id(&id)?;
    Ok(Json(db.run(move |conn| service::get(conn, &library, id)).await?))
}

/// Change an item's alt text, caption, credit or focal point (its uploader, or an editor).
#[utoipa::path(tag = "media", security(("bearer" = [])), params(("id" = i32, Path, description = "The item's id")),
    request_body = UpdateMediaRequest, responses(
    (status = 200, description = "The changed item", body = MediaResponse),
    (status = 400, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "A writer changing someone else's item", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Body is not application/json", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json")))]
#[patch("/media/{id}")]
pub async fn update_media(
    db: Data<Db>,
    library: Data<Library>,
    now: Now,
    user: AuthUser,
    id: Path<String>,
    body: JsonBody<UpdateMediaRequest>,
) -> Result<Json<MediaResponse>, ApiError> {
    let id = media_id(&id)?;
    let user = db.run(move |conn| service::find_changeable(conn, &user, id).map(|()| user)).await?;
    let req = body.parse()?;
    Ok(Json(db.run(move |conn| service::update(conn, &library, &user, id, req, now.0)).await?))
}

/// Delete an item (editor or admin) and its files; refused while an article uses it.
#[utoipa::path(tag = "media", security(("bearer" = [])), params(("id" = i32, Path, description = "The item's id")), responses(
    (status = 204, description = "Deleted"),
    (status = 401, description = "Missing, invalid or expired token", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Writers may not delete media", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "An article uses it, as cover or in its body", body = Problem, content_type = "application/problem+json")))]
#[delete("/media/{id}")]
pub async fn delete_media(
    db: Data<Db>,
    library: Data<Library>,
    now: Now,
    user: AuthUser,
    id: Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = media_id(&id)?;
    service::delete(library.into_inner(), &db, user, id, now.0).await?;
    Ok(responses::no_content())
}

/// A file from a store without local files (a bucket), with what `NamedFile` gives a local one:
/// an `ETag` (the key: its content never changes), 304, and one byte range.
async fn from_bucket(
    req: &HttpRequest,
    library: &Library,
    key: &str,
    mime: mime::Mime,
) -> Result<HttpResponse, ApiError> {
    let etag = format!("\"{}\"", key.replace('/', "-"));
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "*" || v.split(',').any(|tag| tag.trim().trim_start_matches("W/") == etag));
    if matches {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    let bytes = library.store.get(key).await.map_err(|e| ApiError::Internal(e.into()))?;
    let bytes = bytes.ok_or(ApiError::NotFound("file"))?;
    let total = bytes.len() as u64;
    let mut response = HttpResponse::Ok();
    response.content_type(mime).insert_header((header::ETAG, etag)).insert_header((header::ACCEPT_RANGES, "bytes"));
    let Some(range) = req.headers().get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok(response.body(bytes));
    };
    match actix_files::HttpRange::parse(range, total).ok().and_then(|ranges| ranges.first().copied()) {
        Some(range) => {
            let (start, end) = (range.start as usize, (range.start + range.length) as usize);
            Ok(response
                .status(actix_web::http::StatusCode::PARTIAL_CONTENT)
                .insert_header((header::CONTENT_RANGE, format!("bytes {}-{}/{total}", range.start, end - 1)))
                .body(bytes.get(start..end).map(<[u8]>::to_vec).unwrap_or_default()))
        }
        None => Ok(HttpResponse::RangeNotSatisfiable()
            .insert_header((header::CONTENT_RANGE, format!("bytes */{total}")))
            .finish()),
    }
}

/// A path id: anything but a positive number names no item.
fn media_id(raw: &str) -> Result<MediaId, ApiError> {
    match raw.parse::<i32>() {
        Ok(id) if id > 0 && raw.bytes().all(|b| b.is_ascii_digit()) => Ok(MediaId(id)),
        _ => Err(ApiError::NotFound("media")),
    }
}

/// A stored file: the original or a variant, as an item's `url` and `variants[].url` name it.
/// Cached for a year (a URL never changes content), with an `ETag` and range requests.
#[utoipa::path(tag = "media", security(()), params(
    ("key" = String, Path, description = "The file's key, as in the item's URLs"),
    ("If-None-Match" = Option<String>, Header, description = "An `ETag` from an earlier answer: 304 when it still matches"),
    ("Range" = Option<String>, Header, description = "One byte range, such as `bytes=0-1023`: answered with 206")), responses(
    (status = 200, description = "The file", content(([u8] = "image/webp"), ([u8] = "image/jpeg"), ([u8] = "image/png"), ([u8] = "image/gif")),
        headers(("Cache-Control" = String, description = "public, max-age=31536000, immutable"), ("ETag" = String), ("Content-Length" = u64))),
    (status = 206, description = "A range of the file"),
    (status = 304, description = "Not modified since the `ETag` given in `If-None-Match`"),
    (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
    (status = 416, description = "The range lies outside the file")))]
#[get("/media/{key:.+}")]
pub async fn media_file(req: HttpRequest, library: Data<Library>, key: Path<String>) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let format = key.rsplit_once('.').and_then(|(_, extension)| Format::from_extension(extension));
    let (true, Some(format)) = (valid_key(&key), format) else { return Err(ApiError::NotFound("file")) };
    let mime: mime::Mime = format.mime_type().parse().map_err(|_| ApiError::NotFound("file"))?;
    let mut response = match library.store.local_path(&key) {
        Some(path) => actix_files::NamedFile::open_async(path)
            .await
            .map_err(|_| ApiError::NotFound("file"))?
            .set_content_type(mime)
            .disable_content_disposition()
            .use_last_modified(false)
            .into_response(&req),
        None => from_bucket(&req, &library, &key, mime).await?,
    };
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static(IMMUTABLE));
    Ok(response)
}
