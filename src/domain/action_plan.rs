//! Action plans: revision content, statuses and the rules between them, and the structured
//! diff of two revisions by their stable keys.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    indicator::Period,
    text::{FieldErrors, multi_line, one_line},
};
use crate::error::ApiResult;

/// Where a revision is in its life.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RevisionStatus {
    /// Being written; the only status in which the content changes.
    Draft,
    /// Sent out for consultation (remiss) until `consultation_deadline`.
    Consultation,
    /// Approved by a decision; never changes again.
    Approved,
    /// Replaced by a later approved revision; never changes again.
    Superseded,
}

impl RevisionStatus {
    /// Approved or superseded: readable by everyone and never changed.
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Approved | Self::Superseded)
    }

    /// Whether a revision may move from `self` to `to` (staying put is always allowed).
    pub fn may_move_to(self, to: Self) -> bool {
        use RevisionStatus::*;
        self == to
            || matches!(
                (self, to),
                (Draft, Consultation) | (Consultation, Draft) | (Draft | Consultation, Approved)
            )
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Consultation => "consultation",
            Self::Approved => "approved",
            Self::Superseded => "superseded",
        }
    }
}

/// Where an activity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    /// Not started.
    Planned,
    /// Under way.
    Ongoing,
    /// Finished.
    Done,
    /// Dropped.
    Cancelled,
}

/// One activity of a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Stable key, unique in the plan, kept across revisions (e.g. `a-kontaktvagar`).
    pub key: String,
    /// What is to be done.
    pub text: String,
    /// Who is responsible: organisations or groups.
    #[serde(default)]
    pub responsible_ids: Vec<Uuid>,
    /// When: a date (`2022-06-30`) or a period (`2022`, `2022-H1`, `2022-Q3`, `2022-05`).
    #[serde(default)]
    pub due: Option<String>,
    /// Where it is (default `planned`).
    #[serde(default = "planned")]
    pub status: ActivityStatus,
    /// Per cent done, 0–100 (default 0).
    #[serde(default)]
    pub progress: i32,
    /// The indicators that show whether it works.
    #[serde(default)]
    pub indicator_ids: Vec<Uuid>,
    /// The decisions behind it.
    #[serde(default)]
    pub decision_ids: Vec<Uuid>,
}

fn planned() -> ActivityStatus {
    ActivityStatus::Planned
}

impl Activity {
    /// The last day it was due: the date, or a period's last day.
    pub fn due_date(&self) -> Option<NaiveDate> {
        let due = self.due.as_deref()?.trim();
        NaiveDate::parse_from_str(due, "%Y-%m-%d")
            .ok()
            .or_else(|| due.parse::<Period>().ok().map(Period::end))
    }

    /// Due before `today` and neither done nor cancelled.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !matches!(
            self.status,
            ActivityStatus::Done | ActivityStatus::Cancelled
        ) && self.due_date().is_some_and(|d| d < today)
    }
}

/// One goal of a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// Stable key, unique in the plan.
    pub key: String,
    /// The goal.
    pub title: String,
    /// Its activities, in order.
    #[serde(default)]
    pub activities: Vec<Activity>,
}

/// One section of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Stable key, unique in the plan.
    pub key: String,
    /// Heading.
    pub title: String,
    /// Its goals, in order.
    #[serde(default)]
    pub goals: Vec<Goal>,
}

/// The content of a revision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// Sections, in order.
    #[serde(default)]
    pub sections: Vec<Section>,
}

/// Most sections, goals per section, or activities per goal; most ids per list.
const MAX_ITEMS: usize = 100;

/// A key: 1–100 characters of letters, digits, `-`, `_` and `.`.
fn check_key(key: &str) -> Result<String, String> {
    let key = one_line(key, 1, 100)?;
    if key
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Ok(key)
    } else {
        Err("use letters, digits, `-`, `_` and `.` only".into())
    }
}

/// A due value: a date or a period.
pub fn check_due(due: &str) -> Result<String, String> {
    let due = due.trim();
    if NaiveDate::parse_from_str(due, "%Y-%m-%d").is_ok() || due.parse::<Period>().is_ok() {
        Ok(due.to_owned())
    } else {
        Err(format!(
            "`{due}` is neither a date (2022-06-30) nor a period (2022, 2022-H1, 2022-Q3, 2022-05)"
        ))
    }
}

