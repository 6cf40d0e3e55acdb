//! What readers can see, as counts and existence over visible articles: which categories, authors
//! and tags visible articles use and how many, and whether any article at all still uses one. The
//! taxonomy modules ask here instead of reaching into `articles`, so they stay leaves; it depends
//! only on `db` and `domain`, and holds no rules of its own beyond the one of visibility.

pub mod repo;

#[cfg(test)]
mod tests {
    /// The taxonomy modules are leaves: what they need to know about articles comes from here.
    #[test]
    fn taxonomy_modules_do_not_reach_into_articles() {
        for module in ["categories", "authors", "tags"] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(module);
            for entry in std::fs::read_dir(&dir).expect("the module folder") {
                let path = entry.expect("an entry").path();
                let text = std::fs::read_to_string(&path).expect("a source file");
                assert!(!text.contains("crate::articles"), "{} uses crate::articles", path.display());
            }
        }
    }
}
