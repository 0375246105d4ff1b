//! Meetings: the record, its agenda, its attendance, its minutes as a document, and calendar
//! feeds.

pub mod agenda;
pub mod agenda_whole;
pub mod attendance;
pub mod calendar;
mod content;
pub mod deferral;
pub mod minutes;
pub mod record;
pub mod signoff;
pub mod view;

use actix_web::web;

/// Mounts this resource's routes (under the API scope). Order matters: `/meetings/{id}.ics`
/// comes before `/meetings/{id}`, whose `{id}` would otherwise capture `<uuid>.ics` and answer
/// a PATCH or DELETE there with a 400; every method but GET on the `.ics` path goes to the
/// route table's 405 (with `Allow`).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    cfg.service(calendar::get_meetings_calendar)
        .service(calendar::get_meeting_calendar)
        .route(
            "/meetings/{id}.ics",
            web::route().to(crate::middleware::unrouted),
        )
        .service(record::list_meetings)
        .service(record::create_meeting)
        .service(record::get_meeting)
        .service(record::update_meeting)
        .service(record::archive_meeting)
        .configure(agenda_whole::configure)
        .service(agenda::list_agenda_items)
        .service(agenda::create_agenda_item)
        .service(agenda::get_agenda_item)
        .service(agenda::update_agenda_item)
        .service(agenda::archive_agenda_item)
        .service(deferral::defer_agenda_item)
        .service(attendance::get_attendance)
        .service(attendance::replace_attendance)
        .service(minutes::get_meeting_minutes)
        .service(signoff::get_minutes_signatures)
        .service(signoff::sign_minutes)
        .service(signoff::verify_minutes)
        .service(signoff::verify_minutes_document);
}

/// The record schemas this resource's responses reference.
pub fn schemas(
    schemas: &mut Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
) {
    super::kit::doc::register::<view::MeetingView>(schemas);
    super::kit::doc::register::<agenda::AgendaItemView>(schemas);
    super::kit::doc::register::<attendance::AttendanceView>(schemas);
    super::kit::doc::register::<agenda_whole::AgendaView>(schemas);
    super::kit::doc::register::<deferral::DeferredView>(schemas);
}
