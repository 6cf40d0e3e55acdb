//! The editorial workflow: who may read, write, publish and delete which article, validation of
//! article writes, and the assembly of article answers from rows, bylines, tags and categories.

mod checks;
mod create;
mod delete;
mod draft;
mod list;
mod precondition;
mod read;
mod summary;
mod totals;
mod update;

pub(crate) use checks::check_status_allowed;
pub use create::create;
pub use delete::delete;
pub use list::{fts_query, list};
pub use precondition::Precondition;
pub use read::{get, related, visibility, Lookup};
pub use summary::summaries_of;
pub use totals::Totals;
pub use update::{authorize_change, update, ChangeClaims, Changeable};
