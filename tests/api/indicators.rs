//! Indicators: indicators.
