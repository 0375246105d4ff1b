//! Meetings: the record, its agenda, its attendance, its minutes as a document, and calendar
//! feeds.

pub mod agenda;
pub mod attendance;
pub mod calendar;
pub mod minutes;
pub mod record;

/// Mounts this resource's routes (under the API scope).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(calendar::feed)
        .service(calendar::single)
        .service(record::list)
        .service(record::create)
        .service(record::get)
        .service(record::update)
        .service(record::archive)
        .service(agenda::list)
        .service(agenda::create)
        .service(agenda::get)
        .service(agenda::update)
        .service(agenda::archive)
        .service(attendance::get)
        .service(attendance::replace)
        .service(minutes::document);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    let _ = schemas;
}
