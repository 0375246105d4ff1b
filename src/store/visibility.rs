//! Who may see a record when they see public records only: decided here once, for every read
//! path (by id, lists, `updated_since` pulls, follow-ups, minutes, search, the feed).
//!
//! **A record is never more visible than the records it sits under**:
//! - a meeting is public when its own flag says so;
//! - an agenda item when it and its meeting are;
//! - a decision when it, its agenda item and its meeting are;
//! - an action plan always; a revision (and the consultation responses to it) once it is
//!   approved or superseded;
//! - an attachment when the record it is attached to is.
//!
//! The rules come in two forms that say the same: on loaded rows (for one record and the feed's
//! scope) and as SQL conditions (for lists). The search index stores each entry's visibility;
//! [`follow_in_search`] keeps it in line when a meeting or an item changes its flag.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement},
};
use uuid::Uuid;

use crate::{
    domain::{EntityType, action_plan::RevisionStatus, attachment::OwnerType},
    entities::{action_plan_revision, agenda_item, attachment, decision, meeting},
    store::search,
};

/// Whether a meeting is public.
pub fn meeting(m: &meeting::Model) -> bool {
    m.public
}

/// Whether an agenda item is public: it and its meeting are.
pub fn agenda_item(item: &agenda_item::Model, held: &meeting::Model) -> bool {
    item.public && meeting(held)
}

/// Whether a decision is public: it, its agenda item and its meeting are.
pub fn decision(d: &decision::Model, item: &agenda_item::Model, held: &meeting::Model) -> bool {
    d.public && agenda_item(item, held)
}

/// Whether a plan revision (and every consultation response to it) is public: it is approved
/// or superseded.
pub fn revision(status: RevisionStatus) -> bool {
    status.is_settled()
}

/// The SQL form of [`revision`], for lists of revisions.
pub fn revisions_condition() -> Condition {
    Condition::all().add(
        crate::entities::action_plan_revision::Column::Status
            .is_in([RevisionStatus::Approved, RevisionStatus::Superseded]),
    )
}

/// The ids of public meetings.
fn public_meetings() -> SelectStatement {
    Query::select()
        .column(meeting::Column::Id)
        .from(meeting::Entity)
        .and_where(meeting::Column::Public.eq(true))
        .to_owned()
}

/// The ids of public agenda items (of public meetings): [`agenda_items_condition`].
fn public_items() -> SelectStatement {
    Query::select()
        .column(agenda_item::Column::Id)
        .from(agenda_item::Entity)
        .cond_where(agenda_items_condition())
        .to_owned()
}

/// The SQL form of [`agenda_item`], for lists of agenda items: a lookup of the item's meeting
/// per row (a correlated `EXISTS`), so that a page read in index order stops after its rows
/// instead of collecting every public meeting first.
pub fn agenda_items_condition() -> Condition {
    let held = Alias::new("visible_meeting");
    Condition::all()
        .add(agenda_item::Column::Public.eq(true))
        .add(Expr::exists(
            Query::select()
                .expr(Expr::value(1))
                .from_as(meeting::Entity, held.clone())
                .and_where(
                    Expr::col((held.clone(), meeting::Column::Id))
                        .equals((agenda_item::Entity, agenda_item::Column::MeetingId)),
                )
                .and_where(Expr::col((held, meeting::Column::Public)).eq(true))
                .to_owned(),
        ))
}

/// The SQL form of [`decision`], for lists of decisions: its item and meeting looked up per
/// row (see [`agenda_items_condition`]).
pub fn decisions_condition() -> Condition {
    let (item, held) = (Alias::new("visible_item"), Alias::new("visible_meeting"));
    Condition::all()
        .add(decision::Column::Public.eq(true))
        .add(Expr::exists(
            Query::select()
                .expr(Expr::value(1))
                .from_as(agenda_item::Entity, item.clone())
                .join_as(
                    JoinType::InnerJoin,
                    meeting::Entity,
                    held.clone(),
                    Expr::col((held.clone(), meeting::Column::Id))
                        .equals((item.clone(), agenda_item::Column::MeetingId)),
                )
                .and_where(
                    Expr::col((item.clone(), agenda_item::Column::Id))
                        .equals((decision::Entity, decision::Column::AgendaItemId)),
                )
                .and_where(Expr::col((item, agenda_item::Column::Public)).eq(true))
                .and_where(Expr::col((held, meeting::Column::Public)).eq(true))
                .to_owned(),
        ))
}

