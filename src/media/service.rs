//! The rules of the media library: one item per uploaded file (the same bytes again answer the
//! item they made), files stored before their row is written and removed after it is deleted, and
//! no deleting an item an article uses.

use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::audit::{self, Change, Resource};
use crate::auth::AuthUser;
use crate::db::{self, Db, DbConn};
use crate::domain::field::Field;
use crate::domain::ids::MediaId;
use crate::domain::pagination::{PageParams, Paginated};
use crate::domain::role::Action;
use crate::domain::validation::{optional_text, FieldError, Violations};
use crate::error::{is_unique_violation, ApiError};
use crate::media::dto::{MediaResponse, StoredVariant, UpdateMediaRequest};
use crate::media::images::{self, Encoded, Processed, Refusal};
use crate::media::repo::{self, MediaChanges, NewMediaRow};
use crate::media::store::MediaStore;
use crate::media::upload::Upload;

const ALT_MAX: usize = 500;
const CAPTION_MAX: usize = 500;
const CREDIT_MAX: usize = 200;

/// The library's shared parts: its store, where its files are served from, and the limit on
/// picture jobs running at once.
pub struct Library {
    pub store: Arc<dyn MediaStore>,
    /// `WARTA_MEDIA_URL`, without a trailing slash.
    pub media_url: String,
    pub max_upload_bytes: u64,
    /// Picture jobs at once: one per core but one, so that uploads never take every core from
    /// readers (one on a single core).
    jobs: tokio::sync::Semaphore,
}

impl Library {
    pub fn new(store: Arc<dyn MediaStore>, media_url: String, max_upload_bytes: u64) -> Library {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        Library {
            store,
            media_url,
            max_upload_bytes,
            jobs: tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1)),
        }
    }

    fn response(&self, conn: &mut DbConn, row: repo::MediaRow) -> Result<MediaResponse, ApiError> {
        let listing = repo::listings(conn, vec![row])?
            .pop()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("media row vanished")))?;
        Ok(MediaResponse::new(listing, &self.media_url))
    }
}

/// A stored upload: the item, and whether this request made it (201) or found it (200).
pub struct Stored {
    pub item: MediaResponse,
    pub created: bool,
}

/// Stores an upload: see the module's documentation for the order of things.
pub async fn create(
    library: Arc<Library>,
    db: &Db,
    user: AuthUser,
    upload: Upload,
    now: NaiveDateTime,
) -> Result<Stored, ApiError> {
    let mut v = Violations::new();
    let alt = upload.alt.as_deref().and_then(|t| v.check(optional_text("alt", t, ALT_MAX)));
    let caption = upload.caption.as_deref().and_then(|t| v.check(optional_text("caption", t, CAPTION_MAX)));
    let credit = upload.credit.as_deref().and_then(|t| v.check(optional_text("credit", t, CREDIT_MAX)));
    v.into_result().map_err(ApiError::Validation)?;

    if let Some(item) = existing(&library, db, upload.sha256.clone()).await? {
        return Ok(Stored { item, created: false });
    }
    let processed = {
        let _job = library.jobs.acquire().await.map_err(|e| ApiError::Internal(e.into()))?;
        let path = upload.file.path().to_owned();
        tokio::task::spawn_blocking(move || {
            let bytes = std::fs::read(&path)
                .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("reading an upload")))?;
            images::process(&bytes).map_err(refused)
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("a picture job failed: {e}")))??
    };
    drop(upload.file);

    let stored = store_files(library.store.as_ref(), &upload.sha256, processed).await?;
    let keys = stored.keys.clone();
    let row =
        stored.row(upload.sha256.clone(), upload.bytes, upload.filename, (alt, caption, credit), Some(user.id), now);
    let inserted = {
        let library = library.clone();
        db.run(move |conn| {
            db::write(conn, |conn| {
                let id = repo::insert(conn, &row)?;
                audit::record(conn, &user, now, Change::Create, Resource::Media, id.0, None)?;
                let row = repo::find(conn, id)?.ok_or(ApiError::NotFound("media"))?;
                library.response(conn, row)
            })
        })
        .await
    };
    match inserted {
        Ok(item) => Ok(Stored { item, created: true }),
        // The same bytes, uploaded at the same moment by someone else, made the item first: the
        // files under these keys are its files (the same bytes encode the same), so they stay.
        Err(ApiError::Internal(e)) if e.downcast_ref::<diesel::result::Error>().is_some_and(is_unique_violation) => {
            let item = existing(&library, db, upload.sha256).await?.ok_or(ApiError::NotFound("media"))?;
            Ok(Stored { item, created: false })
        }
        Err(e) => {
            remove_files(library.store.as_ref(), &keys).await;
            Err(e)
        }
    }
}

