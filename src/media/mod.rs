//! The media library: pictures uploaded once, re-encoded without their metadata, served in every
//! size, and used by articles as covers and in bodies.

pub mod dto;
pub mod handlers;
pub mod images;
pub mod repo;
pub mod service;
pub mod store;
pub mod transfer;
pub mod upload;

/// `/api/v1/media`: the library.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::upload_media)
        .service(handlers::list_media)
        .service(handlers::get_media)
        .service(handlers::update_media)
        .service(handlers::delete_media);
}
