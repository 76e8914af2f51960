//! The plan: what will be done, resolved from what was asked (`Answer`) against what was
//! found (`Hardware`). Pure: no I/O, nothing written.

mod types;

pub use types::*;