async fn existing(library: &Arc<Library>, db: &Db, sha256: String) -> Result<Option<MediaResponse>, ApiError> {
    let library = library.clone();
    db.run(move |conn| match repo::find_by_sha256(conn, &sha256)? {
        Some(row) => library.response(conn, row).map(Some),
        None => Ok(None),
    })
    .await
}

/// A refused file: 415 when it is not a picture we take, 422 when it is one we cannot use; both
/// name the field `file`.
fn refused(refusal: Refusal) -> ApiError {
    let error = FieldError::new("file", refusal.to_string());
    match refusal {
        Refusal::NotAPicture => ApiError::UnsupportedMediaType { message: refusal.to_string(), errors: vec![error] },
        Refusal::Empty | Refusal::TooManyPixels { .. } | Refusal::Corrupt(_) | Refusal::Markup => {
            ApiError::Validation(vec![error])
        }
    }
}

/// A processed picture's files, stored: what its row records.
pub struct StoredFiles {
    original: Encoded,
    original_key: String,
    variants: Vec<StoredVariant>,
    placeholder: String,
    /// Every key written.
    pub keys: Vec<String>,
}

impl StoredFiles {
    /// The row of these files, for an upload of `bytes` bytes hashing to `sha256`.
    pub fn row(
        self,
        sha256: String,
        bytes: u64,
        filename: String,
        (alt, caption, credit): (Option<String>, Option<String>, Option<String>),
        created_by: Option<crate::domain::ids::UserId>,
        now: NaiveDateTime,
    ) -> NewMediaRow {
        NewMediaRow {
            sha256,
            bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
            filename,
            mime_type: self.original.format.mime_type().into(),
            width: i32::try_from(self.original.width).unwrap_or(i32::MAX),
            height: i32::try_from(self.original.height).unwrap_or(i32::MAX),
            file_key: self.original_key,
            variants: serde_json::to_string(&self.variants).unwrap_or_else(|_| "[]".into()),
            placeholder: self.placeholder,
            alt,
            caption,
            credit,
            created_by,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Stores a processed picture's files under keys made from the upload's hash (`sha256`, hex):
/// `ab/abcd…/original.jpg`, `ab/abcd…/640.webp`. On a failure nothing it wrote stays.
pub async fn store_files(store: &dyn MediaStore, sha256: &str, processed: Processed) -> Result<StoredFiles, ApiError> {
    let folder = format!("{}/{}", &sha256[..2], &sha256[..32]);
    let original_key = format!("{folder}/original.{}", processed.original.format.extension());
    let mut files: Vec<(String, Encoded)> = vec![(original_key.clone(), processed.original.clone())];
    let mut variants = Vec::new();
    for variant in processed.variants {
        let key = format!("{folder}/{}.{}", variant.width, variant.format.extension());
        variants.push(StoredVariant {
            width: variant.width,
            height: variant.height,
            mime_type: variant.format.mime_type().into(),
            key: key.clone(),
        });
        files.push((key, variant));
    }
    let keys: Vec<String> = files.iter().map(|(key, _)| key.clone()).collect();
    if let Err(e) = put_all(store, files).await {
        remove_files(store, &keys).await;
        return Err(ApiError::Internal(anyhow::Error::new(e).context("storing media files")));
    }
    Ok(StoredFiles { original: processed.original, original_key, variants, placeholder: processed.placeholder, keys })
}

async fn put_all(store: &dyn MediaStore, files: Vec<(String, Encoded)>) -> std::io::Result<()> {
    for (key, file) in files {
        store.put(&key, file.bytes).await?;
    }
    Ok(())
}

/// Best effort: a file left behind is only clutter (no row points at it), so failures are logged.
async fn remove_files(store: &dyn MediaStore, keys: &[String]) {
    for key in keys {
        if let Err(e) = store.delete(key).await {
            tracing::warn!(key, error = %e, "a media file could not be removed");
        }
    }
}

pub fn list(
    conn: &mut DbConn,
    library: &Library,
    q: Option<&str>,
    page: PageParams,
) -> Result<Paginated<MediaResponse>, ApiError> {
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    let total = repo::count(conn, q)?;
    let rows = repo::page(conn, q, page.limit(), page.offset())?;
    let data = repo::listings(conn, rows)?.into_iter().map(|l| MediaResponse::new(l, &library.media_url)).collect();
    Ok(Paginated { data, meta: page.meta(total) })
}

pub fn get(conn: &mut DbConn, library: &Library, id: MediaId) -> Result<MediaResponse, ApiError> {
    let row = repo::find(conn, id)?.ok_or(ApiError::NotFound("media"))?;
    library.response(conn, row)
}

/// 404 for no such item, 403 unless the caller uploaded it or is an editor.
pub fn find_changeable(conn: &mut DbConn, user: &AuthUser, id: MediaId) -> Result<(), ApiError> {
    let row = repo::find(conn, id)?.ok_or(ApiError::NotFound("media"))?;
    if row.created_by != Some(user.id) && !user.role.may(Action::EditAnyArticle) {
        return Err(ApiError::Forbidden);
    }
    Ok(())
}

pub fn update(
    conn: &mut DbConn,
    library: &Library,
    user: &AuthUser,
    id: MediaId,
    req: UpdateMediaRequest,
    now: NaiveDateTime,
) -> Result<MediaResponse, ApiError> {
    let mut v = Violations::new();
    let text = |v: &mut Violations, field: Field<String>, name: &str, max: usize| match field {
        Field::Absent => None,
        Field::Null => Some(None),
        other => other.present(name, v).and_then(|t| v.check(optional_text(name, &t, max))).map(Some),
    };
    let mut changes = MediaChanges {
        alt: text(&mut v, req.alt, "alt", ALT_MAX),
        caption: text(&mut v, req.caption, "caption", CAPTION_MAX),
        credit: text(&mut v, req.credit, "credit", CREDIT_MAX),
        ..MediaChanges::default()
    };
    match req.focal_point {
        Field::Absent => {}
        Field::Null => (changes.focal_x, changes.focal_y) = (Some(None), Some(None)),
        other => {
            if let Some(point) = other.present("focal_point", &mut v) {
                for (axis, value) in [("x", point.x), ("y", point.y)] {
                    if !(0.0..=1.0).contains(&value) {
                        v.push(FieldError::new(format!("focal_point.{axis}"), "must be from 0 to 1"));
                    }
                }
                (changes.focal_x, changes.focal_y) = (Some(Some(point.x)), Some(Some(point.y)));
            }
        }
    }
    v.into_result().map_err(ApiError::Validation)?;
    changes.updated_at = Some(now);
    db::write(conn, |conn| {
        if repo::update(conn, id, &changes)? == 0 {
            return Err(ApiError::NotFound("media"));
        }
        audit::record(conn, user, now, Change::Update, Resource::Media, id.0, None)?;
        get(conn, library, id)
    })
}

/// Deletes the row (409 while an article uses it) and then its files.
pub async fn delete(
    library: Arc<Library>,
    db: &Db,
    user: AuthUser,
    id: MediaId,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    user.require(Action::EditAnyArticle)?;
    let keys = db
        .run(move |conn| {
            db::write(conn, |conn| {
                let row = repo::find(conn, id)?.ok_or(ApiError::NotFound("media"))?;
                if repo::in_use(conn, id)? {
                    return Err(ApiError::Conflict(
                        "an article uses this picture; remove it from the article first".into(),
                    ));
                }
                repo::delete(conn, id).map_err(|e| {
                    // An article took it up between the check and the delete.
                    if matches!(
                        e,
                        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, _)
                    ) {
                        ApiError::Conflict("an article uses this picture; remove it from the article first".into())
                    } else {
                        e.into()
                    }
                })?;
                audit::record(conn, &user, now, Change::Delete, Resource::Media, id.0, None)?;
                let variants: Vec<StoredVariant> = serde_json::from_str(&row.variants).unwrap_or_default();
                Ok(std::iter::once(row.file_key).chain(variants.into_iter().map(|v| v.key)).collect::<Vec<_>>())
            })
        })
        .await?;
    remove_files(library.store.as_ref(), &keys).await;
    Ok(())
}
