//! azl-installer: the library behind the `azl-installer` binary. See DESIGN.md for the flow
//! (answer -> plan -> engine -> events) and who may import whom.

pub mod answer;
pub mod cli;
pub mod cmd;
pub mod engine;
pub mod events;
pub mod mountinfo;
pub mod plan;
pub mod probe;
pub mod repo;
pub mod session;
pub mod tui;
pub mod unattended;
pub mod units;
