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

    fn describe(&self) -> String {
        format!("folder {}", self.root.display())
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
