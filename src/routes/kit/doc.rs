//! The OpenAPI pieces of the resource protocol, declared once: the conditional and idempotency
//! headers as parameters, and the responses of create, read, update, archive and list with
//! their headers and problem+json errors. Handlers name them in `#[utoipa::path]`, so every
//! resource documents the protocol the same way.
//!
//! The record schemas these responses reference must be registered as components (see
//! [`crate::openapi::ApiDoc`]); a test checks that every `$ref` of the document resolves.

use std::{collections::BTreeMap, marker::PhantomData};

use utoipa::{
    IntoParams, IntoResponses, ToSchema,
    openapi::{
        ContentBuilder, HeaderBuilder, Ref, RefOr, Required, Response, ResponseBuilder,
        path::{Parameter, ParameterBuilder, ParameterIn},
        schema::{ArrayBuilder, ObjectBuilder, Type},
    },
};

use crate::{
    pagination::{DEFAULT_LIMIT, MAX_LIMIT},
    routes::responses::{CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors},
};

fn string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn header_param(name: &str, description: &str, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// The `Idempotency-Key` header of a POST that creates.
pub struct IdempotencyKeyHeader;

impl IntoParams for IdempotencyKeyHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![header_param(
            "Idempotency-Key",
            "Makes a retried POST answer from the first attempt instead of creating twice \
             (keys live 24 h, per caller); 1-255 visible ASCII characters, e.g. a UUID. \
             Required (400 without it) where the deployment sets \
             `SAMVERKAN_REQUIRE_IDEMPOTENCY_KEY`",
            string_schema()
                .min_length(Some(1))
                .max_length(Some(257))
                .pattern(Some(r#"^"?[!-~]{1,255}"?$"#)),
        )]
    }
}

/// The `If-Match` header of a write to a record.
pub struct IfMatchHeader;

impl IntoParams for IfMatchHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![header_param(
            "If-Match",
            "The `ETag` the change is based on (`\"3\"`, or `*`); a value that does not name \
             the current version is refused with 412",
            string_schema(),
        )]
    }
}

/// The `If-None-Match` header of a conditional read.
pub struct IfNoneMatchHeader;

impl IntoParams for IfNoneMatchHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![header_param(
            "If-None-Match",
            "An `ETag` the client holds; 304 when it is still current (a value that names no \
             entity tag never matches)",
            string_schema(),
        )]
    }
}

/// The paging parameters every list takes: `limit`, `cursor`, `updated_since`.
pub struct PagingParams;

impl IntoParams for PagingParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let query = |name: &str, description: &str, schema: ObjectBuilder| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(schema))
                .build()
        };
        vec![
            query(
                "limit",
                &format!("Page size, 1-{MAX_LIMIT} (default {DEFAULT_LIMIT})"),
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(MAX_LIMIT as i32)),
            ),
            query(
                "cursor",
                "The `next_cursor` of the previous page: only a cursor this list handed out \
                 (anything else is a 400); empty for the first page",
                string_schema()
                    .max_length(Some(200))
                    .pattern(Some("^[A-Za-z0-9_-]*$")),
            ),
            query(
                "updated_since",
                "Only records changed at or after this time (RFC 3339, in the years 1900 to \
                 2200), deleted and archived ones included as tombstones, ordered by change",
                string_schema()
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::DateTime,
                    )))
                    .pattern(Some("^(19[0-9]{2}|2[01][0-9]{2}|2200)-")),
            ),
        ]
    }
}

fn string_header(description: &str) -> utoipa::openapi::Header {
    HeaderBuilder::new()
        .schema(Some(string_schema()))
        .description(Some(description))
        .build()
}

fn json_response<T: ToSchema>(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(T::name())))
            .build(),
    )
}

fn etag_header() -> utoipa::openapi::Header {
    string_header("The record's version as a strong entity tag")
}

fn with<E: IntoResponses>(
    mut responses: BTreeMap<String, RefOr<Response>>,
) -> BTreeMap<String, RefOr<Response>> {
    responses.extend(E::responses());
    responses
}

/// The responses of a creation: 201 with the record, `Location`, `ETag` and, on an
/// `Idempotency-Key` replay, `Idempotent-Replayed: true`.
pub struct Created<T>(PhantomData<T>);

impl<T: ToSchema> IntoResponses for Created<T> {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let created = json_response::<T>("Created")
            .header("ETag", etag_header())
            .header("Location", string_header("The path of the new record"))
            .header(
                "Idempotent-Replayed",
                string_header("`true` when this answers a retry from the first attempt"),
            )
            .build();
        with::<CreateErrors>(BTreeMap::from([("201".to_owned(), created.into())]))
    }
}

/// The responses of a record read: 200 with the record and its `ETag`, or 304.
pub struct Read<T>(PhantomData<T>);

impl<T: ToSchema> IntoResponses for Read<T> {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let ok = json_response::<T>("The record")
            .header("ETag", etag_header())
            .build();
        let not_modified = ResponseBuilder::new()
            .description("Not modified since the `If-None-Match` version")
            .header("ETag", etag_header())
            .build();
        with::<ReadErrors>(BTreeMap::from([
            ("200".to_owned(), ok.into()),
            ("304".to_owned(), not_modified.into()),
        ]))
    }
}

/// The responses of a change: 200 with the changed record and its new `ETag`.
pub struct Updated<T>(PhantomData<T>);

impl<T: ToSchema> IntoResponses for Updated<T> {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let ok = json_response::<T>("The changed record")
            .header("ETag", etag_header())
            .build();
        with::<UpdateErrors>(BTreeMap::from([("200".to_owned(), ok.into())]))
    }
}

/// The responses of an archive (the soft delete): 204.
pub struct Archived;

impl IntoResponses for Archived {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let done = ResponseBuilder::new()
            .description("Archived: still readable, and a tombstone to `updated_since`")
            .build();
        with::<DeleteErrors>(BTreeMap::from([("204".to_owned(), done.into())]))
    }
}

/// The responses of a list: 200 with a page of records and `Link: rel="next"`.
pub struct Listed<T>(PhantomData<T>);

impl<T: ToSchema> IntoResponses for Listed<T> {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let page = ObjectBuilder::new()
            .property(
                "items",
                ArrayBuilder::new().items(Ref::from_schema_name(T::name())),
            )
            .required("items")
            .property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                        Type::String,
                        Type::Null,
                    ]))
                    .description(Some("Pass as `cursor` for the next page; null on the last")),
            )
            .required("next_cursor");
        let ok = ResponseBuilder::new()
            .description("One page, in list order")
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(page)).build(),
            )
            .header(
                "Link",
                string_header("`<...>; rel=\"next\"` when there is a next page"),
            )
            .build();
        with::<ListErrors>(BTreeMap::from([("200".to_owned(), ok.into())]))
    }
}

/// Adds `T` and the schemas it references to `schemas`, for registration as components.
pub fn register<T: ToSchema>(schemas: &mut Vec<(String, RefOr<utoipa::openapi::schema::Schema>)>) {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
}
