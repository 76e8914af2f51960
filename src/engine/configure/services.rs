//! Base services the answer sets: chrony's NTP sources (`[time]`), firewalld's default
//! zone and what it allows (`[firewall]`), kdump (`[kdump]`, its crashkernel= is on the
//! command line already), and the proxy in the environment (`[network.proxy]`; dnf's is in
//! each repository's .repo file, see payload/config.rs).
//! Plain configuration files are written; services are enabled with the target's systemctl.

use std::path::Path;

use crate::plan::FirewallSetup;

use super::{ConfigureError, Context, Log, at, find_unit, io_err, systemctl, write_file};

pub(super) fn configure(ctx: &Context, log: &Log) -> Result<(), ConfigureError> {
    let sys = &ctx.plan.system;
    if let Some(t) = &sys.time {
        time(ctx.root, t, log)?;
    }
    if let Some(f) = &sys.firewall {
        firewall(ctx.root, f, log)?;
    }
    if sys.kdump.is_some() {
        let unit = find_unit(ctx.root, &["kdump.service", "kdump-tools.service"]).ok_or(
            ConfigureError::MissingFile {
                path: "/usr/lib/systemd/system/kdump.service".into(),
                why: "kexec-tools not installed",
            },
        )?;
        systemctl(ctx.root, "enable", unit)?;
        log.info(format!("kdump: {unit} enabled"));
    }
    if let Some(p) = &sys.proxy {
        proxy(ctx.root, p, log)?;
    }
    Ok(())
}

/// chrony.conf where the distribution keeps it (Fedora's /etc/chrony.conf, Debian's
/// /etc/chrony/chrony.conf).
const CHRONY_CONFS: &[&str] = &["/etc/chrony.conf", "/etc/chrony/chrony.conf"];

