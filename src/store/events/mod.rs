//! The change events: appended by every write in its own transaction (the outbox), given their
//! feed position in commit order, and read by the feed, the stream and the webhook deliverer.
//!
//! **Never miss, never double.** Transactions commit out of insertion order, so a reader that
//! hands out `seq > after` can pass an event whose transaction commits later. The feed
//! therefore reads `position`, which is handed out only after commit:
//! - on PostgreSQL by [`sequence`], one sequencer at a time (an advisory lock), numbering the
//!   committed events that have none in insertion order. An event that is still in flight is
//!   invisible to it and gets a later position once it commits; two writes of one record
//!   commit one after the other (row locks), so their events are positioned in that order.
//! - on SQLite writers run one at a time (`BEGIN IMMEDIATE`), so insertion order is commit
//!   order and an event's position is its `seq`, set in its own transaction.

mod cascade;
mod scope;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};
use serde_json::Value;
use uuid::Uuid;

pub use scope::{Scope, describe};

use crate::{
    domain::{
        EntityType,
        audit::Action,
        events::{CloudEvent, EventData, RecordRef, Redaction, event_type, personal_fields},
    },
    entities::change_event::{self, Column, Entity, Model},
};

/// The advisory lock key the PostgreSQL sequencer holds ("samverkan" in the alphabet).
const SEQUENCER_LOCK: i64 = 0x5a4d_5645_524b;

/// Appends the event of one change and moves its ancestors' `updated_at`; call inside the
/// write's transaction (the audit row's).
#[allow(clippy::too_many_arguments)]
pub async fn append<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    entity_type: EntityType,
    entity_id: Uuid,
    action: Action,
    version: i32,
    before: Option<&Value>,
    after: Option<&Value>,
    record: Option<Value>,
) -> Result<(), DbErr> {
    let kind = event_type(entity_type, action, before, after);
    let record = record.or_else(|| after.cloned());
    let scope = describe(db, entity_type, entity_id, record.as_ref()).await?;
    scope::touch(db, &scope.ancestors, at).await?;
    let mut data = serde_json::json!({ "record": record, "href": scope.href });
    if action == Action::Erase {
        let fields = personal_fields(entity_type)
            .iter()
            .map(|f| (*f).to_owned())
            .collect();
        let target = RecordRef {
            entity_type,
            id: entity_id,
        };
        data["redact"] = serde_json::to_value(scrub(db, target, fields).await?)
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    // A record that public callers saw and no longer may: they get a `withdrawn` event (with
    // no state) so that their copies drop it, as do the records under it; everyone else gets
    // the change itself.
    let last = if !scope.public || cascade::has_children(entity_type) {
        cascade::last_event(db, entity_type, entity_id).await?
    } else {
        None
    };
    let seen = last.as_ref().is_some_and(cascade::seen_in_public);
    let was_public = !scope.public && seen;
    let became_public = scope.public && last.is_some() && !seen;
    let event = change_event::ActiveModel {
        occurred_at: Set(at),
        entity_type: Set(entity_type),
        entity_id: Set(entity_id),
        action: Set(action.as_str().to_owned()),
        version: Set(version),
        event_type: Set(kind),
        parent_type: Set(scope.parent.as_ref().map(|p| p.entity_type)),
        parent_id: Set(scope.parent.as_ref().map(|p| p.id)),
        concerns: Set(scope.concerns.map(|c| serde_json::json!(c))),
        group_id: Set(scope.group_id),
        public: Set(scope.public),
        data: Set(Some(data)),
        position: Set(None),
        ..Default::default()
    };
    let withdrawn = was_public.then(|| cascade::withdrawal(&event, scope.href.as_deref()));
    insert(db, event).await?;
    if let Some(withdrawn) = withdrawn {
        cascade::hide_earlier(db, entity_type, entity_id).await?;
        insert(db, withdrawn).await?;
    }
    if was_public || became_public {
        cascade::follow_children(db, at, entity_type, entity_id, became_public).await?;
    }
    Ok(())
}

/// Appends one event; on SQLite its position is its `seq` (writers commit in that order).
async fn insert<C: ConnectionTrait>(db: &C, event: change_event::ActiveModel) -> Result<(), DbErr> {
    let inserted = event.insert(db).await?;
    if db.get_database_backend() != DatabaseBackend::Postgres {
        Entity::update_many()
            .col_expr(Column::Position, sea_orm::sea_query::Expr::col(Column::Seq))
            .filter(Column::Seq.eq(inserted.seq))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Gives every committed event without a position the next positions, in insertion order
/// (PostgreSQL; on SQLite each event has its position from its own transaction).
pub async fn sequence(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let pending = Entity::find()
        .select_only()
        .column(Column::Seq)
        .filter(Column::Position.is_null())
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?;
    if pending.is_none() {
        return Ok(());
    }
    let txn = db.begin().await?;
    txn.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1)",
        [SEQUENCER_LOCK.into()],
    ))
    .await?;
    txn.execute_unprepared(
        "WITH top AS (SELECT COALESCE(MAX(position), 0) AS p FROM change_events), \
         pending AS (SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM change_events \
                     WHERE position IS NULL ORDER BY seq LIMIT 10000) \
         UPDATE change_events c SET position = top.p + pending.n \
         FROM top, pending WHERE c.seq = pending.seq",
    )
    .await?;
    txn.commit().await
}

