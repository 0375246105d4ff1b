//! The command line: `serve` (the default), `migrate`, `token`, `openapi`, `audit verify` and
//! `seed`.

use std::{io::Write, process::ExitCode, time::Duration};

use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use uuid::Uuid;

use crate::{
    auth::{Identity, Role, mint},
    config::Settings,
    db::DbConfig,
    openapi::document,
    startup::{Application, SecretSource, StartupError, jwt_secret_from},
    telemetry,
};

/// samverkan: the governance record of a cross-sector collaboration.
#[derive(Debug, Parser)]
#[command(name = "samverkan", version, about)]
pub struct Cli {
    /// Settings (each also read from its `SAMVERKAN_*` environment variable).
    #[command(flatten)]
    pub settings: Settings,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API (the default).
    Serve(ServeArgs),
    /// Apply pending migrations.
    Migrate {
        /// List every migration and whether it is applied, and change nothing.
        #[arg(long)]
        status: bool,
    },
    /// Print one signed token (HS256, with the configured secret) for local use.
    Token {
        /// A role to grant; repeat for several.
        #[arg(long = "role", value_enum, required = true)]
        roles: Vec<Role>,
        /// The organisation the token acts for.
        #[arg(long)]
        org: Option<Uuid>,
        /// The subject (`sub`) of the token.
        #[arg(long, default_value = "local-cli")]
        sub: String,
        /// How long the token is valid, e.g. `30m`, `8h`, `7d`.
        #[arg(long, value_parser = humantime::parse_duration, default_value = "1h")]
        ttl: Duration,
        /// Create the key file beside the SQLite database when it does not exist (otherwise
        /// refused: the server makes it on first start).
        #[arg(long)]
        create_key: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Check the audit log.
    Audit {
        /// What to check.
        #[command(subcommand)]
        check: AuditCommand,
    },
    /// Fill an empty database with data.
    Seed {
        /// The demo collaboration: the steering group of Barnens bästa gäller! i Kronoberg
        /// from 2020 to 2022, with invented people (see README, "The demo"). A database that
        /// already holds the demo is left as it is.
        #[arg(long, required = true)]
        demo: bool,
        /// Seed the demo even though the database holds other data.
        #[arg(long)]
        force: bool,
    },
}

/// The options of `serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Seed the demo collaboration first (into an empty database; a database that holds it
    /// already is served as it is), then print an admin token and where to start.
    #[arg(long, env = "SAMVERKAN_DEMO", value_parser = clap::builder::BoolishValueParser::new(),
          action = clap::ArgAction::Set, default_value = "false", num_args = 0..=1,
          default_missing_value = "true")]
    pub demo: bool,
}

impl ServeArgs {
    /// The options of `samverkan` run without a subcommand: `serve`, with its environment.
    fn from_env() -> Self {
        use clap::{Args, FromArgMatches};
        let command = ServeArgs::augment_args(clap::Command::new("serve"));
        command
            .try_get_matches_from(["serve"])
            .ok()
            .and_then(|m| Self::from_arg_matches(&m).ok())
            .unwrap_or(Self { demo: false })
    }
}

/// The audit log's checks.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the chain of seals and name the first row that does not verify (exit code 1 then).
    Verify,
}

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> ExitCode {
    let settings = cli.settings;
    let command = cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeArgs::from_env()));
    if matches!(
        command,
        Command::Serve(_) | Command::Migrate { .. } | Command::Seed { .. }
    ) {
        telemetry::init(&settings.log, settings.log_format);
    }
    let result = match command {
        Command::Serve(args) => serve(settings, args.demo).await,
        Command::Migrate { status } => migrate(&settings, status).await,
        Command::Token {
            roles,
            org,
            sub,
            ttl,
            create_key,
        } => token(&settings, roles, org, sub, ttl, create_key),
        Command::Seed { demo: _, force } => seed_demo(&settings, force).await,
        Command::Audit {
            check: AuditCommand::Verify,
        } => verify_audit(&settings).await,
        Command::Openapi => document()
            .to_pretty_json()
            .map_err(|e| StartupError::Config(e.to_string()))
            .and_then(|json| print(&json)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "samverkan failed");
            let _ = writeln!(std::io::stderr(), "samverkan: {error}");
            ExitCode::FAILURE
        }
    }
}

