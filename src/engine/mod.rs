//! The destructive steps. The engine only sends events; it never prints.

pub mod configure;
pub mod disk;
mod run;
pub mod target;

pub use run::{EngineError, StepError, run};
