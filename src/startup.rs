//! Building and running the HTTP server.

use std::{net::TcpListener, sync::Arc, time::Duration};

use actix_web::{
    App, HttpServer,
    dev::Server,
    http::Method,
    middleware::{Condition, from_fn},
    web,
};
use secrecy::{ExposeSecret, SecretString};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::{
    auth::{
        Authenticator, ClaimMap, JwksSource, KeyError, MIN_SECRET_BYTES, Role, authenticate,
        load_or_create_secret, start_jwks,
    },
    config::Settings,
    db::{self, DbConfig, UrlError},
    delivery::{Deliverer, Sender},
    domain::webhook::RetrySchedule,
    error::ApiError,
    extract::BodyLimit,
    metrics::HttpMetrics,
    middleware::{RouteTable, request_context, unrouted},
    openapi::document,
    public_url::PublicBase,
    rate_limit::{Limit, RateLimits, rate_limit},
    routes::{
        self, AppState,
        kit::{RequireIdempotencyKey, RequireIfMatch},
    },
    signal::FeedSignal,
    storage::{Storage, Uploads},
};

/// Where the OpenAPI document is served (and `/docs` reads it).
const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The OpenAPI document, serialised once at start-up.
struct OpenApiJson(web::Bytes);

/// `GET /api/v1/openapi.json`.
async fn serve_document(document: web::Data<OpenApiJson>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(document.0.clone())
}

/// How long in-flight requests may take to finish after SIGTERM/SIGINT.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(25);

/// How long a client may take to send the request head.
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database URL is unusable.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The database could not be reached or migrated.
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// The signing or verification keys are unusable.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// A configuration value is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// `audit verify` found a row that does not verify.
    #[error("audit log: {0}")]
    AuditBroken(String),
    /// `seed` refused or failed.
    #[error("seed: {0}")]
    Seed(String),
    /// The listener could not be bound.
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// Where tokens carry roles and organisation, from the settings.
fn claim_map(settings: &Settings) -> Result<ClaimMap, StartupError> {
    let mut role_names = std::collections::HashMap::new();
    for pair in settings
        .jwt_role_map
        .iter()
        .filter(|p| !p.trim().is_empty())
    {
        let (name, role) = pair.split_once('=').ok_or_else(|| {
            StartupError::Config(format!("SAMVERKAN_JWT_ROLE_MAP: `{pair}` is not name=role"))
        })?;
        let role: Role = serde_json::from_value(serde_json::Value::String(role.trim().into()))
            .map_err(|_| {
                StartupError::Config(format!("SAMVERKAN_JWT_ROLE_MAP: `{role}` is not a role"))
            })?;
        role_names.insert(name.trim().to_owned(), role);
    }
    Ok(ClaimMap {
        roles: settings.jwt_roles_claim.clone(),
        org: settings.jwt_org_claim.clone(),
        role_names,
    })
}

/// CORS for the whole API from `origins` (scheme, host and port each): the methods, request
/// headers and response headers a browser client of the API needs.
fn cors(origins: &[String]) -> actix_cors::Cors {
    origins
        .iter()
        .fold(actix_cors::Cors::default(), |cors, origin| {
            cors.allowed_origin(origin)
        })
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "idempotency-key",
            "last-event-id",
            "accept",
            "accept-language",
        ])
        .expose_headers([
            "etag",
            "location",
            "link",
            "retry-after",
            "ratelimit",
            "ratelimit-policy",
            "x-request-id",
            "idempotent-replayed",
            "content-disposition",
        ])
        .max_age(3600)
}

/// The HS256 secret: `SAMVERKAN_JWT_SECRET`, else the key file beside the SQLite database
/// (created on first use). Refused when shorter than [`MIN_SECRET_BYTES`].
pub fn jwt_secret(settings: &Settings, db: &DbConfig) -> Result<SecretString, StartupError> {
    jwt_secret_from(settings, db, true).map(|(secret, _)| secret)
}

/// Where the HS256 secret came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// `SAMVERKAN_JWT_SECRET`.
    Environment,
    /// The key file at this path.
    File(std::path::PathBuf),
}

