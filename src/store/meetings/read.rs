//! Read models over a meeting's rows: the attendance summary and a member's involvement (for
//! their export and erasure).

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Condition};
use uuid::Uuid;

use super::attendance::seated;
use crate::{
    entities::{agenda_item, attendance, meeting, organisation},
    error::ApiResult,
    store::json_holds,
};

/// Counts of a meeting's attendance, and the represented organisations with nobody there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Members present in the room.
    pub present: usize,
    /// Members present remotely.
    pub remote: usize,
    /// Members absent.
    pub absent: usize,
    /// Members absent with notice.
    pub excused: usize,
    /// Standing in for a member.
    pub substitutes: usize,
    /// Guests.
    pub guests: usize,
    /// Organisations represented in the group on the date with nobody taking part.
    pub unrepresented: Vec<(Uuid, String)>,
}

/// The summary of `rows` for `meeting`.
pub async fn summary<C: ConnectionTrait>(
    db: &C,
    meeting: &meeting::Model,
    rows: &[attendance::Model],
) -> ApiResult<Summary> {
    use crate::domain::meeting::AttendanceStatus as S;
    // Members only: guests are counted on their own.
    let count = |status: S| {
        rows.iter()
            .filter(|r| !r.guest && r.status == status)
            .count()
    };
    let seats = seated(db, meeting).await?;
    let there: HashSet<Uuid> = rows
        .iter()
        .filter(|r| r.status.took_part())
        .filter_map(|r| r.represents_id)
        .collect();
    let missing: Vec<Uuid> = seats
        .values()
        .filter_map(|s| s.represents_id)
        .filter(|org| !there.contains(org))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut unrepresented: Vec<(Uuid, String)> = if missing.is_empty() {
        Vec::new()
    } else {
        organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(missing))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect()
    };
    unrepresented.sort_by_cached_key(|(_, name)| crate::domain::text::swedish_sort_key(name));
    Ok(Summary {
        present: count(S::Present),
        remote: count(S::Remote),
        absent: count(S::Absent),
        excused: count(S::Excused),
        substitutes: rows
            .iter()
            .filter(|r| r.substitute_for_member_id.is_some())
            .count(),
        guests: rows.iter().filter(|r| r.guest).count(),
        unrepresented,
    })
}

/// Attendance rows of a member (or where they were stood in for), and agenda items they
/// presented, for their export.
pub async fn involvement_of<C: ConnectionTrait>(
    db: &C,
    member_id: Uuid,
) -> ApiResult<(Vec<attendance::Model>, Vec<agenda_item::Model>)> {
    let attended = attendance::Entity::find()
        .filter(
            Condition::any()
                .add(attendance::Column::MemberId.eq(member_id))
                .add(attendance::Column::SubstituteForMemberId.eq(member_id)),
        )
        .all(db)
        .await?;
    let presented = agenda_item::Entity::find()
        .filter(
            Condition::any()
                .add(json_holds(agenda_item::Column::PresenterIds, member_id))
                .add(json_holds(agenda_item::Column::GuestIds, member_id)),
        )
        .all(db)
        .await?
        .into_iter()
        .filter(|item| {
            item.presenter_ids.contains(&member_id) || item.guest_ids.contains(&member_id)
        })
        .collect();
    Ok((attended, presented))
}

/// The meetings with these ids (any that exist), whether public or not: for the dates the
/// minutes name, never for a list a caller reads.
pub async fn get_many<C: ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
) -> ApiResult<Vec<meeting::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(meeting::Entity::find()
        .filter(meeting::Column::Id.is_in(ids))
        .all(db)
        .await?)
}
