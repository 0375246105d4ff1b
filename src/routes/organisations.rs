//! Organisations: the region, the municipalities, agencies, the university and the
//! collaboration's own groups.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    API_BASE, AppState, present,
    responses::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors},
};
use crate::{
    auth::{AdminOnly, Authorized, Caller},
    conditional::{IfMatchVersion, created, record_response, stored_response, updated_response},
    domain::organisation::{Identifier, Organisation, OrganisationKind, UncheckedOrganisation},
    entities::organisation::Model,
    error::{ApiError, ApiResult},
    extract::{IdempotencyKey, JsonBody, Query, bad_parameter},
    pagination::{Page, PageRequest, page_response, query_timestamp},
    store::{
        Actor, idempotency,
        organisations::{self as store, OrganisationFilter},
    },
};

/// An organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationView {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Name.
    #[schema(example = "Växjö kommun")]
    pub name: String,
    /// Short name, e.g. "SG" for the steering group.
    pub short_name: Option<String>,
    /// Kind.
    pub kind: OrganisationKind,
    /// Official four-digit municipality code (municipalities only).
    #[schema(example = "0780")]
    pub municipality_code: Option<String>,
    /// Official two-digit county code.
    #[schema(example = "07")]
    pub county_code: Option<String>,
    /// Parent organisation.
    pub parent_id: Option<Uuid>,
    /// Website.
    pub website: Option<String>,
    /// Identifiers in external registers.
    pub identifiers: Vec<Identifier>,
    /// Archived (deleted) organisations stay readable.
    pub archived: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` is this number.
    pub version: i32,
}

impl From<Model> for OrganisationView {
    fn from(row: Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            short_name: row.short_name,
            kind: row.kind,
            municipality_code: row.municipality_code,
            county_code: row.county_code,
            parent_id: row.parent_id,
            website: row.website,
            identifiers: serde_json::from_value(row.identifiers).unwrap_or_default(),
            archived: row.archived,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// A new organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisation {
    /// Name, 1–200 characters.
    #[schema(example = "Växjö kommun", min_length = 1, max_length = 200)]
    pub name: String,
    /// Short name, 1–50 characters.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub short_name: Option<String>,
    /// Kind.
    pub kind: OrganisationKind,
    /// Four digits; only for municipalities; unique.
    #[serde(default)]
    #[schema(example = "0780", pattern = "^[0-9]{4}$")]
    pub municipality_code: Option<String>,
    /// Two digits.
    #[serde(default)]
    #[schema(example = "07", pattern = "^[0-9]{2}$")]
    pub county_code: Option<String>,
    /// Parent organisation (an existing one; no cycles).
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    /// An absolute http(s) URL.
    #[serde(default)]
    #[schema(example = "https://vaxjo.se")]
    pub website: Option<String>,
    /// Identifiers in external registers (at most 20).
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Create it archived.
    #[serde(default)]
    pub archived: bool,
}

impl From<NewOrganisation> for UncheckedOrganisation {
    fn from(new: NewOrganisation) -> Self {
        Self {
            name: new.name,
            short_name: new.short_name,
            kind: Some(new.kind),
            municipality_code: new.municipality_code,
            county_code: new.county_code,
            parent_id: new.parent_id,
            website: new.website,
            identifiers: new.identifiers,
            archived: new.archived,
        }
    }
}

/// Changes to an organisation: absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    /// Name, 1–200 characters.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    /// Short name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub short_name: Option<Option<String>>,
    /// Kind.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = OrganisationKind)]
    pub kind: Option<Option<OrganisationKind>>,
    /// Municipality code.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub municipality_code: Option<Option<String>>,
    /// County code.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub county_code: Option<Option<String>>,
    /// Parent organisation.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
    /// Website.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    /// Identifiers (replaces the whole list).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Vec<Identifier>)]
    pub identifiers: Option<Option<Vec<Identifier>>>,
    /// Archived; `false` restores an archived organisation.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool)]
    pub archived: Option<Option<bool>>,
}

impl OrganisationPatch {
    /// The current record with this patch applied, not yet checked.
    fn apply(self, current: &Model) -> Result<UncheckedOrganisation, ApiError> {
        let view = OrganisationView::from(current.clone());
        let mut nulls = Vec::new();
        let mut required = |field: &str, value: Option<Option<_>>, old| match value {
            None => old,
            Some(Some(new)) => new,
            Some(None) => {
                nulls.push(crate::error::FieldError::new(field, "must not be null"));
                old
            }
        };
        let name = required("name", self.name, view.name);
        for (field, is_null) in [
            ("kind", matches!(self.kind, Some(None))),
            ("identifiers", matches!(self.identifiers, Some(None))),
            ("archived", matches!(self.archived, Some(None))),
        ] {
            if is_null {
                nulls.push(crate::error::FieldError::new(field, "must not be null"));
            }
        }
        let unchecked = UncheckedOrganisation {
            name,
            short_name: self.short_name.unwrap_or(view.short_name),
            kind: Some(self.kind.flatten().unwrap_or(view.kind)),
            municipality_code: self.municipality_code.unwrap_or(view.municipality_code),
            county_code: self.county_code.unwrap_or(view.county_code),
            parent_id: self.parent_id.unwrap_or(view.parent_id),
            website: self.website.unwrap_or(view.website),
            identifiers: self.identifiers.flatten().unwrap_or(view.identifiers),
            archived: self.archived.flatten().unwrap_or(view.archived),
        };
        if nulls.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(nulls))
        }
    }
}

/// Filters and paging of the organisation list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    /// Only this kind.
    pub kind: Option<OrganisationKind>,
    /// Only children of this organisation.
    pub parent_id: Option<Uuid>,
    /// Only the municipality with this code.
    pub municipality_code: Option<String>,
    /// Name contains this text (case-insensitive; å, ä, ö included).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Include archived organisations (always included with `updated_since`).
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only organisations changed at or after this time (RFC 3339), archived ones included as
    /// tombstones, ordered by change.
    #[serde(default, deserialize_with = "query_timestamp")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<DateTime<Utc>>,
}

/// List organisations.
///
/// Ordered by creation, or by change time when `updated_since` is given.
#[utoipa::path(
    tag = "organisations",
    params(OrganisationQuery),
    responses(
        (status = 200, body = Page<OrganisationView>,
         headers(("Link" = String, description = "`<...>; rel=\"next\"` when there is a next page"))),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/organisations")]
