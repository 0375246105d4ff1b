//! Cross-cutting request handling: request ids, the access log, request metrics, problem+json
//! for every error (actix's own included), and 404/405 for unrouted requests.

use std::{borrow::Cow, collections::HashMap, time::Instant};

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{
        Method, StatusCode,
        header::{self, HeaderName, HeaderValue},
    },
    middleware::Next,
    web,
};
use sha2::{Digest, Sha256};
use tracing::Instrument;
use uuid::Uuid;

use crate::{
    auth::Verified,
    error::{ApiError, PROBLEM_JSON},
    metrics::{HttpMetrics, RequestLabels, UNMATCHED},
    signal::FeedSignal,
    telemetry::CURRENT_REQUEST_ID,
};

/// The header carrying the request id, in and out.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request id given by the client is kept when it is short, visible ASCII.
fn client_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let ok = !value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| value.to_owned())
}

/// Wraps every request: assigns the request id, turns any error response that is not yet
/// problem+json into one, logs one line and counts the request in [`HttpMetrics`] (when the app
/// has them) when it ends.
///
/// The route label is worked out once, here, after routing: for a request that reached a route,
/// `match_pattern()` follows the path of ids the router recorded (no pattern is matched again);
/// only a request answered by the default service is matched against the route table, as it
/// always was, so that a 405 is labelled with the pattern it found.
pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = client_request_id(&req).unwrap_or_else(|| Uuid::now_v7().to_string());
    let span = tracing::info_span!("request", request_id = %id);
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<HttpMetrics>>().cloned();
    let method = req.method().clone();
    // HEAD is answered by the GET handler, without the body (RFC 9110 §9.3.2).
    if method == Method::HEAD {
        req.head_mut().method = Method::GET;
    }

    // An inner service's `Err` is rendered by actix itself; none of ours returns one.
    let routes = req.app_data::<web::Data<RouteTable>>().cloned();
    let mut response = match control_in_path(req.path(), routes.as_ref().map(|r| r.get_ref())) {
        Some(error) => {
            let refusal = CURRENT_REQUEST_ID.sync_scope(id.clone(), || error.error_response());
            req.into_response(refusal).map_into_boxed_body()
        }
        None => CURRENT_REQUEST_ID
            .scope(id.clone(), next.call(req).instrument(span.clone()))
            .await?
            .map_into_boxed_body(),
    };
    if method == Method::HEAD {
        response = response.map_body(|_, _| BoxBody::new(()));
    }
    let status = response.status();
    if status.is_success() && !method.is_safe() {
        // A write has committed: wake the feed's waiting readers.
        if let Some(signal) = response.request().app_data::<web::Data<FeedSignal>>() {
            signal.wake();
        }
    }
    if status.as_u16() >= 400 && !is_problem(&response) && method != Method::HEAD {
        response = CURRENT_REQUEST_ID.sync_scope(id.clone(), || problem_for(response));
    }
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );

    let route = response.request().match_pattern();
    span.in_scope(|| {
        tracing::info!(
            %method,
            path = %response.request().path(),
            route = route.as_deref().unwrap_or("-"),
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request"
        )
    });
    if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
        span.in_scope(|| log_denial(&response, &method, status));
    }
    let Some(metrics) = metrics else {
        return Ok(response);
    };
    let labels = RequestLabels {
        endpoint: route.map_or(Cow::Borrowed(UNMATCHED), Cow::Owned),
        // What the handler saw: `GET` for a `HEAD`.
        method: response.request().method().clone(),
        status,
        started,
    };
    Ok(response.map_body(|_, body| metrics.into_inner().record_when_sent(body, labels)))
}

