//! The meetings of `meetings.json`: each with its agenda, attendance and decisions, written as
//! a secretary would, with `"@kind:key"` strings resolved to the ids made before.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{api::Api, people::Ids};
use crate::startup::StartupError;

const MEETINGS: &str = include_str!("meetings.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Meetings {
    #[allow(dead_code)]
    about: String,
    meetings: Vec<Meeting>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Meeting {
    key: String,
    meeting: Value,
    items: Vec<Item>,
    attendance: Vec<(String, String)>,
    #[serde(default)]
    guests: Vec<(String, String)>,
    decisions: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    number: String,
    title: String,
    #[serde(default)]
    presenters: Vec<String>,
    #[serde(default)]
    guests: Vec<String>,
    minutes: Option<String>,
}

/// Every id the demo made, by `kind:key` (`person:chair`, `meeting:nov2021`,
/// `item:nov2021/3`, `decision:funding`, ...).
pub(super) struct Refs(HashMap<String, String>);

impl Refs {
    pub(super) fn new(ids: &Ids) -> Self {
        let mut refs = HashMap::new();
        for (kind, map) in [
            ("org", &ids.orgs),
            ("person", &ids.people),
            ("seat", &ids.seats),
        ] {
            for (key, id) in map {
                refs.insert(format!("{kind}:{key}"), id.clone());
            }
        }
        Self(refs)
    }

    pub(super) fn get(&self, reference: &str) -> Result<&str, StartupError> {
        self.0
            .get(reference)
            .map(String::as_str)
            .ok_or_else(|| StartupError::Seed(format!("the demo names an unknown @{reference}")))
    }

    pub(super) fn insert(&mut self, reference: String, id: String) {
        self.0.insert(reference, id);
    }

    /// `value` with every `"@kind:key"` string replaced by its id; `"@parties"` is the region
    /// and the eight municipalities as assignees, `"@funders"` the same as ids.
    pub(super) fn resolve(&self, value: &Value) -> Result<Value, StartupError> {
        Ok(match value {
            Value::String(s) if s == "@parties" || s == "@funders" => {
                let ids = self.parties()?;
                if s == "@funders" {
                    json!(ids)
                } else {
                    json!(
                        ids.iter()
                            .map(|id| json!({"kind": "organisation", "id": id}))
                            .collect::<Vec<_>>()
                    )
                }
            }
            Value::String(s) => match s.strip_prefix('@') {
                Some(reference) => json!(self.get(reference)?),
                None => value.clone(),
            },
            Value::Array(values) => Value::Array(
                values
                    .iter()
                    .map(|v| self.resolve(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.resolve(v)?)))
                    .collect::<Result<_, StartupError>>()?,
            ),
            other => other.clone(),
        })
    }

    fn parties(&self) -> Result<Vec<String>, StartupError> {
        std::iter::once("region")
            .chain(super::people::MUNICIPALITIES)
            .map(|k| self.get(&format!("org:{k}")).map(str::to_owned))
            .collect()
    }
}

/// The meetings, in the order the file gives, without their decisions.
pub(super) struct Plan(Vec<Meeting>);

pub(super) fn load() -> Result<Plan, StartupError> {
    let file: Meetings =
        serde_json::from_str(MEETINGS).map_err(|e| StartupError::Seed(format!("meetings: {e}")))?;
    Ok(Plan(file.meetings))
}

impl Plan {
    /// Creates every meeting with its agenda and attendance (`meeting:KEY`, `item:KEY/NUMBER`).
    pub(super) async fn create(
        &self,
        api: &Api,
        refs: &mut Refs,
        sg: &str,
    ) -> Result<(), StartupError> {
        for m in &self.0 {
            let mut body = refs.resolve(&m.meeting)?;
            body["group_id"] = json!(sg);
            let id = api.create("/api/v1/meetings", &body).await?;
            refs.insert(format!("meeting:{}", m.key), id.clone());
            if m.items.is_empty() {
                continue;
            }
            let people = |keys: &[String]| -> Result<Vec<String>, StartupError> {
                keys.iter()
                    .map(|k| refs.get(&format!("person:{k}")).map(str::to_owned))
                    .collect()
            };
            let mut items = Vec::new();
            for item in &m.items {
                items.push(json!({
                    "number": item.number, "title": item.title, "minutes": item.minutes,
                    "presenter_ids": people(&item.presenters)?, "guest_ids": people(&item.guests)?,
                }));
            }
            let agenda = api
                .put(
                    &format!("/api/v1/meetings/{id}/agenda"),
                    &json!({"items": items}),
                )
                .await?;
            let made = agenda["items"].as_array().cloned().unwrap_or_default();
            for (item, row) in m.items.iter().zip(&made) {
                refs.insert(
                    format!("item:{}/{}", m.key, item.number),
                    super::api::id(row)?,
                );
            }
            if m.attendance.is_empty() {
                continue;
            }
            let mut entries = Vec::new();
            for (who, status) in &m.attendance {
                entries.push(
                    json!({"member_id": refs.get(&format!("person:{who}"))?, "status": status}),
                );
            }
            for (who, org) in &m.guests {
                let items: Vec<&str> = m
                    .items
                    .iter()
                    .filter(|i| i.guests.contains(who))
                    .map(|i| refs.get(&format!("item:{}/{}", m.key, i.number)))
                    .collect::<Result<_, _>>()?;
                entries.push(json!({
                    "member_id": refs.get(&format!("person:{who}"))?, "status": "present",
                    "guest": true, "represents_id": refs.get(&format!("org:{org}"))?,
                    "agenda_item_ids": items,
                }));
            }
            api.put(
                &format!("/api/v1/meetings/{id}/attendance"),
                &json!({"entries": entries}),
            )
            .await?;
        }
        Ok(())
    }

    /// Records the decisions of meeting `key` (`decision:KEY`).
    pub(super) async fn decide(
        &self,
        api: &Api,
        refs: &mut Refs,
        key: &str,
    ) -> Result<(), StartupError> {
        let Some(m) = self.0.iter().find(|m| m.key == key) else {
            return Err(StartupError::Seed(format!("no demo meeting {key}")));
        };
        let meeting = refs.get(&format!("meeting:{key}"))?.to_owned();
        for decision in &m.decisions {
            let mut body = refs.resolve(decision)?;
            let fields = body
                .as_object_mut()
                .ok_or_else(|| StartupError::Seed("a decision is not an object".into()))?;
            let name = fields
                .remove("key")
                .and_then(|k| k.as_str().map(str::to_owned))
                .ok_or_else(|| StartupError::Seed("a decision without a key".into()))?;
            let number = fields
                .remove("item")
                .and_then(|k| k.as_str().map(str::to_owned))
                .ok_or_else(|| StartupError::Seed(format!("decision {name} has no item")))?;
            fields.insert("meeting_id".into(), json!(meeting));
            fields.insert(
                "agenda_item_id".into(),
                json!(refs.get(&format!("item:{key}/{number}"))?),
            );
            let id = api.create("/api/v1/decisions", &body).await?;
            refs.insert(format!("decision:{name}"), id);
        }
        Ok(())
    }
}
