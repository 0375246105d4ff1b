//! The content of a revision: sections, goals and activities with their stable keys, and the
//! checks every stored content passes. Kept apart from the revision's life cycle (`mod.rs`)
//! and the diff (`diff.rs`) because the content is what both of them work on.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::super::{
    indicator::Period,
    text::{FieldErrors, multi_line, one_line},
};

crate::string_enum! {
    /// Where an activity is.
    pub enum ActivityStatus {
        /// Not started.
        Planned = "planned",
        /// Under way.
        Ongoing = "ongoing",
        /// Finished.
        Done = "done",
        /// Dropped.
        Cancelled = "cancelled",
    }
}

/// One activity of a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Stable key, unique in the plan, kept across revisions (e.g. `a-kontaktvagar`): 1–100
    /// letters, digits, `-`, `_` and `.`.
    #[schema(min_length = 1, max_length = 100)]
    pub key: String,
    /// What is to be done, 1–5000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub text: String,
    /// Who is responsible: organisations or groups (at most 100).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub responsible_ids: Vec<Uuid>,
    /// When: a date (`2022-06-30`) or a period (`2022`, `2022-H1`, `2022-Q3`, `2022-05`).
    #[serde(default)]
    #[schema(
        pattern = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)(-(H[12]|Q[1-4]|(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?))?$"
    )]
    pub due: Option<String>,
    /// Where it is (default `planned`).
    #[serde(default = "planned")]
    pub status: ActivityStatus,
    /// Per cent done, 0–100 (default 0).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub progress: i32,
    /// The indicators that show whether it works (at most 100).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub indicator_ids: Vec<Uuid>,
    /// The decisions behind it (at most 100).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub decision_ids: Vec<Uuid>,
    /// Its weight in the progress of its goal, section and plan, 1–1000 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 1000)]
    pub weight: Option<u32>,
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

    /// Due before `today` and neither done nor cancelled, where it stands as the plan says.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_overdue_at(self.status, today)
    }

    /// Due before `today` and, standing at `status`, neither done nor cancelled: the one rule
    /// for activities (progress, trace).
    pub fn is_overdue_at(&self, status: ActivityStatus, today: NaiveDate) -> bool {
        !matches!(status, ActivityStatus::Done | ActivityStatus::Cancelled)
            && self.due_date().is_some_and(|d| d < today)
    }

    /// Its weight in roll-ups (1 unless the plan says otherwise).
    pub fn weight(&self) -> f64 {
        f64::from(self.weight.unwrap_or(1))
    }
}

/// One goal of a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// Stable key, unique in the plan: 1–100 letters, digits, `-`, `_` and `.`.
    #[schema(min_length = 1, max_length = 100)]
    pub key: String,
    /// The goal, 1–500 characters on one line.
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub title: String,
    /// Its activities, in order (at most 100).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub activities: Vec<Activity>,
}

impl Goal {
    /// Its activities counted by status.
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        self.activities.iter().for_each(|a| tally.add(a));
        tally
    }

    /// The indicators its activities link to, each once, in order of first mention.
    pub fn indicator_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = Vec::new();
        for id in self.activities.iter().flat_map(|a| &a.indicator_ids) {
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
        ids
    }
}

/// Activities counted by status, and their progress weighted by each activity's weight: the
/// progress report's arithmetic.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    by_status: BTreeMap<String, usize>,
    progress_sum: f64,
    weights: f64,
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            by_status: ActivityStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), 0))
                .collect(),
            progress_sum: 0.0,
            weights: 0.0,
        }
    }
}

impl Tally {
    /// Counts one activity as the plan states it.
    pub fn add(&mut self, activity: &Activity) {
        self.add_at(activity.status, activity.progress, activity.weight());
    }

    /// Counts one activity standing at `status` and `percent`, with `weight` (a cancelled one
    /// does not count towards the progress).
    pub fn add_at(&mut self, status: ActivityStatus, percent: i32, weight: f64) {
        *self
            .by_status
            .entry(status.as_str().to_owned())
            .or_default() += 1;
        if status != ActivityStatus::Cancelled {
            self.progress_sum += f64::from(percent) * weight;
            self.weights += weight;
        }
    }

    /// Adds another tally (a goal's into its section's, say).
    pub fn merge(&mut self, other: &Tally) {
        for (status, n) in &other.by_status {
            *self.by_status.entry(status.clone()).or_default() += n;
        }
        self.progress_sum += other.progress_sum;
        self.weights += other.weights;
    }

    /// The number of activities per status, every status included.
    pub fn by_status(&self) -> BTreeMap<String, usize> {
        self.by_status.clone()
    }

    /// The weighted mean progress of the activities other than the cancelled (none without
    /// any).
    pub fn mean_progress(&self) -> Option<f64> {
        (self.weights > 0.0).then(|| self.progress_sum / self.weights)
    }
}

/// One section of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Stable key, unique in the plan: 1–100 letters, digits, `-`, `_` and `.`.
    #[schema(min_length = 1, max_length = 100)]
    pub key: String,
    /// Heading, 1–300 characters on one line.
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub title: String,
    /// Its goals, in order (at most 100).
    #[serde(default)]
    #[schema(max_items = 100)]
    pub goals: Vec<Goal>,
}

/// The content of a revision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// Sections, in order (at most 100).
    #[serde(default)]
    #[schema(max_items = 100)]
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

/// A due value: a date (`2022-06-30`) or a period (`2022`, `2022-H1`, `2022-Q3`, `2022-05`),
/// spelt exactly as the OpenAPI document's pattern says (no padding, no other forms).
pub fn check_due(due: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "`{due}` is neither a date (2022-06-30) nor a period (2022, 2022-H1, 2022-Q3, 2022-05) in the years 1900 to 2200"
        )
    };
    let b = due.as_bytes();
    let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    let shaped = match b.len() {
        4 | 7 => digits(0..4) && (b.len() == 4 || b[4] == b'-'),
        10 => digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10),
        _ => false,
    };
    if !shaped {
        return Err(bad());
    }
    let valid = if b.len() == 10 {
        NaiveDate::parse_from_str(due, "%Y-%m-%d").is_ok_and(crate::domain::time::date_in_range)
    } else {
        due.parse::<Period>().is_ok()
    };
    if valid {
        Ok(due.to_owned())
    } else {
        Err(bad())
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
                    if activity.weight.is_some_and(|w| !(1..=1000).contains(&w)) {
                        errors.add(&format!("{at}.weight"), "must be between 1 and 1000");
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
