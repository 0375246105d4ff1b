//! Indicators: values as CSV (export and all-or-nothing import) and as a JSON-stat 2.0 dataset.

use std::collections::{BTreeSet, HashMap, HashSet};

use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, http::header, post, web};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::super::{
    AppState,
    responses::{ReadErrors, UpdateErrors},
};
use crate::{
    auth::{AuthUser, Caller, Identity, Role},
    domain::{
        indicator::{Breakdowns, Gender, Period, ValueRow, ValueStatus, check_rows},
        text::FieldErrors,
    },
    entities::{indicator, indicator_value, organisation},
    error::{ApiError, ApiResult},
    extract::{Query, bad_parameter},
    store::{
        Actor,
        indicators::{self as store, UpsertCounts, ValueFilter},
        organisations,
    },
};

/// The media type of the CSV export.
pub const TEXT_CSV: &str = "text/csv; charset=utf-8";
/// The largest CSV body an import accepts.
pub const MAX_CSV_BYTES: usize = 4 * 1024 * 1024;
/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 11] = [
    "organisation_id",
    "municipality_code",
    "organisation",
    "period",
    "gender",
    "age_group",
    "value",
    "suppressed",
    "status",
    "note",
    "source_ref",
];

/// Mounts this module's routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(export_csv).service(import_csv);
}

/// The CSV field delimiter.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CsvQuery {
    /// `,` (default) or `;` (for Swedish spreadsheets). Numbers always use `.` as decimal point.
    #[param(example = ";")]
    pub delimiter: Option<String>,
}

impl CsvQuery {
    fn delimiter(&self) -> ApiResult<u8> {
        match self.delimiter.as_deref() {
            None | Some(",") => Ok(b','),
            Some(";") => Ok(b';'),
            Some(_) => Err(bad_parameter("delimiter", "must be `,` or `;`")),
        }
    }
}

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

fn text_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn csv_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("writing CSV: {e}").into())
}

/// Export an indicator's values as CSV.
///
/// UTF-8, one header row (`organisation_id,municipality_code,organisation,period,gender,
/// age_group,value,suppressed,status,note,source_ref`), ordered by organisation, period, gender
/// and age group. The same format is accepted by the import.
#[utoipa::path(
    tag = "indicators",
    params(("id" = Uuid, Path, description = "Indicator id"), CsvQuery),
    responses(
        (status = 200, description = "The values as CSV", content_type = "text/csv", body = String),
        ReadErrors
    ),
    security((), ("bearer" = []))
)]
#[get("/indicators/{id}/values.csv")]
pub async fn export_csv(
    _caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<CsvQuery>,
) -> ApiResult<HttpResponse> {
    let delimiter = query.delimiter()?;
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
            org.map(|o| o.name.clone()).unwrap_or_default(),
            v.period.clone(),
            text_of(&v.gender),
            v.age_group.clone(),
            v.value.map(|x| x.to_string()).unwrap_or_default(),
            v.suppressed.to_string(),
            text_of(&v.status),
            v.note.clone().unwrap_or_default(),
            v.source_ref.clone().unwrap_or_default(),
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

/// Whether the caller may write values at all; `Some(org)` limits a reporter to its own.
fn write_scope(identity: &Identity) -> ApiResult<Option<Uuid>> {
    if identity.has(Role::Admin) || identity.has(Role::Secretary) {
        return Ok(None);
    }
    if identity.has(Role::Reporter) {
        return match identity.org {
            Some(org) => Ok(Some(org)),
            None => Err(ApiError::Forbidden(
                "a reporter's token must name its organisation (`org`)".into(),
            )),
        };
    }
    Err(ApiError::Forbidden(
        "this needs one of the roles: admin, secretary, reporter".into(),
    ))
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
/// whole file with 422 naming `values[i].field`, `i` counting data rows from 0.
#[utoipa::path(
    tag = "indicators",
    params(("id" = Uuid, Path, description = "Indicator id"), CsvQuery),
    request_body(content = String, content_type = "text/csv",
                 description = "CSV in the export's format, at most 4 MiB"),
    responses((status = 200, body = CsvImportCounts), UpdateErrors),
    security(("bearer" = []))
)]
#[post("/indicators/{id}/values.csv")]
pub async fn import_csv(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Query(query): Query<CsvQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let scope = write_scope(&user)?;
    let delimiter = query.delimiter()?;
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
    let indicator = store::get(&state.db, id.into_inner()).await?;
    let body = payload
        .to_bytes_limited(MAX_CSV_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge(MAX_CSV_BYTES))?
        .map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("the CSV must be UTF-8".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = parse_csv(&state, text, delimiter, scope).await?;
    let breakdowns: Breakdowns =
        serde_json::from_value(indicator.breakdowns.clone()).unwrap_or_default();
    let checked = check_rows(rows, &breakdowns)?;
    let counts =
        store::upsert_values(&state.db, &Actor::from(&user.0), &indicator, checked).await?;
    Ok(HttpResponse::Ok().json(CsvImportCounts::from(counts)))
}

/// The column positions of a header.
struct Columns(HashMap<&'static str, usize>);

impl Columns {
    fn parse(header: &csv::StringRecord) -> ApiResult<Self> {
        let mut map = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim();
            let Some(known) = CSV_HEADER.iter().find(|c| **c == name) else {
                return Err(ApiError::BadRequest(format!(
                    "unknown CSV column `{name}`; the columns are {}",
                    CSV_HEADER.join(",")
                )));
            };
            if map.insert(*known, i).is_some() {
                return Err(ApiError::BadRequest(format!(
                    "CSV column `{name}` appears twice"
                )));
            }
        }
        if !map.contains_key("period")
            || !(map.contains_key("organisation_id") || map.contains_key("municipality_code"))
        {
            return Err(ApiError::BadRequest(
                "the CSV header must name `period` and `organisation_id` or `municipality_code`"
                    .into(),
            ));
        }
        Ok(Self(map))
    }

    fn get<'r>(&self, record: &'r csv::StringRecord, name: &str) -> &'r str {
        self.0
            .get(name)
            .and_then(|&i| record.get(i))
            .map_or("", str::trim)
    }
}

