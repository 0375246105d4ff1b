//! The minutes of a meeting as a document (Markdown, HTML or PDF, Swedish or English), assembled
//! from the record in the shape of the steering group's own minutes.

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::header::{self, Accept, Header},
    web,
};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
    extract::Query,
    minutes::{self, Lang},
    routes::{AppState, responses::ReadErrors},
    store::meetings as store,
};

/// The language of the document.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Svenska (default).
    Sv,
    /// English.
    En,
}

/// Options of the minutes document.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MinutesQuery {
    /// Label language: `sv` (default) or `en`.
    #[param(inline)]
    pub lang: Option<Language>,
}

/// Markdown or HTML, as the `Accept` header asks (Markdown when it names neither).
pub(crate) fn wants_html(req: &HttpRequest) -> ApiResult<bool> {
    let Ok(accept) = Accept::parse(req) else {
        return Ok(false);
    };
    if accept.0.is_empty() {
        return Ok(false);
    }
    for mime in accept.ranked() {
        match (mime.type_().as_str(), mime.subtype().as_str()) {
            ("text", "html") => return Ok(true),
            ("text", "markdown") | ("text", "*") | ("*", "*") | ("text", "plain") => {
                return Ok(false);
            }
            _ => {}
        }
    }
    Err(ApiError::NotAcceptable(
        "the minutes are served as text/markdown or text/html".into(),
    ))
}

/// Whether the caller's `Accept` ranks PDF first among the formats the minutes come in.
fn wants_pdf(req: &HttpRequest) -> bool {
    let Ok(accept) = Accept::parse(req) else {
        return false;
    };
    for mime in accept.ranked() {
        match (mime.type_().as_str(), mime.subtype().as_str()) {
            ("application", "pdf") => return true,
            ("text", _) | ("*", "*") => return false,
            _ => {}
        }
    }
    false
}

/// The minutes of a meeting as a document.
///
/// Title, time, place, who was present (with their organisations and whom they stand in for),
/// absent, guests with their items, each agenda item with presenters and minutes text, the
/// minute-taker and checkers. `Accept: text/markdown` (default), `text/html` or
/// `application/pdf` (PDF/A-2b, fonts embedded, the same text); Swedish labels, English with
/// `?lang=en`.
#[utoipa::path(
    tag = "meetings",
    operation_id = "get_meeting_minutes",
    params(("id" = Uuid, Path, description = "Meeting id"), MinutesQuery),
    responses(
        (status = 200, description = "The minutes: Markdown (`text/markdown; charset=utf-8`, \
          the default) or a complete HTML5 document (`text/html; charset=utf-8`) with raw HTML \
          and unsafe links neutralised, or PDF/A-2b (`application/pdf`) with the same text; \
          `Vary: Accept`",
         headers(("Vary" = String, description = "`Accept`: the body depends on it")),
         content(
            (String = "text/markdown"),
            (String = "text/html"),
            (Vec<u8> = "application/pdf")
        )),
        (status = 406, description = "Neither Markdown, HTML nor PDF is acceptable",
         body = crate::error::Problem, content_type = "application/problem+json"),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/meetings/{id}/minutes")]
pub async fn get_meeting_minutes(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<MinutesQuery>,
) -> ApiResult<HttpResponse> {
    let pdf = wants_pdf(&req);
    let html = !pdf && wants_html(&req)?;
    let lang = match query.lang {
        Some(Language::En) => Lang::En,
        _ => Lang::Sv,
    };
    let all = caller.sees_unpublished();
    let meeting = store::get(&state.db, id.into_inner(), all).await?;
    let doc = super::signoff::document(&state.db, &meeting, all, lang).await?;
    if pdf {
        let bytes = super::content::pdf_of(&doc, lang, meeting.updated_at).await?;
        return Ok(HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((header::VARY, "Accept"))
            .body(bytes));
    }
    let (body, content_type) = if html {
        (minutes::html(&doc, lang), "text/html; charset=utf-8")
    } else {
        (
            minutes::markdown(&doc, lang),
            "text/markdown; charset=utf-8",
        )
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::VARY, "Accept"))
        .body(body))
}
