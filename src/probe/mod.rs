//! What the installer finds on this machine: disks, NICs, firmware. Reads sysfs, /proc and
//! /dev below a root directory so tests can hand it a fake tree; writes nothing.

mod types;

pub use types::*;
