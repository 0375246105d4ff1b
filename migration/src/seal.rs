//! The audit log's seal, shared by the migration that seals the rows written before it and by
//! the service, which seals each new row: one definition, so that both agree byte for byte.
//!
//! **Free text out of the sealed row.** Every string under a free-text key ([`FREE_TEXT_KEYS`],
//! at any depth of `before` and `after`) is moved to the `audit_texts` table, and the row keeps
//! `{"$text": "<id>"}` in its place. Texts may name a person, so an erasure rewrites them there;
//! the audit row itself never changes.
//!
//! **The chain.** Each row carries the SHA-256 of its canonical content together with the
//! previous row's seal, so that a changed, removed or reordered row breaks every seal after it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Keys whose string values are free text (and so may hold personal data).
pub const FREE_TEXT_KEYS: &[&str] = &[
    "title",
    "text",
    "minutes",
    "note",
    "name",
    "short_name",
    "description",
    "summary",
    "location",
    "email",
    "phone",
    "comment",
    "source",
    "filename",
];

/// The key of a moved text's reference.
pub const TEXT_REF: &str = "$text";

/// The seal of the row before the first.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A text moved out of an audit row: its id (the reference the row keeps), the key it was found
/// under, and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedText {
    /// The reference.
    pub id: Uuid,
    /// The key it stood under.
    pub field: String,
    /// The text.
    pub text: String,
}

/// Moves every free-text string of `value` out, leaving references.
pub fn split(value: &mut Value, moved: &mut Vec<MovedText>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                if let Value::String(text) = child
                    && FREE_TEXT_KEYS.contains(&key.as_str())
                {
                    let id = Uuid::now_v7();
                    moved.push(MovedText {
                        id,
                        field: key.clone(),
                        text: std::mem::take(text),
                    });
                    *child = serde_json::json!({ TEXT_REF: id });
                } else {
                    split(child, moved);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| split(item, moved)),
        _ => {}
    }
}

/// The ids of the texts `value` refers to.
pub fn references(value: &Value, ids: &mut Vec<Uuid>) {
    match value {
        Value::Object(object) => {
            if let Some(id) = text_ref(object) {
                ids.push(id);
            } else {
                object.values().for_each(|child| references(child, ids));
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, ids)),
        _ => {}
    }
}

/// Puts the texts back in place of their references (a reference without its text becomes
/// `null`).
pub fn join(value: &mut Value, text_of: &dyn Fn(Uuid) -> Option<String>) {
    match value {
        Value::Object(object) => {
            if let Some(id) = text_ref(object) {
                *value = text_of(id).map_or(Value::Null, Value::String);
            } else {
                object.values_mut().for_each(|child| join(child, text_of));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| join(item, text_of)),
        _ => {}
    }
}

fn text_ref(object: &Map<String, Value>) -> Option<Uuid> {
    if object.len() != 1 {
        return None;
    }
    object.get(TEXT_REF)?.as_str()?.parse().ok()
}

/// What of an audit row the seal covers (everything but its own id and seal).
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    pub occurred_at: DateTime<Utc>,
    pub actor: &'a str,
    pub actor_roles: &'a Value,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub request_id: Option<&'a str>,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
}

/// The seal of a row whose predecessor's seal is `previous`: the lower-case hex SHA-256 of the
/// canonical JSON of its content and `previous`.
pub fn seal(content: &Content<'_>, previous: &str) -> String {
    let document = serde_json::json!({
        "previous": previous,
        "occurred_at": content.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        "actor": content.actor,
        "actor_roles": content.actor_roles,
        "action": content.action,
        "entity_type": content.entity_type,
        "entity_id": content.entity_id.to_string(),
        "request_id": content.request_id,
        "before": content.before,
        "after": content.after,
    });
    let mut canonical = String::new();
    write_canonical(&document, &mut canonical);
    format!("{:x}", Sha256::digest(canonical.as_bytes()))
}

/// JSON with object keys in byte order and no whitespace, whatever order the value's map keeps
/// (PostgreSQL's `jsonb` reorders keys).
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&object[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_move_out_and_back() {
        let original = serde_json::json!({"title": "Val av Karin", "items": [{"note": "x"}],
                                          "version": 2, "public": true});
        let mut value = original.clone();
        let mut moved = Vec::new();
        split(&mut value, &mut moved);
        assert_eq!(moved.len(), 2);
        assert!(!value.to_string().contains("Karin"));
        let mut ids = Vec::new();
        references(&value, &mut ids);
        assert_eq!(ids, moved.iter().map(|m| m.id).collect::<Vec<_>>());
        join(&mut value, &|id| {
            moved.iter().find(|m| m.id == id).map(|m| m.text.clone())
        });
        assert_eq!(value, original);
    }

    #[test]
    fn the_seal_ignores_key_order_and_follows_every_field() {
        let roles = serde_json::json!(["admin"]);
        let a = serde_json::json!({"a": 1, "b": 2});
        let b: Value = serde_json::from_str(r#"{"b": 2, "a": 1}"#).unwrap_or_default();
        let content = Content {
            occurred_at: DateTime::<Utc>::from_timestamp(1_700_000_000, 123_000)
                .unwrap_or_default(),
            actor: "x",
            actor_roles: &roles,
            action: "create",
            entity_type: "meeting",
            entity_id: Uuid::nil(),
            request_id: None,
            before: None,
            after: Some(&a),
        };
        let reordered = Content {
            after: Some(&b),
            ..content
        };
        assert_eq!(seal(&content, GENESIS), seal(&reordered, GENESIS));
        assert_ne!(seal(&content, GENESIS), seal(&content, &"1".repeat(64)));
        let other = Content {
            action: "update",
            ..content
        };
        assert_ne!(seal(&content, GENESIS), seal(&other, GENESIS));
    }
}
