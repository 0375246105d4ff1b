//! A Kolada v3-compatible read API of our indicators, under `/kolada/v3/`.
//!
//! Read-only and public, so that Kolada clients (koladapy, rKolada, …) pointed at
//! `http://HOST:PORT/kolada/v3/` read our indicators unchanged: our indicator `code` is the KPI
//! id, municipalities are the organisations with a `municipality_code` (type `K`), the region is
//! `"00"` + its county code (type `L`), and only yearly values for all ages are served. Lists
//! come in Kolada's envelope (`values`, `count`, `next_url`, `previous_url`, and the v2-era
//! `next_page`, `previous_page` with the same links) and page with `page` and `per_page`.
//! Public like every published read: no token is needed unless public reads are turned off.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{AppState, responses::ListErrors};
use crate::{
    auth::Caller,
    domain::{
        indicator::{Breakdowns, Category, Gender, IndicatorKind, Period},
        organisation::OrganisationKind,
    },
    entities::{indicator, indicator_value, organisation},
    error::{ApiError, ApiResult},
    extract::bad_parameter,
    store::indicators::{self as store, ValueFilter},
};

/// Mounts the Kolada routes (at the root, outside `/api/v1`).
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(kpi_list)
        .service(kpi_lookup)
        .service(municipality_list)
        .service(municipality_lookup)
        .service(data_query)
        .service(data_query_slash)
        .service(data_kpi)
        .service(data_kpi_municipality)
        .service(data_kpi_municipality_year)
        .service(data_kpi_year)
        .service(data_municipality_year)
        .service(data_municipality_kpi);
}

/// The media type of every Kolada response.
const KOLADA_JSON: &str = "application/json; charset=utf-8";
/// The largest (and default) page.
const MAX_PER_PAGE: usize = 5000;

/// A page of a Kolada list.
#[derive(Debug, Serialize, ToSchema)]
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

/// A KPI: one of our indicators.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Kpi {
    /// The indicator's code.
    #[schema(example = "BBG-H01")]
    pub id: String,
    /// The indicator's name.
    pub title: String,
    /// The indicator's description.
    pub description: Option<String>,
    /// Whether values are broken down by gender.
    pub is_divided_by_gender: bool,
    /// Always "A" (municipalities and regions).
    #[schema(example = "A")]
    pub municipality_type: String,
    /// Always null.
    pub auspice: Option<String>,
    /// The indicator's category, in Swedish.
    #[schema(example = "Hälsa")]
    pub operating_area: String,
    /// The indicator's kind, in Swedish ("Process" or "Resultat").
    pub perspective: String,
    /// Always null.
    pub prel_publication_date: Option<String>,
    /// Always null.
    pub publication_date: Option<String>,
    /// The latest year with a value, or null.
    #[schema(example = "2023")]
    pub publ_period: Option<String>,
    /// Always false.
    pub has_ou_data: bool,
}

/// A municipality (`K`) or region (`L`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Municipality {
    /// Four digits: the municipality code, or "00" and the county code for a region.
    #[schema(example = "0780")]
    pub id: String,
    /// The organisation's name.
    pub title: String,
    /// `K` (municipality) or `L` (region).
    #[serde(rename = "type")]
    #[schema(example = "K")]
    pub kind: String,
}

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
    /// Always "".
    pub status: String,
    /// The value; null when suppressed.
    pub value: Option<f64>,
    /// Always false (deleted values are not kept).
    pub isdeleted: bool,
}

/// Paging of every Kolada list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PagingParams {
    /// The page, from 1.
    #[param(minimum = 1)]
    page: Option<u32>,
    /// Items per page, 1–5000 (default 5000).
    #[param(minimum = 1, maximum = 5000)]
    per_page: Option<u32>,
}

/// The query of the KPI list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct KpiParams {
    /// The title contains this text (case-insensitive).
    title: Option<String>,
}

/// The query of the municipality list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct MunicipalityParams {
    /// The title contains this text (case-insensitive).
    title: Option<String>,
    /// `K` (municipalities) or `L` (regions).
    #[param(rename = "type")]
    kind: Option<String>,
    /// The same as `type`.
    region_type: Option<String>,
}

/// The query of every data route.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DataParams {
    /// Only values changed on or after this day (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date)]
    from_date: Option<String>,
}

