//! Reading `POST /media`'s form as it streams in: the file goes to a temporary file on disk, hashed
//! on the way, and the byte limit is enforced while reading, so a 20 MiB upload never sits in
//! memory and a larger one is cut off at the limit.

use std::io::Write;

use actix_multipart::Multipart;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::domain::validation::FieldError;
use crate::error::ApiError;

/// A text part longer than this is refused (the longest field takes 500 characters).
const TEXT_PART_MAX: usize = 4 * 1024;
/// Written to disk in pieces of this size, each on a blocking thread.
const SPOOL_CHUNK: usize = 256 * 1024;

/// The form, read.
pub struct Upload {
    /// The file's bytes, on disk; removed when this is dropped.
    pub file: tempfile::NamedTempFile,
    pub bytes: u64,
    /// Hex SHA-256 of the bytes as uploaded.
    pub sha256: String,
    /// The name the client gave, without any folder; `upload` when none.
    pub filename: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// Reads the form. 413 past `limit` bytes of file; 422 when there is no `file` part.
pub async fn read(mut form: Multipart, limit: u64) -> Result<Upload, ApiError> {
    let mut file = None;
    let (mut alt, mut caption, mut credit) = (None, None, None);
    while let Some(part) = form.next().await {
        let mut part = part.map_err(unreadable)?;
        let name = part.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if file.is_none() => {
                let filename = part
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(base_name)
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "upload".into());
                file = Some(spool(&mut part, limit, filename).await?);
            }
            "alt" | "caption" | "credit" => {
                let text = text_part(&mut part, &name).await?;
                let slot = match name.as_str() {
                    "alt" => &mut alt,
                    "caption" => &mut caption,
                    _ => &mut credit,
                };
                *slot = Some(text);
            }
            // Unknown parts are read past, as unknown JSON fields are ignored.
            _ => {
                while let Some(chunk) = part.next().await {
                    chunk.map_err(unreadable)?;
                }
            }
        }
    }
    let (file, bytes, sha256, filename) =
        file.ok_or_else(|| ApiError::Validation(vec![FieldError::new("file", "is required")]))?;
    Ok(Upload { file, bytes, sha256, filename, alt, caption, credit })
}

fn unreadable(e: actix_multipart::MultipartError) -> ApiError {
    ApiError::BadRequest(format!("the multipart/form-data body could not be read: {e}"))
}

/// The last path segment of a client's file name (browsers send a bare name; others may not).
fn base_name(name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    name.chars().filter(|c| !c.is_control()).take(255).collect::<String>().trim().to_owned()
}

async fn text_part(part: &mut actix_multipart::Field, name: &str) -> Result<String, ApiError> {
    let mut text = Vec::new();
    while let Some(chunk) = part.next().await {
        let chunk = chunk.map_err(unreadable)?;
        if text.len() + chunk.len() > TEXT_PART_MAX {
            return Err(ApiError::field(name, "is too long"));
        }
        text.extend_from_slice(&chunk);
    }
    String::from_utf8(text).map_err(|_| ApiError::field(name, "must be UTF-8 text"))
}

type Spooled = (tempfile::NamedTempFile, u64, String, String);

async fn spool(part: &mut actix_multipart::Field, limit: u64, filename: String) -> Result<Spooled, ApiError> {
    let mut file = Some(blocking(tempfile::NamedTempFile::new).await?);
    let mut hasher = Sha256::new();
    let mut total: u64 = 0;
    let mut pending: Vec<u8> = Vec::with_capacity(SPOOL_CHUNK);
    let too_large = || ApiError::PayloadTooLarge(usize::try_from(limit).unwrap_or(usize::MAX));
    while let Some(chunk) = part.next().await {
        let chunk = chunk.map_err(unreadable)?;
        total += chunk.len() as u64;
        if total > limit {
            return Err(too_large());
        }
        hasher.update(&chunk);
        pending.extend_from_slice(&chunk);
        if pending.len() >= SPOOL_CHUNK {
            file = Some(write(file.take(), std::mem::take(&mut pending)).await?);
        }
    }
    let file = write(file.take(), pending).await?;
    Ok((file, total, hex::encode(hasher.finalize()), filename))
}

async fn write(file: Option<tempfile::NamedTempFile>, bytes: Vec<u8>) -> Result<tempfile::NamedTempFile, ApiError> {
    let mut file = file.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the upload's file went missing")))?;
    blocking(move || file.write_all(&bytes).map(|()| file)).await
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("an upload task failed: {e}")))?
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("spooling an upload")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(base_name("C:\\Users\\foto\\banjir.jpg"), "banjir.jpg");
        assert_eq!(base_name("../../etc/passwd"), "passwd");
        assert_eq!(base_name("a\u{0}b.jpg"), "ab.jpg");
    }
}
