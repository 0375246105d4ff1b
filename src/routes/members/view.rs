//! What a caller sees of a member: contact data only for those who may see it (absent, not
//! null, for everyone else), and never stored by caches when it is there.

use actix_web::{HttpResponse, http::header};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Caller, Identity},
    entities::member::Model,
};

/// A member. `email`, `phone` and `subject` are present only for `admin`, `secretary` and
/// `member` callers and for the person themself; for everyone else they are absent.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Name ("Erased member …" after erasure).
    #[schema(example = "Karin Lind")]
    pub name: String,
    /// Job title.
    #[schema(example = "Socialchef")]
    pub title: Option<String>,
    /// Employer.
    pub organisation_id: Option<Uuid>,
    /// E-mail (personal data: see above).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    pub email: Option<Option<String>>,
    /// Phone (personal data: see above).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    pub phone: Option<Option<String>>,
    /// The JWT `sub` of the person's own login (personal data: see above).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    pub subject: Option<Option<String>>,
    /// Whether the person's data has been erased.
    pub erased: bool,
    /// Archived (deleted) members stay readable.
    pub archived: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
}

/// Whether `caller` may see `member`'s contact data: those who see unpublished records, and
/// the person themself.
pub fn sees_contact(caller: &Caller, member: &Model) -> bool {
    caller.sees_unpublished() || caller.identity().is_some_and(|who| is_self(who, member))
}

/// Whether `who` is the person `member` (their login subject is the token's `sub`).
pub(super) fn is_self(who: &Identity, member: &Model) -> bool {
    member.subject.as_deref() == Some(who.sub.as_str())
}

impl MemberView {
    /// The member as `caller` may see them.
    pub fn for_caller(row: Model, caller: &Caller) -> Self {
        let contact = sees_contact(caller, &row);
        Self::new(row, contact)
    }

    /// The member with contact data (`contact`) or without it.
    pub fn new(row: Model, contact: bool) -> Self {
        let personal = |value: Option<String>| contact.then_some(value);
        Self {
            id: row.id,
            name: row.name,
            title: row.title,
            organisation_id: row.organisation_id,
            email: personal(row.email),
            phone: personal(row.phone),
            subject: personal(row.subject),
            erased: row.erased_at.is_some(),
            archived: row.archived,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }

    /// The member with contact data, for writers and the person themself.
    pub fn with_contact(row: Model) -> Self {
        Self::new(row, true)
    }

    pub(super) fn carries_contact(&self) -> bool {
        self.email.is_some()
    }
}

/// Responses with contact data must not be stored by caches.
pub(super) fn no_store(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// `response`, made `no-store` when it carries contact data.
pub(super) fn no_store_if(personal: bool, response: HttpResponse) -> HttpResponse {
    if personal {
        no_store(response)
    } else {
        response
    }
}
