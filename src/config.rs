//! Typed settings, read from `SAMVERKAN_*` environment variables with defaults in code.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::builder::BoolishValueParser;
use secrecy::SecretString;

/// Where the default embedded database lives, relative to the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/samverkan.db";

/// Every setting of the service; each field is one environment variable.
#[derive(clap::Args, Clone, Debug)]
pub struct Settings {
    /// Database URL: `sqlite://PATH` (created and migrated on first start) or `postgres://...`.
    #[arg(long, env = "SAMVERKAN_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Address and port the HTTP server listens on.
    #[arg(
        long,
        env = "SAMVERKAN_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// HS256 signing key (at least 32 bytes). When unset, a random key is kept in a file
    /// beside the SQLite database; PostgreSQL deployments must set it.
    #[arg(
        long,
        env = "SAMVERKAN_JWT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub jwt_secret: Option<SecretString>,

    /// Required `iss` claim of every token.
    #[arg(
        long,
        env = "SAMVERKAN_JWT_ISSUER",
        default_value = "samverkan",
        global = true
    )]
    pub jwt_issuer: String,

    /// Required `aud` claim of every token.
    #[arg(
        long,
        env = "SAMVERKAN_JWT_AUDIENCE",
        default_value = "samverkan",
        global = true
    )]
    pub jwt_audience: String,

    /// JWKS file with the public keys (RS256, ES256, EdDSA) of an intranet identity provider.
    #[arg(long, env = "SAMVERKAN_JWKS_FILE", global = true)]
    pub jwks_file: Option<PathBuf>,

    /// JWKS URL of an identity provider (HTTPS; HTTP only on a loopback address): its keys are
    /// kept as its cache headers say and fetched again when a token names an unknown key.
    #[arg(long, env = "SAMVERKAN_JWKS_URL", global = true)]
    pub jwks_url: Option<url::Url>,

    /// The shortest interval between two fetches of the JWKS URL caused by unknown keys.
    #[arg(long, env = "SAMVERKAN_JWKS_MIN_REFRESH", value_parser = humantime::parse_duration,
          default_value = "60s", global = true)]
    pub jwks_min_refresh: Duration,

    /// The claim holding a token's role names (a dotted path such as `realm_access.roles`; an
    /// array of names or one string of names separated by spaces or commas).
    #[arg(
        long,
        env = "SAMVERKAN_JWT_ROLES_CLAIM",
        default_value = "roles",
        global = true
    )]
    pub jwt_roles_claim: String,

    /// The claim holding the id of the organisation a token acts for.
    #[arg(
        long,
        env = "SAMVERKAN_JWT_ORG_CLAIM",
        default_value = "org",
        global = true
    )]
    pub jwt_org_claim: String,

    /// Comma-separated `name=role` pairs mapping the identity provider's names (groups) to
    /// roles, e.g. `samverkan-admins=admin,sekreterare=secretary`.
    #[arg(
        long,
        env = "SAMVERKAN_JWT_ROLE_MAP",
        value_delimiter = ',',
        global = true
    )]
    pub jwt_role_map: Vec<String>,

    /// Whether unauthenticated callers may read what is published.
    #[arg(long, env = "SAMVERKAN_PUBLIC_READ", default_value = "true",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub public_read: bool,

    /// Log filter, in `tracing-subscriber` `EnvFilter` syntax (e.g. `info,samverkan=debug`).
    #[arg(long, env = "SAMVERKAN_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log line format.
    #[arg(
        long,
        env = "SAMVERKAN_LOG_FORMAT",
        value_enum,
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,

    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "SAMVERKAN_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// Database connections per worker.
    #[arg(
        long,
        env = "SAMVERKAN_DB_POOL_SIZE",
        default_value = "8",
        global = true
    )]
    pub db_pool_size: u32,

    /// How long a request waits for a database connection before answering 503.
    #[arg(long, env = "SAMVERKAN_DB_ACQUIRE_TIMEOUT", value_parser = humantime::parse_duration,
          default_value = "3s", global = true)]
    pub db_acquire_timeout: Duration,

    /// Largest accepted JSON request body, in bytes.
    #[arg(
        long,
        env = "SAMVERKAN_MAX_BODY_BYTES",
        default_value = "65536",
        global = true
    )]
    pub max_body_bytes: usize,

    /// Deliver webhooks from this process (`off` in a replica that should only serve).
    #[arg(long, env = "SAMVERKAN_WEBHOOKS", default_value = "on",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub webhooks: bool,

    /// Allow webhook URLs that resolve to loopback, private or link-local addresses (tests and
    /// intranets); off, such subscriptions are refused and such deliveries not made.
    #[arg(long, env = "SAMVERKAN_WEBHOOK_ALLOW_PRIVATE", default_value = "false",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub webhook_allow_private: bool,

    /// The first retry delay of a failed delivery; each further failure doubles it (at most one
    /// hour), with ±25 % jitter.
    #[arg(long, env = "SAMVERKAN_WEBHOOK_RETRY_BASE", value_parser = humantime::parse_duration,
          default_value = "5s", global = true)]
    pub webhook_retry_base: Duration,

    /// The longest wait between two attempts of a failing delivery.
    #[arg(long, env = "SAMVERKAN_WEBHOOK_RETRY_MAX", value_parser = humantime::parse_duration,
          default_value = "1h", global = true)]
    pub webhook_retry_max: Duration,

    /// How long a replica holds a subscription it delivers for without renewing its lease;
    /// after a crash, another replica takes over once it expires.
    #[arg(long, env = "SAMVERKAN_WEBHOOK_LEASE", value_parser = humantime::parse_duration,
          default_value = "60s", global = true)]
    pub webhook_lease: Duration,

    /// The base URL the service is reached at (e.g. `https://samverkan.kronoberg.se`), for the
    /// absolute URLs it writes (calendar feeds, Kolada pages). Unset: the forwarding headers of
    /// a trusted proxy, or else the address the server listens on.
    #[arg(long, env = "SAMVERKAN_PUBLIC_URL", global = true)]
    pub public_url: Option<url::Url>,

    /// Comma-separated addresses of reverse proxies whose `Forwarded` / `X-Forwarded-*`
    /// headers are believed when `SAMVERKAN_PUBLIC_URL` is unset; none by default.
    #[arg(
        long,
        env = "SAMVERKAN_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Requests per minute a token's subject may make, sustained (0: no limit).
    #[arg(
        long,
        env = "SAMVERKAN_RATE_LIMIT",
        default_value = "1200",
        global = true
    )]
    pub rate_limit: u32,

    /// Requests per minute a client address without a valid token may make (0: no limit).
    #[arg(
        long,
        env = "SAMVERKAN_RATE_LIMIT_ANONYMOUS",
        default_value = "600",
        global = true
    )]
    pub rate_limit_anonymous: u32,

    /// Requests a caller may make at once before the per-minute rate applies.
    #[arg(
        long,
        env = "SAMVERKAN_RATE_LIMIT_BURST",
        default_value = "100",
        global = true
    )]
    pub rate_limit_burst: u32,

    /// Start even when the database may lose committed writes in a crash (PostgreSQL with
    /// `fsync` or `synchronous_commit` off, SQLite without `synchronous=FULL`): for throwaway
    /// test databases only.
    #[arg(long, env = "SAMVERKAN_ALLOW_UNSAFE_DURABILITY", default_value = "false",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub allow_unsafe_durability: bool,

    /// Require `If-Match` on every change to an existing record (PATCH, PUT of a whole part,
    /// DELETE, erasure): without it the answer is 428, so that no client overwrites a version
    /// it has not read. Off by default, where a missing `If-Match` writes over whatever is
    /// current.
    #[arg(long, env = "SAMVERKAN_REQUIRE_IF_MATCH", default_value = "false",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub require_if_match: bool,

    /// Require an `Idempotency-Key` on every POST that creates a record: without it the answer
    /// is 400, so that no client can create twice by retrying. Off by default, where a POST
    /// without a key creates each time it is sent.
    #[arg(long, env = "SAMVERKAN_REQUIRE_IDEMPOTENCY_KEY", default_value = "false",
          value_parser = BoolishValueParser::new(), action = clap::ArgAction::Set, global = true)]
    pub require_idempotency_key: bool,

    /// Where attached files are kept: `s3://bucket[/prefix]` (S3-compatible storage, configured
    /// by the usual `AWS_*` variables such as `AWS_ENDPOINT` and `AWS_ACCESS_KEY_ID`),
    /// `file:///dir` or a directory. Unset: `files` beside the SQLite database, or `data/files`
    /// in the working directory with PostgreSQL.
    #[arg(long, env = "SAMVERKAN_STORAGE_URL", global = true)]
    pub storage_url: Option<String>,

    /// The largest file that may be attached, in bytes.
    #[arg(
        long,
        env = "SAMVERKAN_ATTACHMENT_MAX_BYTES",
        default_value = "26214400",
        global = true
    )]
    pub attachment_max_bytes: u64,

    /// Comma-separated origins (e.g. `https://intranet.kronoberg.se`) whose browser scripts may
    /// call the API (CORS); none by default.
    #[arg(
        long,
        env = "SAMVERKAN_CORS_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_origins: Vec<url::Url>,
}

