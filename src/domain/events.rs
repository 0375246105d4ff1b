//! Change events as clients read them: the event types, and the CloudEvents 1.0 envelope every
//! event is served in (by the feed, the stream and the webhooks).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{EntityType, audit::Action};

/// The `source` of every event this service produces.
pub const SOURCE: &str = "/api/v1";

/// The event types a client can filter on, besides `<entity>.created`, `.updated`, `.archived`.
pub const SPECIAL_TYPES: [&str; 6] = [
    "decision.superseded",
    "meeting.minutes_approved",
    "action_plan.revision_approved",
    "indicator.values_changed",
    "member.erased",
    "webhook.deactivated",
];

/// The type of the event a write records, e.g. `decision.created`.
///
/// Most are `<entity_type>.<created|updated|archived|erased>`; a change that moves a record to a
/// state clients act on has a type of its own: a decision becoming superseded, a meeting's
/// minutes approved, a plan revision approved, a batch of indicator values.
pub fn event_type(
    entity: EntityType,
    action: Action,
    before: Option<&Value>,
    after: Option<&Value>,
) -> String {
    let became = |field: &str, value: Value| {
        after.is_some_and(|a| a[field] == value) && !before.is_some_and(|b| b[field] == value)
    };
    let set_now = |field: &str| {
        after.is_some_and(|a| !a[field].is_null()) && before.is_some_and(|b| b[field].is_null())
    };
    let special = match entity {
        EntityType::Decision if became("status", "superseded".into()) => {
            Some("decision.superseded")
        }
        EntityType::Meeting if set_now("minutes_approved_on") => Some("meeting.minutes_approved"),
        EntityType::ActionPlanRevision if became("status", "approved".into()) => {
            Some("action_plan.revision_approved")
        }
        EntityType::Webhook if became("active", false.into()) => Some("webhook.deactivated"),
        EntityType::IndicatorValues => Some("indicator.values_changed"),
        _ => None,
    };
    if let Some(special) = special {
        return special.to_owned();
    }
    let verb = match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Archive => "archived",
        Action::Erase => "erased",
    };
    format!("{entity}.{verb}")
}

/// The fields of a record of `entity` that hold personal data: an erasure's `redact` event
/// names them, and earlier events' copies of them are scrubbed.
pub fn personal_fields(entity: EntityType) -> &'static [&'static str] {
    match entity {
        EntityType::Member => &["name", "title", "email", "phone", "subject"],
        _ => &[],
    }
}

/// Every event type, for the document and for checking a `types` filter.
pub fn all_types() -> Vec<String> {
    let mut types: Vec<String> = EntityType::ALL
        .iter()
        .filter(|e| **e != EntityType::IndicatorValues)
        .flat_map(|e| {
            ["created", "updated", "archived", "withdrawn"]
                .into_iter()
                .map(move |verb| format!("{e}.{verb}"))
        })
        .collect();
    types.extend(SPECIAL_TYPES.iter().map(|t| (*t).to_owned()));
    types.push("webhook.ping".to_owned());
    types
}

/// The second part of every event type.
pub const VERBS: [&str; 11] = [
    "created",
    "updated",
    "archived",
    "withdrawn",
    "erased",
    "superseded",
    "minutes_approved",
    "revision_approved",
    "values_changed",
    "deactivated",
    "ping",
];

/// The pattern of a comma-separated `types` filter, as the document states it: each entry a
/// family (an entity type) alone, with `.*`, or with a verb. (A test checks it against
/// [`EntityType::ALL`] and [`VERBS`].)
pub const TYPES_PATTERN: &str = r"^ *(organisation|member|membership|meeting|agenda_item|attendance|decision|indicator|indicator_values|indicator_targets|action_plan|action_plan_revision|consultation_response|webhook|minutes_signature|attachment|activity_progress)(\.(created|updated|archived|withdrawn|erased|superseded|minutes_approved|revision_approved|values_changed|deactivated|ping|\*))? *(, *(organisation|member|membership|meeting|agenda_item|attendance|decision|indicator|indicator_values|indicator_targets|action_plan|action_plan_revision|consultation_response|webhook|minutes_signature|attachment|activity_progress)(\.(created|updated|archived|withdrawn|erased|superseded|minutes_approved|revision_approved|values_changed|deactivated|ping|\*))? *)*$";

/// Whether `text` names an event type or a family of them (`decision`, `decision.*`): a known
/// family and verb (a pair that never occurs, such as `member.ping`, matches nothing).
pub fn is_type_filter(text: &str) -> bool {
    let (family, verb) = match text.split_once('.') {
        Some((family, verb)) => (family, Some(verb)),
        None => (text, None),
    };
    family.parse::<EntityType>().is_ok() && verb.is_none_or(|v| v == "*" || VERBS.contains(&v))
}

/// Whether an event of `event_type` passes a `types` filter (empty: every type).
pub fn type_matches(filter: &[String], event_type: &str) -> bool {
    filter.is_empty()
        || filter.iter().any(|f| {
            let family = f.strip_suffix(".*").unwrap_or(f);
            f == event_type || event_type.split('.').next() == Some(family)
        })
}

