//! The `samverkan` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

#[actix_web::main]
async fn main() -> ExitCode {
    samverkan::cli::run(samverkan::cli::Cli::parse()).await
}
