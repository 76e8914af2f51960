//! Host name, time zone, locale and console keymap: the files systemd reads at boot
//! (hostname(5), localtime(5), locale.conf(5), vconsole.conf(5)).

use super::{ConfigureError, Context, Log, at, io_err, write_file};

const ZONEINFO: &str = "/usr/share/zoneinfo";

pub(super) fn configure(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let sys = &ctx.plan.system.host;
    let hostname = &sys.hostname;
    write_file(
        ctx.root,
        "/etc/hostname",
        format!("{hostname}\n").as_bytes(),
        0o644,
    )?;
    log.info(format!("host name {hostname}"));
    timezone(ctx, &sys.timezone, log)?;
    write_file(
        ctx.root,
        "/etc/locale.conf",
        format!("LANG={}\n", sys.locale).as_bytes(),
        0o644,
    )?;
    write_file(
        ctx.root,
        "/etc/vconsole.conf",
        format!("KEYMAP={}\n", sys.keymap).as_bytes(),
        0o644,
    )?;
    log.info(format!("locale {}, keymap {}", sys.locale, sys.keymap));
    Ok(())
}

/// True when the target has zoneinfo data for `zone` (a file, or a link tzdata made).
fn has_zone(ctx: &Context, zone: &str) -> bool {
    let sane = !zone.is_empty()
        && !zone.starts_with('/')
        && zone
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    sane && at(ctx.root, &format!("{ZONEINFO}/{zone}"))
        .symlink_metadata()
        .is_ok_and(|m| !m.is_dir())
}

/// /etc/localtime as a relative link into the target's zoneinfo, as systemd's
/// `timedatectl set-timezone` makes it (the link's target names the zone).
fn timezone(ctx: &Context, zone: &str, log: &Log) -> Result<(), ConfigureError> {
    let zone = if has_zone(ctx, zone) {
        zone
    } else {
        if zone != "UTC" {
            log.warn(format!(
                "time zone {zone}: the target has no zoneinfo data for it (tzdata not installed?); using UTC"
            ));
        }
        "UTC"
    };
    let link = at(ctx.root, "/etc/localtime");
    if link.symlink_metadata().is_ok() {
        std::fs::remove_file(&link).map_err(io_err("removing /etc/localtime"))?;
    }
    if !has_zone(ctx, zone) {
        // No /etc/localtime means UTC to glibc and systemd; a dangling link would not.
        log.info("time zone UTC (no /etc/localtime: the target has no zoneinfo data)");
        return Ok(());
    }
    std::fs::create_dir_all(at(ctx.root, "/etc")).map_err(io_err("creating /etc"))?;
    std::os::unix::fs::symlink(format!("..{ZONEINFO}/{zone}"), &link)
        .map_err(io_err("linking /etc/localtime"))?;
    log.info(format!("time zone {zone}"));
    Ok(())
}