fn parse_enum<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    serde_json::from_value(Value::String(text.to_owned())).ok()
}

/// The rows of a CSV body; a reporter's rows must all be for `scope`.
async fn parse_csv(
    state: &AppState,
    text: &str,
    delimiter: u8,
    scope: Option<Uuid>,
) -> ApiResult<Vec<ValueRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| ApiError::BadRequest(format!("malformed CSV header: {e}")))?
        .clone();
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(ApiError::BadRequest("the CSV needs a header row".into()));
    }
    let columns = Columns::parse(&header)?;
    let mut records = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record
            .map_err(|e| ApiError::BadRequest(format!("malformed CSV in data row {i}: {e}")))?;
        records.push(record);
    }
    if records.len() > store::MAX_BATCH {
        return Err(ApiError::field(
            "values",
            format!("at most {} rows in one import", store::MAX_BATCH),
        ));
    }
    let codes: BTreeSet<String> = records
        .iter()
        .filter(|r| columns.get(r, "organisation_id").is_empty())
        .map(|r| columns.get(r, "municipality_code").to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    let by_code: HashMap<String, Uuid> = if codes.is_empty() {
        HashMap::new()
    } else {
        organisation::Entity::find()
            .filter(organisation::Column::MunicipalityCode.is_in(codes))
            .all(&state.db)
            .await?
            .into_iter()
            .filter_map(|o| o.municipality_code.map(|c| (c, o.id)))
            .collect()
    };
    let mut errors = FieldErrors::default();
    let mut rows = Vec::with_capacity(records.len());
    let mut foreign = false;
    for (i, record) in records.iter().enumerate() {
        let field = |name: &str| format!("values[{i}].{name}");
        let col = |name: &str| columns.get(record, name);
        if record.len() != header.len() {
            errors.add(
                &format!("values[{i}]"),
                format!(
                    "has {} fields; the header has {}",
                    record.len(),
                    header.len()
                ),
            );
            continue;
        }
        let organisation_id = match (col("organisation_id"), col("municipality_code")) {
            ("", "") => {
                errors.add(
                    &field("organisation_id"),
                    "organisation_id or municipality_code is required",
                );
                None
            }
            ("", code) => match by_code.get(code) {
                Some(id) => Some(*id),
                None => {
                    errors.add(
                        &field("municipality_code"),
                        "no organisation has this municipality code",
                    );
                    None
                }
            },
            (id, _) => match id.parse::<Uuid>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add(&field("organisation_id"), "must be a UUID");
                    None
                }
            },
        };
        if let (Some(org), Some(own)) = (organisation_id, scope)
            && org != own
        {
            foreign = true;
        }
        let gender = match col("gender") {
            "" => Some(Gender::Total),
            g => parse_enum::<Gender>(g).or_else(|| {
                errors.add(&field("gender"), "must be total, female or male");
                None
            }),
        };
        let value = match col("value") {
            "" => Some(None),
            v if v.contains(',') => {
                errors.add(&field("value"), "use `.` as the decimal point");
                None
            }
            v => v.parse::<f64>().ok().map(Some).or_else(|| {
                errors.add(&field("value"), "must be a number, e.g. 12.5");
                None
            }),
        };
        let suppressed = match col("suppressed").to_ascii_lowercase().as_str() {
            "" | "false" => Some(false),
            "true" => Some(true),
            _ => {
                errors.add(&field("suppressed"), "must be true, false or empty");
                None
            }
        };
        let status = match col("status") {
            "" => Some(ValueStatus::Final),
            s => parse_enum::<ValueStatus>(s).or_else(|| {
                errors.add(&field("status"), "must be preliminary or final");
                None
            }),
        };
        let optional = |name: &str| Some(col(name).to_owned()).filter(|t| !t.is_empty());
        if let (Some(organisation_id), Some(gender), Some(value), Some(suppressed), Some(status)) =
            (organisation_id, gender, value, suppressed, status)
        {
            rows.push(ValueRow {
                organisation_id,
                period: col("period").to_owned(),
                gender,
                age_group: col("age_group").to_owned(),
                value,
                suppressed,
                status,
                note: optional("note"),
                source_ref: optional("source_ref"),
            });
        }
    }
    if foreign {
        return Err(ApiError::Forbidden(
            "a reporter may import values only for its own organisation".into(),
        ));
    }
    errors.finish()?;
    Ok(rows)
}

