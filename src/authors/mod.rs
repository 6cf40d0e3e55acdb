//! Authors: the public bylines of articles. An author may exist without a login (a wire service).

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_authors)
        .service(handlers::create_author)
        .service(handlers::get_author)
        .service(handlers::update_author)
        .service(handlers::delete_author);
}
