//! The destructive steps. The engine only sends events; it never prints.

pub mod disk;
pub mod payload;
pub mod prefetch;
mod run;
pub mod target;

pub use run::{EngineError, StepError, run};
