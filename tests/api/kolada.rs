//! Indicators: kolada.