/// The newest feed position (0 when there are no events): every event at or before it is
/// committed and positioned.
pub async fn head(db: &DatabaseConnection) -> Result<i64, DbErr> {
    sequence(db).await?;
    let top = Entity::find()
        .select_only()
        .column_as(Column::Position.max(), "top")
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?;
    Ok(top.flatten().unwrap_or(0))
}

/// Which events a reader asks for.
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    /// Only event types (or families, `decision` / `decision.*`) named here; empty: all.
    pub types: Vec<String>,
    /// Only events that concern this organisation (or every party).
    pub concerns: Option<Uuid>,
    /// Only events of this group.
    pub group_id: Option<Uuid>,
    /// Only events callers who see public records only may see.
    pub public_only: bool,
}

/// One read of the feed.
#[derive(Debug, Clone)]
pub struct FeedPage {
    /// The events after the cursor, oldest first.
    pub events: Vec<Model>,
    /// Where to read on from: the last event's position, or further when the filter skipped
    /// events up to the head.
    pub next: i64,
    /// The newest position when the page was read.
    pub head: i64,
}

/// Up to `limit` events after position `after` that pass `filter`.
pub async fn read(
    db: &DatabaseConnection,
    after: i64,
    filter: &FeedFilter,
    limit: u64,
) -> Result<FeedPage, DbErr> {
    let head = head(db).await?;
    let mut select = Entity::find()
        .filter(Column::Position.gt(after))
        .filter(Column::Position.lte(head));
    if filter.public_only {
        select = select.filter(Column::Public.eq(true));
    }
    if let Some(group) = filter.group_id {
        select = select.filter(Column::GroupId.eq(group));
    }
    if let Some(org) = filter.concerns {
        select = select.filter(
            Condition::any()
                .add(Column::Concerns.is_null())
                .add(crate::store::json_holds(Column::Concerns, org)),
        );
    }
    if !filter.types.is_empty() {
        let mut any = Condition::any();
        for t in &filter.types {
            let family = t.strip_suffix(".*").unwrap_or(t);
            any = if family.contains('.') {
                any.add(Column::EventType.eq(family))
            } else {
                any.add(Column::EventType.starts_with(format!("{family}.")))
            };
        }
        select = select.filter(any);
    }
    let mut events = select
        .order_by_asc(Column::Position)
        .limit(limit)
        .all(db)
        .await?;
    // A full page reads on from its last event; a short one saw everything up to the head.
    let next = match events.last().and_then(|e| e.position) {
        Some(position) if events.len() as u64 >= limit => position,
        _ => head.max(after),
    };
    if let Some(org) = filter.concerns {
        // `json_holds` matches the text; keep only rows whose list really holds the id.
        events.retain(|e| concerns_of(e).is_none_or(|c| c.contains(&org)));
    }
    Ok(FeedPage { events, next, head })
}

