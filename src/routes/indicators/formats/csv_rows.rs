//! Reading value rows from a CSV body: the header's columns (any order), the organisation by id
//! or municipality code, and every field error of every row at once.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::{
    domain::{
        indicator::{Gender, ValueRow, ValueStatus},
        text::FieldErrors,
    },
    error::{ApiError, ApiResult},
    routes::kit::tabular::{self, Columns},
    store::indicators as store,
};

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 12] = [
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
    "approximate",
];

/// The rows of a CSV body; a reporter's rows must all be for `scope`.
pub async fn parse_csv(
    db: &sea_orm::DatabaseConnection,
    text: &str,
    delimiter: u8,
    scope: Option<Uuid>,
) -> ApiResult<Vec<ValueRow>> {
    let mut reader = tabular::reader(text, delimiter);
    let columns = Columns::read(&mut reader, &CSV_HEADER)?;
    if !columns.has("period")
        || !(columns.has("organisation_id") || columns.has("municipality_code"))
    {
        return Err(ApiError::field(
            "header",
            "the CSV header must name `period` and `organisation_id` or `municipality_code`",
        ));
    }
    let mut records = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record
            .map_err(|e| ApiError::field(format!("values[{i}]"), format!("malformed CSV: {e}")))?;
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
    let by_code = store::organisations_by_municipality_code(db, codes).await?;
    let mut errors = FieldErrors::default();
    let mut rows = Vec::with_capacity(records.len());
    let mut foreign = false;
    for (i, record) in records.iter().enumerate() {
        let field = |name: &str| format!("values[{i}].{name}");
        let col = |name: &str| columns.get(record, name);
        if record.len() != columns.len {
            errors.add(
                &format!("values[{i}]"),
                format!(
                    "has {} fields; the header has {}",
                    record.len(),
                    columns.len
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
            g => g.parse::<Gender>().ok().or_else(|| {
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
        let flag =
            |name: &str, errors: &mut FieldErrors| match col(name).to_ascii_lowercase().as_str() {
                "" | "false" => Some(false),
                "true" => Some(true),
                _ => {
                    errors.add(&field(name), "must be true, false or empty");
                    None
                }
            };
        let suppressed = flag("suppressed", &mut errors);
        let approximate = flag("approximate", &mut errors);
        let status = match col("status") {
            "" => Some(ValueStatus::Final),
            s => s.parse::<ValueStatus>().ok().or_else(|| {
                errors.add(&field("status"), "must be preliminary or final");
                None
            }),
        };
        let optional = |name: &str| Some(col(name).to_owned()).filter(|t| !t.is_empty());
        if let (
            Some(organisation_id),
            Some(gender),
            Some(value),
            Some(suppressed),
            Some(status),
            Some(approximate),
        ) = (
            organisation_id,
            gender,
            value,
            suppressed,
            status,
            approximate,
        ) {
            rows.push(ValueRow {
                organisation_id,
                period: col("period").to_owned(),
                gender,
                age_group: col("age_group").to_owned(),
                value,
                suppressed,
                status,
                approximate,
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
