//! Indicators: indicator_formats.
