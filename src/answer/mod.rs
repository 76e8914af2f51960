//! The answer file: what the user asked for. Both front doors (TOML file, TUI) produce an
//! [`Answer`]; nothing here touches hardware, network or disks.

mod size;
mod types;

pub use size::{Duration, Size, SizeError, human_bytes};
pub use types::*;