/// The security log's line for a refused request (401 or 403), under the request's span (so
/// with its request id): who asked (a digest of the token's `sub`, never the token; `-` when no
/// token was verified), the method, the path and the status.
fn log_denial(response: &ServiceResponse<BoxBody>, method: &Method, status: StatusCode) {
    let request = response.request();
    let subject = match request.extensions().get::<Verified>() {
        Some(Verified(Ok(identity))) => loggable_subject(&identity.sub),
        _ => "-".to_owned(),
    };
    tracing::warn!(
        target: "samverkan::security",
        %method,
        path = %request.path(),
        status = status.as_u16(),
        subject = %subject,
        write = !method.is_safe(),
        "access denied"
    );
}

/// A token's `sub` as the log may hold it: a digest, the same for every line of one subject
/// (so denials can be followed per caller, and an admin who knows a `sub` can find its lines),
/// never the `sub` itself: a login may be a name or an e-mail address, and a log cannot be
/// erased with the person.
fn loggable_subject(sub: &str) -> String {
    let digest = Sha256::digest(sub.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn is_problem(response: &ServiceResponse<BoxBody>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(PROBLEM_JSON.as_bytes()))
}

/// Replaces the body of an error response made outside our handlers with a problem document
/// of the same status, keeping headers such as `Allow` and `WWW-Authenticate`.
fn problem_for(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let (request, old) = response.into_parts();
    let mut problem = crate::routes::problem::from_status(status).problem();
    problem.status = status.as_u16();
    if let Some(reason) = status.canonical_reason() {
        problem.title = reason.to_owned();
    }
    let mut new = HttpResponse::build(status)
        .content_type(PROBLEM_JSON)
        .json(problem);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(request, new)
}

/// The methods each routed path template accepts, for 405 and `Allow`.
#[derive(Debug, Default, Clone)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<Method>)>,
}

impl RouteTable {
    /// Builds the table from the OpenAPI document's paths, plus `extra` routes it does not list.
    pub fn new(openapi: &utoipa::openapi::OpenApi, extra: &[(&str, &[Method])]) -> Self {
        let mut by_path: HashMap<String, Vec<Method>> = HashMap::new();
        for (path, item) in &openapi.paths.paths {
            let methods = by_path.entry(path.clone()).or_default();
            let ops = [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ];
            methods.extend(ops.into_iter().filter(|(_, has)| *has).map(|(m, _)| m));
        }
        for (path, methods) in extra {
            by_path
                .entry((*path).to_owned())
                .or_default()
                .extend(methods.iter().cloned());
        }
        let mut routes: Vec<(Vec<String>, Vec<Method>)> = by_path
            .into_iter()
            .map(|(path, methods)| (path.split('/').map(str::to_owned).collect(), methods))
            .collect();
        // The most specific template wins: `/meetings/{id}.ics` before `/meetings/{id}`.
        routes.sort_by_key(|(template, _)| std::cmp::Reverse(literal_len(template)));
        Self { routes }
    }

    /// The methods accepted at `path`, or `None` when no route matches it.
    pub fn allowed(&self, path: &str) -> Option<&[Method]> {
        self.route(path).map(|(_, methods)| methods.as_slice())
    }

    /// The route (template segments and methods) that `path` matches.
    fn route(&self, path: &str) -> Option<&(Vec<String>, Vec<Method>)> {
        let segments: Vec<&str> = path.split('/').collect();
        self.routes.iter().find(|(template, _)| {
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| segment_matches(t, s))
        })
    }
}

/// A 400 naming the path variable (`{key}`, `{ids}`, ...; `path` when no route matches) whose
/// value holds a control character such as a NUL: no id, key or code holds one, and PostgreSQL
/// cannot even compare with one, so every backend refuses it alike, before any handler runs.
fn control_in_path(path: &str, routes: Option<&RouteTable>) -> Option<ApiError> {
    let segments: Vec<&str> = path.split('/').collect();
    let bad = segments
        .iter()
        .position(|s| percent_decoded(s).chars().any(char::is_control))?;
    let name = routes
        .and_then(|r| r.route(path))
        .and_then(|(template, _)| template.get(bad))
        .and_then(|t| t.get(t.find('{')? + 1..t.find('}')?))
        .unwrap_or("path");
    let message = "contains a control character";
    Some(ApiError::BadQuery {
        detail: format!("path parameter `{name}`: {message}"),
        errors: vec![crate::error::FieldError::new(name, message)],
    })
}

