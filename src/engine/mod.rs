//! The destructive steps. The engine only sends events; it never prints.

pub mod disk;
