//! An agenda item's own fields and their checks; the store checks the members and the number.

use std::ops::Deref;

use uuid::Uuid;

use super::MAX_LIST;
use crate::{
    domain::text::{FieldErrors, multi_line, one_line},
    error::ApiResult,
};

/// The fields of an agenda item as a client sends them, before any check.
#[derive(Debug, Clone)]
pub struct UncheckedAgendaItem {
    /// E.g. "3" or "3.1".
    pub number: String,
    /// 1-based place in the agenda; none appends.
    pub position: Option<i32>,
    /// Title.
    pub title: String,
    /// Presenters (members).
    pub presenter_ids: Vec<Uuid>,
    /// Guests (members).
    pub guest_ids: Vec<Uuid>,
    /// Minutes text (Markdown).
    pub minutes: Option<String>,
    /// Members who declared a conflict of interest (jäv) and took no part in the item.
    pub conflicts: Vec<crate::domain::proceedings::Conflict>,
    /// Public.
    pub public: bool,
}

/// An agenda item whose own fields are valid; the store checks the members and the number.
/// Only [`AgendaItem::parse`] builds one; its fields are read through `Deref`.
#[derive(Debug, Clone)]
pub struct AgendaItem(UncheckedAgendaItem);

impl Deref for AgendaItem {
    type Target = UncheckedAgendaItem;

    fn deref(&self) -> &UncheckedAgendaItem {
        &self.0
    }
}

impl AgendaItem {
    /// Checks the fields; all errors are reported at once.
    pub fn parse(input: UncheckedAgendaItem) -> ApiResult<Self> {
        input.check().map(Self)
    }
}

impl UncheckedAgendaItem {
    fn check(mut self) -> ApiResult<Self> {
        let mut errors = FieldErrors::default();
        match one_line(&self.number, 1, 20) {
            Ok(number)
                if number
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.') =>
            {
                self.number = number
            }
            Ok(_) => errors.add("number", "letters, digits and dots only, e.g. 3 or 3.1"),
            Err(message) => errors.add("number", message),
        }
        if let Some(title) = errors.check("title", one_line(&self.title, 1, 200)) {
            self.title = title;
        }
        if self.position.is_some_and(|p| p < 1) {
            errors.add("position", "must be 1 or more");
        }
        for (field, list) in [
            ("presenter_ids", &self.presenter_ids),
            ("guest_ids", &self.guest_ids),
        ] {
            if list.len() > MAX_LIST {
                errors.add(field, format!("at most {MAX_LIST}"));
            }
        }
        if let Some(text) = self.minutes.as_deref() {
            self.minutes = errors.check("minutes", multi_line(text, 100_000)).flatten();
        }
        crate::domain::proceedings::check_conflicts(&mut errors, &mut self.conflicts);
        errors.finish()?;
        Ok(self)
    }
}
