//! Syndication for feed readers and aggregators: RSS 2.0 and JSON Feed 1.1 of the latest visible
//! articles, for the whole site or one category, with absolute links.

pub mod handlers;
pub mod service;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::rss).service(handlers::json_feed);
}
