//! The progress of an activity, reported without a new revision: the plan's content is
//! normative and locked once approved, progress is operational. A report says where the
//! activity stands (status, per cent, a note) on a day; the latest report is where it stands,
//! the plan's own status and progress until the first.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Activity, ActivityStatus};
use crate::{
    domain::{
        text::{FieldErrors, multi_line},
        time::Day,
    },
    error::ApiResult,
};

/// A progress report as a client sends it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressReport {
    /// Where the activity stands.
    pub status: ActivityStatus,
    /// Per cent done, 0–100. Default: 100 when `done`, otherwise where it stood before. A
    /// `done` activity is 100 per cent done.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub percent: Option<i32>,
    /// What happened, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// The day the report describes (default today; not later than today).
    #[serde(default)]
    pub progress_on: Option<Day>,
}

/// Where an activity stands: its latest report, or the plan's own status and progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The status.
    pub status: ActivityStatus,
    /// Per cent done.
    pub percent: i32,
    /// The latest report's note.
    pub note: Option<String>,
    /// The day the latest report describes (none before any report).
    pub progress_on: Option<NaiveDate>,
}

impl Standing {
    /// Where `activity` stands by the plan alone.
    pub fn planned(activity: &Activity) -> Self {
        Self {
            status: activity.status,
            percent: activity.progress,
            note: None,
            progress_on: None,
        }
    }
}

impl ProgressReport {
    /// Checks the report against where the activity stood (`before`) on `today`, with errors
    /// under `prefix` (e.g. `rows[3].`); the checked standing it leads to.
    pub fn check(
        &self,
        before: &Standing,
        today: NaiveDate,
        prefix: &str,
        errors: &mut FieldErrors,
    ) -> Standing {
        let field = |name: &str| format!("{prefix}{name}");
        let percent = match (self.percent, self.status) {
            (Some(p), _) if !(0..=100).contains(&p) => {
                errors.add(&field("percent"), "must be between 0 and 100");
                before.percent
            }
            (Some(p), ActivityStatus::Done) if p != 100 => {
                errors.add(&field("percent"), "a done activity is 100 per cent done");
                p
            }
            (Some(p), _) => p,
            (None, ActivityStatus::Done) => 100,
            (None, _) => before.percent,
        };
        let note = match &self.note {
            None => None,
            Some(text) => errors
                .check(&field("note"), multi_line(text, 2000))
                .flatten(),
        };
        let day = self.progress_on.map_or(today, |d| d.0);
        if day > today {
            errors.add(&field("progress_on"), "must not be later than today");
        }
        Standing {
            status: self.status,
            percent,
            note,
            progress_on: Some(day),
        }
    }

    /// Checks a report on its own (422 with every error).
    pub fn parse(&self, before: &Standing, today: NaiveDate) -> ApiResult<Standing> {
        let mut errors = FieldErrors::default();
        let standing = self.check(before, today, "", &mut errors);
        errors.finish()?;
        Ok(standing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 3, d).unwrap_or_default()
    }

    fn report(status: ActivityStatus, percent: Option<i32>) -> ProgressReport {
        ProgressReport {
            status,
            percent,
            note: Some("  Klart i Växjö.  ".into()),
            progress_on: None,
        }
    }

    #[test]
    fn done_is_whole_and_percent_defaults_to_where_it_stood() {
        let before = Standing {
            status: ActivityStatus::Ongoing,
            percent: 40,
            note: None,
            progress_on: None,
        };
        let done = report(ActivityStatus::Done, None).parse(&before, day(7));
        assert_eq!(done.as_ref().map(|s| s.percent).ok(), Some(100));
        assert_eq!(
            done.ok().and_then(|s| s.note),
            Some("Klart i Växjö.".to_owned())
        );
        let kept = report(ActivityStatus::Ongoing, None).parse(&before, day(7));
        assert_eq!(kept.map(|s| s.percent).ok(), Some(40));
        assert!(
            report(ActivityStatus::Done, Some(80))
                .parse(&before, day(7))
                .is_err()
        );
        assert!(
            report(ActivityStatus::Ongoing, Some(101))
                .parse(&before, day(7))
                .is_err()
        );
        let mut late = report(ActivityStatus::Ongoing, Some(50));
        late.progress_on = Some(Day(day(8)));
        assert!(
            late.parse(&before, day(7)).is_err(),
            "a report from tomorrow"
        );
    }
}