/// A record an event refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordRef {
    /// The kind of record.
    #[serde(rename = "type")]
    pub entity_type: EntityType,
    /// Its id.
    pub id: Uuid,
}

/// What an erasure asks every copy of the data to scrub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Redaction {
    /// The erased record.
    pub record: RecordRef,
    /// The fields that held personal data; copies must delete or blank them.
    pub fields: Vec<String>,
    /// Earlier events about the record in this feed have had their `record` state scrubbed.
    pub earlier_events_scrubbed: bool,
}

/// The payload of a change event (the CloudEvent's `data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventData {
    /// The feed position: pass it as `after` to read on from this event.
    pub seq: i64,
    /// What changed.
    pub entity_type: EntityType,
    /// The changed record's id.
    pub entity_id: Uuid,
    /// The record's version after the change (a child's batch: its parent's version).
    pub version: i32,
    /// What was done: `create`, `update`, `archive`, `erase`.
    pub action: String,
    /// When the change was committed.
    pub occurred_at: DateTime<Utc>,
    /// The record this one belongs to: the meeting of an agenda item, attendance or decision;
    /// the plan of a revision; the revision of a consultation response; the indicator of values
    /// or targets; the member of a membership.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<RecordRef>,
    /// The organisations the record concerns (a decision's `concerns`; values: their
    /// organisations). Absent when the record concerns every party or does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concerns: Option<Vec<Uuid>>,
    /// The group the record belongs to (a meeting's, a decision's, a plan's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<Uuid>,
    /// The record's path in this API, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// The record's stored fields after the change (an archive: the tombstone with
    /// `archived: true`); a meeting's attendance and an indicator's targets are lists of
    /// entries, a value batch a summary (counts, organisations, periods). Scrubbed after an
    /// erasure.
    pub record: Value,
    /// On `member.erased`: what every copy must scrub.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redact: Option<Redaction>,
}

/// A change event in CloudEvents 1.0 JSON format (structured mode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CloudEvent {
    /// Always `1.0`.
    #[schema(example = "1.0")]
    pub specversion: String,
    /// Unique per event: the feed position as text.
    pub id: String,
    /// The service that produced the event (this API's base path or URL).
    pub source: String,
    /// The event type, e.g. `decision.updated`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The record, as `<entity_type>/<id>`.
    pub subject: String,
    /// When the change was committed (RFC 3339).
    pub time: DateTime<Utc>,
    /// Always `application/json`.
    pub datacontenttype: String,
    /// The feed position (the CloudEvents `sequence` extension), as text.
    pub sequence: String,
    /// The change.
    pub data: EventData,
}

impl CloudEvent {
    /// Wraps `data` with the envelope attributes.
    pub fn new(source: &str, event_type: String, data: EventData) -> Self {
        Self {
            specversion: "1.0".into(),
            id: data.seq.to_string(),
            source: source.to_owned(),
            event_type,
            subject: format!("{}/{}", data.entity_type, data.entity_id),
            time: data.occurred_at,
            datacontenttype: "application/json".into(),
            sequence: data.seq.to_string(),
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_transition_clients_act_on_has_its_own_type() {
        let before = json!({"status": "in_force"});
        let after = json!({"status": "superseded"});
        assert_eq!(
            event_type(
                EntityType::Decision,
                Action::Update,
                Some(&before),
                Some(&after)
            ),
            "decision.superseded"
        );
        assert_eq!(
            event_type(
                EntityType::Decision,
                Action::Update,
                Some(&after),
                Some(&after)
            ),
            "decision.updated"
        );
        let before = json!({"minutes_approved_on": null});
        let after = json!({"minutes_approved_on": "2021-12-03"});
        assert_eq!(
            event_type(
                EntityType::Meeting,
                Action::Update,
                Some(&before),
                Some(&after)
            ),
            "meeting.minutes_approved"
        );
        assert_eq!(
            event_type(EntityType::Member, Action::Erase, None, None),
            "member.erased"
        );
        assert_eq!(
            event_type(EntityType::AgendaItem, Action::Archive, None, None),
            "agenda_item.archived"
        );
    }

    #[test]
    fn the_documented_pattern_lists_every_family_and_verb() {
        let families: Vec<&str> = EntityType::ALL.iter().map(|e| e.as_str()).collect();
        let one = format!("({})(\\.({}|\\*))?", families.join("|"), VERBS.join("|"));
        assert_eq!(TYPES_PATTERN, format!("^ *{one} *(, *{one} *)*$"));
        for t in all_types() {
            let verb = t.split('.').nth(1).unwrap_or_default();
            assert!(VERBS.contains(&verb), "{t}");
            assert!(is_type_filter(&t), "{t}");
        }
    }

    #[test]
    fn a_filter_names_types_or_families() {
        assert!(is_type_filter("decision.created"));
        assert!(is_type_filter("decision"));
        assert!(is_type_filter("decision.*"));
        assert!(!is_type_filter("nonsense"));
        let filter = vec!["decision".to_owned(), "meeting.minutes_approved".to_owned()];
        assert!(type_matches(&filter, "decision.superseded"));
        assert!(type_matches(&filter, "meeting.minutes_approved"));
        assert!(!type_matches(&filter, "meeting.updated"));
        assert!(type_matches(&[], "anything.at_all"));
    }
}
