//! Base services of the installed system: time (`[time]`, chrony), the firewall
//! (`[firewall]`, firewalld) and kdump (`[kdump]`). A section left out leaves the
//! distribution's default.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::yes;
use crate::answer::Duration;

/// NTP sources for chrony; they replace the distribution's default pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Time {
    /// NTP servers (host names or IP addresses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<String>,
    /// NTP pools (host names that resolve to several servers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<String>,
    /// Set the live system's clock from these sources before anything is fetched or
    /// installed (`chronyd -q`), and refuse to install when it cannot be: certificates and
    /// the installed files' times need a right clock (a server with a flat RTC battery
    /// boots years off).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wait_for_sync: bool,
    /// How long to wait for the clock (default "2m").
    #[serde(
        default = "default_sync_timeout",
        skip_serializing_if = "is_default_sync_timeout"
    )]
    pub sync_timeout: Duration,
}

fn default_sync_timeout() -> Duration {
    Duration(std::time::Duration::from_secs(120))
}

fn is_default_sync_timeout(d: &Duration) -> bool {
    *d == default_sync_timeout()
}

impl Default for Time {
    fn default() -> Self {
        Time {
            servers: Vec::new(),
            pools: Vec::new(),
            wait_for_sync: false,
            sync_timeout: default_sync_timeout(),
        }
    }
}

/// firewalld.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Firewall {
    /// firewalld on at boot (true) or off.
    #[serde(default = "yes")]
    pub enable: bool,
    /// The default zone, which every interface without one of its own is in.
    #[serde(default = "public")]
    pub zone: String,
    /// What the zone allows: firewalld service names ("https", "dns"); "ssh" is added when
    /// the SSH server is enabled. Nothing else is allowed in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Ports the zone allows: "8443/tcp", "6000-6010/udp".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
}

fn public() -> String {
    "public".into()
}

impl Default for Firewall {
    fn default() -> Self {
        Firewall {
            enable: true,
            zone: public(),
            services: Vec::new(),
            ports: Vec::new(),
        }
    }
}

/// kdump: a crash kernel loaded at boot that saves a dump of a crashed kernel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Kdump {
    #[serde(default = "yes")]
    pub enable: bool,
    /// Memory reserved for the crash kernel: the kernel's crashkernel= syntax, "512M" or
    /// ranges "1G-64G:256M,64G-:512M".
    #[serde(default = "crashkernel")]
    pub crashkernel: String,
}

fn crashkernel() -> String {
    "512M".into()
}

impl Default for Kdump {
    fn default() -> Self {
        Kdump {
            enable: true,
            crashkernel: crashkernel(),
        }
    }
}
