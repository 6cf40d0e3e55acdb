//! [`Field`]: one field of a JSON body, read without failing the whole body, so that a 422 names
//! every broken field at once (a body that misses `email` and `password` hears of both) and `null`
//! can be told from absent.
//!
//! Use with `#[serde(default)]` (absent) and, for the OpenAPI document,
//! `#[schema(value_type = T)]` plus `required = true` where the field is required.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::domain::validation::{FieldError, Violations};

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    /// Present but not a `T`: why, in serde's words.
    Invalid(String),
    Value(T),
}

impl<T> From<T> for Field<T> {
    fn from(value: T) -> Self {
        Field::Value(value)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Field::Null,
            value => match serde_json::from_value(value) {
                Ok(value) => Field::Value(value),
                Err(e) => Field::Invalid(e.to_string()),
            },
        })
    }
}

impl<T> Field<T> {
    /// A field the body must carry, and not as `null`.
    pub fn required(self, name: &str, violations: &mut Violations) -> Option<T> {
        match self {
            Field::Absent => violations.push(FieldError::new(name, "is required")),
            other => return other.optional(name, violations),
        }
        None
    }

    /// A field that may be left out (`None`) but is never `null`.
    pub fn optional(self, name: &str, violations: &mut Violations) -> Option<T> {
        match self {
            Field::Absent => None,
            Field::Value(value) => Some(value),
            Field::Null => {
                violations.push(FieldError::new(name, "must not be null"));
                None
            }
            Field::Invalid(message) => {
                violations.push(FieldError::new(name, message));
                None
            }
        }
    }

    /// A field where `null` means "none": absent is `None`, `null` is `Some(None)`.
    pub fn nullable(self, name: &str, violations: &mut Violations) -> Option<Option<T>> {
        match self {
            Field::Null => Some(None),
            other => other.optional(name, violations).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(default)]
        a: Field<String>,
        #[serde(default)]
        b: Field<i32>,
    }

    fn fields(json: &str) -> Vec<String> {
        let body: Body = serde_json::from_str(json).expect("any object fits");
        let mut v = Violations::new();
        body.a.required("a", &mut v);
        body.b.optional("b", &mut v);
        v.into_result().err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn every_broken_field_is_named() {
        assert_eq!(fields(r#"{"a": "x"}"#), Vec::<String>::new());
        assert_eq!(fields(r#"{}"#), ["a"]);
        assert_eq!(fields(r#"{"a": 1, "b": "x"}"#), ["a", "b"]);
        assert_eq!(fields(r#"{"a": null, "b": null}"#), ["a", "b"]);
        let nullable = |json: &str| {
            let body: Body = serde_json::from_str(json).expect("fits");
            body.b.nullable("b", &mut Violations::new())
        };
        assert_eq!(
            (nullable("{}"), nullable(r#"{"b": null}"#), nullable(r#"{"b": 2}"#)),
            (None, Some(None), Some(Some(2)))
        );
    }
}
