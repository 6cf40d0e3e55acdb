//! Categories: the section tree of the site ("Berita" > "Dunia"), with breadcrumbs.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;
pub mod tree;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_categories)
        .service(handlers::create_category)
        .service(handlers::get_category)
        .service(handlers::update_category)
        .service(handlers::delete_category);
}
