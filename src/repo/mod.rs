//! Repository metadata: fetched over file:// or http(s)://, its signature verified against
//! the configured keys before anything else in it is used, then parsed into a `RepoIndex`.

mod types;

pub use types::*;
