//! The destructive steps. The engine only sends events; it never prints.

pub mod disk;
mod run;

pub use run::{EngineError, StepError, run};
