//! Types with invariants: ids, slugs, roles, emails, pagination. No I/O and no actix here, so every
//! rule can be unit-tested on its own.

pub mod article_status;
pub mod body;
pub mod display_date;
pub mod field;
pub mod ids;
pub mod key;
pub mod pagination;
pub mod role;
pub mod slug;
pub mod stored_text;
pub mod time;
pub mod validation;
