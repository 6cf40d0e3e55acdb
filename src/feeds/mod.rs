//! The feeds mobile clients and front ends poll: latest ("UPDATE"), with cursors that stay valid
//! while articles are published, and trending ("Populer"), the most read over a window.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::latest_feed).service(handlers::trending_feed);
}
