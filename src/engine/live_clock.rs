//! The live system's clock, set from the answer's NTP sources before anything is fetched
//! or installed (`[time] wait_for_sync`): certificates and the installed files' times need
//! a right clock, and a server whose RTC battery is flat boots years off. One `chronyd -q`
//! (set the clock once, then exit) with only the answer's sources: no configuration file,
//! no server or command port of its own, so it runs beside a chronyd the live system may
//! have. `AZL_CLOCK_QUERY_ONLY=1` makes it `chronyd -Q` (measure, do not set: for tests on
//! a machine whose clock is not theirs).

use std::time::Duration;

use crate::cmd::{Cmd, find_program};
use crate::events::{Level, Sink, Step};

#[derive(Debug, thiserror::Error)]
pub enum LiveClockError {
    #[error("waiting for the clock needs chronyd on the live system (chrony), and it has none")]
    NoChrony,
    #[error("the clock did not synchronise with {sources} within {secs} s: {detail}")]
    NoSync {
        sources: String,
        secs: u64,
        detail: String,
    },
}

/// Sets the clock from `servers` and `pools` within `timeout`; says how far off it was.
pub fn sync(
    servers: &[String],
    pools: &[String],
    timeout: Duration,
    events: &dyn Sink,
) -> Result<(), LiveClockError> {
    if find_program("chronyd").is_none() {
        return Err(LiveClockError::NoChrony);
    }
    let sources: Vec<String> = servers
        .iter()
        .map(|s| format!("server {s} iburst"))
        .chain(pools.iter().map(|p| format!("pool {p} iburst")))
        .collect();
    let shown = servers
        .iter()
        .chain(pools)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let set = if std::env::var_os("AZL_CLOCK_QUERY_ONLY").is_some() {
        "-Q"
    } else {
        "-q"
    };
    let secs = timeout.as_secs().max(1);
    events.log(
        Step::Preflight,
        Level::Info,
        format!("clock: waiting up to {secs} s for {shown}"),
    );
    let out = Cmd::new("chronyd")
        .args([set, "-t", &secs.to_string(), "-f", "/dev/null"])
        .args(&sources)
        .args([
            "cmdport 0",
            "port 0",
            "pidfile /run/azl-installer-chronyd.pid",
        ])
        .run()
        .map_err(|e| LiveClockError::NoSync {
            sources: shown.clone(),
            secs,
            detail: last_line(&e.to_string()),
        })?;
    // chronyd logs "System clock wrong by 0.000123 seconds (step)" when it got a time.
    let all = format!("{}\n{}", out.stdout, out.stderr);
    let Some(line) = all.lines().find(|l| l.contains("System clock wrong by")) else {
        return Err(LiveClockError::NoSync {
            sources: shown,
            secs,
            detail: last_line(&all),
        });
    };
    let off = line
        .split_once("wrong by ")
        .map_or(line, |(_, rest)| rest)
        .trim();
    events.log(
        Step::Preflight,
        Level::Info,
        format!("clock: in sync with {shown} (it was off by {off})"),
    );
    Ok(())
}

/// The last non-empty line of a program's output: what it said last before giving up.
fn last_line(text: &str) -> String {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no output")
        .to_string()
}
