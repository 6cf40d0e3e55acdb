//! What readers can see, as counts and existence over visible articles: which categories, authors
//! and tags visible articles use and how many, and whether any article at all still uses one. The
//! taxonomy modules ask here instead of reaching into `articles`, so they stay leaves; it depends
//! only on `db` and `domain`, and holds no rules of its own beyond the one of visibility.

pub mod repo;