pub async fn list(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    Query(query): Query<OrganisationQuery>,
) -> ApiResult<HttpResponse> {
    let page = PageRequest::new(query.limit, query.cursor.as_deref(), query.updated_since)?;
    if query.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(bad_parameter("q", "must be at most 200 characters"));
    }
    let filter = OrganisationFilter {
        kind: query.kind,
        parent_id: query.parent_id,
        municipality_code: query.municipality_code,
        q: query.q,
        include_archived: query.include_archived,
    };
    let (rows, next_cursor) = store::list(&state.db, &filter, &page).await?;
    let items = rows.into_iter().map(OrganisationView::from).collect();
    Ok(page_response(&req, Page { items, next_cursor }))
}

/// Create an organisation (admin).
///
/// With an `Idempotency-Key`, a retry with the same key and body gets the first response again
/// (with `Idempotent-Replayed: true`) instead of creating twice.
#[utoipa::path(
    tag = "organisations",
    params(("Idempotency-Key" = Option<String>, Header,
            description = "Makes a retried POST answer from the first attempt (keys live 24 h)")),
    request_body = NewOrganisation,
    responses(
        (status = 201, body = OrganisationView,
         headers(("ETag" = String), ("Location" = String),
                 ("Idempotent-Replayed" = String, description = "`true` on a replay"))),
        CreateErrors
    ),
    security(("bearer" = []))
)]
#[post("/organisations")]
pub async fn create(
    req: HttpRequest,
    user: Authorized<AdminOnly>,
    state: web::Data<AppState>,
    key: IdempotencyKey,
    JsonBody(body, digest): JsonBody<NewOrganisation>,
) -> ApiResult<HttpResponse> {
    let org = Organisation::parse(body.into())?;
    let actor = Actor::from(&user.0);
    let idempotent = key.for_request(&req, &digest);
    let (response, replayed) = idempotency::create_once(
        &state.db,
        &actor,
        idempotent.as_ref(),
        async |txn| store::insert(txn, &actor, org).await,
        |row| {
            let location = format!("{API_BASE}/organisations/{}", row.id);
            created(location, row.version, &OrganisationView::from(row.clone()))
        },
    )
    .await?;
    Ok(stored_response(response, replayed))
}

/// Read an organisation (archived ones too).
#[utoipa::path(
    tag = "organisations",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, body = OrganisationView, headers(("ETag" = String))),
        (status = 304, description = "Not modified since the `If-None-Match` version"),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/organisations/{id}")]
pub async fn get(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    Ok(record_response(
        &req,
        row.version,
        &OrganisationView::from(row),
    ))
}

/// Change an organisation (admin); send `If-Match` to refuse a stale write.
#[utoipa::path(
    tag = "organisations",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on")
    ),
    request_body = OrganisationPatch,
    responses((status = 200, body = OrganisationView, headers(("ETag" = String))), UpdateErrors),
    security(("bearer" = []))
)]
#[patch("/organisations/{id}")]
pub async fn update(
    user: Authorized<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatchVersion,
    JsonBody(patch, _): JsonBody<OrganisationPatch>,
) -> ApiResult<HttpResponse> {
    let actor = Actor::from(&user.0);
    let row = store::update(&state.db, &actor, id.into_inner(), &if_match, |current| {
        Organisation::parse(patch.apply(current)?)
    })
    .await?;
    Ok(updated_response(row.version, &OrganisationView::from(row)))
}

/// Archive an organisation (admin): it stays readable, leaves default lists, and shows as a
/// tombstone to `updated_since`.
#[utoipa::path(
    tag = "organisations",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on")
    ),
    responses((status = 204, description = "Archived"), DeleteErrors),
    security(("bearer" = []))
)]
#[delete("/organisations/{id}")]
pub async fn archive(
    user: Authorized<AdminOnly>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatchVersion,
) -> ApiResult<HttpResponse> {
    store::archive(&state.db, &Actor::from(&user.0), id.into_inner(), &if_match).await?;
    Ok(HttpResponse::NoContent().finish())
}
