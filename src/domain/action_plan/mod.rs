//! Action plans: where a revision is in its life and the rules between its statuses, the
//! checked fields of a revision, and where an approved revision was published. The content
//! (sections, goals, activities) is in [`content`], the diff of two revisions in [`diff`].

mod content;
mod diff;
mod progress;

use crate::domain::time::Day;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use content::{Activity, ActivityStatus, Content, Goal, Section, Tally, check_due};
pub use diff::{Change, ContentDiff, FieldChange, PartDiff, diff};
pub use progress::{ProgressReport, Standing};

use super::text::{FieldErrors, multi_line};
use crate::error::ApiResult;

crate::string_enum! {
    /// Where a revision is in its life.
    pub enum RevisionStatus {
        /// Being written; the only status in which the content changes.
        Draft = "draft",
        /// Sent out for consultation (remiss) until `consultation_deadline`.
        Consultation = "consultation",
        /// Approved by a decision; never changes again.
        Approved = "approved",
        /// Replaced by a later approved revision; never changes again.
        Superseded = "superseded",
    }
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
}

/// Content after [`Content::check`]: only a check builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedContent(Content);

impl CheckedContent {
    /// Checks `content`; every error at once, under `content`.
    pub fn parse(content: Content) -> ApiResult<Self> {
        let mut errors = FieldErrors::default();
        let content = content.check("content", &mut errors);
        errors.finish()?;
        Ok(Self(content))
    }

    /// The content.
    pub fn get(&self) -> &Content {
        &self.0
    }

    /// The content, owned.
    pub fn into_inner(self) -> Content {
        self.0
    }
}

/// Checks a change summary: at most 10 000 characters; empty means none.
pub fn check_change_summary(summary: Option<String>) -> ApiResult<Option<String>> {
    let mut errors = FieldErrors::default();
    let summary = match summary {
        None => None,
        Some(text) => errors
            .check("change_summary", multi_line(&text, 10_000))
            .flatten(),
    };
    errors.finish()?;
    Ok(summary)
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

/// A revision whose own fields are consistent (only [`Revision::parse`] builds one); the store
/// checks references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    content: CheckedContent,
    change_summary: Option<String>,
    valid_from: Option<NaiveDate>,
}

impl Revision {
    /// Checks every field; all errors are reported at once.
    pub fn parse(unchecked: UncheckedRevision) -> ApiResult<Self> {
        let mut errors = FieldErrors::default();
        let content = unchecked.content.check("content", &mut errors);
        let change_summary = match &unchecked.change_summary {
            None => None,
            Some(summary) => errors
                .check("change_summary", multi_line(summary, 10_000))
                .flatten(),
        };
        errors.finish()?;
        Ok(Self {
            content: CheckedContent(content),
            change_summary,
            valid_from: unchecked.valid_from,
        })
    }

    /// The checked content, the change summary and the first day in force.
    pub fn into_parts(self) -> (CheckedContent, Option<String>, Option<NaiveDate>) {
        (self.content, self.change_summary, self.valid_from)
    }
}

crate::string_enum! {
    /// Where a revision was published.
    pub enum Channel {
        /// The document portal (dokumentportalen).
        DocumentPortal = "document_portal",
        /// A website.
        Website = "website",
        /// Anywhere else.
        Other = "other",
    }
}

/// One publication of an approved revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// Where.
    pub channel: Channel,
    /// The address: an absolute `http` or `https` URL with a host, at most 2000 characters.
    #[schema(
        example = "https://www.regionkronoberg.se/handlingsplan.pdf",
        min_length = 8,
        max_length = 2000,
        pattern = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^/?#\s]"
    )]
    pub url: String,
    /// The day it was published.
    pub published_at: Day,
}

impl Publication {
    /// Checks the URL (absolute, `http` or `https`, with a host: the document's pattern and
    /// what the URL parser accepts); trims it.
    pub fn check(mut self) -> ApiResult<Self> {
        let mut errors = FieldErrors::default();
        let url = self.url.trim();
        let lower = url.to_ascii_lowercase();
        let shaped = ["http://", "https://"].iter().any(|scheme| {
            lower
                .strip_prefix(scheme)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| !matches!(c, '/' | '?' | '#') && !c.is_whitespace())
        });
        if self.url.chars().count() > 2000 {
            errors.add("url", "at most 2000 characters");
        } else {
            match url::Url::parse(url) {
                Ok(u)
                    if shaped
                        && matches!(u.scheme(), "http" | "https")
                        && u.host_str().is_some() =>
                {
                    self.url = url.to_owned();
                }
                _ => errors.add("url", "must be an http or https URL"),
            }
        }
        errors.finish()?;
        Ok(self)
    }
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
            weight: None,
        }
    }

    #[test]
    fn weights_tilt_the_mean_and_the_cancelled_never_count() {
        let mut tally = Tally::default();
        tally.add_at(ActivityStatus::Done, 100, 3.0);
        tally.add_at(ActivityStatus::Planned, 0, 1.0);
        tally.add_at(ActivityStatus::Cancelled, 0, 50.0);
        assert_eq!(tally.mean_progress(), Some(75.0));
        let mut section = Tally::default();
        section.merge(&tally);
        section.add_at(ActivityStatus::Ongoing, 50, 4.0);
        assert_eq!(section.mean_progress(), Some(62.5));
        assert_eq!(section.by_status()["cancelled"], 1);
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
            published_at: Day(NaiveDate::from_ymd_opt(2021, 11, 10).unwrap()),
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
            "https:example.se",
            "https:///example.se",
        ] {
            assert!(p(bad).check().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_goal_counts_every_status_and_averages_all_but_the_cancelled() {
        let mut cancelled = activity("c", 10);
        cancelled.status = ActivityStatus::Cancelled;
        let content = plan(vec![(
            "g",
            vec![activity("a", 0), activity("b", 100), cancelled],
        )]);
        let tally = content.sections[0].goals[0].tally();
        assert_eq!(tally.mean_progress(), Some(50.0));
        let counts = tally.by_status();
        assert_eq!(
            (counts["planned"], counts["cancelled"], counts["done"]),
            (2, 1, 0)
        );
        assert_eq!(Tally::default().mean_progress(), None);
    }

    #[test]
    fn due_is_a_date_or_a_period() {
        for ok in ["2022-06-30", "2022", "2022-H2", "2022-Q3", "2022-05"] {
            assert!(check_due(ok).is_ok(), "{ok}");
        }
        for bad in [
            "2022-13",
            "snart",
            "2022-02-30",
            "",
            " 2022",
            "2022-H01",
            "2022-6-30",
        ] {
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
