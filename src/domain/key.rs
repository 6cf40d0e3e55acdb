//! The `{key}` of an item path: an all-digit key is an id, anything else a slug.

/// How a path names one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKey {
    Id(i32),
    Slug(String),
    /// All digits but outside the id range, or a slug no item can have (one with a NUL, which
    /// PostgreSQL refuses in a bound value instead of matching nothing): always a 404.
    NoSuchId,
}

impl ItemKey {
    /// A slug given as such (a filter's `?category=`): never an id.
    pub fn slug(raw: &str) -> Self {
        if raw.contains('\0') {
            ItemKey::NoSuchId
        } else {
            ItemKey::Slug(raw.to_owned())
        }
    }

    pub fn parse(raw: &str) -> Self {
        if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
            match raw.parse::<i32>() {
                Ok(id) if id > 0 => ItemKey::Id(id),
                _ => ItemKey::NoSuchId,
            }
        } else {
            ItemKey::slug(raw)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_ids_and_everything_else_is_a_slug() {
        assert_eq!(ItemKey::parse("42"), ItemKey::Id(42));
        assert_eq!(ItemKey::parse("berita"), ItemKey::Slug("berita".into()));
        assert_eq!(ItemKey::parse("2024-pemilu"), ItemKey::Slug("2024-pemilu".into()));
        assert_eq!(ItemKey::parse("0"), ItemKey::NoSuchId);
        assert_eq!(ItemKey::parse("a\0b"), ItemKey::NoSuchId);
        assert_eq!(ItemKey::parse("99999999999999999999"), ItemKey::NoSuchId);
    }
}
