//! The harness of the API tests (`harness = false`, on libtest-mimic): the tests register
//! themselves, each runs on a tokio runtime of its own as under `#[tokio::test]`, and when no
//! PostgreSQL answers the PostgreSQL variants are ignored with a line each saying so, never
//! reported as passed.

use std::{future::Future, pin::Pin, process::ExitCode, thread, time::Duration};

use libtest_mimic::{Arguments, Failed, Trial};
use sea_orm::{ConnectOptions, ConnectionTrait, Database};

use crate::helpers::{Backend, postgres_url};

/// An async test's future, boxed so that one registry holds them all.
pub type TestFuture = Pin<Box<dyn Future<Output = ()>>>;

/// How a registered test runs.
pub enum Body {
    /// `fn name()`, as under `#[test]`.
    Plain(fn()),
    /// `async fn name()`, as under `#[tokio::test]`.
    Async(fn() -> TestFuture),
    /// `async fn name(backend: Backend)`, once per backend: `name::sqlite`, `name::postgres`.
    OnBothBackends(fn(Backend) -> TestFuture),
}

/// A registered test: the module it is in (`module_path!()`), its fn's name and its body.
pub struct Test {
    module: &'static str,
    name: &'static str,
    body: Body,
}

impl Test {
    /// What the registering macros submit.
    pub const fn new(module: &'static str, name: &'static str, body: Body) -> Self {
        Self { module, name, body }
    }

    /// `module::name` as libtest named it: without the crate's name that `module_path!()`
    /// starts with.
    fn path(&self) -> String {
        match self.module.split_once("::") {
            Some((_, module)) => format!("{module}::{}", self.name),
            None => self.name.to_owned(),
        }
    }
}

inventory::collect!(Test);

/// Runs each named `async fn name(backend: Backend)` once per backend, as `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            ::inventory::submit! {
                $crate::harness::Test::new(
                    module_path!(),
                    stringify!($name),
                    $crate::harness::Body::OnBothBackends(|backend| {
                        ::std::boxed::Box::pin($name(backend))
                    }),
                )
            }
        )*
    };
}

/// Runs each named test once, under its own name: `fn name()` like `#[test]`, or, after
/// `async:`, `async fn name()` like `#[tokio::test]`.
#[macro_export]
macro_rules! plain_tests {
    (async: $($name:ident),* $(,)?) => {
        $(
            ::inventory::submit! {
                $crate::harness::Test::new(
                    module_path!(),
                    stringify!($name),
                    $crate::harness::Body::Async(|| ::std::boxed::Box::pin($name())),
                )
            }
        )*
    };
    ($($name:ident),* $(,)?) => {
        $(
            ::inventory::submit! {
                $crate::harness::Test::new(
                    module_path!(),
                    stringify!($name),
                    $crate::harness::Body::Plain($name),
                )
            }
        )*
    };
}

