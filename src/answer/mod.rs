//! The answer file: what the user asked for. Both front doors (TOML file, TUI) produce an
//! [`Answer`]; nothing here touches hardware, network or disks.
//!
//! Loading ([`load_str`], [`load_file`]) runs three passes and reports every problem found,
//! each as an [`Issue`] with key path, line and column: TOML syntax, the structure against
//! the JSON Schema generated from the types ([`schema_json`]), and the semantic checks of
//! [`validate`], which answers built by the TUI go through as well.

mod boot_network;
mod compose;
mod issue;
pub mod kickstart;
mod load;
mod password;
mod schema;
mod shape;
mod size;
mod tree;
mod types;
mod url;
mod validate;

pub use boot_network::{BootArgError, network_from_boot_args};
pub use compose::{Composed, Located, MachineFacts, Reader, branches, compose, is_composed};
pub use issue::{Issue, Report, did_you_mean, shown};
pub use load::{LoadError, MAX_BYTES, load_file, load_str, read_text, to_toml};
pub use password::{HashError, hash_plain};
pub use schema::{schema_json, schema_value};
pub use size::{Duration, Size, SizeError, human_bytes};
pub use types::*;
pub use url::{Credentials, is_remote, proxied, redact_url, split_credentials};
pub use validate::{check_ssh_key, validate, validate_network};
