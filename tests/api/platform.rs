//! The platform: errors, operations endpoints and the OpenAPI document.
