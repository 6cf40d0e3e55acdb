//! Articles: the editorial workflow (draft, review, scheduled, published, archived), rich bodies,
//! full-text search, optimistic concurrency and slug redirects.

pub mod beacon;
pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_articles)
        .service(handlers::create_article)
        .service(handlers::get_article)
        .service(handlers::update_article)
        .service(handlers::delete_article)
        .service(handlers::related_articles);
}

/// The view beacon on its own, so the router can try it first: it is the route hit most often.
pub fn configure_beacon(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(beacon::record_view);
}
