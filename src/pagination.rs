//! Keyset (cursor) pagination shared by every list, with `updated_since` for pulling clients.
//!
//! Without `updated_since` a list is ordered by id (UUID v7, so creation order). With it, the
//! list holds the records changed at or after that time, archived ones included as tombstones,
//! ordered by (`updated_at`, `id`) so that a client can mirror changes page by page.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, sea_query::Condition,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, bad_parameter};

/// Page size when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 50;
/// Largest accepted `limit`.
pub const MAX_LIMIT: u64 = 200;

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The records of this page.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// The value a sorted list is ordered by (then by id): a time (meetings by start) or a number
/// (decisions in the order of the minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// A time.
    Time(DateTime<Utc>),
    /// A number.
    Number(i64),
}

impl From<DateTime<Utc>> for SortKey {
    fn from(at: DateTime<Utc>) -> Self {
        Self::Time(at)
    }
}

impl From<i64> for SortKey {
    fn from(n: i64) -> Self {
        Self::Number(n)
    }
}

impl From<SortKey> for sea_orm::Value {
    fn from(key: SortKey) -> Self {
        match key {
            SortKey::Time(at) => at.into(),
            SortKey::Number(n) => n.into(),
        }
    }
}

/// Where a page starts: just after the record with this key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    Id(Uuid),
    Updated(DateTime<Utc>, Uuid),
    At(SortKey, Uuid),
    Seq(i64),
}

impl Cursor {
    fn encode(self) -> String {
        let raw = match self {
            Self::Id(id) => format!("i:{id}"),
            Self::Updated(at, id) => format!("u:{}:{id}", at.timestamp_micros()),
            Self::At(SortKey::Time(at), id) => format!("a:{}:{id}", at.timestamp_micros()),
            Self::At(SortKey::Number(n), id) => format!("k:{n}:{id}"),
            Self::Seq(seq) => format!("s:{seq}"),
        };
        URL_SAFE_NO_PAD.encode(raw)
    }

    fn decode(text: &str) -> Option<Self> {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
        let (kind, rest) = raw.split_once(':')?;
        match kind {
            "i" => Some(Self::Id(rest.parse().ok()?)),
            "u" | "a" => {
                let (micros, id) = rest.split_once(':')?;
                let at = DateTime::from_timestamp_micros(micros.parse().ok()?)
                    .filter(|at| crate::domain::time::in_range(*at))?;
                let id = id.parse().ok()?;
                Some(if kind == "u" {
                    Self::Updated(at, id)
                } else {
                    Self::At(SortKey::Time(at), id)
                })
            }
            "k" => {
                let (n, id) = rest.split_once(':')?;
                Some(Self::At(SortKey::Number(n.parse().ok()?), id.parse().ok()?))
            }
            "s" => Some(Self::Seq(rest.parse().ok()?)),
            _ => None,
        }
    }
}

/// The paging part of a list request, checked.
#[derive(Debug, Clone)]
pub struct PageRequest {
    limit: u64,
    after: Option<Cursor>,
    updated_since: Option<DateTime<Utc>>,
}

