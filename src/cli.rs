//! The command line (DESIGN.md "CLI").

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "azl-installer",
    version,
    about = "Install Azure Linux onto a disk"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the JSON Schema of the answer file.
    Schema,
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Some(Command::Schema) | None => 0,
    }
}
