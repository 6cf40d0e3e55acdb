//! Tags: free-form labels that articles name by name. Editors curate them here.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_tags)
        .service(handlers::create_tag)
        .service(handlers::get_tag)
        .service(handlers::update_tag)
        .service(handlers::delete_tag);
}
