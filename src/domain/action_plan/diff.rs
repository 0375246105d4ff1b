//! The structured diff of two revisions by the stable keys of their sections, goals and
//! activities.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::content::Content;

/// What happened to one keyed part between two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Only in the newer revision.
    Added,
    /// Only in the older revision.
    Removed,
    /// Under another parent (its fields may have changed too: see `fields`).
    Moved,
    /// Same parent, some fields changed.
    Changed,
    /// Same parent, same fields.
    Unchanged,
}

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldChange {
    /// The field, e.g. `progress`.
    pub field: String,
    /// Its value in the older revision.
    pub from: Value,
    /// Its value in the newer revision.
    pub to: Value,
}

/// The diff of one section, goal or activity.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PartDiff {
    /// The stable key.
    pub key: String,
    /// What happened to it.
    pub change: Change,
    /// The parent's key in the older revision (goals: section; activities: goal).
    pub parent_from: Option<String>,
    /// The parent's key in the newer revision.
    pub parent_to: Option<String>,
    /// The fields that differ (for `changed` and `moved`).
    pub fields: Vec<FieldChange>,
}

/// A structured diff of two revisions by key.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ContentDiff {
    /// Sections, in the newer revision's order, then those removed.
    pub sections: Vec<PartDiff>,
    /// Goals.
    pub goals: Vec<PartDiff>,
    /// Activities.
    pub activities: Vec<PartDiff>,
}

/// One keyed part flattened: its parent and its own fields (children left out).
type Flat = Vec<(String, Option<String>, BTreeMap<String, Value>)>;

fn fields_of<T: Serialize>(part: &T, children: &str) -> BTreeMap<String, Value> {
    let mut map: BTreeMap<String, Value> = match serde_json::to_value(part) {
        Ok(Value::Object(object)) => object.into_iter().collect(),
        _ => BTreeMap::new(),
    };
    map.remove("key");
    map.remove(children);
    map
}

fn flatten(content: &Content) -> [Flat; 3] {
    let mut out: [Flat; 3] = Default::default();
    for section in &content.sections {
        out[0].push((section.key.clone(), None, fields_of(section, "goals")));
        for goal in &section.goals {
            out[1].push((
                goal.key.clone(),
                Some(section.key.clone()),
                fields_of(goal, "activities"),
            ));
            for activity in &goal.activities {
                out[2].push((
                    activity.key.clone(),
                    Some(goal.key.clone()),
                    fields_of(activity, ""),
                ));
            }
        }
    }
    out
}

fn diff_level(old: &Flat, new: &Flat) -> Vec<PartDiff> {
    let mut out = Vec::new();
    for (key, parent, fields) in new {
        let Some((_, old_parent, old_fields)) = old.iter().find(|(k, ..)| k == key) else {
            out.push(PartDiff {
                key: key.clone(),
                change: Change::Added,
                parent_from: None,
                parent_to: parent.clone(),
                fields: Vec::new(),
            });
            continue;
        };
        let names: BTreeSet<&String> = fields.keys().chain(old_fields.keys()).collect();
        let changes: Vec<FieldChange> = names
            .into_iter()
            .filter_map(|name| {
                let from = old_fields.get(name).cloned().unwrap_or(Value::Null);
                let to = fields.get(name).cloned().unwrap_or(Value::Null);
                (from != to).then(|| FieldChange {
                    field: name.clone(),
                    from,
                    to,
                })
            })
            .collect();
        let change = if old_parent != parent {
            Change::Moved
        } else if changes.is_empty() {
            Change::Unchanged
        } else {
            Change::Changed
        };
        out.push(PartDiff {
            key: key.clone(),
            change,
            parent_from: old_parent.clone(),
            parent_to: parent.clone(),
            fields: changes,
        });
    }
    for (key, parent, _) in old {
        if !new.iter().any(|(k, ..)| k == key) {
            out.push(PartDiff {
                key: key.clone(),
                change: Change::Removed,
                parent_from: parent.clone(),
                parent_to: None,
                fields: Vec::new(),
            });
        }
    }
    out
}

/// The diff from `old` to `new`.
pub fn diff(old: &Content, new: &Content) -> ContentDiff {
    let [old_s, old_g, old_a] = flatten(old);
    let [new_s, new_g, new_a] = flatten(new);
    ContentDiff {
        sections: diff_level(&old_s, &new_s),
        goals: diff_level(&old_g, &new_g),
        activities: diff_level(&old_a, &new_a),
    }
}
