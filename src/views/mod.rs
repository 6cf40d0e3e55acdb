//! Counting reads: the `POST /articles/{key}/views` beacon, a buffer that dedupes and batches reads
//! in memory, and the flush that writes them as hourly buckets for the trending feed.

pub mod handlers;
pub mod repo;
pub mod service;

pub use service::ViewCounter;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::record_view);
}
