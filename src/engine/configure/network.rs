//! NetworkManager keyfiles (keyfile.rs), one per planned connection, in
//! /etc/NetworkManager/system-connections/, mode 0600 and owned by root (NetworkManager
//! ignores keyfiles anyone else can read or write). No connections: nothing is written and
//! NetworkManager's default applies (DHCP on every wired NIC).

use super::keyfile::keyfile;

use super::{ConfigureError, Context, Log, at, io_err, write_file};

const DIR: &str = "/etc/NetworkManager/system-connections";

pub(super) fn configure(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let connections = &ctx.plan.network;
    if connections.is_empty() {
        log.info("network: no interfaces configured; NetworkManager's default (DHCP on all)");
        return Ok(());
    }
    let dir = at(ctx.root, DIR);
    if !dir.is_dir() {
        std::fs::create_dir_all(&dir).map_err(io_err(format!("creating {DIR}")))?;
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .map_err(io_err(format!("setting the mode of {DIR}")))?;
    }
    for c in connections {
        write_file(
            ctx.root,
            &format!("{DIR}/{}.nmconnection", c.id),
            keyfile(c).as_bytes(),
            0o600,
        )?;
        log.info(format!("network: {}", crate::plan::describe_connection(c)));
    }
    Ok(())
}
