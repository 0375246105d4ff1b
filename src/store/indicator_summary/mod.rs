//! Baselines and targets of indicators ([`targets`]), the arithmetic shared by the read models
//! ([`arithmetic`]: baselines, changes, ranks), and the read models themselves ([`summary`]: one
//! indicator across organisations; [`dashboard`]: one organisation across indicators), which
//! read their values through [`source`] (as they are, or as they stood at a time).

mod arithmetic;
mod dashboard;
mod source;
mod summary;
mod targets;

pub use arithmetic::{Baseline, Target};
pub use dashboard::{Dashboard, DashboardRow, Direction, Trend, dashboard};
pub use summary::{CountyFigure, IndicatorBrief, Summary, SummaryRow, summary, summary_as_of};
pub use targets::{TARGETS_ENTITY_TYPE, TargetInput, replace_targets, targets, targets_version};

pub use crate::domain::indicator::PeriodChoice;