fn concerns_of(event: &Model) -> Option<Vec<Uuid>> {
    event
        .concerns
        .as_ref()
        .and_then(|c| serde_json::from_value(c.clone()).ok())
}

/// The CloudEvent of a stored event; `source` names this service.
pub fn cloud_event(source: &str, event: &Model) -> CloudEvent {
    let data = event.data.clone().unwrap_or(Value::Null);
    let parent = event
        .parent_type
        .zip(event.parent_id)
        .map(|(entity_type, id)| RecordRef { entity_type, id });
    let redact = data
        .get("redact")
        .and_then(|r| serde_json::from_value::<Redaction>(r.clone()).ok());
    let payload = EventData {
        seq: event.position.unwrap_or(event.seq),
        entity_type: event.entity_type,
        entity_id: event.entity_id,
        version: event.version,
        action: event.action.clone(),
        occurred_at: event.occurred_at,
        parent,
        concerns: concerns_of(event),
        group_id: event.group_id,
        href: data.get("href").and_then(Value::as_str).map(str::to_owned),
        record: data.get("record").cloned().unwrap_or(Value::Null),
        redact,
    };
    CloudEvent::new(source, event.event_type.clone(), payload)
}

/// Scrubs the stored state of every earlier event about a record (an erasure), and returns
/// the redaction the erasure's own event carries.
pub async fn scrub<C: ConnectionTrait>(
    db: &C,
    record: RecordRef,
    fields: Vec<String>,
) -> Result<Redaction, DbErr> {
    let events = Entity::find()
        .filter(Column::EntityType.eq(record.entity_type))
        .filter(Column::EntityId.eq(record.id))
        .all(db)
        .await?;
    for event in events {
        let Some(mut data) = event.data.clone() else {
            continue;
        };
        if let Some(state) = data.get_mut("record").and_then(Value::as_object_mut) {
            for field in &fields {
                if state.contains_key(field) {
                    state.insert(field.clone(), Value::Null);
                }
            }
        }
        if Some(&data) != event.data.as_ref() {
            Entity::update_many()
                .col_expr(Column::Data, sea_orm::sea_query::Expr::value(data))
                .filter(Column::Seq.eq(event.seq))
                .exec(db)
                .await?;
        }
    }
    Ok(Redaction {
        record,
        fields,
        earlier_events_scrubbed: true,
    })
}

/// Replaces every match of `pattern` by `replacement` in the stored state of every event (an
/// erasure: a person's name, e-mail or phone in a decision's text or an agenda item's minutes
/// is scrubbed from the feed's earlier copies as from the records). Reads the events in
/// batches; an erasure is rare, and reaches every copy.
pub async fn scrub_mentions<C: ConnectionTrait>(
    db: &C,
    pattern: &regex::Regex,
    replacement: &str,
) -> Result<(), DbErr> {
    const BATCH: u64 = 1000;
    let mut after = 0;
    loop {
        let events = Entity::find()
            .filter(Column::Seq.gt(after))
            .filter(Column::Data.is_not_null())
            .order_by_asc(Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        let Some(last) = events.last().map(|e| e.seq) else {
            return Ok(());
        };
        for event in events {
            let Some(data) = &event.data else { continue };
            let text = data.to_string();
            if !pattern.is_match(&text) {
                continue;
            }
            let scrubbed = scrub_value(data.clone(), pattern, replacement);
            Entity::update_many()
                .col_expr(Column::Data, sea_orm::sea_query::Expr::value(scrubbed))
                .filter(Column::Seq.eq(event.seq))
                .exec(db)
                .await?;
        }
        after = last;
    }
}

/// `value` with `pattern` replaced in every string it holds.
pub(crate) fn scrub_value(value: Value, pattern: &regex::Regex, replacement: &str) -> Value {
    match value {
        Value::String(text) => Value::String(pattern.replace_all(&text, replacement).into_owned()),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| scrub_value(v, pattern, replacement))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, scrub_value(v, pattern, replacement)))
                .collect(),
        ),
        other => other,
    }
}