/// The HS256 secret and where it came from; a missing key file is created only when `create`
/// (the server creates it on first start; `samverkan token` only with `--create-key`, so that
/// a token made against another database does not silently get a key of its own).
pub fn jwt_secret_from(
    settings: &Settings,
    db: &DbConfig,
    create: bool,
) -> Result<(SecretString, SecretSource), StartupError> {
    let (secret, source) = match (&settings.jwt_secret, db.sqlite_file()) {
        (Some(secret), _) => (secret.clone(), SecretSource::Environment),
        (None, Some(file)) => {
            let path = file.with_file_name("jwt-secret");
            if !create && !path.exists() {
                return Err(StartupError::Config(format!(
                    "no signing key at {}: the server creates it beside its database on first \
                     start. Run this command with the server's SAMVERKAN_DATABASE_URL, or pass \
                     --create-key to make a new key (the server then needs a restart to use it)",
                    path.display()
                )));
            }
            (load_or_create_secret(&path)?, SecretSource::File(path))
        }
        (None, None) => {
            return Err(StartupError::Config(
                "SAMVERKAN_JWT_SECRET must be set when the database is PostgreSQL".into(),
            ));
        }
    };
    let len = secret.expose_secret().len();
    if len < MIN_SECRET_BYTES {
        return Err(KeyError::SecretTooShort(len).into());
    }
    Ok((secret, source))
}

