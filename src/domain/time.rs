//! Timestamps: stored as UTC `NaiveDateTime` (portable across SQLite and PostgreSQL) and written to
//! clients as RFC 3339 in UTC with whole seconds, `2023-08-31T07:09:00Z`. The current time is not
//! read here: it comes from `clock::Clock`.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::Serializer;

pub fn rfc3339(at: &NaiveDateTime) -> String {
    DateTime::<Utc>::from_naive_utc_and_offset(*at, Utc).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `#[serde(serialize_with = "...")]` for a UTC timestamp.
pub fn serialize<S: Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(at))
}

/// `#[serde(serialize_with = "...")]` for an optional UTC timestamp.
pub fn serialize_opt<S: Serializer>(at: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_str(&rfc3339(at)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_with_whole_seconds() {
        let at = DateTime::parse_from_rfc3339("2023-08-31T07:09:00.123Z").expect("valid").naive_utc();
        assert_eq!(rfc3339(&at), "2023-08-31T07:09:00Z");
    }
}
