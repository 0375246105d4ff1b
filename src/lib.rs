//! samverkan: the governance record of a cross-sector collaboration, as a REST/JSON API.

pub mod auth; // Bearer JWT verification, roles and role policies.
pub mod cli; // The command line: serve, migrate, token, openapi.

pub mod config; // Typed settings from SAMVERKAN_* environment variables.
pub mod db; // SQLite or PostgreSQL pools, one per worker, and migrations.
pub mod delivery; // The webhook deliverer: signed Standard Webhooks messages, retries, leases.
pub mod demo; // `seed --demo`: a demo collaboration modelled on the seeds.
pub mod domain; // Values that can only be built valid, and their rules.
pub mod entities; // sea-orm entities, one per table.
pub mod error; // ApiError and its problem+json rendering.
pub mod extract; // JSON body and query extractors with field-level errors.
pub mod ical; // iCalendar feeds of meetings.
pub mod metrics; // Prometheus request counter and latency histogram by route.
pub mod middleware; // Request ids, access log, metrics, problem+json fallback, 404/405.
pub mod minutes; // Minutes as a Markdown or HTML document.
pub mod openapi; // The OpenAPI 3.1 document.
pub mod pagination; // Keyset pagination and updated_since.
pub mod plan_document; // An action plan revision as a Markdown or HTML document.
pub mod public_url; // The base URL of absolute URLs, never from an untrusted header.
pub mod rate_limit; // Rate limits per token subject and per client address.
pub mod routes; // The HTTP handlers, one module per resource.
pub mod search; // Swedish full-text search: tokens, stems, snippets.
pub mod signal; // Wakes change-feed readers when a write commits.
pub mod startup; // Building and running the server.
pub mod storage; // Attached files in object storage (a directory or S3).
pub mod store; // Queries, and writes with their audit rows.
pub mod telemetry; // Structured logging.