/// A path segment with its `%XX` escapes decoded (invalid UTF-8 replaced).
fn percent_decoded(segment: &str) -> Cow<'_, str> {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy()
}

/// How many characters of a path template are literal (not `{variables}`).
fn literal_len(template: &[String]) -> usize {
    template
        .iter()
        .map(|segment| match (segment.find('{'), segment.find('}')) {
            (Some(open), Some(close)) if open < close => segment.len() - (close - open + 1),
            _ => segment.len(),
        })
        .sum()
}

/// Whether a path segment matches a template segment: literal, `{var}`, or a variable with a
/// literal prefix or suffix such as `{id}.ics`.
fn segment_matches(template: &str, segment: &str) -> bool {
    match (template.find('{'), template.find('}')) {
        (Some(open), Some(close)) if open < close => {
            let (prefix, suffix) = (&template[..open], &template[close + 1..]);
            segment.len() > prefix.len() + suffix.len()
                && segment.starts_with(prefix)
                && segment.ends_with(suffix)
        }
        _ => template == segment,
    }
}

/// The app's default service: 405 with `Allow` for a known path, 204 for `OPTIONS` on one,
/// 404 otherwise. (HEAD never gets here for a GET route: the request middleware serves it.)
pub async fn unrouted(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    let Some(methods) = routes.allowed(req.path()) else {
        return ApiError::NoRoute.error_response();
    };
    if methods.contains(req.method()) {
        // Documented but matched no handler (e.g. an empty path segment): nothing is here.
        return ApiError::NoRoute.error_response();
    }
    let mut names: Vec<&str> = methods.iter().map(Method::as_str).collect();
    if methods.contains(&Method::GET) {
        names.push("HEAD");
    }
    names.push("OPTIONS");
    let allow = names.join(", ");
    if req.method() == Method::OPTIONS {
        return HttpResponse::build(StatusCode::NO_CONTENT)
            .insert_header((header::ALLOW, allow))
            .finish();
    }
    ApiError::MethodNotAllowed { allow }.error_response()
}

#[cfg(test)]
mod tests {
    use super::{control_in_path, loggable_subject, percent_decoded, segment_matches};

    #[test]
    fn a_control_character_in_a_path_segment_is_refused() {
        assert_eq!(percent_decoded("a%00b%41"), "a\u{0}bA");
        assert_eq!(percent_decoded("100%"), "100%");
        assert_eq!(percent_decoded("%zz%C3%A4"), "%zzä");
        assert!(control_in_path("/kolada/v3/kpi/N%0001", None).is_some());
        assert!(control_in_path("/kolada/v3/kpi/N%C2%850", None).is_some());
        assert!(control_in_path("/kolada/v3/kpi/N00001,N%C3%A4", None).is_none());
    }

    #[test]
    fn a_subject_is_logged_as_a_digest_only() {
        for sub in ["karin.lind@example.se", "karin-lind", &"x".repeat(300)] {
            let logged = loggable_subject(sub);
            assert!(
                logged.starts_with("sha256:") && logged.len() == 23,
                "{logged}"
            );
            assert!(!logged.contains("karin") && !logged.contains('@'));
            assert_eq!(
                loggable_subject(sub),
                logged,
                "the same subject, the same line"
            );
        }
        assert_ne!(loggable_subject("a"), loggable_subject("b"));
    }

    #[test]
    fn template_segments_match_variables_with_literal_affixes() {
        assert!(segment_matches("{id}", "abc"));
        assert!(!segment_matches("{id}", ""));
        assert!(segment_matches("{id}.ics", "abc.ics"));
        assert!(!segment_matches("{id}.ics", ".ics"));
        assert!(!segment_matches("{id}.ics", "abc"));
        assert!(segment_matches("meetings", "meetings"));
        assert!(!segment_matches("meetings", "meeting"));
    }
}