/// The ids of public decisions (under public items of public meetings): [`decisions_condition`].
fn public_decisions() -> SelectStatement {
    Query::select()
        .column(decision::Column::Id)
        .from(decision::Entity)
        .cond_where(decisions_condition())
        .to_owned()
}

/// The ids of public plan revisions.
fn public_revisions() -> SelectStatement {
    Query::select()
        .column(action_plan_revision::Column::Id)
        .from(action_plan_revision::Entity)
        .and_where(
            action_plan_revision::Column::Status
                .is_in([RevisionStatus::Approved, RevisionStatus::Superseded]),
        )
        .to_owned()
}

/// The SQL form of [`attachment`]: the record each is attached to is public.
pub fn attachments_condition() -> Condition {
    let on = |kind: OwnerType, ids: SelectStatement| {
        Condition::all()
            .add(attachment::Column::OwnerType.eq(kind))
            .add(attachment::Column::OwnerId.in_subquery(ids))
    };
    Condition::any()
        .add(on(OwnerType::Meeting, public_meetings()))
        .add(on(OwnerType::AgendaItem, public_items()))
        .add(on(OwnerType::Decision, public_decisions()))
        .add(on(OwnerType::ActionPlanRevision, public_revisions()))
}

/// Whether an attachment is public: the record it is attached to is (`owner_public`, by the
/// rule of that record's kind above).
pub fn attachment(owner_public: bool) -> bool {
    owner_public
}

/// Whether a stored decision is public (its item and meeting read from the database).
pub async fn decision_is_public<C: ConnectionTrait>(
    db: &C,
    d: &decision::Model,
) -> Result<bool, DbErr> {
    if !d.public {
        return Ok(false);
    }
    let item = agenda_item::Entity::find_by_id(d.agenda_item_id)
        .one(db)
        .await?;
    let held = meeting::Entity::find_by_id(d.meeting_id).one(db).await?;
    Ok(match (item, held) {
        (Some(item), Some(held)) => decision(d, &item, &held),
        _ => false,
    })
}

/// Brings the search entries of a meeting's agenda items and decisions in line with the rules
/// above after the meeting's or one item's `public` flag changed; `meeting_public` and
/// `changed_item` are the new flags (the rows may not be written yet). Runs in the write's
/// transaction.
pub async fn follow_in_search<C: ConnectionTrait>(
    db: &C,
    meeting_id: Uuid,
    meeting_public: bool,
    changed_item: Option<(Uuid, bool)>,
) -> Result<(), DbErr> {
    let items: Vec<(Uuid, bool)> = agenda_item::Entity::find()
        .select_only()
        .column(agenda_item::Column::Id)
        .column(agenda_item::Column::Public)
        .filter(agenda_item::Column::MeetingId.eq(meeting_id))
        .into_tuple()
        .all(db)
        .await?;
    let (shown, hidden): (Vec<_>, Vec<_>) = items
        .into_iter()
        .map(|(id, public)| match changed_item {
            Some((changed, now)) if changed == id => (id, now),
            _ => (id, public),
        })
        .partition(|(_, public)| meeting_public && *public);
    for (items, visible) in [(shown, true), (hidden, false)] {
        let ids: Vec<Uuid> = items.into_iter().map(|(id, _)| id).collect();
        if ids.is_empty() {
            continue;
        }
        search::set_visible(db, EntityType::AgendaItem, ids.clone(), visible).await?;
        let decisions: Vec<Uuid> = decision::Entity::find()
            .select_only()
            .column(decision::Column::Id)
            .filter(decision::Column::AgendaItemId.is_in(ids))
            .into_tuple()
            .all(db)
            .await?;
        search::set_visible(db, EntityType::Decision, decisions, visible).await?;
    }
    Ok(())
}