impl Content {
    /// Checks the content: text lengths, keys unique per level across the plan, progress
    /// 0–100, due dates or periods; every error at once, under `prefix` (e.g. `content`).
    pub fn check(mut self, prefix: &str, errors: &mut FieldErrors) -> Self {
        let mut keys: [HashSet<String>; 3] = Default::default();
        let mut unique = |level: usize, field: &str, key: &str, errors: &mut FieldErrors| {
            if let Some(key) = errors.check(field, check_key(key))
                && !keys[level].insert(key)
            {
                errors.add(field, "is used twice in this plan");
            }
        };
        if self.sections.len() > MAX_ITEMS {
            errors.add(
                &format!("{prefix}.sections"),
                format!("at most {MAX_ITEMS}"),
            );
        }
        for (s, section) in self.sections.iter_mut().enumerate() {
            let at = format!("{prefix}.sections[{s}]");
            unique(0, &format!("{at}.key"), &section.key, errors);
            section.key = section.key.trim().to_owned();
            if let Some(title) =
                errors.check(&format!("{at}.title"), one_line(&section.title, 1, 300))
            {
                section.title = title;
            }
            if section.goals.len() > MAX_ITEMS {
                errors.add(&format!("{at}.goals"), format!("at most {MAX_ITEMS}"));
            }
            for (g, goal) in section.goals.iter_mut().enumerate() {
                let at = format!("{at}.goals[{g}]");
                unique(1, &format!("{at}.key"), &goal.key, errors);
                goal.key = goal.key.trim().to_owned();
                if let Some(title) =
                    errors.check(&format!("{at}.title"), one_line(&goal.title, 1, 500))
                {
                    goal.title = title;
                }
                if goal.activities.len() > MAX_ITEMS {
                    errors.add(&format!("{at}.activities"), format!("at most {MAX_ITEMS}"));
                }
                for (a, activity) in goal.activities.iter_mut().enumerate() {
                    let at = format!("{at}.activities[{a}]");
                    unique(2, &format!("{at}.key"), &activity.key, errors);
                    activity.key = activity.key.trim().to_owned();
                    match multi_line(&activity.text, 5000) {
                        Ok(Some(text)) => activity.text = text,
                        Ok(None) => errors.add(&format!("{at}.text"), "must not be empty"),
                        Err(message) => errors.add(&format!("{at}.text"), message),
                    }
                    if !(0..=100).contains(&activity.progress) {
                        errors.add(&format!("{at}.progress"), "must be between 0 and 100");
                    }
                    if let Some(due) = &activity.due {
                        activity.due = errors.check(&format!("{at}.due"), check_due(due));
                    }
                    for (field, len) in [
                        ("responsible_ids", activity.responsible_ids.len()),
                        ("indicator_ids", activity.indicator_ids.len()),
                        ("decision_ids", activity.decision_ids.len()),
                    ] {
                        if len > MAX_ITEMS {
                            errors.add(&format!("{at}.{field}"), format!("at most {MAX_ITEMS}"));
                        }
                    }
                }
            }
        }
        self
    }

    /// Every activity with the field path it has in the content.
    pub fn activities(&self) -> impl Iterator<Item = (String, &Activity)> {
        self.sections.iter().enumerate().flat_map(|(s, section)| {
            section.goals.iter().enumerate().flat_map(move |(g, goal)| {
                goal.activities
                    .iter()
                    .enumerate()
                    .map(move |(a, activity)| {
                        (
                            format!("content.sections[{s}].goals[{g}].activities[{a}]"),
                            activity,
                        )
                    })
            })
        })
    }

    /// The plan as plain text (headings, goals, activities), for the search index.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for section in &self.sections {
            out.push_str(&section.title);
            out.push('\n');
            for goal in &section.goals {
                out.push_str(&goal.title);
                out.push('\n');
                for activity in &goal.activities {
                    out.push_str(&activity.text);
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// The fields of a revision as a client sends them, before any check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncheckedRevision {
    /// The content.
    pub content: Content,
    /// What changed since the revision it is based on.
    pub change_summary: Option<String>,
    /// First day in force once approved.
    pub valid_from: Option<NaiveDate>,
}

/// A revision whose own fields are consistent; the store checks references.
pub type Revision = UncheckedRevision;

impl UncheckedRevision {
    /// Checks every field; all errors are reported at once.
    pub fn check(mut self) -> ApiResult<Revision> {
        let mut errors = FieldErrors::default();
        self.content = self.content.check("content", &mut errors);
        if let Some(summary) = &self.change_summary {
            match multi_line(summary, 10_000) {
                Ok(text) => self.change_summary = text,
                Err(message) => errors.add("change_summary", message),
            }
        }
        errors.finish()?;
        Ok(self)
    }
}

/// Where a revision was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The document portal (dokumentportalen).
    DocumentPortal,
    /// A website.
    Website,
    /// Anywhere else.
    Other,
}

/// One publication of an approved revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// Where.
    pub channel: Channel,
    /// The address: an `http` or `https` URL, at most 2000 characters.
    #[schema(example = "https://www.regionkronoberg.se/handlingsplan.pdf")]
    pub url: String,
    /// The day it was published.
    pub published_at: NaiveDate,
}

