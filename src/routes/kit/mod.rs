//! The resource kit: the HTTP protocol every resource speaks, written once.
//!
//! - create: `Idempotency-Key` (replay with `Idempotent-Replayed: true`), 201, `Location`, `ETag`
//!   ([`Write::create`]);
//! - read: `ETag`, `If-None-Match` 304 ([`read`]);
//! - update and archive: `If-Match` 412 ([`Precondition`] as an extractor, [`updated`],
//!   [`archived`]);
//! - list: `limit`, `cursor`, `updated_since` and `Link` ([`ListQuery`], [`page`]).
//!
//! The OpenAPI side of the same protocol is in [`doc`]; PATCH bodies use [`Patch`]. A handler
//! is then: extract, parse, call the store, respond.

pub mod doc;
mod patch;
pub mod tabular;

use std::{
    future::{Ready, ready},
    marker::PhantomData,
};

use actix_web::{
    FromRequest, HttpRequest, HttpResponse,
    dev::Payload,
    http::{
        StatusCode,
        header::{self, ETag, EntityTag, Header, IfMatch, IfNoneMatch},
    },
    web,
};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

pub use doc::{
    Archived, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, Listed,
    PagingParams, Read, Updated,
};
pub use patch::Patch;

use super::AppState;
use crate::{
    auth::{Authorized, Identity, Policy},
    error::{ApiError, ApiResult, FieldError},
    extract::{BodyDigest, IdempotencyKey, parse_query_pairs},
    pagination::{Page, PageRequest, query_timestamp},
    store::{
        Actor, Precondition, Versioned,
        idempotency::{self, Idempotent, StoredResponse},
    },
};

/// Whether every change to an existing record must name its version in `If-Match`
/// (`SAMVERKAN_REQUIRE_IF_MATCH`; 428 without it).
#[derive(Debug, Clone, Copy, Default)]
pub struct RequireIfMatch(pub bool);

/// Whether every POST that creates must carry an `Idempotency-Key`
/// (`SAMVERKAN_REQUIRE_IDEMPOTENCY_KEY`; 400 without it).
#[derive(Debug, Clone, Copy, Default)]
pub struct RequireIdempotencyKey(pub bool);

/// The entity tag of a record at `version`.
pub fn entity_tag(version: i32) -> EntityTag {
    EntityTag::new_strong(version.to_string())
}

impl FromRequest for Precondition {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(precondition(req))
    }
}

/// The `If-Match` header as a [`Precondition`]; a malformed one is a 400.
fn precondition(req: &HttpRequest) -> ApiResult<Precondition> {
    if !req.headers().contains_key(header::IF_MATCH) {
        let required = req
            .app_data::<RequireIfMatch>()
            .is_some_and(|required| required.0);
        return Ok(if required {
            Precondition::Required
        } else {
            Precondition::None
        });
    }
    match IfMatch::parse(req) {
        Ok(IfMatch::Any) => Ok(Precondition::Any),
        // A value that names no current version (a stale tag, a weak one, or no tag at all)
        // never matches: 412.
        Ok(IfMatch::Items(tags)) => Ok(Precondition::Versions(
            tags.iter()
                .filter(|tag| !tag.weak)
                .filter_map(|tag| tag.tag().parse().ok())
                .collect(),
        )),
        Err(_) => Err(ApiError::BadRequest("malformed If-Match header".into())),
    }
}

/// A write by a caller holding one of `P::ROLES`: the caller (401/403 before the body is read),
/// the writer as the audit log names it, the worker's pool, the `If-Match` precondition and the
/// `Idempotency-Key` (400 when malformed).
pub struct Write<P: Policy> {
    /// The verified caller.
    pub identity: Identity,
    /// The writer, resolved once for every row the write appends.
    pub actor: Actor,
    /// This worker's pool.
    pub db: DatabaseConnection,
    /// The `If-Match` precondition.
    pub precondition: Precondition,
    key: IdempotencyKey,
    key_required: bool,
    path: String,
    _policy: PhantomData<P>,
}

