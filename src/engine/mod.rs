//! The destructive steps. The engine only sends events; it never prints.

pub mod configure;
mod devlinks;
pub mod disk;
pub(crate) mod fat_copy;
mod finish;
pub mod format;
pub mod fstab;
mod interrupt;
pub mod layers;
pub mod live_clock;
pub mod live_network;
pub mod live_sshd;
mod lock;
pub mod mount;
mod namespace;
pub mod payload;
pub mod prefetch;
mod report;
mod run;
pub mod save_logs;
pub mod scripts;
pub mod target;

pub use finish::{action as finish_action, finish};
pub use interrupt::{install_handlers as handle_interrupts, interrupted, request as interrupt};
pub use report::{ANSWER_KEYS, CMDLINE_KEYS, start_webhook};
pub use run::{EngineError, RunOptions, StepError, run};
