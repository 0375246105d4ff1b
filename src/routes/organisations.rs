//! Organisations: the region, the municipalities, agencies, the university and the
//! collaboration's own groups.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    AppState,
    kit::{
        self, Archived, Created, IdempotencyKeyHeader, IfMatchHeader, IfNoneMatchHeader, ListQuery,
        Listed, PagingParams, Patch, Read, Updated, Write,
    },
};
use crate::{
    auth::{AdminOnly, Caller},
    domain::organisation::{
        Identifier, MunicipalityCode, Organisation, OrganisationKind, UncheckedOrganisation,
    },
    entities::organisation::{Entity, Model},
    error::{ApiError, ApiResult, bad_parameter},
    extract::JsonBody,
    store::organisations::{self as store, OrganisationFilter},
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
    /// Subtitle: what the group is for, as its minutes head it.
    pub subtitle: Option<String>,
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
            subtitle: row.subtitle,
            identifiers: row.identifiers.0,
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
    #[schema(
        example = "Växjö kommun",
        min_length = 1,
        max_length = 200,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: String,
    /// Short name, 1–50 characters.
    #[serde(default)]
    #[schema(
        max_length = 50,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
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
    /// Subtitle (groups): what the collaboration is for, as its minutes head it; one line,
    /// 1–500 characters.
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub subtitle: Option<String>,
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
            subtitle: new.subtitle,
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
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$")]
    pub name: Patch<String>,
    /// Short name, 1–50 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 50, pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$")]
    pub short_name: Patch<String>,
    /// Kind.
    #[serde(default)]
    #[schema(value_type = OrganisationKind)]
    pub kind: Patch<OrganisationKind>,
    /// Municipality code: four digits.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{4}$")]
    pub municipality_code: Patch<String>,
    /// County code: two digits.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{2}$")]
    pub county_code: Patch<String>,
    /// Parent organisation.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Patch<Uuid>,
    /// Website: an absolute http(s) URL.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub website: Patch<String>,
    /// Subtitle; `null` clears it.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 500, pattern = r"^[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF](?:[^\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFDD0-\uFDEF\uFFFE\uFFFF])?[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$")]
    pub subtitle: Patch<String>,
    /// Identifiers (replaces the whole list).
    #[serde(default)]
    #[schema(value_type = Vec<Identifier>)]
    pub identifiers: Patch<Vec<Identifier>>,
    /// Archived; `false` restores an archived organisation.
    #[serde(default)]
    #[schema(value_type = bool)]
    pub archived: Patch<bool>,
}

impl OrganisationPatch {
    /// The current record with this patch applied, not yet checked.
    fn apply(self, current: &Model) -> ApiResult<UncheckedOrganisation> {
        let view = OrganisationView::from(current.clone());
        let mut errors = Vec::new();
        let unchecked = UncheckedOrganisation {
            name: self.name.keep("name", view.name, &mut errors),
            short_name: self.short_name.or(view.short_name),
            kind: Some(self.kind.keep("kind", view.kind, &mut errors)),
            municipality_code: self.municipality_code.or(view.municipality_code),
            county_code: self.county_code.or(view.county_code),
            parent_id: self.parent_id.or(view.parent_id),
            website: self.website.or(view.website),
            subtitle: self.subtitle.or(view.subtitle),
            identifiers: self
                .identifiers
                .keep("identifiers", view.identifiers, &mut errors),
            archived: self.archived.keep("archived", view.archived, &mut errors),
        };
        if errors.is_empty() {
            Ok(unchecked)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// Filters of the organisation list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    /// Only this kind.
    pub kind: Option<OrganisationKind>,
    /// Only children of this organisation.
    pub parent_id: Option<Uuid>,
    /// Only the municipality with this code.
    #[param(pattern = "^[0-9]{4}$")]
    pub municipality_code: Option<String>,
    /// Name contains this text (case-insensitive; å, ä, ö included; no control characters).
    #[param(max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$")]
    pub q: Option<String>,
    /// Include archived organisations (always included with `updated_since`).
    #[serde(default)]
    pub include_archived: bool,
}

/// List organisations.
///
/// Ordered by creation, or by change time when `updated_since` is given.
#[utoipa::path(
    tag = "organisations",
    operation_id = "list_organisations",
    params(OrganisationQuery, PagingParams),
    responses(Listed<OrganisationView>),
    security((), ("bearer" = []))
)]
#[get("/organisations")]
pub async fn list_organisations(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    query: ListQuery<OrganisationQuery>,
) -> ApiResult<HttpResponse> {
    let ListQuery { filter: q, page } = query;
    if q.q.as_ref().is_some_and(|text| text.chars().count() > 200) {
        return Err(bad_parameter("q", "must be at most 200 characters"));
    }
    if let Some(code) = &q.municipality_code {
        MunicipalityCode::parse(code)
            .map_err(|message| bad_parameter("municipality_code", &message))?;
    }
    let filter = OrganisationFilter {
        kind: q.kind,
        parent_id: q.parent_id,
        municipality_code: q.municipality_code,
        q: q.q,
        include_archived: q.include_archived,
    };
    let rows = store::list(&state.db, &filter, &page).await?;
    Ok(kit::page_of(&req, rows, OrganisationView::from))
}

