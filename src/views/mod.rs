//! Counting reads: a buffer that dedupes and batches the reads the article beacon
//! (`articles::beacon`) reports, and the flush that writes them as hourly buckets for the trending
//! feed. Knows nothing of articles beyond their ids.

pub mod repo;
pub mod service;

pub use service::ViewCounter;
