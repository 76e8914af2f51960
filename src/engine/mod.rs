//! The destructive steps. The engine only sends events; it never prints.

pub mod configure;
pub mod disk;
pub mod format;
pub mod fstab;
pub mod mount;
pub mod payload;
pub mod prefetch;
mod run;
pub mod scripts;
pub mod target;

pub use run::{EngineError, StepError, run};
mod finish;
mod interrupt;

pub use finish::{action as finish_action, finish};
pub use interrupt::{install_handlers as handle_interrupts, interrupted};
