//! Members: people, their contact data and the login they may use.

use uuid::Uuid;

use super::text::{FieldErrors, Name, one_line};
use crate::error::ApiError;

/// An e-mail address: one `@`, a domain with a dot, no spaces; at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Checks an e-mail address.
    pub fn parse(value: &str) -> Result<Self, String> {
        let text = one_line(value, 3, 254)?;
        let valid = match text.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !text.contains(char::is_whitespace)
            }
            None => false,
        };
        if valid {
            Ok(Self(text))
        } else {
            Err("must be an e-mail address".into())
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number: digits with optional `+`, spaces, dashes and parentheses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Checks a phone number.
    pub fn parse(value: &str) -> Result<Self, String> {
        let text = one_line(value, 3, 40)?;
        let allowed = text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if allowed && digits >= 3 {
            Ok(Self(text))
        } else {
            Err("must be a phone number (digits, +, spaces, dashes, parentheses)".into())
        }
    }

    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The fields of a member as a client sends them, before any check.
#[derive(Debug, Clone, Default)]
pub struct UncheckedMember {
    /// Name.
    pub name: String,
    /// Job title.
    pub title: Option<String>,
    /// Employer.
    pub organisation_id: Option<Uuid>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// The JWT `sub` of the person's own login.
    pub subject: Option<String>,
}

/// A member whose fields have been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Name, 1–200 characters.
    pub name: Name,
    /// Job title, at most 200 characters.
    pub title: Option<String>,
    /// Employer (checked against the database by the store).
    pub organisation_id: Option<Uuid>,
    /// E-mail.
    pub email: Option<Email>,
    /// Phone.
    pub phone: Option<Phone>,
    /// Login subject, at most 200 characters.
    pub subject: Option<String>,
}

impl Member {
    /// Checks every field; all errors are reported at once.
    pub fn parse(input: UncheckedMember) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", Name::parse(&input.name));
        let title = input
            .title
            .as_deref()
            .and_then(|t| errors.check("title", one_line(t, 1, 200)));
        let email = input
            .email
            .as_deref()
            .and_then(|e| errors.check("email", Email::parse(e)));
        let phone = input
            .phone
            .as_deref()
            .and_then(|p| errors.check("phone", Phone::parse(p)));
        let subject = input
            .subject
            .as_deref()
            .and_then(|s| errors.check("subject", one_line(s, 1, 200)));
        errors.finish()?;
        let name = name.ok_or_else(|| ApiError::Internal("checked name missing".into()))?;
        Ok(Self {
            name,
            title,
            organisation_id: input.organisation_id,
            email,
            phone,
            subject,
        })
    }
}

/// The name an erased member gets: "Erased member" and a short token that is the same every
/// time for the same member and reveals nothing about them.
pub fn erased_name(id: Uuid) -> String {
    let simple = id.simple().to_string();
    format!("Erased member {}", &simple[simple.len() - 8..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses_need_a_local_part_and_a_dotted_domain() {
        for ok in ["anna.andersson@kronoberg.se", "a@b.se"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "anna",
            "@kronoberg.se",
            "anna@kronoberg",
            "an na@x.se",
            "a@b@c.se",
            "a@.se",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_numbers_are_digits_with_separators() {
        assert!(Phone::parse("+46 470-123 45").is_ok());
        assert!(Phone::parse("0470 (12) 34").is_ok());
        assert!(Phone::parse("call me").is_err());
        assert!(Phone::parse("+-").is_err());
    }

    #[test]
    fn an_erased_name_is_stable_and_short() {
        let id = Uuid::now_v7();
        assert_eq!(erased_name(id), erased_name(id));
        assert_eq!(erased_name(id).len(), "Erased member ".len() + 8);
    }
}