fn time(root: &Path, t: &crate::answer::Time, log: &Log) -> Result<(), ConfigureError> {
    let path =
        CHRONY_CONFS
            .iter()
            .find(|p| at(root, p).is_file())
            .ok_or(ConfigureError::MissingFile {
                path: CHRONY_CONFS[0].into(),
                why: "chrony not installed",
            })?;
    let old = std::fs::read_to_string(at(root, path)).map_err(io_err(format!("reading {path}")))?;
    write_file(root, path, chrony_conf(&old, t).as_bytes(), 0o644)?;
    log.info(format!(
        "time: chrony uses {} (in {path})",
        t.servers
            .iter()
            .chain(&t.pools)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(())
}

/// The distribution's chrony.conf with its own sources commented out and the answer's
/// appended (`iburst`: the first measurements come in seconds, not minutes).
pub fn chrony_conf(old: &str, t: &crate::answer::Time) -> String {
    let mut s = String::new();
    for line in old.lines() {
        let word = line.split_whitespace().next().unwrap_or("");
        if ["server", "pool", "peer"].contains(&word) {
            s.push_str(&format!(
                "#{line}  # replaced by the answer's [time] (azl-installer)\n"
            ));
        } else {
            s.push_str(line);
            s.push('\n');
        }
    }
    s.push_str("\n# NTP sources of the answer's [time] (azl-installer).\n");
    for server in &t.servers {
        s.push_str(&format!("server {server} iburst\n"));
    }
    for pool in &t.pools {
        s.push_str(&format!("pool {pool} iburst\n"));
    }
    s
}

fn firewall(root: &Path, f: &FirewallSetup, log: &Log) -> Result<(), ConfigureError> {
    let conf = "/etc/firewalld/firewalld.conf";
    let installed = at(root, conf).is_file();
    if !f.enable {
        if installed {
            systemctl(root, "disable", "firewalld.service")?;
            log.info("firewall: firewalld disabled");
        } else {
            log.info("firewall: firewalld not installed; nothing to disable");
        }
        return Ok(());
    }
    if !installed {
        return Err(ConfigureError::MissingFile {
            path: conf.into(),
            why: "firewalld not installed",
        });
    }
    let old = std::fs::read_to_string(at(root, conf)).map_err(io_err(format!("reading {conf}")))?;
    write_file(root, conf, default_zone(&old, &f.zone).as_bytes(), 0o644)?;
    write_file(
        root,
        &format!("/etc/firewalld/zones/{}.xml", f.zone),
        zone_xml(f).as_bytes(),
        0o644,
    )?;
    systemctl(root, "enable", "firewalld.service")?;
    let allowed: Vec<&str> = f
        .services
        .iter()
        .chain(&f.ports)
        .map(String::as_str)
        .collect();
    log.info(format!(
        "firewall: firewalld enabled, default zone {} allowing {}",
        f.zone,
        if allowed.is_empty() {
            "nothing".to_string()
        } else {
            allowed.join(", ")
        }
    ));
    Ok(())
}

/// firewalld.conf with `DefaultZone=` set to `zone`.
pub fn default_zone(old: &str, zone: &str) -> String {
    let mut s = String::new();
    let mut set = false;
    for line in old.lines() {
        if line.trim_start().starts_with("DefaultZone=") {
            s.push_str(&format!("DefaultZone={zone}\n"));
            set = true;
        } else {
            s.push_str(line);
            s.push('\n');
        }
    }
    if !set {
        s.push_str(&format!("DefaultZone={zone}\n"));
    }
    s
}

/// The zone as firewalld reads it from /etc/firewalld/zones/ (it replaces a built-in zone
/// of the same name): exactly what the plan allows.
pub fn zone_xml(f: &FirewallSetup) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<zone>\n");
    s.push_str(&format!("  <short>{}</short>\n", f.zone));
    s.push_str("  <description>Written by azl-installer from the answer's [firewall]: only what it allows comes in.</description>\n");
    for service in &f.services {
        s.push_str(&format!("  <service name=\"{service}\"/>\n"));
    }
    for p in &f.ports {
        let (port, protocol) = p.split_once('/').unwrap_or((p, "tcp"));
        s.push_str(&format!(
            "  <port port=\"{port}\" protocol=\"{protocol}\"/>\n"
        ));
    }
    s.push_str("</zone>\n");
    s
}

fn proxy(root: &Path, p: &crate::answer::Proxy, log: &Log) -> Result<(), ConfigureError> {
    let (url, creds) = crate::answer::split_credentials(&p.url);
    let env = "/etc/environment";
    let old = std::fs::read_to_string(at(root, env)).unwrap_or_default();
    write_file(
        root,
        env,
        environment(&old, &url, &p.no_proxy).as_bytes(),
        0o644,
    )?;
    log.info(format!(
        "proxy: {url} in {env}{}; the repositories' .repo files name it themselves",
        if creds.is_some() {
            " without its credentials (that file is for everyone to read)"
        } else {
            ""
        }
    ));
    Ok(())
}

/// /etc/environment with the proxy variables (both spellings: programs read either). The
/// URL carries no credentials: this file is for everyone to read.
pub fn environment(old: &str, url: &str, no_proxy: &[String]) -> String {
    let names = ["http_proxy", "https_proxy", "no_proxy"];
    let mut s: String = old
        .lines()
        .filter(|l| {
            let key = l.split('=').next().unwrap_or("").trim();
            !names.iter().any(|n| key.eq_ignore_ascii_case(n))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    for name in ["http_proxy", "https_proxy"] {
        s.push_str(&format!(
            "{name}={url}\n{}={url}\n",
            name.to_ascii_uppercase()
        ));
    }
    if !no_proxy.is_empty() {
        let list = no_proxy.join(",");
        s.push_str(&format!("no_proxy={list}\nNO_PROXY={list}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Time;

    #[test]
    fn chrony_keeps_everything_but_the_old_sources() {
        let old = "# Use Debian's pool\npool 2.debian.pool.ntp.org iburst\nsourcedir /run/chrony-dhcp\nmakestep 1 3\n";
        let t = Time {
            servers: vec!["ntp1.example.com".into()],
            pools: vec!["pool.example.com".into()],
            ..Time::default()
        };
        let new = chrony_conf(old, &t);
        assert!(
            new.contains("#pool 2.debian.pool.ntp.org iburst  # replaced"),
            "{new}"
        );
        assert!(
            new.contains("\nsourcedir /run/chrony-dhcp\nmakestep 1 3\n"),
            "{new}"
        );
        assert!(
            new.ends_with("server ntp1.example.com iburst\npool pool.example.com iburst\n"),
            "{new}"
        );
    }

    #[test]
    fn the_environment_gets_the_proxy_without_credentials() {
        let e = environment(
            "LANG=C\nhttp_proxy=x\n",
            "http://proxy:3128/",
            &["localhost".into(), ".example.com".into()],
        );
        assert_eq!(
            e,
            "LANG=C\nhttp_proxy=http://proxy:3128/\nHTTP_PROXY=http://proxy:3128/\nhttps_proxy=http://proxy:3128/\nHTTPS_PROXY=http://proxy:3128/\nno_proxy=localhost,.example.com\nNO_PROXY=localhost,.example.com\n"
        );
    }

    #[test]
    fn the_zone_allows_only_what_the_plan_says() {
        let f = FirewallSetup {
            enable: true,
            zone: "public".into(),
            services: vec!["ssh".into()],
            ports: vec!["8443/tcp".into(), "6000-6010/udp".into()],
        };
        let x = zone_xml(&f);
        assert!(x.contains("<service name=\"ssh\"/>\n  <port port=\"8443\" protocol=\"tcp\"/>\n  <port port=\"6000-6010\" protocol=\"udp\"/>\n</zone>"), "{x}");
        assert_eq!(
            default_zone("# c\nDefaultZone=public\nX=1\n", "internal"),
            "# c\nDefaultZone=internal\nX=1\n"
        );
    }
}
