//! `samverkan seed --demo`: a demo collaboration modelled on the seeds, with fictional people,
//! written through the same checks, store functions and audit log as any API write.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    auth::Role,
    domain::{
        member::{Member, UncheckedMember},
        membership::{Membership, MembershipRole, UncheckedMembership},
        organisation::{Organisation, OrganisationKind, UncheckedOrganisation},
    },
    entities::organisation,
    error::{ApiError, ApiResult},
    store::{Actor, begin_write, members, memberships, organisations},
};

/// The demo data: the steering group of *Barnens bästa gäller! i Kronoberg* as of 2021-06-04.
const KRONOBERG: &str = include_str!("demo_kronoberg.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Demo {
    #[allow(dead_code)]
    about: String,
    organisations: Vec<DemoOrganisation>,
    members: Vec<DemoMember>,
    memberships: Vec<DemoMembership>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoOrganisation {
    key: String,
    name: String,
    kind: OrganisationKind,
    short_name: Option<String>,
    municipality_code: Option<String>,
    county_code: Option<String>,
    website: Option<String>,
    #[serde(default)]
    subtitle: Option<String>,
    parent: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoMember {
    key: String,
    name: String,
    title: Option<String>,
    organisation: Option<String>,
    email: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoMembership {
    member: String,
    group: String,
    role: MembershipRole,
    represents: Option<String>,
    start: NaiveDate,
    end: Option<NaiveDate>,
    substitute_for: Option<String>,
    note: Option<String>,
    #[serde(default = "yes")]
    voting_right: bool,
}

fn yes() -> bool {
    true
}

/// What the demo seed wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    /// Organisations and groups.
    pub organisations: usize,
    /// Members.
    pub members: usize,
    /// Memberships.
    pub memberships: usize,
}

fn lookup(keys: &HashMap<String, Uuid>, key: &str) -> ApiResult<Uuid> {
    keys.get(key)
        .copied()
        .ok_or_else(|| ApiError::Internal(format!("demo data names an unknown key `{key}`").into()))
}

/// Writes the demo collaboration in one transaction. Refused (409) when the database already
/// holds organisations, so that it never mixes with real data.
pub async fn seed(db: &DatabaseConnection) -> ApiResult<Seeded> {
    let demo: Demo =
        serde_json::from_str(KRONOBERG).map_err(|e| ApiError::Internal(Box::new(e)))?;
    let actor = Actor::new("samverkan-seed-demo".into(), vec![Role::Admin]);
    let txn = begin_write(db).await?;
    if organisation::Entity::find().count(&txn).await? > 0 {
        return Err(ApiError::Conflict(
            "the database already holds organisations; seed the demo into an empty one".into(),
        ));
    }
    let mut keys: HashMap<String, Uuid> = HashMap::new();
    for org in &demo.organisations {
        let parent_id = org
            .parent
            .as_deref()
            .map(|p| lookup(&keys, p))
            .transpose()?;
        let checked = Organisation::parse(UncheckedOrganisation {
            name: org.name.clone(),
            short_name: org.short_name.clone(),
            kind: Some(org.kind),
            municipality_code: org.municipality_code.clone(),
            county_code: org.county_code.clone(),
            parent_id,
            website: org.website.clone(),
            subtitle: org.subtitle.clone(),
            identifiers: Vec::new(),
            archived: false,
        })?;
        let row = organisations::insert(&txn, &actor, checked).await?;
        keys.insert(org.key.clone(), row.id);
    }
    for person in &demo.members {
        let organisation_id = person
            .organisation
            .as_deref()
            .map(|o| lookup(&keys, o))
            .transpose()?;
        let checked = Member::parse(UncheckedMember {
            name: person.name.clone(),
            title: person.title.clone(),
            organisation_id,
            email: person.email.clone(),
            phone: None,
            subject: None,
        })?;
        let row = members::insert(&txn, &actor, checked).await?;
        keys.insert(person.key.clone(), row.id);
    }
    for seat in &demo.memberships {
        let checked = Membership::parse(UncheckedMembership {
            member_id: lookup(&keys, &seat.member)?,
            group_id: lookup(&keys, &seat.group)?,
            role: seat.role,
            represents_id: seat
                .represents
                .as_deref()
                .map(|r| lookup(&keys, r))
                .transpose()?,
            start_date: seat.start,
            end_date: seat.end,
            substitute_for_member_id: seat
                .substitute_for
                .as_deref()
                .map(|s| lookup(&keys, s))
                .transpose()?,
            voting_right: seat.voting_right,
            note: seat.note.clone(),
            elected_by_decision_id: None,
        })?;
        memberships::insert(&txn, &actor, checked).await?;
    }
    txn.commit().await?;
    Ok(Seeded {
        organisations: demo.organisations.len(),
        members: demo.members.len(),
        memberships: demo.memberships.len(),
    })
}
