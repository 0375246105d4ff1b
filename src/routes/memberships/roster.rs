//! A group's roster on a date: who sits in it, in which role, for whom, ordered the way the
//! group presents itself (chair, vice-chair, then by represented organisation and name).

use crate::domain::time::Day;
use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::Caller,
    domain::{membership::MembershipRole, organisation::OrganisationKind, text::swedish_sort_key},
    error::{ApiError, ApiResult},
    extract::Query,
    routes::{AppState, responses::ReadErrors},
    store,
};

/// A person or organisation named in a roster.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

/// One seat in a roster.
#[derive(Debug, Serialize, ToSchema)]
pub struct RosterEntry {
    /// The membership.
    pub membership_id: Uuid,
    /// The role.
    pub role: MembershipRole,
    /// The member.
    pub member: Named,
    /// The member's job title.
    pub title: Option<String>,
    /// The organisation the member speaks for.
    pub represents: Option<Named>,
    /// The member this one stands in for.
    pub substitute_for: Option<Named>,
    /// Whether the member votes.
    pub voting_right: bool,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: Option<NaiveDate>,
}

/// A group's members on a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct Roster {
    /// The group.
    pub group: Named,
    /// The date.
    pub on: NaiveDate,
    /// Chair, vice-chair, then by represented organisation (Swedish alphabetical order; those
    /// representing none last) and name.
    pub entries: Vec<RosterEntry>,
}

/// The date of a roster.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RosterQuery {
    /// The date (YYYY-MM-DD); today (Europe/Stockholm) when absent.
    #[param(value_type = Option<String>, format = Date, pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$")]
    pub on: Option<Day>,
}

/// The roster of a group on a date: everyone sitting in it, with role, whom they represent and
/// whom they stand in for; ordered chair, vice-chair, then by represented organisation and name.
///
/// A read model of one group on one day, not a collection of records: it is not paged and has
/// no `updated_since` (follow `GET /memberships?group_id=…&updated_since=…` for changes). 404
/// when the organisation does not exist or is not a group.
#[utoipa::path(
    tag = "memberships",
    operation_id = "get_roster",
    params(("id" = Uuid, Path, description = "Group (organisation of kind group) id"), RosterQuery),
    responses(
        (status = 200, description = "The group's roster on the date", body = Roster),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/organisations/{id}/roster")]
pub async fn get_roster(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<RosterQuery>,
) -> ApiResult<HttpResponse> {
    let group = store::organisations::get(&state.db, id.into_inner()).await?;
    if group.kind != OrganisationKind::Group {
        return Err(ApiError::NotFound);
    }
    let on = query.on.map_or_else(store::today, NaiveDate::from);
    let seats = store::memberships::running_on(&state.db, group.id, on).await?;

    let mut member_ids: Vec<Uuid> = seats.iter().map(|s| s.member_id).collect();
    member_ids.extend(seats.iter().filter_map(|s| s.substitute_for_member_id));
    let people: HashMap<Uuid, _> = store::members::get_many(&state.db, member_ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let org_ids: Vec<Uuid> = seats.iter().filter_map(|s| s.represents_id).collect();
    let orgs: HashMap<Uuid, String> = store::organisations::get_many(&state.db, org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();

    let named_member = |id: Uuid| Named {
        id,
        name: people.get(&id).map(|m| m.name.clone()).unwrap_or_default(),
    };
    let mut entries: Vec<RosterEntry> = seats
        .into_iter()
        .map(|seat| RosterEntry {
            membership_id: seat.id,
            role: seat.role,
            member: named_member(seat.member_id),
            title: people.get(&seat.member_id).and_then(|m| m.title.clone()),
            represents: seat.represents_id.map(|id| Named {
                id,
                name: orgs.get(&id).cloned().unwrap_or_default(),
            }),
            substitute_for: seat.substitute_for_member_id.map(named_member),
            voting_right: seat.voting_right,
            start_date: seat.start_date,
            end_date: seat.end_date,
        })
        .collect();
    entries.sort_by_cached_key(|e| {
        (
            e.role.roster_rank(),
            e.represents.is_none(),
            e.represents.as_ref().map(|r| swedish_sort_key(&r.name)),
            swedish_sort_key(&e.member.name),
            e.membership_id,
        )
    });
    let roster = Roster {
        group: Named {
            id: group.id,
            name: group.name,
        },
        on,
        entries,
    };
    Ok(HttpResponse::Ok().json(roster))
}
