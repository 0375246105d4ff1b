//! `Idempotency-Key` for POST: the first request's response is stored in the same transaction
//! as its write, and a retry with the same key and payload is answered from the store.
//!
//! Keys are scoped to the caller (by actor id, see [`super::actors`]), so one caller cannot replay another's response. A key
//! reused with a different payload is a 422; a key whose first request is still in flight is a
//! 409. Stored responses expire after [`KEY_LIFETIME_HOURS`] hours.

use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Set, SqlErr,
};
use sha2::{Digest, Sha256};

use super::{Actor, begin_write, now};
use crate::{
    entities::idempotency_key::{self, ActiveModel, Column, Entity},
    error::{ApiError, ApiResult},
};

/// How long a stored response is replayed.
pub const KEY_LIFETIME_HOURS: i64 = 24;

/// A client's `Idempotency-Key` and the fingerprint of the request it came with.
#[derive(Debug, Clone)]
pub struct Idempotent {
    /// The key, as the client sent it (without quotes).
    pub key: String,
    /// SHA-256 of the method, path and body.
    pub fingerprint: String,
}

impl Idempotent {
    /// The key with the fingerprint of `method path body`.
    pub fn new(key: String, method: &str, path: &str, body_digest: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(method.as_bytes());
        hasher.update(b" ");
        hasher.update(path.as_bytes());
        hasher.update(b"\n");
        hasher.update(body_digest);
        Self {
            key,
            fingerprint: format!("{:x}", hasher.finalize()),
        }
    }
}

/// A response as stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// `Location` header.
    pub location: Option<String>,
    /// `ETag` header.
    pub etag: Option<String>,
    /// The JSON body.
    pub body: String,
}

/// The response stored for `idempotent` by `actor`, if there is one that has not expired;
/// 422 when the key was used with another request.
pub async fn stored<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    idempotent: &Idempotent,
) -> ApiResult<Option<StoredResponse>> {
    let cutoff = now() - Duration::hours(KEY_LIFETIME_HOURS);
    let Some(actor_id) = actor.existing_id(db).await? else {
        return Ok(None);
    };
    let row = Entity::find()
        .filter(Column::Actor.eq(actor_id.to_string()))
        .filter(Column::Key.eq(idempotent.key.as_str()))
        .filter(Column::CreatedAt.gte(cutoff))
        .one(db)
        .await?;
    match row {
        None => Ok(None),
        Some(row) if row.fingerprint != idempotent.fingerprint => Err(ApiError::field(
            "Idempotency-Key",
            "was already used with a different request; use a new key",
        )),
        Some(row) => Ok(Some(StoredResponse {
            status: u16::try_from(row.status).unwrap_or(200),
            location: row.location,
            etag: row.etag,
            body: row.body,
        })),
    }
}

/// Runs `write` in a write transaction and answers with `render` of its result; with a key,
/// a stored response is replayed instead, and a new one is stored in the same transaction.
/// Returns the response and whether it is a replay.
pub async fn create_once<M>(
    db: &DatabaseConnection,
    actor: &Actor,
    idempotent: Option<&Idempotent>,
    write: impl AsyncFnOnce(&DatabaseTransaction) -> ApiResult<M>,
    render: impl FnOnce(&M) -> ApiResult<StoredResponse>,
) -> ApiResult<(StoredResponse, bool)> {
    if let Some(idempotent) = idempotent
        && let Some(response) = stored(db, actor, idempotent).await?
    {
        return Ok((response, true));
    }
    let txn = begin_write(db).await?;
    let created = write(&txn).await?;
    let response = render(&created)?;
    if let Some(idempotent) = idempotent {
        save(&txn, actor, idempotent, &response).await?;
    }
    txn.commit().await?;
    Ok((response, false))
}

async fn save(
    txn: &DatabaseTransaction,
    actor: &Actor,
    idempotent: &Idempotent,
    response: &StoredResponse,
) -> ApiResult<()> {
    let at = now();
    let actor_id = actor.id(txn).await?.to_string();
    // Expired entries go, so that stored responses are not kept past their lifetime.
    Entity::delete_many()
        .filter(Column::CreatedAt.lt(at - Duration::hours(KEY_LIFETIME_HOURS)))
        .exec(txn)
        .await?;
    let inserted = ActiveModel {
        actor: Set(actor_id),
        key: Set(idempotent.key.clone()),
        fingerprint: Set(idempotent.fingerprint.clone()),
        status: Set(i32::from(response.status)),
        location: Set(response.location.clone()),
        etag: Set(response.etag.clone()),
        body: Set(response.body.clone()),
        created_at: Set(at),
    }
    .insert(txn)
    .await;
    match inserted {
        Ok(idempotency_key::Model { .. }) => Ok(()),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(ApiError::Conflict(
                "a request with this Idempotency-Key is already being processed; retry shortly"
                    .into(),
            ))
        }
        Err(e) => Err(e.into()),
    }
}
