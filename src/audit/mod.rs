//! The audit log: every editorial write and account change (who, what, when, and an article's
//! version before and after), recorded in the same transaction as the write, and `GET /api/v1/audit` for admins.

pub mod change;
pub mod dto;
pub mod handlers;
pub mod repo;
pub mod service;

pub use change::{Change, Resource};
pub use service::{record, record_by_operator, Actor};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_audit);
}
