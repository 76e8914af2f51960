//! The destructive steps. The engine only sends events; it never prints.

pub mod disk;
pub mod format;
pub mod fstab;
pub mod mount;
mod run;
pub mod scripts;
pub mod target;

pub use run::{EngineError, StepError, run};
