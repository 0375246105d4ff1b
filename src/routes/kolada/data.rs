//! Kolada data: the values of KPIs per municipality and year, selected by path segments or by
//! the query (`kpi_id`, `municipality_id`, `year`), as koladapy asks.

use std::collections::BTreeSet;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{
    KoladaYears, PagingParams, PlainText, bad_path_parameter, check_paging, comma_list,
    query_pairs, respond, single,
};
use crate::{
    auth::Caller,
    domain::indicator::Gender,
    error::{ApiError, ApiResult, bad_parameter},
    routes::{AppState, responses::ListErrors},
    store::indicators::kolada::{self, DataSelection, Entry},
};

/// Mounts the data routes. `/kolada/v3/data/` (with the slash koladapy sends) is served like
/// `/kolada/v3/data` but documented once, without the slash.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(kolada_list_data)
        .route("/kolada/v3/data/", web::get().to(kolada_list_data_slash))
        .service(kolada_get_kpi_data)
        .service(kolada_get_kpi_municipality_data)
        .service(kolada_get_kpi_municipality_year_data)
        .service(kolada_get_kpi_year_data)
        .service(kolada_get_municipality_year_data)
        .service(kolada_get_municipality_kpi_data);
}

super::kolada_page!(
    /// A page of DataEntry items in Kolada's envelope.
    DataPage,
    DataEntry
);

/// The values of one KPI for one municipality and year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DataEntry {
    /// The KPI id.
    pub kpi: String,
    /// The municipality id.
    pub municipality: String,
    /// The year.
    pub period: i32,
    /// One value per gender (`K`, `M`, `T`).
    pub values: Vec<DataValue>,
}

/// One value of a [`DataEntry`].
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DataValue {
    /// `K` (girls and women), `M` (boys and men) or `T` (everyone).
    pub gender: String,
    /// Always 1.
    pub count: u32,
    /// "" for an ordinary value; `Approximate` for an approximate one ("ca 80").
    pub status: String,
    /// The value; null when suppressed.
    pub value: Option<f64>,
    /// True for a value deleted since `from_date` (its `value` is null); false otherwise.
    pub isdeleted: bool,
}

fn kolada_gender(gender: Gender) -> &'static str {
    match gender {
        Gender::Female => "K",
        Gender::Male => "M",
        Gender::Total => "T",
    }
}

impl From<Entry> for DataEntry {
    fn from(entry: Entry) -> Self {
        let mut values = entry.values;
        values.sort_by_key(|v| kolada_gender(v.gender));
        Self {
            kpi: entry.kpi,
            municipality: entry.municipality,
            period: entry.year,
            values: values
                .into_iter()
                .map(|v| DataValue {
                    gender: kolada_gender(v.gender).into(),
                    count: 1,
                    status: if v.approximate { "Approximate" } else { "" }.into(),
                    value: v.value,
                    isdeleted: v.deleted,
                })
                .collect(),
        }
    }
}

/// The query of every data route.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DataParams {
    /// Only values changed on or after this day (YYYY-MM-DD, in the years 1900 to 2200).
    #[param(
        value_type = Option<String>,
        format = Date,
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$"
    )]
    from_date: Option<String>,
}

/// The filters of the query form of the data route.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DataQueryParams {
    /// KPI ids: repeated keys or a comma list.
    #[param(value_type = Option<Vec<PlainText>>, inline)]
    kpi_id: Option<Vec<String>>,
    /// Municipality ids: repeated keys or a comma list.
    #[param(value_type = Option<Vec<PlainText>>, inline)]
    municipality_id: Option<Vec<String>>,
    /// Years (1900–2200): repeated keys or comma lists.
    #[param(value_type = Option<Vec<KoladaYears>>, inline)]
    year: Option<Vec<String>>,
}

