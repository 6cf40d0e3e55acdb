//! Which version of an article a write says it changes (`If-Match` or the body's `version`), and
//! whether that is the current one: 428 when none is named, 412 when it is not current.

use crate::error::ApiError;

/// Which version a write says it changes, from `If-Match` or the body's `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// Neither was sent, or `If-Match: *`: 428.
    Missing,
    Version(i64),
    /// An `If-Match` list: met when any of them is current.
    AnyOf(Vec<i64>),
    /// An `If-Match` that names no version of ours: it cannot match, so 412.
    Unmatchable,
}

impl Precondition {
    /// Reads an `If-Match` header value: `"3"` or `W/"3"`, possibly in a list.
    pub fn from_if_match(value: Option<&str>) -> Option<Precondition> {
        let value = value?.trim();
        if value == "*" {
            return Some(Precondition::Missing);
        }
        let versions: Vec<i64> = value
            .split(',')
            .map(str::trim)
            .filter_map(|tag| {
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                let opaque = tag.strip_prefix('"')?.strip_suffix('"')?;
                // Entity tags compare as strings: `"05"` or `"+5"` is not the `"5"` we issued.
                let version = opaque.parse::<i64>().ok()?;
                (version.to_string() == opaque).then_some(version)
            })
            .collect();
        Some(match versions.as_slice() {
            [] => Precondition::Unmatchable,
            [one] => Precondition::Version(*one),
            _ => Precondition::AnyOf(versions),
        })
    }

    pub(super) fn check(&self, current: i32) -> Result<(), ApiError> {
        let current = i64::from(current);
        match self {
            Precondition::Missing => Err(ApiError::PreconditionRequired),
            Precondition::Version(v) if *v == current => Ok(()),
            Precondition::AnyOf(list) if list.contains(&current) => Ok(()),
            _ => Err(ApiError::PreconditionFailed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_names_a_version() {
        assert_eq!(Precondition::from_if_match(None), None);
        assert_eq!(Precondition::from_if_match(Some("\"3\"")), Some(Precondition::Version(3)));
        assert_eq!(Precondition::from_if_match(Some("W/\"3\"")), Some(Precondition::Version(3)));
        assert_eq!(Precondition::from_if_match(Some("*")), Some(Precondition::Missing));
        assert_eq!(Precondition::from_if_match(Some("3")), Some(Precondition::Unmatchable));
        assert_eq!(Precondition::from_if_match(Some("\"03\"")), Some(Precondition::Unmatchable));
        assert_eq!(Precondition::from_if_match(Some("\"+3\"")), Some(Precondition::Unmatchable));
        assert_eq!(Precondition::from_if_match(Some("\"7\", \"1\"")), Some(Precondition::AnyOf(vec![7, 1])));
    }
}
