//! Indicator values in other formats: CSV export and all-or-nothing import ([`csv`], its rows
//! read by `csv_rows`), and the
//! JSON-stat 2.0 dataset of a value query ([`json_stat`](mod@json_stat)).

pub mod csv;
mod csv_rows;
pub mod json_stat;

pub use csv_rows::CSV_HEADER;
pub use json_stat::{JsonStatDataset, json_stat};

use utoipa_actix_web::service_config::ServiceConfig;

/// Mounts this module's routes.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(csv::export_indicator_values_csv)
        .service(csv::import_indicator_values_csv);
}