/// The years of a comma list; every item must be a year from 1900 to 2200.
fn years(text: &str, bad: impl Fn(&str) -> ApiError) -> ApiResult<Vec<i32>> {
    text.split(',')
        .map(|y| {
            Some(y)
                .filter(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|y| y.parse::<i32>().ok())
                .filter(|y| (1900..=2200).contains(y))
                .ok_or_else(|| bad(&format!("`{y}` is not a year (1900-2200)")))
        })
        .collect()
}

/// Every item of a query parameter given as repeated keys, comma lists or both; `None` when
/// absent.
fn multi(pairs: &[(String, String)], name: &str) -> Option<Vec<String>> {
    let mut found = false;
    let mut items = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == name) {
        found = true;
        items.extend(comma_list(v));
    }
    found.then_some(items)
}

/// `from_date` as the start of that day.
fn from_date(pairs: &[(String, String)]) -> ApiResult<Option<chrono::DateTime<chrono::Utc>>> {
    single(pairs, "from_date")
        .map(|text| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .filter(|day| crate::domain::time::date_in_range(*day))
                .and_then(|day| day.and_hms_opt(0, 0, 0))
                .map(|at| at.and_utc())
                .ok_or_else(|| {
                    bad_parameter("from_date", "must be a date, YYYY-MM-DD, in 1900 to 2200")
                })
        })
        .transpose()
}

/// Answers a data request.
async fn answer(
    req: &HttpRequest,
    state: &AppState,
    pairs: &[(String, String)],
    mut selection: DataSelection,
) -> ApiResult<HttpResponse> {
    selection.updated_since = from_date(pairs)?;
    check_paging(pairs)?;
    let items: Vec<DataEntry> = kolada::data(&state.db, &selection)
        .await?
        .into_iter()
        .map(DataEntry::from)
        .collect();
    respond(req, pairs, items)
}

/// The query form, as koladapy sends it.
async fn by_query(req: &HttpRequest, state: &AppState) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(req)?;
    let years = match pairs.iter().any(|(k, _)| k == "year") {
        false => None,
        true => {
            let mut all = BTreeSet::new();
            for (_, v) in pairs.iter().filter(|(k, _)| k == "year") {
                all.extend(years(v, |m| bad_parameter("year", m))?);
            }
            Some(all)
        }
    };
    let selection = DataSelection {
        kpis: multi(&pairs, "kpi_id"),
        municipalities: multi(&pairs, "municipality_id"),
        years,
        updated_since: None,
    };
    answer(req, state, &pairs, selection).await
}

