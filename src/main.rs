//! The `warta` binary: reads `.env` and the `WARTA_*` settings, starts logging, runs a command.

use clap::Parser;
use warta::cli::{self, Cli, Command};
use warta::config::Settings;

fn main() -> std::process::ExitCode {
    let dotenv = dotenvy::dotenv();
    let args = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("warta: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    // Held until `main` returns, so the lines still queued are written on a graceful stop.
    let _log = warta::telemetry::init(&settings.log_level, settings.log_format);
    if let Err(e @ dotenvy::Error::LineParse(..)) = dotenv {
        tracing::warn!(error = %e, ".env could not be read");
    }
    match cli::run(args.command.unwrap_or(Command::Serve), settings) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warta: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
