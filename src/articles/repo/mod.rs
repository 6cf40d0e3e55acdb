//! Diesel queries for articles, their bylines and tags, retired slugs and the full-text index.

mod list;
mod read;
mod related;
mod rows;
mod search;
mod write;

#[cfg(test)]
mod list_equivalence;
#[cfg(test)]
mod list_plans;

pub use list::{ArticleFilter, Scope, Sort, SEARCH_CANDIDATES};
pub use read::{
    by_ids, bylines_of, find_by_key, next_scheduled, redirect_target, slug_taken, status_of, summaries_by_ids, tags_of,
};
pub use related::related;
pub use rows::{ArticleFields, ArticleRow, SummaryRow};
pub use search::{index_text, unindex};
pub use write::{add_redirect, delete, insert, remove_redirect, set_bylines, set_tags, update};