/// Data selected by the query (`kpi_id`, `municipality_id`, `year`: repeated keys or comma
/// lists). Also served at `/kolada/v3/data/`, the path koladapy asks for.
#[utoipa::path(
    tag = "kolada",
    operation_id = "kolada_list_data",
    params(DataQueryParams, DataParams, PagingParams),
    responses(
        (status = 200, description = "A page of data entries in Kolada's envelope",
         body = DataPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data")]
pub async fn kolada_list_data(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    by_query(&req, &state).await
}

/// `/kolada/v3/data/`: the same as [`kolada_list_data`] (koladapy asks with the slash).
pub async fn kolada_list_data_slash(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    by_query(&req, &state).await
}

/// The path form: each segment a comma list.
async fn by_path(
    req: &HttpRequest,
    state: &AppState,
    kpi: Option<&str>,
    municipality: Option<&str>,
    year: Option<&str>,
) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(req)?;
    let list = |segment: Option<&str>| segment.map(|s| comma_list(s).collect::<Vec<_>>());
    let years = year
        .map(|y| years(y, |m| bad_path_parameter("years", m)))
        .transpose()?
        .map(|y| y.into_iter().collect());
    let selection = DataSelection {
        kpis: list(kpi),
        municipalities: list(municipality),
        years,
        updated_since: None,
    };
    answer(req, state, &pairs, selection).await
}

/// Data of KPIs, for every municipality and year.
#[utoipa::path(
    tag = "kolada",
    operation_id = "kolada_get_kpi_data",
    params(("kpi" = String, Path, description = "KPI ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"), DataParams, PagingParams),
    responses(
        (status = 200, description = "A page of data entries in Kolada's envelope",
         body = DataPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/kpi/{kpi}")]
pub async fn kolada_get_kpi_data(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    by_path(&req, &state, Some(&path), None, None).await
}

/// Data of KPIs for municipalities, every year.
#[utoipa::path(
    tag = "kolada",
    operation_id = "kolada_get_kpi_municipality_data",
    params(("kpi" = String, Path, description = "KPI ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
           ("mun" = String, Path, description = "Municipality ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
           DataParams, PagingParams),
    responses(
        (status = 200, description = "A page of data entries in Kolada's envelope",
         body = DataPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/kpi/{kpi}/municipality/{mun}")]
pub async fn kolada_get_kpi_municipality_data(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (kpi, mun) = path.into_inner();
    by_path(&req, &state, Some(&kpi), Some(&mun), None).await
}

/// Data of KPIs for municipalities and years.
#[utoipa::path(
    tag = "kolada",
    operation_id = "kolada_get_kpi_municipality_year_data",
    params(("kpi" = String, Path, description = "KPI ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
           ("mun" = String, Path, description = "Municipality ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
           ("years" = inline(KoladaYears), Path, description = "Years, comma-separated"),
           DataParams, PagingParams),
    responses(
        (status = 200, description = "A page of data entries in Kolada's envelope",
         body = DataPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/kpi/{kpi}/municipality/{mun}/year/{years}")]
pub async fn kolada_get_kpi_municipality_year_data(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> ApiResult<HttpResponse> {
    let (kpi, mun, years) = path.into_inner();
    by_path(&req, &state, Some(&kpi), Some(&mun), Some(&years)).await
}

/// Data of KPIs for every municipality, in these years.
#[utoipa::path(
    tag = "kolada",
    operation_id = "kolada_get_kpi_year_data",
    params(("kpi" = String, Path, description = "KPI ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
           ("years" = inline(KoladaYears), Path, description = "Years, comma-separated"),
           DataParams, PagingParams),
    responses(
        (status = 200, description = "A page of data entries in Kolada's envelope",
         body = DataPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/kpi/{kpi}/year/{years}")]
pub async fn kolada_get_kpi_year_data(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (kpi, years) = path.into_inner();
    by_path(&req, &state, Some(&kpi), None, Some(&years)).await
}

/// Data of every KPI for municipalities, in these years.
#[utoipa::path(
    tag = "kolada",
    operation_id = "kolada_get_municipality_year_data",
    params(("mun" = String, Path, description = "Municipality ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
           ("years" = inline(KoladaYears), Path, description = "Years, comma-separated"),
           DataParams, PagingParams),
    responses(
        (status = 200, description = "A page of data entries in Kolada's envelope",
         body = DataPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/municipality/{mun}/year/{years}")]
pub async fn kolada_get_municipality_year_data(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (mun, years) = path.into_inner();
    by_path(&req, &state, None, Some(&mun), Some(&years)).await
}

/// Data of KPIs for municipalities, every year (the order of `/data/kpi/{kpi}/municipality/{mun}`
/// reversed).
#[utoipa::path(
    tag = "kolada",
    operation_id = "kolada_get_municipality_kpi_data",
    params(("mun" = String, Path, description = "Municipality ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
           ("kpi" = String, Path, description = "KPI ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"),
           DataParams, PagingParams),
    responses(
        (status = 200, description = "A page of data entries in Kolada's envelope",
         body = DataPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/municipality/{mun}/kpi/{kpi}")]
pub async fn kolada_get_municipality_kpi_data(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (mun, kpi) = path.into_inner();
    by_path(&req, &state, Some(&kpi), Some(&mun), None).await
}
