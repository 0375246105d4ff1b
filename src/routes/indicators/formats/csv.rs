//! Indicator values as CSV: the export, and the all-or-nothing import in the same format.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::csv_rows::CSV_HEADER;
use crate::{
    auth::Caller,
    domain::{indicator::check_rows, text::spreadsheet_safe},
    entities::organisation,
    error::ApiResult,
    extract::Query,
    routes::{
        AppState,
        indicators::reporting::{Reporters, write_scope},
        kit::{
            Write,
            tabular::{self, CsvBody, CsvQuery, csv_error},
        },
        responses::{BatchErrors, ReadErrors},
    },
    store::{
        indicators::{self as store, UpsertCounts, ValueFilter},
        organisations,
    },
};

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CsvImportCounts {
    /// New values.
    pub created: usize,
    /// Changed values.
    pub updated: usize,
    /// Values sent again unchanged.
    pub unchanged: usize,
}

impl From<UpsertCounts> for CsvImportCounts {
    fn from(c: UpsertCounts) -> Self {
        Self {
            created: c.created,
            updated: c.updated,
            unchanged: c.unchanged,
        }
    }
}

/// Export an indicator's values as CSV.
///
/// UTF-8, one header row (`organisation_id,municipality_code,organisation,period,gender,
/// age_group,value,suppressed,status,note,source_ref,approximate`), ordered by organisation, period, gender
/// and age group. The same format is accepted by the import. A text cell (organisation name,
/// age group, note, source reference) that begins with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is written with a leading `'`, so that a spreadsheet shows it as text instead of
/// evaluating it as a formula (OWASP's rule against CSV injection).
#[utoipa::path(
    tag = "indicators",
    operation_id = "export_indicator_values_csv",
    params(("id" = Uuid, Path, description = "Indicator id"), CsvQuery),
    responses(
        (status = 200, description = "The values as CSV (UTF-8, header row first)",
         content_type = "text/csv", body = String,
         headers(("Content-Disposition" = String, description = "`inline; filename=\"CODE.csv\"`"))),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/indicators/{id}/values.csv")]
pub async fn export_indicator_values_csv(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<CsvQuery>,
) -> ApiResult<HttpResponse> {
    let indicator = store::get(&state.db, id.into_inner()).await?;
    let values = store::values(&state.db, indicator.id, &ValueFilter::default(), None).await?;
    let mut ids: Vec<Uuid> = values.iter().map(|v| v.organisation_id).collect();
    ids.sort();
    ids.dedup();
    let orgs: HashMap<Uuid, organisation::Model> = organisations::get_many(&state.db, ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut writer = tabular::writer(&query);
    writer.write_record(CSV_HEADER).map_err(csv_error)?;
    for v in &values {
        let org = orgs.get(&v.organisation_id);
        let record = [
            v.organisation_id.to_string(),
            org.and_then(|o| o.municipality_code.clone())
                .unwrap_or_default(),
            spreadsheet_safe(org.map(|o| o.name.clone()).unwrap_or_default()),
            v.period.clone(),
            v.gender.as_str().to_owned(),
            spreadsheet_safe(v.age_group.clone()),
            v.value.map(|x| x.to_string()).unwrap_or_default(),
            v.suppressed.to_string(),
            v.status.as_str().to_owned(),
            spreadsheet_safe(v.note.clone().unwrap_or_default()),
            spreadsheet_safe(v.source_ref.clone().unwrap_or_default()),
            v.approximate.to_string(),
        ];
        writer.write_record(&record).map_err(csv_error)?;
    }
    tabular::csv_response(writer, &format!("{}.csv", indicator.code))
}

/// Import values from CSV, all or nothing.
///
/// The export's format (`Content-Type: text/csv`, UTF-8, header row required, columns in any
/// order; `organisation` is ignored). A row names its organisation by `organisation_id`, or by
/// `municipality_code` when the id is empty. Empty `gender` means `total`, empty `status`
/// `final`, empty `suppressed` `false`. Admins and secretaries may import for any organisation,
/// a reporter only for its own (403 and nothing stored otherwise). One bad row refuses the
/// whole file with 422 naming `values[i].field`, `i` counting data rows from 0; a header row
/// that names an unknown or repeated column, or lacks `period` and an organisation column, is a
/// 422 on the field `header`.
#[utoipa::path(
    tag = "indicators",
    operation_id = "import_indicator_values_csv",
    params(("id" = Uuid, Path, description = "Indicator id"), CsvQuery),
    request_body(content = CsvBody, content_type = "text/csv",
                 description = "CSV in the export's format (a header row first), at most 4 MiB"),
    responses(
        (status = 200, description = "The file is stored; how many values it created, changed \
          and left unchanged", body = CsvImportCounts),
        BatchErrors
    ),
    security(("bearer" = ["admin", "secretary", "reporter"]))
)]
#[post("/indicators/{id}/values.csv")]
pub async fn import_indicator_values_csv(
    req: HttpRequest,
    write: Write<Reporters>,
    id: web::Path<Uuid>,
    Query(query): Query<CsvQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let scope = write_scope(&write.identity)?;
    let text = tabular::read_body(&req, payload).await?;
    let indicator = store::get(&write.db, id.into_inner()).await?;
    let rows = super::csv_rows::parse_csv(&write.db, &text, query.delimiter(), scope).await?;
    let checked = check_rows(rows, &indicator.breakdowns)?;
    let counts = store::upsert_values(&write.db, &write.actor, &indicator, checked).await?;
    Ok(HttpResponse::Ok().json(CsvImportCounts::from(counts)))
}