/// A built server, bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects to and migrates the database, loads the keys and binds the listener.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let db_config = DbConfig::new(
            &settings.database_url,
            settings.db_pool_size,
            settings.db_acquire_timeout,
        )?;
        // Migrations run on one connection: SQLite keeps a schema per connection, and DDL
        // spread over a pool can meet a stale one.
        let setup = DbConfig::new(&settings.database_url, 1, settings.db_acquire_timeout)?
            .connect()
            .await?;
        db::migrate(&setup).await?;
        if let Some(reason) = db::check_durability(&setup).await? {
            if settings.allow_unsafe_durability {
                tracing::warn!(%reason, "the database may lose committed writes in a crash");
            } else {
                return Err(StartupError::Config(format!(
                    "the database may lose committed writes in a crash ({reason}); fix it, \
                     or set SAMVERKAN_ALLOW_UNSAFE_DURABILITY=true (tests only)"
                )));
            }
        }
        setup.close().await?;

        let secret = jwt_secret(&settings, &db_config)?;
        let mut authenticator = Authenticator::new(
            &secret,
            &settings.jwt_issuer,
            &settings.jwt_audience,
            settings.jwks_file.as_deref(),
            settings.public_read,
        )?
        .with_claims(claim_map(&settings)?);
        if let Some(url) = &settings.jwks_url {
            let source = JwksSource::new(url.clone(), settings.jwks_min_refresh)
                .map_err(StartupError::Config)?;
            authenticator = authenticator.with_jwks(source);
        }
        let authenticator = Arc::new(authenticator);
        start_jwks(&authenticator).await;

        let openapi = document();
        let openapi_json = web::Data::new(OpenApiJson(web::Bytes::from(
            serde_json::to_vec(&openapi)
                .map_err(|e| StartupError::Config(format!("the OpenAPI document: {e}")))?,
        )));
        let routes = RouteTable::new(
            &openapi,
            &[(OPENAPI_PATH, &[Method::GET]), ("/docs", &[Method::GET])],
        );
        let metrics = web::Data::new(
            HttpMetrics::new("samverkan")
                .map_err(|e| StartupError::Config(format!("metrics: {e}")))?,
        );
        let registry = metrics.registry().clone();
        let body_limit = BodyLimit(settings.max_body_bytes);
        let signal = web::Data::new(FeedSignal::default());
        let sender = Sender::new(settings.webhook_allow_private)
            .map_err(|e| StartupError::Config(format!("webhook client: {e}")))?;
        let deliverer = Deliverer::new(
            db_config.connect_lazy(),
            sender,
            RetrySchedule {
                base: settings.webhook_retry_base,
                max: settings.webhook_retry_max,
            },
            settings.webhook_lease,
        );
        if settings.webhooks {
            deliverer.clone().spawn(signal.clone().into_inner());
        }
        let deliverer = web::Data::new(deliverer);
        let storage = Storage::open(settings.storage_url.as_deref(), db_config.sqlite_file())
            .map_err(|e| StartupError::Config(format!("SAMVERKAN_STORAGE_URL: {e}")))?;
        let require_if_match = RequireIfMatch(settings.require_if_match);
        let require_idempotency_key = RequireIdempotencyKey(settings.require_idempotency_key);
        let uploads = web::Data::new(Uploads {
            storage,
            max_bytes: settings.attachment_max_bytes,
        });
        let public_base = web::Data::new(PublicBase {
            url: settings
                .public_url
                .as_ref()
                .map(|url| url.as_str().trim_end_matches('/').to_owned()),
            trusted_proxies: settings.trusted_proxies.clone(),
        });

        let rate_limits = Arc::new(RateLimits::new(
            Limit {
                per_minute: settings.rate_limit,
                burst: settings.rate_limit_burst,
            },
            Limit {
                per_minute: settings.rate_limit_anonymous,
                burst: settings.rate_limit_burst,
            },
            settings.trusted_proxies.clone(),
        ));
        rate_limits.spawn_cleanup();
        let rate_limits = web::Data::from(rate_limits);
        let cors_origins: Vec<String> = settings
            .cors_origins
            .iter()
            .map(|url| url.origin().ascii_serialization())
            .collect();

        let listener = TcpListener::bind(settings.bind)?;
        let port = listener.local_addr()?.port();
        tracing::info!(address = %listener.local_addr()?, "listening");

        let server = HttpServer::new(move || {
            let state = AppState {
                db: db_config.connect_lazy(),
            };
            // The document and the UI come first: the `/api/v1` scope below would otherwise
            // claim `/api/v1/openapi.json` and answer it 405.
            // The document is built and serialised once and shared: a copy per worker cost
            // about 30 MB of resident memory each.
            let (app, _) = App::new()
                .app_data(openapi_json.clone())
                .route(OPENAPI_PATH, web::get().to(serve_document))
                // No validator badge: it would send the document's URL to validator.swagger.io.
                .service(
                    SwaggerUi::new("/docs/{_:.*}")
                        .config(SwaggerConfig::new([OPENAPI_PATH]).validator_url("none")),
                )
                .into_utoipa_app()
                .configure(routes::configure)
                .split_for_parts();
            app.app_data(web::Data::new(state))
                .app_data(web::Data::new(authenticator.clone()))
                .app_data(web::Data::new(registry.clone()))
                .app_data(metrics.clone())
                .app_data(web::Data::new(routes.clone()))
                .app_data(body_limit)
                .app_data(signal.clone())
                .app_data(deliverer.clone())
                .app_data(uploads.clone())
                .app_data(require_if_match)
                .app_data(require_idempotency_key)
                .app_data(public_base.clone())
                .app_data(web::PathConfig::default().error_handler(|err, _| {
                    ApiError::BadRequest(format!("invalid path parameter: {err}")).into()
                }))
                .service(web::redirect("/docs", "/docs/"))
                .app_data(rate_limits.clone())
                .default_service(web::to(unrouted))
                .wrap(from_fn(rate_limit))
                .wrap(from_fn(authenticate))
                .wrap(from_fn(request_context))
                .wrap(Condition::new(
                    !cors_origins.is_empty(),
                    cors(&cors_origins),
                ))
        })
        .listen(listener)?
        .shutdown_timeout(SHUTDOWN_TIMEOUT.as_secs())
        .client_request_timeout(CLIENT_REQUEST_TIMEOUT);
        let server = match settings.workers {
            Some(workers) => server.workers(workers.max(1)),
            None => server,
        }
        .run();
        Ok(Self { port, server })
    }

    /// The port the server listens on (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops the server (as SIGTERM would).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
