use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = azl_installer::cli::Cli::parse();
    ExitCode::from(azl_installer::cli::run(cli))
}
