//! The install's mounts live in a mount namespace of the install's own. On a live system,
//! services started while the target is mounted (a udev-triggered mdmonitor, a D-Bus
//! activated daemon with PrivateTmp or ProtectSystem) copy the whole mount tree into
//! their namespaces; a copy of the target's root keeps its filesystem mounted after the
//! install unmounted it, so the array (or container) under it cannot be stopped, and the
//! disk is not clean when the machine powers off. Mounted only in the install's own
//! namespace, whose propagation to the system's is cut, the target is seen by the install
//! and the programs it runs, and nobody else can hold it.

use nix::mount::{MsFlags, mount};
use nix::sched::{CloneFlags, unshare};

#[derive(Debug, thiserror::Error)]
#[error("making a mount namespace for the install: {0}")]
pub struct NamespaceError(#[from] nix::Error);

/// Moves the calling thread (the engine's: the mounts and every program it starts) into a
/// new mount namespace whose mounts no longer propagate to the system's (slave: the
/// system's new mounts, such as media, still show here).
pub fn enter_private() -> Result<(), NamespaceError> {
    unshare(CloneFlags::CLONE_NEWNS)?;
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_SLAVE,
        None::<&str>,
    )?;
    Ok(())
}
