//! [`JsonColumn`]: a JSON column decoded into its Rust type when the row is read.
//!
//! A row whose JSON does not decode fails the query (an internal error, logged), so a corrupt
//! value can never turn into a default: an empty `concerns`, which means "every party", must
//! not appear because a row was unreadable.

use std::ops::{Deref, DerefMut};

use sea_orm::{
    ActiveValue, IntoActiveValue, TryGetableFromJson, Value,
    sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr},
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// A JSON column holding a `T`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonColumn<T>(pub T);

impl<T> Deref for JsonColumn<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for JsonColumn<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for JsonColumn<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: Serialize + DeserializeOwned> TryGetableFromJson for JsonColumn<T> {}

impl<T: Serialize> From<JsonColumn<T>> for Value {
    fn from(source: JsonColumn<T>) -> Self {
        // Serialising our own column types (lists, structs with string keys) cannot fail.
        let json = serde_json::to_value(&source.0).unwrap_or(serde_json::Value::Null);
        Value::Json(Some(Box::new(json)))
    }
}

impl<T: DeserializeOwned> ValueType for JsonColumn<T> {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        match v {
            Value::Json(Some(json)) => serde_json::from_value(*json)
                .map(Self)
                .map_err(|_| ValueTypeErr),
            _ => Err(ValueTypeErr),
        }
    }

    fn type_name() -> String {
        format!("JsonColumn<{}>", std::any::type_name::<T>())
    }

    fn array_type() -> ArrayType {
        ArrayType::Json
    }

    fn column_type() -> ColumnType {
        ColumnType::Json
    }
}

impl<T> Nullable for JsonColumn<T> {
    fn null() -> Value {
        Value::Json(None)
    }
}

impl<T: Serialize> IntoActiveValue<JsonColumn<T>> for JsonColumn<T> {
    fn into_active_value(self) -> ActiveValue<JsonColumn<T>> {
        ActiveValue::set(self)
    }
}
