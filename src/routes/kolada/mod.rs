//! A Kolada v3-compatible read API of our indicators, under `/kolada/v3/`.
//!
//! Read-only and public, so that Kolada clients (koladapy, rKolada, …) pointed at
//! `http://HOST:PORT/kolada/v3/` read our indicators unchanged: our indicator `code` is the KPI
//! id, municipalities are the organisations with a `municipality_code` (type `K`), the region is
//! `"00"` + its county code (type `L`), and only yearly values for all ages are served. Lists
//! come in Kolada's envelope (`values`, `count`, `next_url`, `previous_url`, and the v2-era
//! `next_page`, `previous_page` with the same links) and page with `page` and `per_page`.
//! Public like every published read: no token is needed unless public reads are turned off.
//!
//! One module per Kolada resource ([`kpi`], [`municipality`], [`data`]); this one holds the
//! envelope, the paging and the query-string rules they share. The queries are in
//! [`crate::store::indicators::kolada`].

pub mod data;
pub mod kpi;
pub mod municipality;

use actix_web::{HttpRequest, HttpResponse, http::header};
use serde::Serialize;
use utoipa::{
    IntoParams, PartialSchema, ToSchema,
    openapi::{
        RefOr,
        schema::{ObjectBuilder, Schema, Type},
    },
};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, ApiResult, FieldError, bad_parameter};

/// Mounts the Kolada routes (at the root, outside `/api/v1`).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    kpi::configure(cfg);
    municipality::configure(cfg);
    data::configure(cfg);
}

/// The media type of every Kolada response.
const KOLADA_JSON: &str = "application/json; charset=utf-8";
/// The largest (and default) page.
pub const MAX_PER_PAGE: usize = 5000;
/// The largest page number.
pub const MAX_PAGE: usize = 1_000_000;
/// A query text without control characters (C0, DEL and C1), as the server requires.
pub const PLAIN_TEXT: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";

/// The pattern of a year.
const YEAR: &str = "(19[0-9]{2}|2[01][0-9]{2}|2200)";

/// Years, comma-separated (1900–2200), as the path and the `year` parameter take them.
pub struct KoladaYears;

impl PartialSchema for KoladaYears {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!("^{YEAR}(,{YEAR})*$")))
            .examples(["2022,2023"])
            .into()
    }
}

impl ToSchema for KoladaYears {}

/// A query text without control characters.
pub struct PlainText;

impl PartialSchema for PlainText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(PLAIN_TEXT))
            .into()
    }
}

impl ToSchema for PlainText {}

/// A page of a Kolada list (documented by hand so that `values` references the named item
/// schema instead of an inline copy).
#[derive(Debug, Serialize)]
pub struct KoladaPage<T: ToSchema> {
    /// The items of this page.
    pub values: Vec<T>,
    /// How many items this page holds.
    pub count: usize,
    /// The absolute URL of the next page, or null on the last page.
    pub next_url: Option<String>,
    /// The absolute URL of the previous page, or null on the first page.
    pub previous_url: Option<String>,
    /// The same as `next_url` (for v2-era clients).
    pub next_page: Option<String>,
    /// The same as `previous_url` (for v2-era clients).
    pub previous_page: Option<String>,
}

/// The schema of a page of `T`: `values` references `T` by name.
pub fn page_schema<T: ToSchema>() -> RefOr<Schema> {
    {
        let link = |description: &str| {
            ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                    Type::String,
                    Type::Null,
                ]))
                .description(Some(description))
        };
        ObjectBuilder::new()
            .description(Some("A page of a Kolada list"))
            .property(
                "values",
                utoipa::openapi::schema::ArrayBuilder::new()
                    .items(utoipa::openapi::Ref::from_schema_name(T::name()))
                    .description(Some("The items of this page")),
            )
            .required("values")
            .property(
                "count",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0))
                    .description(Some("How many items this page holds")),
            )
            .required("count")
            .property(
                "next_url",
                link("The absolute URL of the next page, or null on the last page"),
            )
            .required("next_url")
            .property(
                "previous_url",
                link("The absolute URL of the previous page, or null on the first page"),
            )
            .required("previous_url")
            .property(
                "next_page",
                link("The same as `next_url` (for v2-era clients)"),
            )
            .required("next_page")
            .property(
                "previous_page",
                link("The same as `previous_url` (for v2-era clients)"),
            )
            .required("previous_page")
            .into()
    }
}

