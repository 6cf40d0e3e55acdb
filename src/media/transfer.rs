//! Media files copied between stores, for `warta backup` (the files beside the database file) and
//! `warta copy --media-to` (the files into another folder). Files never change under their key, so
//! copying after the database's snapshot copies exactly the files its rows name, unless an item
//! was deleted in between; such files are counted as missing, not copied.

use std::sync::Arc;

use diesel::prelude::*;

use crate::config::{MediaStorage, Settings};
use crate::db::schema::media;
use crate::db::Db;
use crate::error::ApiError;
use crate::media::dto::StoredVariant;
use crate::media::store::{BucketStore, FolderStore, MediaStore};

/// The store `settings` name: the folder (`WARTA_MEDIA_DIR`), or the bucket.
pub fn store_of(settings: &Settings) -> anyhow::Result<Arc<dyn MediaStore>> {
    match &settings.media_storage {
        MediaStorage::Folder(dir) => Ok(Arc::new(FolderStore::new(dir))),
        MediaStorage::Bucket { bucket, endpoint, region } => {
            Ok(Arc::new(BucketStore::new(bucket, endpoint.as_deref(), region.as_deref())?))
        }
    }
}

/// Every file the database's media rows name.
pub fn keys(db: &Db) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(String, String)> = db
        .run_now(|conn| Ok(media::table.select((media::file_key, media::variants)).order(media::id).load(conn)?))
        .map_err(|e: ApiError| anyhow::anyhow!("{e}"))?;
    let mut keys = Vec::new();
    for (original, variants) in rows {
        keys.push(original);
        let variants: Vec<StoredVariant> = serde_json::from_str(&variants)?;
        keys.extend(variants.into_iter().map(|v| v.key));
    }
    Ok(keys)
}

/// What a copy did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub files: usize,
    pub bytes: u64,
    /// Named by a row but not in the source store (its item was deleted after the snapshot).
    pub missing: usize,
}

/// Copies `keys` from one store to the other.
pub async fn copy_files(from: &dyn MediaStore, to: &dyn MediaStore, keys: &[String]) -> anyhow::Result<Copied> {
    let mut copied = Copied::default();
    for key in keys {
        match from.get(key).await? {
            Some(bytes) => {
                copied.bytes += bytes.len() as u64;
                to.put(key, bytes).await?;
                copied.files += 1;
            }
            None => copied.missing += 1,
        }
    }
    Ok(copied)
}