impl PageRequest {
    /// Checks `limit` (1..=200) and `cursor` (one this list handed out for the same ordering).
    pub fn new(
        limit: Option<i64>,
        cursor: Option<&str>,
        updated_since: Option<DateTime<Utc>>,
    ) -> Result<Self, ApiError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as u64,
            Some(_) => return Err(bad_parameter("limit", "must be between 1 and 200")),
        };
        let after = match cursor {
            None => None,
            Some(text) => {
                let cursor = Cursor::decode(text)
                    .ok_or_else(|| bad_parameter("cursor", "is not a cursor this list gave"))?;
                let fits = matches!(
                    (cursor, updated_since.is_some()),
                    (Cursor::Id(_) | Cursor::At(..), false)
                        | (Cursor::Updated(..), true)
                        | (Cursor::Seq(_), _)
                );
                if !fits {
                    return Err(bad_parameter(
                        "cursor",
                        "belongs to a list with a different `updated_since`",
                    ));
                }
                Some(cursor)
            }
        };
        Ok(Self {
            limit,
            after,
            updated_since,
        })
    }

    /// The same request with a larger page, for internal overviews that are not paged.
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Whether the list is a change pull (`updated_since` given): tombstones included.
    pub fn is_change_pull(&self) -> bool {
        self.updated_since.is_some()
    }

    /// Restricts and orders `select` for this page, keyed on a UUID `id` and `updated_at`.
    pub fn apply<E, C>(&self, select: Select<E>, id: C, updated_at: C) -> Select<E>
    where
        E: EntityTrait,
        C: ColumnTrait,
    {
        let mut select = select.limit(self.limit + 1);
        match self.updated_since {
            Some(since) => {
                select = select.filter(updated_at.gte(since));
                if let Some(Cursor::Updated(at, after_id)) = self.after {
                    select = select.filter(
                        Condition::any()
                            .add(updated_at.gt(at))
                            .add(Condition::all().add(updated_at.eq(at)).add(id.gt(after_id))),
                    );
                }
                select.order_by_asc(updated_at).order_by_asc(id)
            }
            None => {
                if let Some(Cursor::Id(after_id)) = self.after {
                    select = select.filter(id.gt(after_id));
                }
                select.order_by_asc(id)
            }
        }
    }

    /// Like [`Self::apply`], but a list that is not a change pull is ordered by the column
    /// `sort` (then id), e.g. meetings by start (`numeric` false), decisions in the order of the
    /// minutes (`numeric` true); a cursor of the other kind is a 400.
    pub fn apply_sorted<E, C>(
        &self,
        select: Select<E>,
        id: C,
        sort: C,
        updated_at: C,
        numeric: bool,
    ) -> Result<Select<E>, ApiError>
    where
        E: EntityTrait,
        C: ColumnTrait,
    {
        if self.updated_since.is_some() {
            return Ok(self.apply(select, id, updated_at));
        }
        let mut select = select.limit(self.limit + 1);
        if let Some(Cursor::At(at, after_id)) = self.after {
            if matches!(at, SortKey::Number(_)) != numeric {
                return Err(bad_parameter("cursor", "is not a cursor this list gave"));
            }
            let at = sea_orm::Value::from(at);
            select = select.filter(
                Condition::any()
                    .add(sort.gt(at.clone()))
                    .add(Condition::all().add(sort.eq(at)).add(id.gt(after_id))),
            );
        }
        Ok(select.order_by_asc(sort).order_by_asc(id))
    }

    /// Cuts the fetched rows of [`Self::apply_sorted`] to the page and makes the next cursor;
    /// `key` gives (sort time, updated_at, id).
    pub fn finish_sorted<M>(
        &self,
        rows: Vec<M>,
        key: impl Fn(&M) -> (SortKey, DateTime<Utc>, Uuid),
    ) -> (Vec<M>, Option<String>) {
        self.cut(rows, |last| {
            let (sort, updated, id) = key(last);
            if self.updated_since.is_some() {
                Cursor::Updated(updated, id)
            } else {
                Cursor::At(sort, id)
            }
        })
    }

    /// Restricts and orders `select` for this page, keyed on an integer sequence `seq` and
    /// filtered on the time column `at` by `updated_since`.
    pub fn apply_seq<E, C>(&self, select: Select<E>, seq: C, at: C) -> Select<E>
    where
        E: EntityTrait,
        C: ColumnTrait,
    {
        let mut select = select.limit(self.limit + 1).order_by_asc(seq);
        if let Some(since) = self.updated_since {
            select = select.filter(at.gte(since));
        }
        if let Some(Cursor::Seq(after)) = self.after {
            select = select.filter(seq.gt(after));
        }
        select
    }

    /// Cuts the fetched rows to the page and makes the next cursor (UUID-keyed lists).
    pub fn finish<M>(
        &self,
        rows: Vec<M>,
        key: impl Fn(&M) -> (DateTime<Utc>, Uuid),
    ) -> (Vec<M>, Option<String>) {
        self.cut(rows, |last| {
            let (at, id) = key(last);
            if self.updated_since.is_some() {
                Cursor::Updated(at, id)
            } else {
                Cursor::Id(id)
            }
        })
    }

    /// Cuts the fetched rows to the page and makes the next cursor (sequence-keyed lists).
    pub fn finish_seq<M>(&self, rows: Vec<M>, seq: impl Fn(&M) -> i64) -> (Vec<M>, Option<String>) {
        self.cut(rows, |last| Cursor::Seq(seq(last)))
    }

    fn cut<M>(&self, mut rows: Vec<M>, cursor: impl Fn(&M) -> Cursor) -> (Vec<M>, Option<String>) {
        let limit = self.limit as usize;
        if rows.len() > limit {
            rows.truncate(limit);
            let next = rows.last().map(|last| cursor(last).encode());
            (rows, next)
        } else {
            (rows, None)
        }
    }
}

/// Deserialises an RFC 3339 timestamp from a query string, reading a space as the `+` of an
/// offset that the client forgot to percent-encode.
pub fn query_timestamp<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    let Some(text) = Option::<String>::deserialize(de)? else {
        return Ok(None);
    };
    let at = DateTime::parse_from_rfc3339(&text)
        .or_else(|_| DateTime::parse_from_rfc3339(&text.replace(' ', "+")))
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            serde::de::Error::custom("must be an RFC 3339 timestamp, e.g. 2026-01-31T12:00:00Z")
        })?;
    if crate::domain::time::in_range(at) {
        Ok(Some(at))
    } else {
        Err(serde::de::Error::custom(crate::domain::time::OUT_OF_RANGE))
    }
}
