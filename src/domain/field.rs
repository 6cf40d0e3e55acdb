//! One field of a JSON request body as it arrived: absent, `null`, a value, or something that is not
//! a value of its type. A body made of these always deserializes, so a 422 can name every broken
//! field at once (serde stops at the first), and `null` (clear it) stays apart from absent (keep it),
//! which PATCH needs to refuse `null` for a field that cannot be empty instead of ignoring it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::domain::validation::{FieldError, Violations};

/// Use with `#[serde(default)]`, so that a missing field is `Absent`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
    /// Not a value of the type: where inside the field it broke (`.` for the field itself, `url`
    /// inside an object, `[2]` inside a list) and why.
    Invalid {
        path: String,
        message: String,
    },
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = serde_json::Value::deserialize(d)?;
        if raw.is_null() {
            return Ok(Field::Null);
        }
        Ok(match serde_path_to_error::deserialize::<_, T>(raw) {
            Ok(value) => Field::Value(value),
            Err(e) => Field::Invalid { path: e.path().to_string(), message: e.inner().to_string() },
        })
    }
}

/// The 422 entry of a value of the wrong type, named down to where inside the field it broke:
/// `cover_image.url`, `author_ids[2]`.
fn misfit(name: &str, path: &str, message: String) -> FieldError {
    match path {
        "." => FieldError::new(name, message),
        inner if inner.starts_with('[') => FieldError::new(format!("{name}{inner}"), message),
        inner => FieldError::new(format!("{name}.{inner}"), message),
    }
}

impl<T> From<Option<T>> for Field<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Field::Absent, Field::Value)
    }
}

impl<T> Field<T> {
    /// A field the body must carry: absent or `null` is a violation.
    pub fn required(self, name: &str, v: &mut Violations) -> Option<T> {
        match self {
            Field::Absent => v.check(Err(FieldError::new(name, "is required"))),
            other => other.present(name, v),
        }
    }

    /// A field a PATCH may leave out but not set to `null`, because it cannot be empty.
    pub fn present(self, name: &str, v: &mut Violations) -> Option<T> {
        match self {
            Field::Absent => None,
            Field::Null => v.check(Err(FieldError::new(name, "must not be null"))),
            Field::Value(value) => Some(value),
            Field::Invalid { path, message } => v.check(Err(misfit(name, &path, message))),
        }
    }

    /// A field of a new resource where absent and `null` both mean "the default".
    pub fn or_default(self, name: &str, v: &mut Violations) -> Option<T> {
        match self {
            Field::Null => None,
            other => other.present(name, v),
        }
    }

    /// A field a PATCH may clear: absent is `None` (keep), `null` is `Some(None)` (clear).
    pub fn nullable(self, name: &str, v: &mut Violations) -> Option<Option<T>> {
        match self {
            Field::Null => Some(None),
            other => other.present(name, v).map(Some),
        }
    }

    /// The value, when one of the right type was sent.
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(value) => Some(value),
            _ => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// The 422 entry of a value of the wrong type, if that is what was sent.
    pub fn misfit(&self, name: &str) -> Option<FieldError> {
        match self {
            Field::Invalid { path, message } => Some(misfit(name, path, message.clone())),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(default)]
        name: Field<String>,
        #[serde(default)]
        position: Field<i32>,
        #[serde(default)]
        parent_id: Field<i32>,
    }

    fn body(json: &str) -> Body {
        serde_json::from_str(json).expect("a body of fields always deserializes")
    }

    #[test]
    fn absent_null_values_and_wrong_types_are_told_apart() {
        let b = body(r#"{"name": null, "position": "1"}"#);
        assert_eq!(b.name, Field::Null);
        assert!(matches!(b.position, Field::Invalid { .. }));
        assert_eq!(b.parent_id, Field::Absent);
        assert_eq!(
            body(r#"{"position": 3000000000}"#).position,
            Field::Invalid { path: ".".into(), message: "invalid value: integer `3000000000`, expected i32".into() }
        );
    }

    #[test]
    fn every_broken_field_is_reported() {
        let b = body(r#"{"name": 5, "position": null, "parent_id": 1.5}"#);
        let mut v = Violations::new();
        assert_eq!(b.name.present("name", &mut v), None);
        assert_eq!(b.position.present("position", &mut v), None);
        assert_eq!(b.parent_id.nullable("parent_id", &mut v), None);
        let fields: Vec<String> = v.into_result().expect_err("three errors").into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "position", "parent_id"]);
    }

    #[test]
    fn each_reading_treats_absent_and_null_as_it_says() {
        let mut v = Violations::new();
        assert_eq!(Field::<i32>::Absent.present("a", &mut v), None);
        assert_eq!(Field::<i32>::Null.or_default("a", &mut v), None);
        assert_eq!(Field::<i32>::Null.nullable("a", &mut v), Some(None));
        assert_eq!(Field::Value(1).nullable("a", &mut v), Some(Some(1)));
        assert_eq!(Field::<i32>::Absent.nullable("a", &mut v), None);
        assert!(v.into_result().is_ok());
        let mut v = Violations::new();
        assert_eq!(Field::<i32>::Absent.required("a", &mut v), None);
        assert_eq!(Field::<i32>::Null.required("b", &mut v), None);
        assert_eq!(v.into_result().map_err(|e| e.len()), Err(2));
    }
}