/// The category id of "all ages" in the JSON-stat age group dimension.
const ALL_AGES: &str = "all";

fn category(ids: &[String], labels: Map<String, Value>) -> Value {
    let index: Map<String, Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), json!(i)))
        .collect();
    json!({"index": index, "label": labels})
}

/// An indicator's values as a JSON-stat 2.0 dataset: dimensions organisation × period, then
/// gender and age group when the values are broken down by them. Organisations are ordered by
/// name, periods in time. Missing and suppressed cells are `null`; `status` marks suppressed
/// cells `suppressed` and preliminary ones `preliminary`.
pub fn json_stat(
    indicator: &indicator::Model,
    values: &[indicator_value::Model],
    organisation_names: &HashMap<Uuid, String>,
) -> Value {
    let name_of = |id: &Uuid| {
        organisation_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };

    let mut orgs: Vec<Uuid> = values.iter().map(|v| v.organisation_id).collect();
    orgs.sort();
    orgs.dedup();
    orgs.sort_by_cached_key(|id| (name_of(id), *id));

    let mut periods: Vec<String> = values.iter().map(|v| v.period.clone()).collect();
    periods.sort();
    periods.dedup();
    periods.sort_by_cached_key(|p| (p.parse::<Period>().ok(), p.clone()));

    let by_gender = values.iter().any(|v| v.gender != Gender::Total);
    let genders: Vec<Gender> = [Gender::Total, Gender::Female, Gender::Male]
        .into_iter()
        .filter(|g| values.iter().any(|v| v.gender == *g))
        .collect();

    let by_age = values.iter().any(|v| !v.age_group.is_empty());
    let breakdowns: Breakdowns =
        serde_json::from_value(indicator.breakdowns.clone()).unwrap_or_default();
    let present: HashSet<&str> = values.iter().map(|v| v.age_group.as_str()).collect();
    let mut ages: Vec<String> = Vec::new();
    if present.contains("") {
        ages.push(String::new());
    }
    for group in &breakdowns.age_groups {
        if present.contains(group.as_str()) && !ages.contains(group) {
            ages.push(group.clone());
        }
    }
    let mut others: Vec<String> = present
        .iter()
        .filter(|g| !g.is_empty() && !ages.iter().any(|a| a == *g))
        .map(|g| (*g).to_owned())
        .collect();
    others.sort();
    ages.extend(others);
    let age_id = |g: &str| {
        if g.is_empty() {
            ALL_AGES.to_owned()
        } else {
            g.to_owned()
        }
    };

    let org_ids: Vec<String> = orgs.iter().map(Uuid::to_string).collect();
    let mut ids = vec!["organisation", "period"];
    let mut sizes = vec![orgs.len(), periods.len()];
    let mut dimension = Map::new();
    dimension.insert(
        "organisation".into(),
        json!({
            "label": "Organisation",
            "category": category(
                &org_ids,
                orgs.iter().map(|id| (id.to_string(), json!(name_of(id)))).collect(),
            ),
        }),
    );
    dimension.insert(
        "period".into(),
        json!({
            "label": "Period",
            "category": category(
                &periods,
                periods.iter().map(|p| (p.clone(), json!(p))).collect(),
            ),
        }),
    );
    if by_gender {
        let gender_ids: Vec<String> = genders.iter().map(text_of).collect();
        let label = |g: &Gender| match g {
            Gender::Total => "Totalt",
            Gender::Female => "Kvinnor",
            Gender::Male => "Män",
        };
        ids.push("gender");
        sizes.push(genders.len());
        dimension.insert(
            "gender".into(),
            json!({
                "label": "Kön",
                "category": category(
                    &gender_ids,
                    genders.iter().map(|g| (text_of(g), json!(label(g)))).collect(),
                ),
            }),
        );
    }
    if by_age {
        let age_ids: Vec<String> = ages.iter().map(|g| age_id(g)).collect();
        ids.push("age_group");
        sizes.push(ages.len());
        dimension.insert(
            "age_group".into(),
            json!({
                "label": "Åldersgrupp",
                "category": category(
                    &age_ids,
                    ages.iter()
                        .map(|g| {
                            let label = if g.is_empty() { "Alla åldrar".to_owned() } else { g.clone() };
                            (age_id(g), json!(label))
                        })
                        .collect(),
                ),
            }),
        );
    }

    let org_pos: HashMap<Uuid, usize> = orgs.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let period_pos: HashMap<&str, usize> = periods
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let gender_pos: HashMap<Gender, usize> =
        genders.iter().enumerate().map(|(i, g)| (*g, i)).collect();
    let age_pos: HashMap<&str, usize> = ages
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i))
        .collect();

    let total: usize = sizes.iter().product();
    let mut cells = vec![Value::Null; total];
    let mut status = Map::new();
    for v in values {
        let mut index = vec![org_pos[&v.organisation_id], period_pos[v.period.as_str()]];
        if by_gender {
            index.push(gender_pos[&v.gender]);
        }
        if by_age {
            index.push(age_pos[v.age_group.as_str()]);
        }
        let position = index
            .iter()
            .zip(&sizes)
            .fold(0, |acc, (i, size)| acc * size + i);
        if v.suppressed {
            status.insert(position.to_string(), json!("suppressed"));
        } else {
            if let Some(x) = v.value {
                cells[position] = json!(x);
            }
            if v.status == ValueStatus::Preliminary {
                status.insert(position.to_string(), json!("preliminary"));
            }
        }
    }

    let updated = values
        .iter()
        .map(|v| v.updated_at)
        .max()
        .unwrap_or(indicator.updated_at);
    let source: Option<String> = indicator
        .source
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut dataset = json!({
        "version": "2.0",
        "class": "dataset",
        "label": indicator.name,
        "updated": updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "id": ids,
        "size": sizes,
        "role": {"geo": ["organisation"], "time": ["period"]},
        "dimension": dimension,
        "value": cells,
        "extension": {
            "samverkan": {
                "indicator_id": indicator.id,
                "code": indicator.code,
                "unit": indicator.unit,
                "decimals": indicator.decimals,
                "better": indicator.better,
                "status": indicator.status,
            }
        },
    });
    if let Some(source) = source {
        dataset["source"] = json!(source);
    }
    if !status.is_empty() {
        dataset["status"] = Value::Object(status);
    }
    dataset
}
