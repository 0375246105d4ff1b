//! Kolada municipalities (`K`) and regions (`L`): our organisations with a municipality code,
//! and the region by its county code.

use std::collections::BTreeSet;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::{PagingParams, comma_list, query_pairs, respond, single};
use crate::{
    auth::Caller,
    error::{ApiResult, bad_parameter},
    routes::{AppState, responses::ListErrors},
    store::indicators::kolada::{self, Unit},
};

/// Mounts the municipality routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(kolada_list_municipalities)
        .service(kolada_get_municipalities);
}

super::kolada_page!(
    /// A page of Municipality items in Kolada's envelope.
    MunicipalityPage,
    Municipality
);

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

impl From<Unit> for Municipality {
    fn from(unit: Unit) -> Self {
        Self {
            id: unit.id,
            title: unit.title,
            kind: unit.kind.letter().into(),
        }
    }
}

/// `K` (municipalities) or `L` (regions).
#[derive(Debug, Clone, Copy, ToSchema)]
#[allow(dead_code)]
pub enum KoladaUnitType {
    /// Municipalities.
    K,
    /// Regions.
    L,
}

/// The query of the municipality list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct MunicipalityParams {
    /// The title contains this text (case-insensitive).
    #[param(pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    title: Option<String>,
    /// `K` (municipalities) or `L` (regions).
    #[param(rename = "type", inline)]
    kind: Option<KoladaUnitType>,
    /// The same as `type`.
    #[param(inline)]
    region_type: Option<KoladaUnitType>,
}

/// List municipalities (type `K`) and regions (type `L`).
#[utoipa::path(
    tag = "kolada",
    operation_id = "kolada_list_municipalities",
    params(MunicipalityParams, PagingParams),
    responses(
        (status = 200, description = "A page of municipalities and regions in Kolada's envelope",
         body = MunicipalityPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/municipality")]
pub async fn kolada_list_municipalities(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(&req)?;
    super::check_paging(&pairs)?;
    let mut items: Vec<Municipality> = kolada::units(&state.db)
        .await?
        .into_iter()
        .map(Municipality::from)
        .collect();
    for name in ["type", "region_type"] {
        if let Some(kind) = single(&pairs, name) {
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
    operation_id = "kolada_get_municipalities",
    params(("ids" = String, Path, description = "Municipality ids, comma-separated", pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$"), PagingParams),
    responses(
        (status = 200, description = "The municipalities and regions with these ids in \
          Kolada's envelope", body = MunicipalityPage, content_type = "application/json"),
        ListErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/kolada/v3/municipality/{ids}")]
pub async fn kolada_get_municipalities(
    req: HttpRequest,
    _caller: Caller,
    state: web::Data<AppState>,
    ids: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let pairs = query_pairs(&req)?;
    super::check_paging(&pairs)?;
    let wanted: BTreeSet<String> = comma_list(&ids).collect();
    let items = kolada::units(&state.db)
        .await?
        .into_iter()
        .filter(|u| wanted.contains(&u.id))
        .map(Municipality::from)
        .collect();
    respond(&req, &pairs, items)
}
