//! CSV in and out, the same for every resource that speaks it: the delimiter parameter, the
//! body an import reads (size-limited, UTF-8, a byte-order mark dropped) and the response an
//! export writes. Cells are made spreadsheet-safe by the caller
//! ([`crate::domain::text::spreadsheet_safe`]).

use std::collections::HashMap;

use actix_web::{HttpMessage, HttpRequest, HttpResponse, http::header, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};

/// The media type of a CSV export.
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
    /// The delimiter's byte.
    pub fn delimiter(&self) -> u8 {
        match self.delimiter.unwrap_or_default() {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
        }
    }
}

/// A CSV document in the export's format: not empty (a header row is required). Documents an
/// import's body, which is read as bytes.
pub struct CsvBody;

impl utoipa::PartialSchema for CsvBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .description(Some(
                "UTF-8 CSV in the export's format: a header row naming the columns, then one \
                 row per record",
            ))
            .into()
    }
}

impl ToSchema for CsvBody {}

/// The error of a CSV writer (writing to memory fails only on a bug).
pub fn csv_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("writing CSV: {e}").into())
}

/// A writer of CSV into memory with the query's delimiter.
pub fn writer(query: &CsvQuery) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(query.delimiter())
        .from_writer(Vec::new())
}

/// The 200 of a CSV export named `filename` (ASCII).
pub fn csv_response(writer: csv::Writer<Vec<u8>>, filename: &str) -> ApiResult<HttpResponse> {
    let body = writer.into_inner().map_err(csv_error)?;
    Ok(HttpResponse::Ok()
        .content_type(TEXT_CSV)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{filename}\""),
        ))
        .body(body))
}

/// The text of a CSV import's body: 415 unless `Content-Type: text/csv`, 413 over
/// [`MAX_CSV_BYTES`] (declared or counted), 400 unless UTF-8; a byte-order mark is dropped.
pub async fn read_body(req: &HttpRequest, payload: web::Payload) -> ApiResult<String> {
    if !matches!(req.mime_type(), Ok(Some(mime)) if mime.type_() == "text" && mime.subtype() == "csv")
    {
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
    let body = payload
        .to_bytes_limited(MAX_CSV_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge(MAX_CSV_BYTES))?
        .map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::BadRequest("the CSV must be UTF-8".into()))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// A reader of CSV `text` with `delimiter` (rows of another length are read, and refused by
/// the caller with the row's index).
pub fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// A CSV document's header: where each of the known columns is (named in any order).
pub struct Columns {
    positions: HashMap<&'static str, usize>,
    /// How many columns the header names.
    pub len: usize,
}

impl Columns {
    /// Reads the header of `reader`: a 422 on `header` for a malformed or empty header, a
    /// column not in `known` or one named twice.
    pub fn read(
        reader: &mut csv::Reader<&[u8]>,
        known: &'static [&'static str],
    ) -> ApiResult<Self> {
        let header = reader
            .headers()
            .map_err(|e| ApiError::field("header", format!("malformed CSV header: {e}")))?;
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(ApiError::field("header", "the CSV needs a header row"));
        }
        let mut positions = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim();
            let Some(column) = known.iter().find(|c| **c == name) else {
                return Err(ApiError::field(
                    "header",
                    format!(
                        "unknown CSV column `{name}`; the columns are {}",
                        known.join(",")
                    ),
                ));
            };
            if positions.insert(*column, i).is_some() {
                return Err(ApiError::field(
                    "header",
                    format!("CSV column `{name}` appears twice"),
                ));
            }
        }
        Ok(Self {
            positions,
            len: header.len(),
        })
    }

    /// Whether the header names `column`.
    pub fn has(&self, column: &str) -> bool {
        self.positions.contains_key(column)
    }

    /// The trimmed cell of `column` in `record` ("" when the header does not name it).
    pub fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        self.positions
            .get(column)
            .and_then(|&i| record.get(i))
            .map_or("", str::trim)
    }
}