impl Publication {
    /// Checks the URL (absolute, `http` or `https`, with a host); trims it.
    pub fn check(mut self) -> ApiResult<Self> {
        let mut errors = FieldErrors::default();
        let url = self.url.trim();
        if url.chars().count() > 2000 {
            errors.add("url", "at most 2000 characters");
        } else {
            match url::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                    self.url = url.to_owned();
                }
                _ => errors.add("url", "must be an http or https URL"),
            }
        }
        errors.finish()?;
        Ok(self)
    }
}

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
        let names: std::collections::BTreeSet<&String> =
            fields.keys().chain(old_fields.keys()).collect();
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

/// The empty content of a first revision.
pub fn empty_content() -> Value {
    json!({"sections": []})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(key: &str, progress: i32) -> Activity {
        Activity {
            key: key.into(),
            text: format!("Aktivitet {key}"),
            responsible_ids: Vec::new(),
            due: Some("2022-H1".into()),
            status: ActivityStatus::Planned,
            progress,
            indicator_ids: Vec::new(),
            decision_ids: Vec::new(),
        }
    }

    fn plan(goals: Vec<(&str, Vec<Activity>)>) -> Content {
        Content {
            sections: vec![Section {
                key: "s1".into(),
                title: "Samverkan".into(),
                goals: goals
                    .into_iter()
                    .map(|(key, activities)| Goal {
                        key: key.into(),
                        title: format!("Mål {key}"),
                        activities,
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn keys_must_be_unique_and_progress_within_bounds() {
        let content = plan(vec![
            ("g1", vec![activity("a1", 0), activity("a1", 101)]),
            ("g1", vec![]),
        ]);
        let mut errors = FieldErrors::default();
        content.check("content", &mut errors);
        let ApiResult::<()>::Err(crate::error::ApiError::Validation(list)) = errors.finish() else {
            panic!("errors expected");
        };
        let fields: Vec<&str> = list.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"content.sections[0].goals[0].activities[1].key"));
        assert!(fields.contains(&"content.sections[0].goals[0].activities[1].progress"));
        assert!(fields.contains(&"content.sections[0].goals[1].key"));
    }

    #[test]
    fn publications_need_an_http_url() {
        let p = |url: &str| Publication {
            channel: Channel::Website,
            url: url.into(),
            published_at: NaiveDate::from_ymd_opt(2021, 11, 10).unwrap(),
        };
        assert_eq!(
            p(" https://example.se/a ").check().unwrap().url,
            "https://example.se/a"
        );
        for bad in [
            "ftp://example.se",
            "javascript:alert(1)",
            "example.se",
            "https://",
        ] {
            assert!(p(bad).check().is_err(), "{bad}");
        }
    }

    #[test]
    fn due_is_a_date_or_a_period() {
        for ok in ["2022-06-30", "2022", "2022-H2", "2022-Q3", "2022-05"] {
            assert!(check_due(ok).is_ok(), "{ok}");
        }
        for bad in ["2022-13", "snart", "2022-02-30", ""] {
            assert!(check_due(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_diff_reports_added_removed_moved_changed_and_unchanged_by_key() {
        let old = plan(vec![
            ("g1", vec![activity("keep", 0), activity("move", 0)]),
            ("g2", vec![activity("gone", 0), activity("edit", 10)]),
        ]);
        let new = plan(vec![
            ("g1", vec![activity("keep", 0), activity("new", 0)]),
            ("g2", vec![activity("edit", 50), activity("move", 0)]),
        ]);
        let d = diff(&old, &new);
        let of = |key: &str| d.activities.iter().find(|p| p.key == key).unwrap();
        assert_eq!(of("keep").change, Change::Unchanged);
        assert_eq!(of("new").change, Change::Added);
        assert_eq!(of("gone").change, Change::Removed);
        assert_eq!(of("move").change, Change::Moved);
        assert_eq!(of("move").parent_to.as_deref(), Some("g2"));
        assert_eq!(of("edit").change, Change::Changed);
        assert_eq!(of("edit").fields[0].field, "progress");
        assert!(d.goals.iter().all(|g| g.change == Change::Unchanged));
    }
}
