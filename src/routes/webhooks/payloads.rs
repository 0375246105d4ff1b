//! The messages a subscriber receives, for the OpenAPI document's `webhooks` section.

/// The messages a subscriber receives, for the document's `webhooks` section.
pub fn payloads() -> utoipa::openapi::Paths {
    use utoipa::openapi::{
        ContentBuilder, HttpMethod, PathItem, PathsBuilder, Ref, Required,
        path::{OperationBuilder, ParameterBuilder, ParameterIn},
        request_body::RequestBodyBuilder,
        schema::{ObjectBuilder, Type},
    };
    let header = |name: &str, description: &str, example: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .description(Some(description))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .example(Some(example.into()))
            .build()
    };
    let message =
        |id: &str, summary: &str, description: &str, schema: utoipa::openapi::RefOr<_>| {
            OperationBuilder::new()
                .operation_id(Some(id))
                .tag("webhooks")
                // The receiver authenticates the sender by the signature, not by a scheme.
                .securities(Some([
                    utoipa::openapi::security::SecurityRequirement::default(),
                ]))
                .summary(Some(summary))
                .description(Some(description))
                .parameter(header(
                    "webhook-id",
                    "The message id: the same on every attempt of one message",
                    "01a24b7a-253e-7637-8539-d7de2a09aee2",
                ))
                .parameter(header(
                    "webhook-timestamp",
                    "Unix seconds when the attempt was signed",
                    "1765029600",
                ))
                .parameter(header(
                    "webhook-signature",
                    "`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` with the secret's \
                 key; during a rotation one per secret, space-separated",
                    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                ))
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content(
                            "application/cloudevents+json",
                            ContentBuilder::new().schema(Some(schema)).build(),
                        )
                        .build(),
                ))
                .response(
                    "2XX",
                    utoipa::openapi::Response::new("Received: the message is not sent again"),
                )
                .response(
                    "410",
                    utoipa::openapi::Response::new("Gone: the subscription is deactivated"),
                )
                .response(
                    "default",
                    utoipa::openapi::Response::new(
                        "Anything else (or no answer within 10 s): sent again after a backoff",
                    ),
                )
                .build()
        };
    let ping = ObjectBuilder::new()
        .description(Some(
            "A CloudEvent of type `webhook.ping` whose `data` names the subscription",
        ))
        .property(
            "specversion",
            ObjectBuilder::new().schema_type(Type::String),
        )
        .property("id", ObjectBuilder::new().schema_type(Type::String))
        .property("source", ObjectBuilder::new().schema_type(Type::String))
        .property(
            "type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["webhook.ping"])),
        )
        .property("subject", ObjectBuilder::new().schema_type(Type::String))
        .property(
            "time",
            ObjectBuilder::new().schema_type(Type::String).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime),
            )),
        )
        .property(
            "datacontenttype",
            ObjectBuilder::new().schema_type(Type::String),
        )
        .property(
            "data",
            ObjectBuilder::new().property(
                "webhook_id",
                ObjectBuilder::new().schema_type(Type::String).format(Some(
                    utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid),
                )),
            ),
        )
        .required("specversion")
        .required("id")
        .required("type")
        .required("data");
    PathsBuilder::new()
        .path(
            "changeEvent",
            PathItem::new(
                HttpMethod::Post,
                message(
                    "receive_change_event",
                    "A change event",
                    "One committed change, as the feed has it, posted to each active \
                     subscription whose filters it passes, in feed order, at least once.",
                    Ref::from_schema_name("CloudEvent").into(),
                ),
            ),
        )
        .path(
            "ping",
            PathItem::new(
                HttpMethod::Post,
                message(
                    "receive_ping",
                    "A ping",
                    "Sent by `POST /api/v1/webhooks/{id}/ping`, signed like every message.",
                    ping.into(),
                ),
            ),
        )
        .build()
}