impl<P: Policy> FromRequest for Write<P> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let mut write = || {
            let identity = Authorized::<P>::from_request(req, payload).into_inner()?.0;
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal("no application state registered".into()))?;
            Ok(Self {
                actor: Actor::from(&identity),
                identity,
                db: state.db.clone(),
                precondition: precondition(req)?,
                key: IdempotencyKey::from_request(req, payload).into_inner()?,
                key_required: req
                    .app_data::<RequireIdempotencyKey>()
                    .is_some_and(|required| required.0),
                path: req.path().to_owned(),
                _policy: PhantomData,
            })
        };
        ready(write())
    }
}

impl<P: Policy> Write<P> {
    /// Creates a record once: `insert` runs in a write transaction (with its audit row and
    /// change event), and the 201 carries `view` of the new row at `<request path>/<id>`. With
    /// an `Idempotency-Key`, the response is stored in the same transaction and a retry with
    /// the same key and body is answered from it.
    pub async fn create<E, V>(
        &self,
        digest: &BodyDigest,
        insert: impl AsyncFnOnce(&DatabaseTransaction, &Actor) -> ApiResult<E::Model>,
        view: impl FnOnce(E::Model) -> V,
    ) -> ApiResult<HttpResponse>
    where
        E: Versioned,
        V: Serialize,
    {
        self.create_at(digest, insert, |row| {
            let location = format!("{}/{}", self.path, E::id(row));
            (location, E::version(row), view(row.clone()))
        })
        .await
    }

    /// Like [`Self::create`], for a creation whose `render` picks the location, the version and
    /// the body itself (e.g. a record made under another path).
    pub async fn create_at<M, V: Serialize>(
        &self,
        digest: &BodyDigest,
        insert: impl AsyncFnOnce(&DatabaseTransaction, &Actor) -> ApiResult<M>,
        render: impl FnOnce(&M) -> (String, i32, V),
    ) -> ApiResult<HttpResponse> {
        if self.key_required && self.key.0.is_none() {
            return Err(ApiError::BadQuery {
                detail: "this service requires an Idempotency-Key on every POST that creates"
                    .into(),
                errors: vec![FieldError::new(
                    "Idempotency-Key",
                    "is required: send a fresh key (e.g. a UUID) and the same key on a retry",
                )],
            });
        }
        let idempotent = self
            .key
            .0
            .as_ref()
            .map(|key| Idempotent::new(key.clone(), "POST", &self.path, &digest.0));
        let (response, replayed) = idempotency::create_once(
            &self.db,
            &self.actor,
            idempotent.as_ref(),
            async |txn| insert(txn, &self.actor).await,
            |row| {
                let (location, version, body) = render(row);
                created(location, version, &body)
            },
        )
        .await?;
        Ok(stored_response(response, replayed))
    }
}

/// 200 with the record and its `ETag`, or 304 when `If-None-Match` names that version.
pub fn read<T: Serialize>(req: &HttpRequest, version: i32, body: &T) -> HttpResponse {
    let tag = entity_tag(version);
    if none_match(req, &tag) {
        return HttpResponse::NotModified()
            .insert_header(ETag(tag))
            .finish();
    }
    HttpResponse::Ok().insert_header(ETag(tag)).json(body)
}

/// Whether the request's `If-None-Match` names `tag` (or `*`): the answer is then 304.
pub fn none_match(req: &HttpRequest, tag: &EntityTag) -> bool {
    if !req.headers().contains_key(header::IF_NONE_MATCH) {
        return false;
    }
    match IfNoneMatch::parse(req) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(tag)),
        Err(_) => false,
    }
}

/// 200 with the changed record and its new `ETag`.
pub fn updated<T: Serialize>(version: i32, body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ETag(entity_tag(version)))
        .json(body)
}