fn print(text: &str) -> Result<(), StartupError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

async fn serve(settings: Settings, demo: bool) -> Result<(), StartupError> {
    let seeded = match demo {
        true => Some(crate::demo::seed(&settings, false).await?),
        false => None,
    };
    let app = Application::build(settings.clone()).await?;
    if let Some(seeded) = seeded {
        print_demo(&settings, app.port(), &seeded)?;
    }
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn migrate(settings: &Settings, status_only: bool) -> Result<(), StartupError> {
    let config = DbConfig::new(&settings.database_url, 1, settings.db_acquire_timeout)?;
    let db = config.connect().await?;
    if !status_only {
        Migrator::up(&db, None).await?;
    }
    let mut lines = Vec::new();
    for migration in Migrator::get_migration_with_status(&db).await? {
        lines.push(format!("{:?}\t{}", migration.status(), migration.name()));
    }
    print(&lines.join("\n"))
}

/// Prints the chain check as JSON; a broken chain is an error (exit code 1).
async fn verify_audit(settings: &Settings) -> Result<(), StartupError> {
    let config = DbConfig::new(&settings.database_url, 1, settings.db_acquire_timeout)?;
    let db = config.connect().await?;
    let report = crate::store::audit::chain::verify(&db).await?;
    let json =
        serde_json::to_string_pretty(&report).map_err(|e| StartupError::Config(e.to_string()))?;
    print(&json)?;
    match report.first_broken {
        None => Ok(()),
        Some(row) => Err(StartupError::AuditBroken(format!(
            "row {} does not verify ({})",
            row.id, row.reason
        ))),
    }
}

async fn seed_demo(settings: &Settings, force: bool) -> Result<(), StartupError> {
    let demo = crate::demo::seed(settings, force).await?;
    print(match demo.fresh {
        true => "seeded the demo collaboration",
        false => "the database already holds the demo collaboration; nothing changed",
    })
}

/// Where a newcomer starts: an admin token, the documentation and the minutes of 2021-11-05.
fn print_demo(
    settings: &Settings,
    port: u16,
    demo: &crate::demo::Demo,
) -> Result<(), StartupError> {
    let config = DbConfig::new(&settings.database_url, 1, settings.db_acquire_timeout)?;
    let (secret, _) = jwt_secret_from(settings, &config, false)?;
    let identity = Identity {
        sub: "demo-admin".into(),
        roles: vec![Role::Admin],
        org: None,
    };
    let jwt = mint(
        &secret,
        &settings.jwt_issuer,
        &settings.jwt_audience,
        &identity,
        Duration::from_secs(8 * 3600),
    )
    .map_err(|e| StartupError::Config(format!("token: {e}")))?;
    let base = match &settings.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None if settings.bind.ip().is_unspecified() => format!("http://127.0.0.1:{port}"),
        None => format!(
            "http://{}",
            std::net::SocketAddr::new(settings.bind.ip(), port)
        ),
    };
    let state = match demo.fresh {
        true => "seeded",
        false => "already seeded",
    };
    print(&format!(
        "demo: {state}\n\
         demo: admin token: {jwt}\n\
         demo: docs: {base}/docs/\n\
         demo: minutes of 2021-11-05: {base}/api/v1/meetings/{}/minutes",
        demo.minutes_meeting_id
    ))
}

fn token(
    settings: &Settings,
    roles: Vec<Role>,
    org: Option<Uuid>,
    sub: String,
    ttl: Duration,
    create_key: bool,
) -> Result<(), StartupError> {
    let config = DbConfig::new(&settings.database_url, 1, settings.db_acquire_timeout)?;
    let (secret, source) = jwt_secret_from(settings, &config, create_key)?;
    match source {
        SecretSource::Environment => eprintln!("signed with SAMVERKAN_JWT_SECRET"),
        SecretSource::File(path) => eprintln!("signed with the key in {}", path.display()),
    }
    let identity = Identity { sub, roles, org };
    let jwt = mint(
        &secret,
        &settings.jwt_issuer,
        &settings.jwt_audience,
        &identity,
        ttl,
    )
    .map_err(|e| StartupError::Config(format!("token: {e}")))?;
    print(&jwt)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
