//! Indicator values as CSV: the export, and the all-or-nothing import in the same format.

use std::collections::HashMap;

use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, http::header, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::csv_rows::CSV_HEADER;
use crate::{
    auth::Caller,
    domain::{indicator::check_rows, text::spreadsheet_safe},
    entities::organisation,
    error::{ApiError, ApiResult},
    extract::Query,
    routes::{
        AppState,
        indicators::reporting::{Reporters, write_scope},
        kit::Write,
        responses::{BatchErrors, ReadErrors},
    },
    store::{
        indicators::{self as store, UpsertCounts, ValueFilter},
        organisations,
    },
};

/// The media type of the CSV export.
pub const TEXT_CSV: &str = "text/csv; charset=utf-8";
/// The largest CSV body an import accepts.
pub const MAX_CSV_BYTES: usize = 4 * 1024 * 1024;

/// A CSV field delimiter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Delimiter {
    /// `,` (the default).
    #[default]
    #[serde(rename = ",")]
    Comma,
    /// `;` (for Swedish spreadsheets).
    #[serde(rename = ";")]
    Semicolon,
}

impl Delimiter {
    fn byte(self) -> u8 {
        match self {
            Self::Comma => b',',
            Self::Semicolon => b';',
        }
    }
}

/// The CSV field delimiter.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CsvQuery {
    /// `,` (default) or `;` (for Swedish spreadsheets). Numbers always use `.` as decimal point.
    #[param(value_type = Option<String>, pattern = "^[,;]$", example = ";")]
    #[serde(default)]
    pub delimiter: Option<Delimiter>,
}

impl CsvQuery {
    fn delimiter(&self) -> u8 {
        self.delimiter.unwrap_or_default().byte()
    }
}

/// A CSV document in the export's format: not empty (a header row is required). Documents the
/// import's body, which is read as bytes.
pub struct CsvBody;

impl utoipa::PartialSchema for CsvBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .description(Some(
                "UTF-8 CSV: a header row naming `period` and `organisation_id` or \
                 `municipality_code`, then one row per value",
            ))
            .into()
    }
}

impl ToSchema for CsvBody {}

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

fn csv_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("writing CSV: {e}").into())
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
    let delimiter = query.delimiter();
    let indicator = store::get(&state.db, id.into_inner()).await?;
    let values = store::values(&state.db, indicator.id, &ValueFilter::default()).await?;
    let mut ids: Vec<Uuid> = values.iter().map(|v| v.organisation_id).collect();
    ids.sort();
    ids.dedup();
    let orgs: HashMap<Uuid, organisation::Model> = organisations::get_many(&state.db, ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
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
    let body = writer.into_inner().map_err(csv_error)?;
    Ok(HttpResponse::Ok()
        .content_type(TEXT_CSV)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}.csv\"", indicator.code),
        ))
        .body(body))
}

fn is_csv(req: &HttpRequest) -> bool {
    matches!(req.mime_type(), Ok(Some(mime)) if mime.type_() == "text" && mime.subtype() == "csv")
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
    security(("bearer" = []))
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
    let delimiter = query.delimiter();
    if !is_csv(&req) {
        return Err(ApiError::UnsupportedMediaType(
            "the request body must be CSV (Content-Type: text/csv)".into(),
        ));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_CSV_BYTES) {
        return Err(ApiError::PayloadTooLarge(MAX_CSV_BYTES));
    }
    let indicator = store::get(&write.db, id.into_inner()).await?;
    let body = payload
        .to_bytes_limited(MAX_CSV_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge(MAX_CSV_BYTES))?
        .map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the CSV must be UTF-8".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = super::csv_rows::parse_csv(&write.db, text, delimiter, scope).await?;
    let checked = check_rows(rows, &indicator.breakdowns)?;
    let counts = store::upsert_values(&write.db, &write.actor, &indicator, checked).await?;
    Ok(HttpResponse::Ok().json(CsvImportCounts::from(counts)))
}