/// The filters of the query form of the data route.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DataQueryParams {
    /// KPI ids: repeated keys or a comma list.
    kpi_id: Option<Vec<String>>,
    /// Municipality ids: repeated keys or a comma list.
    municipality_id: Option<Vec<String>>,
    /// Years: repeated keys or a comma list.
    year: Option<Vec<String>>,
}

/// The query string as name–value pairs; control characters are refused.
fn query_pairs(req: &HttpRequest) -> ApiResult<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some((name, _)) = pairs.iter().find(|(_, v)| v.chars().any(char::is_control)) {
        return Err(bad_parameter(name, "contains a control character"));
    }
    Ok(pairs)
}

/// The last value of a parameter.
fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Every item of a comma list.
fn comma_list(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Every item of a parameter given as repeated keys, comma lists or both; `None` when absent.
fn multi(pairs: &[(String, String)], name: &str) -> Option<Vec<String>> {
    let mut found = false;
    let mut items = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == name) {
        found = true;
        items.extend(comma_list(v));
    }
    found.then_some(items)
}

fn years(name: &str, items: &[String]) -> ApiResult<BTreeSet<i32>> {
    items
        .iter()
        .map(|y| {
            y.parse::<i32>()
                .ok()
                .filter(|y| (1900..=2200).contains(y))
                .ok_or_else(|| bad_parameter(name, &format!("`{y}` is not a year")))
        })
        .collect()
}

/// Which page a request asks for.
struct Paging {
    page: usize,
    per_page: usize,
}

impl Paging {
    fn parse(pairs: &[(String, String)]) -> ApiResult<Self> {
        let page = match single(pairs, "page") {
            None => 1,
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| bad_parameter("page", "must be a whole number from 1"))?,
        };
        let per_page = match single(pairs, "per_page") {
            None => MAX_PER_PAGE,
            Some(p) => p
                .parse::<i64>()
                .map_err(|_| bad_parameter("per_page", "must be a whole number"))?
                .clamp(1, MAX_PER_PAGE as i64) as usize,
        };
        Ok(Self { page, per_page })
    }
}

/// The absolute URL of this request with another page.
fn page_url(req: &HttpRequest, pairs: &[(String, String)], page: usize, per_page: usize) -> String {
    let info = req.connection_info();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(k, _)| k != "page" && k != "per_page") {
        query.append_pair(k, v);
    }
    query.append_pair("page", &page.to_string());
    query.append_pair("per_page", &per_page.to_string());
    format!(
        "{}://{}{}?{}",
        info.scheme(),
        info.host(),
        req.path(),
        query.finish()
    )
}

/// One page of `items` in Kolada's envelope.
fn respond<T: Serialize + ToSchema>(
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

fn operating_area(category: Category) -> &'static str {
    match category {
        Category::Health => "Hälsa",
        Category::DevelopmentAndCare => "Utveckling och omsorg",
        Category::Education => "Utbildning",
        Category::Safety => "Trygghet",
        Category::Participation => "Delaktighet",
        Category::LivingConditions => "Levnadsvillkor",
        Category::Other => "Annat",
    }
}

fn perspective(kind: IndicatorKind) -> &'static str {
    match kind {
        IndicatorKind::Process => "Process",
        IndicatorKind::Outcome => "Resultat",
    }
}

fn kolada_gender(gender: Gender) -> &'static str {
    match gender {
        Gender::Female => "K",
        Gender::Male => "M",
        Gender::Total => "T",
    }
}

/// The latest year with a value, per indicator.
async fn latest_years(db: &DatabaseConnection) -> ApiResult<HashMap<Uuid, String>> {
    use indicator_value::Column as C;
    let rows: Vec<(Uuid, Option<String>)> = indicator_value::Entity::find()
        .select_only()
        .column(C::IndicatorId)
        .column_as(C::Period.max(), "latest")
        // Yearly periods are the four-character ones ("2021"; not "2021-H1").
        .filter(C::Period.like("____"))
        .filter(C::AgeGroup.eq(""))
        .group_by(C::IndicatorId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, latest)| Some((id, latest?)))
        .collect())
}