/// Log line format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

impl Settings {
    /// Settings for `database_url` with every other value at its default.
    pub fn with_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            jwt_secret: None,
            jwt_issuer: "samverkan".into(),
            jwt_audience: "samverkan".into(),
            jwks_file: None,
            jwks_url: None,
            jwks_min_refresh: Duration::from_secs(60),
            jwt_roles_claim: "roles".into(),
            jwt_org_claim: "org".into(),
            jwt_role_map: Vec::new(),
            public_read: true,
            log: "info".into(),
            log_format: LogFormat::Pretty,
            workers: None,
            db_pool_size: 8,
            db_acquire_timeout: Duration::from_secs(3),
            max_body_bytes: 64 * 1024,
            webhooks: true,
            webhook_allow_private: false,
            webhook_retry_base: Duration::from_secs(5),
            webhook_retry_max: Duration::from_secs(3600),
            webhook_lease: Duration::from_secs(60),
            public_url: None,
            trusted_proxies: Vec::new(),
            rate_limit: 1200,
            rate_limit_anonymous: 600,
            rate_limit_burst: 100,
            cors_origins: Vec::new(),
            allow_unsafe_durability: false,
            require_if_match: false,
            require_idempotency_key: false,
            storage_url: None,
            attachment_max_bytes: 25 * 1024 * 1024,
        }
    }
}