/// Create an organisation (admin).
#[utoipa::path(
    tag = "organisations",
    operation_id = "create_organisation",
    params(IdempotencyKeyHeader),
    request_body = NewOrganisation,
    responses(Created<OrganisationView>),
    security(("bearer" = ["admin"]))
)]
#[post("/organisations")]
pub async fn create_organisation(
    write: Write<AdminOnly>,
    JsonBody(body, digest): JsonBody<NewOrganisation>,
) -> ApiResult<HttpResponse> {
    let org = Organisation::parse(body.into())?;
    write
        .create::<Entity, _>(
            &digest,
            async |txn, actor| store::insert(txn, actor, org).await,
            OrganisationView::from,
        )
        .await
}

/// Read an organisation (archived ones too).
#[utoipa::path(
    tag = "organisations",
    operation_id = "get_organisation",
    params(("id" = Uuid, Path, description = "Organisation id"), IfNoneMatchHeader),
    responses(Read<OrganisationView>),
    security((), ("bearer" = []))
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let row = store::get(&state.db, id.into_inner()).await?;
    Ok(kit::read(&req, row.version, &OrganisationView::from(row)))
}

/// Change an organisation (admin); send `If-Match` to refuse a stale write.
#[utoipa::path(
    tag = "organisations",
    operation_id = "update_organisation",
    params(("id" = Uuid, Path, description = "Organisation id"), IfMatchHeader),
    request_body = OrganisationPatch,
    responses(Updated<OrganisationView>),
    security(("bearer" = ["admin"]))
)]
#[patch("/organisations/{id}")]
pub async fn update_organisation(
    write: Write<AdminOnly>,
    id: web::Path<Uuid>,
    JsonBody(patch, _): JsonBody<OrganisationPatch>,
) -> ApiResult<HttpResponse> {
    let row = store::update(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
        |current| Organisation::parse(patch.apply(current)?),
    )
    .await?;
    Ok(kit::updated(row.version, &OrganisationView::from(row)))
}

/// Archive an organisation (admin): it stays readable, leaves default lists, and shows as a
/// tombstone to `updated_since`.
#[utoipa::path(
    tag = "organisations",
    operation_id = "archive_organisation",
    params(("id" = Uuid, Path, description = "Organisation id"), IfMatchHeader),
    responses(Archived),
    security(("bearer" = ["admin"]))
)]
#[delete("/organisations/{id}")]
pub async fn archive_organisation(
    write: Write<AdminOnly>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    store::archive(
        &write.db,
        &write.actor,
        id.into_inner(),
        &write.precondition,
    )
    .await?;
    Ok(kit::archived())
}

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(list_organisations)
        .service(create_organisation)
        .service(get_organisation)
        .service(update_organisation)
        .service(archive_organisation);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    super::kit::doc::register::<OrganisationView>(schemas);
}
