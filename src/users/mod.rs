//! User accounts (editors' logins): admin-only management under `/api/v1/users`, and the first
//! admin created at start.

pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_users)
        .service(handlers::create_user)
        .service(handlers::get_user)
        .service(handlers::update_user)
        .service(handlers::delete_user);
}
