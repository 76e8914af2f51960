//! The plan: what will be done, resolved from what was asked (`Answer`) against what was
//! found (`Hardware`). Pure: no I/O, nothing written.

mod devices;
mod json;
pub(crate) mod network;
mod payload;
mod programs;
mod recheck;
mod release;
mod render;
mod resolve;
mod select;
mod storage;
mod system;
mod types;

pub use devices::*;
pub use json::{PLAN_VERSION, PlanReadError, from_json, schema_json};
pub use network::{
    Bind, Connection, IpSetup, Ipv6Method, Kind, PlannedRoute, PortKind, PortOf, connections,
    connections_of, describe_connection,
};
pub use payload::{MEDIA_REPO_KEY, MEDIA_REPO_URL, repo_sources};
pub use programs::HostProgram;
pub use recheck::still_holds;
pub use release::{Release, ReleaseAction};
pub use render::{kept_lines, layer_lines, render};
pub use resolve::Refused;
pub use select::{target_disk, target_disks};
pub use storage::{AUTO_GROUP, ESP_OPTIONS, MIN_AUTO_ROOT, auto_layout, auto_swap, keep_matches};
pub use system::{
    Account, Accounts, Bootloader, FirewallSetup, HARDENING_CMDLINE, HostSettings, KernelSetup,
    Shadow, SystemSetup, firewall_setup,
};
pub use types::*;

/// The probe's types the plan carries (the engine reads them here, not from the probe).
pub use crate::probe::{Disk, Firmware, Transport};
