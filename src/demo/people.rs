//! The parties, groups and invented people of the demo, and their seats (`people.json`).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::api::Api;
use crate::startup::StartupError;

const PEOPLE: &str = include_str!("people.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cast {
    #[allow(dead_code)]
    about: String,
    organisations: Vec<Keyed>,
    members: Vec<Keyed>,
    memberships: Vec<Seat>,
}

/// A record to create, with the key the rest of the file knows it by; the other fields are
/// sent as they are, with keys in `parent`/`organisation` replaced by ids.
#[derive(Deserialize)]
struct Keyed {
    key: String,
    #[serde(flatten)]
    fields: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Seat {
    key: Option<String>,
    member: String,
    group: String,
    role: String,
    represents: Option<String>,
    start: String,
    end: Option<String>,
    substitute_for: Option<String>,
    note: Option<String>,
    #[serde(default = "yes")]
    voting_right: bool,
}

fn yes() -> bool {
    true
}

/// The ids of what was created, by key.
#[derive(Default)]
pub(super) struct Ids {
    /// Organisations and groups.
    pub orgs: HashMap<String, String>,
    /// Members.
    pub people: HashMap<String, String>,
    /// Memberships that have a key.
    pub seats: HashMap<String, String>,
}

impl Ids {
    pub(super) fn org(&self, key: &str) -> Result<&str, StartupError> {
        find(&self.orgs, key)
    }

    pub(super) fn person(&self, key: &str) -> Result<&str, StartupError> {
        find(&self.people, key)
    }

    /// The login subject of a person: each has one, so that they can sign.
    pub(super) fn subject(key: &str) -> String {
        format!("demo-{key}")
    }
}

/// The eight municipalities' keys, by code.
pub(super) const MUNICIPALITIES: [&str; 8] = [
    "uppvidinge",
    "lessebo",
    "tingsryd",
    "alvesta",
    "almhult",
    "markaryd",
    "vaxjo",
    "ljungby",
];

fn find<'a>(map: &'a HashMap<String, String>, key: &str) -> Result<&'a str, StartupError> {
    map.get(key)
        .map(String::as_str)
        .ok_or_else(|| StartupError::Seed(format!("the demo names an unknown key `{key}`")))
}

/// Creates every organisation, member and seat of `people.json`.
pub(super) async fn create(api: &Api) -> Result<Ids, StartupError> {
    let cast: Cast =
        serde_json::from_str(PEOPLE).map_err(|e| StartupError::Seed(format!("people: {e}")))?;
    let mut ids = Ids::default();
    for org in cast.organisations {
        let mut body = org.fields;
        if let Some(parent) = body.remove("parent") {
            let parent = ids.org(parent.as_str().unwrap_or_default())?;
            body.insert("parent_id".into(), json!(parent));
        }
        let id = api
            .create("/api/v1/organisations", &Value::Object(body))
            .await?;
        ids.orgs.insert(org.key, id);
    }
    for person in cast.members {
        let mut body = person.fields;
        if let Some(org) = body.remove("organisation") {
            let org = ids.org(org.as_str().unwrap_or_default())?;
            body.insert("organisation_id".into(), json!(org));
        }
        let name = body["name"].as_str().unwrap_or_default().to_lowercase();
        let email = name
            .replace(' ', ".")
            .replace(['å', 'ä'], "a")
            .replace('ö', "o")
            .replace('é', "e")
            .replace('ž', "z")
            .replace('ć', "c");
        body.insert("email".into(), json!(format!("{email}@example.se")));
        body.insert("subject".into(), json!(Ids::subject(&person.key)));
        let id = api.create("/api/v1/members", &Value::Object(body)).await?;
        ids.people.insert(person.key, id);
    }
    for seat in cast.memberships {
        let body = json!({
            "member_id": ids.person(&seat.member)?,
            "group_id": ids.org(&seat.group)?,
            "role": seat.role,
            "represents_id": seat.represents.as_deref().map(|k| ids.org(k)).transpose()?,
            "start_date": seat.start,
            "end_date": seat.end,
            "substitute_for_member_id":
                seat.substitute_for.as_deref().map(|k| ids.person(k)).transpose()?,
            "note": seat.note,
            "voting_right": seat.voting_right,
        });
        let id = api.create("/api/v1/memberships", &body).await?;
        if let Some(key) = seat.key {
            ids.seats.insert(key, id);
        }
    }
    Ok(ids)
}