/// 204 for an archived record.
pub fn archived() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// The 201 for a new record at `location`, as stored for `Idempotency-Key` replays.
pub fn created<T: Serialize>(
    location: String,
    version: i32,
    body: &T,
) -> ApiResult<StoredResponse> {
    Ok(StoredResponse {
        status: StatusCode::CREATED.as_u16(),
        location: Some(location),
        etag: Some(entity_tag(version).to_string()),
        body: serde_json::to_string(body).map_err(|e| ApiError::Internal(Box::new(e)))?,
    })
}

/// The HTTP response of a stored response; a replay carries `Idempotent-Replayed: true`.
pub fn stored_response(stored: StoredResponse, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.content_type("application/json");
    if let Some(location) = stored.location {
        response.insert_header((header::LOCATION, location));
    }
    if let Some(etag) = stored.etag {
        response.insert_header((header::ETAG, etag));
    }
    if replayed {
        response.insert_header(("idempotent-replayed", "true"));
    }
    response.body(stored.body)
}

/// The paging parameters of a list, before they are checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Paging {
    limit: Option<i64>,
    cursor: Option<String>,
    #[serde(default, deserialize_with = "query_timestamp")]
    updated_since: Option<DateTime<Utc>>,
}

/// The names of the paging parameters, taken by [`ListQuery`] before the filter sees the rest.
const PAGING: [&str; 3] = ["limit", "cursor", "updated_since"];

/// A list request: the resource's own filter `F` (document it with `params(F, PagingParams)`)
/// and the checked page (`limit`, `cursor`, `updated_since`). Any failure is a 400 naming the
/// parameter.
#[derive(Debug)]
pub struct ListQuery<F> {
    /// The resource's filters.
    pub filter: F,
    /// The page.
    pub page: PageRequest,
}

impl<F: DeserializeOwned> FromRequest for ListQuery<F> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(list_query(req.query_string()))
    }
}

fn list_query<F: DeserializeOwned>(query: &str) -> ApiResult<ListQuery<F>> {
    let (paging, rest): (Vec<_>, Vec<_>) = url::form_urlencoded::parse(query.as_bytes())
        // An empty `cursor=` is the first page, as if it were absent.
        .filter(|(name, value)| !(name == "cursor" && value.is_empty()))
        .partition(|(name, _)| PAGING.contains(&name.as_ref()));
    let paging: Paging = parse_query_pairs(paging)?;
    let page = PageRequest::new(paging.limit, paging.cursor.as_deref(), paging.updated_since)?;
    Ok(ListQuery {
        filter: parse_query_pairs(rest)?,
        page,
    })
}

/// 200 with the page, and a `Link: <...>; rel="next"` header when there is a next page.
pub fn page<T: Serialize>(req: &HttpRequest, page: Page<T>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &page.next_cursor {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            if name != "cursor" {
                query.append_pair(&name, &value);
            }
        }
        query.append_pair("cursor", cursor);
        let link = format!("<{}?{}>; rel=\"next\"", req.path(), query.finish());
        response.insert_header((header::LINK, link));
    }
    response.json(page)
}

/// A page of `rows` as views, with the next cursor.
pub fn page_of<M, V: Serialize>(
    req: &HttpRequest,
    (rows, next_cursor): (Vec<M>, Option<String>),
    view: impl FnMut(M) -> V,
) -> HttpResponse {
    page(
        req,
        Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        },
    )
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::list_query;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Filter {
        kind: Option<String>,
    }

    #[test]
    fn a_list_query_splits_paging_from_the_filter_and_refuses_strangers() {
        let q = list_query::<Filter>("kind=a&limit=5").ok();
        assert_eq!(q.map(|q| q.filter.kind), Some(Some("a".to_owned())));
        assert!(list_query::<Filter>("limit=0").is_err());
        assert!(list_query::<Filter>("cursor=zz").is_err());
        assert!(
            list_query::<Filter>("cursor=").is_ok(),
            "an empty cursor is the first page"
        );
        assert!(list_query::<Filter>("other=1").is_err());
    }
}
