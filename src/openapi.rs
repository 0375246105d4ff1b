//! The OpenAPI 3.1 document: info, tags, the bearer scheme and the problem schema. Paths come
//! from the routes as they are mounted (see [`crate::routes::configure`]).

use actix_web::App;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};

/// The hand-written part of the document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "samverkan",
        description = "The governance record of a cross-sector collaboration: organisations, \
members, meetings, decisions, indicators and action plans.\n\n\
Errors are RFC 9457 `application/problem+json`. Lists use keyset pagination (`limit`, `cursor`, \
`next_cursor`, `Link: rel=\"next\"`) and accept `updated_since`. Records carry a `version`; GET \
returns it as a strong `ETag` and honours `If-None-Match`; PATCH and DELETE honour `If-Match`.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    servers((url = "/", description = "The server that serves this document")),
    tags(
        (name = "organisations", description = "The region, municipalities, agencies, the university and the collaboration's groups"),
        (name = "members", description = "People; their contact data is shown only to those who may see it"),
        (name = "memberships", description = "Who sits in which group, in which role, for whom, and when"),
        (name = "meetings", description = "Meetings with their agenda, attendance, minutes and calendar feeds"),
        (name = "decisions", description = "Decisions and assignments, and the follow-up loop"),
        (name = "search", description = "Full-text search in Swedish, whatever the inflection"),
        (name = "indicators", description = "Outcome and process indicators, their values, baselines and targets"),
        (name = "kolada", description = "A Kolada v3-compatible read API of the indicators"),
        (name = "action_plans", description = "Action plans, their revisions, consultation and approval by decision"),
        (name = "attachments", description = "Files (bilagor) on meetings, agenda items, decisions and plan revisions, in object storage"),
        (name = "audit", description = "The append-only record of every write"),
        (name = "events", description = "The change feed: every committed change in commit order, by cursor, long-poll or Server-Sent Events"),
        (name = "webhooks", description = "Standard Webhooks pushes of the change feed, their secrets and deliveries"),
        (name = "operations", description = "Health and metrics")
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerScheme, &RecordSchemas)
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT with `sub`, `roles`, optional `org`, `exp`, `iss` and `aud`. \
                         An operation's `bearer` requirement lists the roles that may call it \
                         (as OpenAPI allows for schemes other than OAuth 2): any other role is \
                         refused with 403 before the request is read. An empty list admits \
                         every role, and an operation that also lists an empty requirement \
                         answers anonymous callers too (with what is public).",
                    ))
                    .build(),
            ),
        );
    }
}

/// Registers the record schemas that the resource kit's responses reference.
struct RecordSchemas;

impl Modify for RecordSchemas {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.extend(crate::routes::record_schemas());
        openapi.webhooks = Some(crate::routes::webhooks::payloads());
    }
}

/// The complete document, as served at `/api/v1/openapi.json` and printed by `samverkan openapi`.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts()
        .1;
    crate::routes::attachments::document_media_types(&mut doc);
    doc
}