/// Declares the documented page of an item type (the envelope is [`KoladaPage`]).
macro_rules! kolada_page {
    ($(#[$doc:meta])* $page:ident, $item:ty) => {
        $(#[$doc])*
        pub struct $page;

        impl utoipa::PartialSchema for $page {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::routes::kolada::page_schema::<$item>()
            }
        }

        impl utoipa::ToSchema for $page {
            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                schemas.push((
                    <$item as utoipa::ToSchema>::name().into_owned(),
                    <$item as utoipa::PartialSchema>::schema(),
                ));
                <$item as utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}
pub(crate) use kolada_page;

/// Paging of every Kolada list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PagingParams {
    /// The page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u32>,
    /// Items per page (default 5000). Like Kolada, any whole number is accepted and clamped to
    /// 1–5000.
    #[param(value_type = Option<String>, pattern = "^[+-]?[0-9]+$")]
    per_page: Option<i64>,
}

/// The query string as name–value pairs; control characters are refused.
pub fn query_pairs(req: &HttpRequest) -> ApiResult<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some((name, _)) = pairs.iter().find(|(_, v)| v.chars().any(char::is_control)) {
        return Err(bad_parameter(name, "contains a control character"));
    }
    Ok(pairs)
}

/// The last value of a parameter.
pub fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Every item of a comma list.
pub fn comma_list(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A 400 naming a path parameter.
pub fn bad_path_parameter(name: &str, message: &str) -> ApiError {
    ApiError::BadQuery {
        detail: format!("path parameter `{name}`: {message}"),
        errors: vec![FieldError::new(name, message)],
    }
}

/// Which page a request asks for.
struct Paging {
    page: usize,
    per_page: usize,
}

/// A whole number, clamped to `1..=max` (any number of digits, as Kolada accepts).
fn clamped_whole_number(text: &str, max: usize) -> Option<usize> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if negative {
        return Some(1);
    }
    let value = digits.parse::<usize>().unwrap_or(usize::MAX);
    Some(value.clamp(1, max))
}

impl Paging {
    fn parse(pairs: &[(String, String)]) -> ApiResult<Self> {
        let page = match single(pairs, "page") {
            None => 1,
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|p| (1..=MAX_PAGE).contains(p))
                .ok_or_else(|| {
                    bad_parameter(
                        "page",
                        &format!("must be a whole number from 1 to {MAX_PAGE}"),
                    )
                })?,
        };
        let per_page = match single(pairs, "per_page") {
            None => MAX_PER_PAGE,
            Some(p) => clamped_whole_number(p, MAX_PER_PAGE)
                .ok_or_else(|| bad_parameter("per_page", "must be a whole number"))?,
        };
        Ok(Self { page, per_page })
    }
}

/// The absolute URL of this request with another page.
fn page_url(req: &HttpRequest, pairs: &[(String, String)], page: usize, per_page: usize) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(k, _)| k != "page" && k != "per_page") {
        query.append_pair(k, v);
    }
    query.append_pair("page", &page.to_string());
    query.append_pair("per_page", &per_page.to_string());
    format!(
        "{}{}?{}",
        crate::public_url::base_url(req),
        req.path(),
        query.finish()
    )
}

/// One page of `items` in Kolada's envelope.
pub fn respond<T: Serialize + ToSchema>(
    req: &HttpRequest,
    pairs: &[(String, String)],
    items: Vec<T>,
) -> ApiResult<HttpResponse> {
    let Paging { page, per_page } = Paging::parse(pairs)?;
    let total = items.len();
    let start = (page - 1).saturating_mul(per_page).min(total);
    let end = start.saturating_add(per_page).min(total);
    let values: Vec<T> = items.into_iter().skip(start).take(end - start).collect();
    let next_url = (end < total).then(|| page_url(req, pairs, page + 1, per_page));
    let previous_url = (page > 1).then(|| {
        // A page past the end links back to the last page that has items.
        let last = total.div_ceil(per_page).max(1);
        page_url(req, pairs, (page - 1).min(last), per_page)
    });
    let body = KoladaPage {
        count: values.len(),
        values,
        next_page: next_url.clone(),
        previous_page: previous_url.clone(),
        next_url,
        previous_url,
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(HttpResponse::Ok()
        .content_type(KOLADA_JSON)
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(bytes))
}

/// Checks paging before any query runs (a bad `page` is a 400 even for an empty answer).
pub fn check_paging(pairs: &[(String, String)]) -> ApiResult<()> {
    Paging::parse(pairs).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::{MAX_PER_PAGE, clamped_whole_number};

    #[test]
    fn per_page_is_clamped_like_kolada_does() {
        assert_eq!(clamped_whole_number("0", MAX_PER_PAGE), Some(1));
        assert_eq!(clamped_whole_number("-7", MAX_PER_PAGE), Some(1));
        assert_eq!(clamped_whole_number("20", MAX_PER_PAGE), Some(20));
        assert_eq!(
            clamped_whole_number("99999999999999999999999999", MAX_PER_PAGE),
            Some(MAX_PER_PAGE)
        );
        assert_eq!(clamped_whole_number("many", MAX_PER_PAGE), None);
        assert_eq!(clamped_whole_number("", MAX_PER_PAGE), None);
        assert_eq!(clamped_whole_number("2.5", MAX_PER_PAGE), None);
    }
}
