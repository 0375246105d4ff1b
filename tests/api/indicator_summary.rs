//! Indicators: indicator_summary.