/// Runs the registered tests as libtest would. The PostgreSQL variants need the server at
/// [`postgres_url`]; when it does not answer they are ignored, each with a line saying so and
/// a count after the run, or, under `SAMVERKAN_TEST_REQUIRE_POSTGRES=1`, nothing runs and the
/// exit code says it failed.
pub fn main() -> ExitCode {
    let (args, filters) = arguments();
    let trials: Vec<(Trial, bool)> = trials()
        .into_iter()
        .filter(|(trial, _)| {
            filters.is_empty()
                || filters.iter().any(|f| match args.exact {
                    true => trial.name() == f,
                    false => trial.name().contains(f.as_str()),
                })
        })
        .collect();
    let url = postgres_url();
    // Whether any PostgreSQL variant is selected, `--ignored` or not (the ones skipped here
    // are ignored, and `--ignored` asks to try them).
    let selection = Arguments {
        ignored: false,
        ..args.clone()
    };
    let wanted = trials
        .iter()
        .any(|(trial, postgres)| *postgres && !selection.is_filtered_out(trial));
    let unavailable = if wanted {
        postgres_answers(&url).err()
    } else {
        None
    };
    let shown = redacted(&url);
    if let Some(reason) = &unavailable
        && std::env::var("SAMVERKAN_TEST_REQUIRE_POSTGRES").as_deref() == Ok("1")
    {
        eprintln!(
            "error: SAMVERKAN_TEST_REQUIRE_POSTGRES=1, but no PostgreSQL answered at {shown}: \
             {reason}"
        );
        return ExitCode::FAILURE;
    }
    let trials: Vec<Trial> = trials
        .into_iter()
        .map(|(trial, postgres)| trial.with_ignored_flag(postgres && unavailable.is_some()))
        .collect();
    let skipped: Vec<String> = match &unavailable {
        Some(_) if !args.list => trials
            .iter()
            .filter(|t| t.has_ignored_flag() && !args.is_filtered_out(t) && args.is_ignored(t))
            .map(|t| t.name().to_owned())
            .collect(),
        _ => Vec::new(),
    };
    for name in &skipped {
        eprintln!(
            "skipped: {name} (no PostgreSQL answered at {shown}; set SAMVERKAN_TEST_POSTGRES_URL)"
        );
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if let Some(reason) = unavailable
        && !skipped.is_empty()
    {
        let count = match skipped.len() {
            1 => "1 PostgreSQL test".to_owned(),
            n => format!("{n} PostgreSQL tests"),
        };
        eprintln!(
            "{count} skipped: no PostgreSQL answered at {shown} ({reason}). Start one there or \
             set SAMVERKAN_TEST_POSTGRES_URL; SAMVERKAN_TEST_REQUIRE_POSTGRES=1 makes this a \
             failure.\n"
        );
    }
    conclusion.exit_code()
}

/// libtest's arguments and every name filter given: libtest takes several
/// (`cargo test decisions:: search::`), libtest-mimic's parser one, so the filters are taken
/// out here and applied to the list of trials.
fn arguments() -> (Arguments, Vec<String>) {
    const TAKES_A_VALUE: [&str; 6] = [
        "--test-threads",
        "--skip",
        "--color",
        "--format",
        "--logfile",
        "-Z",
    ];
    let mut args = std::env::args();
    let mut rest: Vec<String> = args.next().into_iter().collect();
    let mut filters = Vec::new();
    while let Some(arg) = args.next() {
        if TAKES_A_VALUE.contains(&arg.as_str()) {
            rest.push(arg);
            rest.extend(args.next());
        } else if arg.starts_with('-') {
            rest.push(arg);
        } else {
            filters.push(arg);
        }
    }
    (Arguments::from_iter(rest), filters)
}

/// Every registered test as a trial, sorted by name like libtest's, each with whether it is a
/// PostgreSQL variant.
fn trials() -> Vec<(Trial, bool)> {
    let mut trials = Vec::new();
    for test in inventory::iter::<Test> {
        let path = test.path();
        match test.body {
            Body::Plain(body) => trials.push((trial(path, body), false)),
            Body::Async(body) => trials.push((trial(path, move || block_on(body())), false)),
            Body::OnBothBackends(body) => {
                for (backend, name) in
                    [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")]
                {
                    let run = move || block_on(body(backend));
                    trials.push((
                        trial(format!("{path}::{name}"), run),
                        backend == Backend::Postgres,
                    ));
                }
            }
        }
    }
    trials.sort_by(|(a, _), (b, _)| a.name().cmp(b.name()));
    trials
}

/// A trial that runs `body` in a thread named after it (a panic's message names the test, as
/// under libtest); a panic fails the trial with the panic's message.
fn trial(name: String, body: impl FnOnce() + Send + 'static) -> Trial {
    Trial::test(name.clone(), move || {
        let thread = thread::Builder::new()
            .name(name)
            .spawn(body)
            .map_err(|error| format!("the test's thread did not start: {error}"))?;
        thread.join().map_err(|payload| {
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(a panic without a message)");
            Failed::from(format!("test panicked: {message}"))
        })
    })
}

/// Runs a test's future to the end on a current-thread runtime of its own, like
/// `#[tokio::test]`; the runtime, and whatever the test spawned on it, ends with it.
fn block_on(future: TestFuture) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future);
}

/// Whether a PostgreSQL server at `url` answers `SELECT 1` within a few seconds; the error
/// says why not. A TCP connection comes first: a closed port is named as such at once, where
/// the connection pool would only time out.
fn postgres_answers(url: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("no tokio runtime: {error}"))?;
    let parsed = url::Url::parse(url).map_err(|error| format!("not a URL: {error}"))?;
    // No address when the URL names a Unix socket rather than a host: the connection tells.
    let addresses = parsed.socket_addrs(|| Some(5432)).unwrap_or_default();
    runtime.block_on(async {
        if !addresses.is_empty() {
            let connect = tokio::net::TcpStream::connect(&addresses[..]);
            match tokio::time::timeout(Duration::from_secs(3), connect).await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => return Err(error.to_string()),
                Err(_) => return Err("no TCP connection within 3 s".to_owned()),
            }
        }
        let mut options = ConnectOptions::new(url);
        options
            .max_connections(1)
            .connect_timeout(Duration::from_secs(3))
            .acquire_timeout(Duration::from_secs(3))
            .sqlx_logging(false);
        let probe = async {
            let db = Database::connect(options).await?;
            db.execute_unprepared("SELECT 1").await?;
            db.close().await
        };
        match tokio::time::timeout(Duration::from_secs(5), probe).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err("no answer within 5 s".to_owned()),
        }
    })
}

/// `url` with its password, if any, replaced by `***`, fit to print.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
