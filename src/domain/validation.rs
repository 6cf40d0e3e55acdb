//! Field-level validation: the `errors[]` entries of a 422 and the rules for plain text values.

use serde::Serialize;
use utoipa::ToSchema;

/// One rule a request broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The body field (`cover_image.url` when nested) or query parameter the message is about.
    #[schema(example = "name")]
    pub field: String,
    /// What is wrong with it, for a human.
    #[schema(example = "must not be empty")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// Collects every broken rule of one request, so a client learns about all of them at once.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Keeps the value when it is valid and records the error otherwise.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// A required human-readable text (a name, a title). Stored exactly as given: never trimmed or
/// rewritten, but it must contain something other than whitespace.
pub fn required_text(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    if value.trim().is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    optional_text(field, value, max_chars)
}

/// Free text that may be empty, bounded in length.
pub fn optional_text(field: &str, value: &str, max_chars: usize) -> Result<String, FieldError> {
    if value.contains('\0') {
        return Err(FieldError::new(field, "must not contain NUL characters"));
    }
    if value.chars().count() > max_chars {
        return Err(FieldError::new(field, format!("must be at most {max_chars} characters")));
    }
    Ok(value.to_owned())
}

/// Characters a URL never needs raw (they are percent-encoded in a well-formed one) and that break
/// out of an HTML attribute or a Markdown link when a client pastes the URL into a page.
const URL_UNSAFE: [char; 5] = ['"', '<', '>', '`', '\\'];

/// An absolute http(s) URL, as used for avatars and images. The OpenAPI pattern of these fields
/// (`CoverImage.url`, the authors' `avatar_url`) spells out the same rule.
pub fn http_url(field: &str, value: &str) -> Result<String, FieldError> {
    let lower = value.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let clean = |c: char| !(c.is_whitespace() || c.is_control() || URL_UNSAFE.contains(&c));
    match rest {
        Some(rest) if !rest.is_empty() && value.chars().all(clean) => optional_text(field, value, 2048),
        _ => Err(FieldError::new(field, "must be an absolute http or https URL")),
    }
}

/// An email address: compared ignoring ASCII case, so it also yields the lookup key.
///
/// Only ASCII letters are folded. Unicode case folding (`to_lowercase`) maps look-alikes onto
/// ASCII (the Kelvin sign `K` folds to `k`, so `\u{212A}@x` would take the account of `k@x`);
/// ASCII folding keeps every non-ASCII address its own, which is also how mail servers treat them
/// in practice (domains are compared in their ASCII, punycode form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    address: String,
}

/// The longest email address there can be (RFC 5321's path limit less the angle brackets).
pub const MAX_EMAIL_CHARS: usize = 254;

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Email, FieldError> {
        let bad = || FieldError::new(field, "must be an email address such as redaksi@example.com");
        if raw.chars().count() > MAX_EMAIL_CHARS || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = raw.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.is_empty()
            || domain.contains('@')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(bad());
        }
        Ok(Email { address: raw.to_owned() })
    }

    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The form emails are compared and stored uniquely in: ASCII letters lower-cased, nothing else.
    pub fn key(&self) -> String {
        email_key(&self.address)
    }
}

/// The lookup key of an email, also of one that was not validated (a login attempt): the same
/// folding as [`Email::key`].
pub fn email_key(raw: &str) -> String {
    raw.to_ascii_lowercase()
}

/// A new password: at least 10 Unicode scalar values, as the contract says; an upper bound keeps
/// hashing cost bounded.
pub fn new_password(field: &str, raw: &str) -> Result<String, FieldError> {
    let count = raw.chars().count();
    if count < 10 {
        return Err(FieldError::new(field, "must be at least 10 characters"));
    }
    if count > 1024 {
        return Err(FieldError::new(field, "must be at most 1024 characters"));
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_exactly_as_given() {
        let name = "  “Berita” — é 🎉 [Korea Utara] ";
        assert_eq!(required_text("name", name, 200).as_deref(), Ok(name));
        assert!(required_text("name", "   ", 200).is_err());
        assert!(required_text("name", "a\0b", 200).is_err());
        assert!(required_text("name", &"é".repeat(201), 200).is_err());
    }

    #[test]
    fn emails_compare_case_insensitively() {
        let email = Email::parse("email", "Reni.Erina@Example.COM").expect("valid");
        assert_eq!(email.as_str(), "Reni.Erina@Example.COM");
        assert_eq!(email.key(), "reni.erina@example.com");
        // Only ASCII folds: a Kelvin sign is not a `k`, a dotted capital I is not an `i`.
        assert_eq!(Email::parse("email", "\u{212A}@example.com").expect("valid").key(), "\u{212A}@example.com");
        assert_eq!(email_key("\u{130}@EXAMPLE.com"), "\u{130}@example.com");
        for bad in ["", "no-at", "@example.com", "a@", "a b@example.com", "a@.com"] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_count_unicode_scalar_values() {
        assert!(new_password("password", "ééééééééé").is_err());
        assert!(new_password("password", "éééééééééé").is_ok());
    }

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(http_url("avatar_url", "https://cdn.example.com/a.jpg").is_ok());
        for bad in [
            "javascript:alert(1)",
            "/relative.jpg",
            "https://",
            "https://a b",
            "https://a/\"onerror=\"x",
            "https://a/<script>",
            "https://a/>",
            "https://a/`x`",
            "https://a\\b",
        ] {
            assert!(http_url("avatar_url", bad).is_err(), "{bad}");
        }
    }
}
