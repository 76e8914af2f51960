//! The live system readied for an install: `boot-network` (the kernel command line's
//! `ip=`/`bond=`/`vlan=`/`bridge=`, at boot), the answer's `[network]` brought up before
//! anything is fetched when the live system has no route, and the clock set from the
//! answer's NTP sources when it asks to wait for it.

use std::path::Path;

use anyhow::anyhow;

use crate::answer::{self, Answer};
use crate::engine::live_network;
use crate::events::Sink;
use crate::plan::{self, Connection, Refused};
use crate::session::{Failure, KernelArgs, print_out};

/// `boot-network`: NetworkManager profiles for the kernel command line's network under
/// `nm_dir`, before NetworkManager starts. Nothing on the command line: nothing written.
pub fn boot_network(kernel: &KernelArgs, nm_dir: &Path) -> Result<(), Failure> {
    kernel.require()?;
    let network = match answer::network_from_boot_args(kernel.words()) {
        Ok(Some(n)) => n,
        Ok(None) => {
            print_out("no ip=, bond=, vlan= or bridge= on the kernel command line\n");
            return Ok(());
        }
        Err(errors) => {
            let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return Err(Failure::BadInput(anyhow!("{}", all.join("\n"))));
        }
    };
    let connections = plan::connections_of(&network).map_err(|problems| {
        Failure::BadInput(anyhow!(
            "kernel command line: {}",
            problems
                .iter()
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        ))
    })?;
    live_network::prepare_boot(nm_dir, &connections)
        .map_err(|e| Failure::BadInput(anyhow!("{e}")))?;
    for c in &connections {
        print_out(&format!("boot network: {}\n", plan::describe_connection(c)));
    }
    Ok(())
}

/// Brings up `connections` (the answer's network) on the live system when the install
/// fetches something over the network and the live system has no default route.
pub(super) fn bring_up_if_needed(
    answer: &Answer,
    connections: &[Connection],
    events: &dyn Sink,
) -> Result<(), Failure> {
    let fetches = plan::repo_sources(answer)
        .iter()
        .any(|r| answer::is_remote(&r.url))
        || answer.reporting.webhook.is_some();
    if !fetches {
        return Ok(());
    }
    live_network::ensure(connections, events)
        .map(|_| ())
        .map_err(|e| {
            Failure::Refused(Refused {
                problems: vec![
                    answer::Issue::new("network", format!("bringing up the live system's network: {e}"))
                        .with_hint("the answer's [network] is brought up when the live system has no route; or boot with ip=/bond=/vlan= (README)"),
                ],
            })
        })
}

/// `[time] wait_for_sync`: the live system's clock set from the answer's sources before
/// anything is fetched or installed; refused when it cannot be.
pub(super) fn sync_clock_if_asked(answer: &Answer, events: &dyn Sink) -> Result<(), Failure> {
    let Some(t) = answer.time.as_ref().filter(|t| t.wait_for_sync) else {
        return Ok(());
    };
    crate::engine::live_clock::sync(&t.servers, &t.pools, t.sync_timeout.0, events).map_err(|e| {
        Failure::Refused(Refused {
            problems: vec![answer::Issue::new("time.wait_for_sync", e.to_string()).with_hint(
                "the sources must answer NTP from the live system; or set wait_for_sync = false",
            )],
        })
    })
}
