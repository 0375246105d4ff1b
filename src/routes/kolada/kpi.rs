//! Kolada KPIs: our indicators, listed and looked up by id.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{PagingParams, comma_list, query_pairs, respond, single};
use crate::{
    auth::Caller,
    domain::indicator::{Category, IndicatorKind},
    entities::indicator,
    error::ApiResult,
    routes::{AppState, responses::ListErrors},
    store::indicators::{self as store, kolada},
};

/// Mounts the KPI routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(kolada_list_kpis).service(kolada_get_kpis);
}

super::kolada_page!(
    /// A page of Kpi items in Kolada's envelope.
    KpiPage,
    Kpi
);

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

/// The query of the KPI list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct KpiParams {
    /// The title contains this text (case-insensitive).
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    title: Option<String>,
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

async fn kpis(state: &AppState, rows: Vec<indicator::Model>) -> ApiResult<Vec<Kpi>> {
    let latest = kolada::latest_years(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|row| Kpi {
            publ_period: latest.get(&row.id).cloned(),
            is_divided_by_gender: row.breakdowns.gender,
            id: row.code,
            title: row.name,
            description: row.description,
            municipality_type: "A".into(),
            auspice: None,
            operating_area: operating_area(row.category).into(),
            perspective: perspective(row.kind).into(),
            prel_publication_date: None,
            publication_date: None,
            has_ou_data: false,
        })
        .collect())
}

/// List KPIs (our indicators).
#[utoipa::path(
    tag = "kolada",
    operation_id = "kolada_list_kpis",
    params(KpiParams, PagingParams),
    responses(
        (status = 200, description = "A page of KPIs in Kolada's envelope",
         body = KpiPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/kpi")]
pub async fn kolada_list_kpis(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(&req)?;
    super::check_paging(&pairs)?;
    let mut rows = store::all(&state.db).await?;
    if let Some(title) = single(&pairs, "title") {
        let title = title.to_lowercase();
        rows.retain(|row| row.name.to_lowercase().contains(&title));
    }
    let items = kpis(&state, rows).await?;
    respond(&req, &pairs, items)
}

/// Read KPIs by id (a comma list); an unknown id gives an empty list.
#[utoipa::path(
    tag = "kolada",
    operation_id = "kolada_get_kpis",
    params(("ids" = String, Path, description = "KPI ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"), PagingParams),
    responses(
        (status = 200, description = "The KPIs with these ids in Kolada's envelope",
         body = KpiPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/kpi/{ids}")]
pub async fn kolada_get_kpis(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    ids: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(&req)?;
    super::check_paging(&pairs)?;
    let codes: Vec<String> = comma_list(&ids).collect();
    let rows = kolada::kpis(&state.db, Some(&codes)).await?;
    let items = kpis(&state, rows).await?;
    respond(&req, &pairs, items)
}
