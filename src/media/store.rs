//! Where media files live: a folder on this machine, or (for several instances) a bucket they
//! share. Files are written once under keys that name their content and never changed, so a
//! store needs no locking: the same key always holds the same bytes.

use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;

/// A media file store. Keys are relative paths of lowercase hex, `/`, `.` and letters only
/// (see [`valid_key`]); anything else is refused before it reaches a store.
pub trait MediaStore: Send + Sync {
    /// Stores `bytes` under `key`, durably, before the returned future completes.
    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> BoxFuture<'a, std::io::Result<()>>;
    /// Removes the file; a missing one is not an error.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, std::io::Result<()>>;
    /// The file on this machine's disk, for stores that keep one (served with range requests by
    /// `actix-files`); `None` for stores that do not.
    fn local_path(&self, key: &str) -> Option<PathBuf>;
    /// The file's bytes, for stores without a local path. `None` when there is no such file.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, std::io::Result<Option<Vec<u8>>>>;
    /// Every key in the store (for checks and clean-ups; a store holds one newsroom's files).
    fn list(&self) -> BoxFuture<'_, std::io::Result<Vec<String>>>;
    /// For logs and `/readyz`.
    fn describe(&self) -> String;
}

/// Whether `key` is one we make: `ab/abcdef…/640.webp`. Checked on every request for a file, so
/// that no path can climb out of the store.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && key.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.')
        })
}

/// Files in a folder (`WARTA_MEDIA_DIR`).
pub struct FolderStore {
    root: PathBuf,
}

impl FolderStore {
    pub fn new(root: impl Into<PathBuf>) -> FolderStore {
        FolderStore { root: root.into() }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }
}

/// Writes `bytes` to `path` so that a reader sees the whole file or none: a temporary file beside
/// it, synced, then renamed over it, then the folder synced so the rename survives a crash.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let folder = path.parent().ok_or_else(|| std::io::Error::other("a media key names no folder"))?;
    std::fs::create_dir_all(folder)?;
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    std::fs::File::open(folder)?.sync_all()
}

impl MediaStore for FolderStore {
    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> BoxFuture<'a, std::io::Result<()>> {
        let path = self.path(key);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || write_durably(&path, &bytes)).await.map_err(std::io::Error::other)?
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, std::io::Result<()>> {
        let path = self.path(key);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => {
                    // The item's folder goes with its last file; one still in use stays.
                    if let Some(folder) = path.parent() {
                        let _ = std::fs::remove_dir(folder);
                    }
                    Ok(())
                }
            })
            .await
            .map_err(std::io::Error::other)?
        })
    }

    fn local_path(&self, key: &str) -> Option<PathBuf> {
        Some(self.path(key))
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, std::io::Result<Option<Vec<u8>>>> {
        let path = self.path(key);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || match std::fs::read(&path) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            })
            .await
            .map_err(std::io::Error::other)?
        })
    }

    fn list(&self) -> BoxFuture<'_, std::io::Result<Vec<String>>> {
        let root = self.root.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                fn walk(dir: &Path, root: &Path, found: &mut Vec<String>) -> std::io::Result<()> {
                    let entries = match std::fs::read_dir(dir) {
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                        other => other?,
                    };
                    for entry in entries {
                        let path = entry?.path();
                        if path.is_dir() {
                            walk(&path, root, found)?;
                        } else if let Some(key) = path.strip_prefix(root).ok().and_then(|p| p.to_str()) {
                            // Temporary files of writes in flight are not keys.
                            if valid_key(key) {
                                found.push(key.to_owned());
                            }
                        }
                    }
                    Ok(())
                }
                let mut found = Vec::new();
                walk(&root, &root, &mut found)?;
                found.sort();
                Ok(found)
            })
            .await
            .map_err(std::io::Error::other)?
        })
    }

    fn describe(&self) -> String {
        format!("folder {}", self.root.display())
    }
}

/// Files in an S3-compatible bucket, which several instances share. Credentials come from the
/// standard `AWS_*` variables; `WARTA_MEDIA_S3_ENDPOINT` names a server other than AWS (MinIO,
/// Ceph, R2, or a local one for tests), addressed by path (`endpoint/bucket/key`).
pub struct BucketStore {
    bucket: object_store::aws::AmazonS3,
    name: String,
}

impl BucketStore {
    pub fn new(bucket: &str, endpoint: Option<&str>, region: Option<&str>) -> std::io::Result<BucketStore> {
        let mut builder = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(endpoint) = endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if let Some(region) = region {
            builder = builder.with_region(region);
        }
        let bucket_store = builder.build().map_err(std::io::Error::other)?;
        Ok(BucketStore {
            bucket: bucket_store,
            name: format!("bucket {bucket}{}", endpoint.map(|e| format!(" at {e}")).unwrap_or_default()),
        })
    }
}

fn bucket_error(e: object_store::Error) -> std::io::Error {
    match e {
        object_store::Error::NotFound { .. } => std::io::Error::new(std::io::ErrorKind::NotFound, e),
        other => std::io::Error::other(other),
    }
}

impl MediaStore for BucketStore {
    fn put<'a>(&'a self, key: &'a str, bytes: Vec<u8>) -> BoxFuture<'a, std::io::Result<()>> {
        use object_store::ObjectStore;
        Box::pin(async move {
            self.bucket.put(&object_store::path::Path::from(key), bytes.into()).await.map_err(bucket_error)?;
            Ok(())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, std::io::Result<()>> {
        use object_store::ObjectStore;
        Box::pin(async move {
            match self.bucket.delete(&object_store::path::Path::from(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(bucket_error(e)),
            }
        })
    }

    fn local_path(&self, _key: &str) -> Option<PathBuf> {
        None
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, std::io::Result<Option<Vec<u8>>>> {
        use object_store::ObjectStore;
        Box::pin(async move {
            match self.bucket.get(&object_store::path::Path::from(key)).await {
                Ok(found) => Ok(Some(found.bytes().await.map_err(bucket_error)?.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(bucket_error(e)),
            }
        })
    }

    fn list(&self) -> BoxFuture<'_, std::io::Result<Vec<String>>> {
        use futures_util::TryStreamExt;
        use object_store::ObjectStore;
        Box::pin(async move {
            let listed: Vec<object_store::ObjectMeta> =
                self.bucket.list(None).try_collect().await.map_err(bucket_error)?;
            let mut keys: Vec<String> = listed.into_iter().map(|meta| meta.location.to_string()).collect();
            keys.sort();
            Ok(keys)
        })
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_store() {
        assert!(valid_key("ab/ab12cd/640.webp"));
        for bad in ["", "../etc/passwd", "ab/../x", "/abs", "ab//x", "AB/x", "ab/.hidden", "a b", "ab\\x"] {
            assert!(!valid_key(bad), "{bad}");
        }
    }

    #[actix_web::test]
    async fn a_folder_store_round_trips_and_forgets() {
        let dir = tempfile::tempdir().expect("a folder");
        let store = FolderStore::new(dir.path());
        store.put("ab/abcd/original.jpg", b"pixels".to_vec()).await.expect("stored");
        assert_eq!(store.get("ab/abcd/original.jpg").await.expect("read"), Some(b"pixels".to_vec()));
        store.delete("ab/abcd/original.jpg").await.expect("deleted");
        store.delete("ab/abcd/original.jpg").await.expect("deleting twice is fine");
        assert_eq!(store.get("ab/abcd/original.jpg").await.expect("read"), None);
    }
}