async fn kpis(db: &DatabaseConnection, rows: Vec<indicator::Model>) -> ApiResult<Vec<Kpi>> {
    let latest = latest_years(db).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let breakdowns: Breakdowns = serde_json::from_value(row.breakdowns).unwrap_or_default();
            Kpi {
                publ_period: latest.get(&row.id).cloned(),
                id: row.code,
                title: row.name,
                description: row.description,
                is_divided_by_gender: breakdowns.gender,
                municipality_type: "A".into(),
                auspice: None,
                operating_area: operating_area(row.category).into(),
                perspective: perspective(row.kind).into(),
                prel_publication_date: None,
                publication_date: None,
                has_ou_data: false,
            }
        })
        .collect())
}

/// List KPIs (our indicators).
#[utoipa::path(
    tag = "kolada",
    params(KpiParams, PagingParams),
    responses(
        (status = 200, body = KoladaPage<Kpi>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/kpi")]
pub async fn kpi_list(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(&req)?;
    let mut rows = store::all(&state.db).await?;
    if let Some(title) = single(&pairs, "title") {
        let title = title.to_lowercase();
        rows.retain(|row| row.name.to_lowercase().contains(&title));
    }
    let items = kpis(&state.db, rows).await?;
    respond(&req, &pairs, items)
}

/// Read KPIs by id (a comma list); an unknown id gives an empty list.
#[utoipa::path(
    tag = "kolada",
    params(("ids" = String, Path, description = "KPI ids, comma-separated"), PagingParams),
    responses(
        (status = 200, body = KoladaPage<Kpi>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/kpi/{ids}")]
pub async fn kpi_lookup(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    ids: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(&req)?;
    let codes: Vec<String> = comma_list(&ids).collect();
    let rows = if codes.is_empty() {
        Vec::new()
    } else {
        store::by_codes(&state.db, &codes).await?
    };
    let items = kpis(&state.db, rows).await?;
    respond(&req, &pairs, items)
}

/// The organisations Kolada knows, by Kolada id: municipalities and regions.
async fn units(db: &DatabaseConnection) -> ApiResult<Vec<(Municipality, Uuid)>> {
    let rows = organisation::Entity::find()
        .filter(organisation::Column::Archived.eq(false))
        .all(db)
        .await?;
    let mut units: Vec<(Municipality, Uuid)> = rows
        .into_iter()
        .filter_map(|row| {
            let (id, kind) = match (&row.municipality_code, &row.county_code) {
                (Some(code), _) => (code.clone(), "K"),
                (None, Some(county)) if row.kind == OrganisationKind::Region => {
                    (format!("00{county}"), "L")
                }
                _ => return None,
            };
            Some((
                Municipality {
                    id,
                    title: row.name,
                    kind: kind.into(),
                },
                row.id,
            ))
        })
        .collect();
    units.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    units.dedup_by(|a, b| a.0.id == b.0.id);
    Ok(units)
}

/// List municipalities (type `K`) and regions (type `L`).
#[utoipa::path(
    tag = "kolada",
    params(MunicipalityParams, PagingParams),
    responses(
        (status = 200, body = KoladaPage<Municipality>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/municipality")]
pub async fn municipality_list(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(&req)?;
    let mut items: Vec<Municipality> = units(&state.db)
        .await?
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    for name in ["type", "region_type"] {
        if let Some(kind) = single(&pairs, name) {
            let kind = kind.to_uppercase();
            if kind != "K" && kind != "L" {
                return Err(bad_parameter(name, "must be K or L"));
            }
            items.retain(|m| m.kind == kind);
        }
    }
    if let Some(title) = single(&pairs, "title") {
        let title = title.to_lowercase();
        items.retain(|m| m.title.to_lowercase().contains(&title));
    }
    respond(&req, &pairs, items)
}

/// Read municipalities and regions by id (a comma list); an unknown id gives an empty list.
#[utoipa::path(
    tag = "kolada",
    params(("ids" = String, Path, description = "Municipality ids, comma-separated"), PagingParams),
    responses(
        (status = 200, body = KoladaPage<Municipality>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/municipality/{ids}")]
pub async fn municipality_lookup(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    ids: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(&req)?;
    let wanted: BTreeSet<String> = comma_list(&ids).collect();
    let items = units(&state.db)
        .await?
        .into_iter()
        .map(|(m, _)| m)
        .filter(|m| wanted.contains(&m.id))
        .collect();
    respond(&req, &pairs, items)
}

/// What a data request selects; `None` is every one.
#[derive(Debug, Default)]
struct DataSelection {
    kpis: Option<Vec<String>>,
    municipalities: Option<Vec<String>>,
    years: Option<Vec<String>>,
}

/// A data entry's KPI, municipality and year.
type EntryKey = (String, String, i32);

/// Answers a data request: the selection from the path or query, `from_date` and paging.
async fn data(
    req: &HttpRequest,
    db: &DatabaseConnection,
    pairs: &[(String, String)],
    selection: DataSelection,
) -> ApiResult<HttpResponse> {
    let years = selection
        .years
        .as_deref()
        .map(|y| years("year", y))
        .transpose()?;
    let updated_since = match single(pairs, "from_date") {
        None => None,
        Some(text) => Some(
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| bad_parameter("from_date", "must be a date, YYYY-MM-DD"))?
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc(),
        ),
    };
    Paging::parse(pairs)?;
    let indicators = match &selection.kpis {
        Some(codes) if codes.is_empty() => Vec::new(),
        Some(codes) => store::by_codes(db, codes).await?,
        None => store::all(db).await?,
    };
    let mut units = units(db).await?;
    if let Some(ids) = &selection.municipalities {
        units.retain(|(m, _)| ids.contains(&m.id));
    }
    let kolada_ids: HashMap<Uuid, String> =
        units.iter().map(|(m, id)| (*id, m.id.clone())).collect();
    let mut entries: BTreeMap<EntryKey, Vec<(Gender, Option<f64>)>> = BTreeMap::new();
    if !units.is_empty() && years.as_ref().is_none_or(|y| !y.is_empty()) {
        let filter = ValueFilter {
            organisation_ids: units.iter().map(|(_, id)| *id).collect(),
            from: years
                .as_ref()
                .and_then(|y| y.first())
                .and_then(|y| NaiveDate::from_ymd_opt(*y, 1, 1)),
            to: years
                .as_ref()
                .and_then(|y| y.last())
                .and_then(|y| NaiveDate::from_ymd_opt(*y, 12, 31)),
            age_group: Some(String::new()),
            updated_since,
            ..Default::default()
        };
        for indicator in &indicators {
            for value in store::values(db, indicator.id, &filter).await? {
                let Ok(Period::Year(year)) = value.period.parse::<Period>() else {
                    continue;
                };
                if years.as_ref().is_some_and(|y| !y.contains(&year)) {
                    continue;
                }
                let Some(municipality) = kolada_ids.get(&value.organisation_id) else {
                    continue;
                };
                entries
                    .entry((indicator.code.clone(), municipality.clone(), year))
                    .or_default()
                    .push((value.gender, value.value));
            }
        }
    }
    let items: Vec<DataEntry> = entries
        .into_iter()
        .map(|((kpi, municipality, period), mut values)| {
            values.sort_by_key(|(gender, _)| kolada_gender(*gender));
            DataEntry {
                kpi,
                municipality,
                period,
                values: values
                    .into_iter()
                    .map(|(gender, value)| DataValue {
                        gender: kolada_gender(gender).into(),
                        count: 1,
                        status: String::new(),
                        value,
                        isdeleted: false,
                    })
                    .collect(),
            }
        })
        .collect();
    respond(req, pairs, items)
}

/// The query form, as koladapy sends it.
async fn data_by_query(req: &HttpRequest, db: &DatabaseConnection) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(req)?;
    let selection = DataSelection {
        kpis: multi(&pairs, "kpi_id"),
        municipalities: multi(&pairs, "municipality_id"),
        years: multi(&pairs, "year"),
    };
    data(req, db, &pairs, selection).await
}

/// Data selected by the query (`kpi_id`, `municipality_id`, `year`: repeated keys or comma lists).
#[utoipa::path(
    tag = "kolada",
    params(DataQueryParams, DataParams, PagingParams),
    responses(
        (status = 200, body = KoladaPage<DataEntry>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data")]
pub async fn data_query(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    data_by_query(&req, &state.db).await
}

/// The same as `/kolada/v3/data` (koladapy asks with the trailing slash).
#[utoipa::path(
    tag = "kolada",
    params(DataQueryParams, DataParams, PagingParams),
    responses(
        (status = 200, body = KoladaPage<DataEntry>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/")]
pub async fn data_query_slash(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    data_by_query(&req, &state.db).await
}

async fn data_by_path(
    req: &HttpRequest,
    db: &DatabaseConnection,
    kpi: Option<&str>,
    municipality: Option<&str>,
    year: Option<&str>,
) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(req)?;
    let list = |segment: Option<&str>| segment.map(|s| comma_list(s).collect::<Vec<_>>());
    let selection = DataSelection {
        kpis: list(kpi),
        municipalities: list(municipality),
        years: list(year),
    };
    data(req, db, &pairs, selection).await
}

/// Data of KPIs, for every municipality and year.
#[utoipa::path(
    tag = "kolada",
    params(("kpi" = String, Path, description = "KPI ids, comma-separated"), DataParams, PagingParams),
    responses(
        (status = 200, body = KoladaPage<DataEntry>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/kpi/{kpi}")]
pub async fn data_kpi(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    data_by_path(&req, &state.db, Some(&path), None, None).await
}

/// Data of KPIs for municipalities, every year.
#[utoipa::path(
    tag = "kolada",
    params(("kpi" = String, Path, description = "KPI ids, comma-separated"),
           ("mun" = String, Path, description = "Municipality ids, comma-separated"),
           DataParams, PagingParams),
    responses(
        (status = 200, body = KoladaPage<DataEntry>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/kpi/{kpi}/municipality/{mun}")]
pub async fn data_kpi_municipality(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (kpi, mun) = path.into_inner();
    data_by_path(&req, &state.db, Some(&kpi), Some(&mun), None).await
}

/// Data of KPIs for municipalities and years.
#[utoipa::path(
    tag = "kolada",
    params(("kpi" = String, Path, description = "KPI ids, comma-separated"),
           ("mun" = String, Path, description = "Municipality ids, comma-separated"),
           ("years" = String, Path, description = "Years, comma-separated"),
           DataParams, PagingParams),
    responses(
        (status = 200, body = KoladaPage<DataEntry>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/kpi/{kpi}/municipality/{mun}/year/{years}")]
pub async fn data_kpi_municipality_year(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> ApiResult<HttpResponse> {
    let (kpi, mun, years) = path.into_inner();
    data_by_path(&req, &state.db, Some(&kpi), Some(&mun), Some(&years)).await
}

/// Data of KPIs for every municipality, in these years.
#[utoipa::path(
    tag = "kolada",
    params(("kpi" = String, Path, description = "KPI ids, comma-separated"),
           ("years" = String, Path, description = "Years, comma-separated"),
           DataParams, PagingParams),
    responses(
        (status = 200, body = KoladaPage<DataEntry>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/kpi/{kpi}/year/{years}")]
pub async fn data_kpi_year(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (kpi, years) = path.into_inner();
    data_by_path(&req, &state.db, Some(&kpi), None, Some(&years)).await
}

/// Data of every KPI for municipalities, in these years.
#[utoipa::path(
    tag = "kolada",
    params(("mun" = String, Path, description = "Municipality ids, comma-separated"),
           ("years" = String, Path, description = "Years, comma-separated"),
           DataParams, PagingParams),
    responses(
        (status = 200, body = KoladaPage<DataEntry>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/municipality/{mun}/year/{years}")]
pub async fn data_municipality_year(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (mun, years) = path.into_inner();
    data_by_path(&req, &state.db, None, Some(&mun), Some(&years)).await
}

/// Data of KPIs for municipalities, every year (the order of `/data/kpi/{kpi}/municipality/{mun}`
/// reversed).
#[utoipa::path(
    tag = "kolada",
    params(("mun" = String, Path, description = "Municipality ids, comma-separated"),
           ("kpi" = String, Path, description = "KPI ids, comma-separated"),
           DataParams, PagingParams),
    responses(
        (status = 200, body = KoladaPage<DataEntry>, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/data/municipality/{mun}/kpi/{kpi}")]
pub async fn data_municipality_kpi(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (mun, kpi) = path.into_inner();
    data_by_path(&req, &state.db, Some(&kpi), Some(&mun), None).await
}
