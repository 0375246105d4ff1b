//! [`Patch`]: one field of a PATCH body, which is absent (keep), `null` (clear) or a value.

use serde::{Deserialize, Deserializer};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        RefOr,
        schema::{ObjectBuilder, OneOfBuilder, Schema, Type},
    },
};

use crate::error::FieldError;

/// One field of a PATCH body (RFC 7396 merge-patch semantics): absent leaves the field as it
/// is, `null` clears it, a value replaces it. Use with `#[serde(default)]`; a field that must
/// not be cleared is documented with `#[schema(value_type = T)]` and read with [`Patch::keep`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Not in the body: unchanged.
    #[default]
    Absent,
    /// `null`: cleared.
    Null,
    /// A new value.
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(de)? {
            None => Self::Null,
            Some(value) => Self::Value(value),
        })
    }
}

impl<T> Patch<T> {
    /// For a field that may be cleared: the current value when absent, `None` for `null`.
    pub fn or(self, current: Option<T>) -> Option<T> {
        match self {
            Self::Absent => current,
            Self::Null => None,
            Self::Value(value) => Some(value),
        }
    }

    /// For a field that may not be cleared: the current value when absent, the new one when
    /// given; `null` adds a "must not be null" error for `field` and keeps the current value.
    pub fn keep(self, field: &str, current: T, errors: &mut Vec<FieldError>) -> T {
        match self {
            Self::Absent => current,
            Self::Value(value) => value,
            Self::Null => {
                errors.push(FieldError::new(field, "must not be null"));
                current
            }
        }
    }

    /// For a field that may not be cleared and has no stored value to keep (e.g. a position):
    /// `None` when absent, the value when given; `null` adds an error.
    pub fn given(self, field: &str, errors: &mut Vec<FieldError>) -> Option<T> {
        match self {
            Self::Absent => None,
            Self::Value(value) => Some(value),
            Self::Null => {
                errors.push(FieldError::new(field, "must not be null"));
                None
            }
        }
    }

    /// The patch with its value turned into another type.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Absent => Patch::Absent,
            Self::Null => Patch::Null,
            Self::Value(value) => Patch::Value(f(value)),
        }
    }

    /// Whether the field was sent (as a value or `null`).
    pub fn is_present(&self) -> bool {
        !matches!(self, Self::Absent)
    }
}

impl<T: PartialSchema> PartialSchema for Patch<T> {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(T::schema())
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .into()
    }
}

impl<T: ToSchema> ToSchema for Patch<T> {}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::Patch;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Body {
        name: Patch<String>,
    }

    #[test]
    fn absent_null_and_value_are_three_different_things() {
        let parse = |json: &str| serde_json::from_str::<Body>(json).map(|b| b.name).ok();
        assert_eq!(parse("{}"), Some(Patch::Absent));
        assert_eq!(parse(r#"{"name":null}"#), Some(Patch::Null));
        assert_eq!(parse(r#"{"name":"x"}"#), Some(Patch::Value("x".to_owned())));
        let mut errors = Vec::new();
        assert_eq!(Patch::Null.keep("name", "old", &mut errors), "old");
        assert_eq!(errors.len(), 1);
        assert_eq!(Patch::<&str>::Null.or(Some("old")), None);
        assert_eq!(Patch::<&str>::Absent.or(Some("old")), Some("old"));
    }
}
