//! The partition step's exclusive claim on the disk is gone when it returns, even while
//! other threads keep starting programs: a child holds a copy of every descriptor from fork
//! until its exec has closed them, which ends after the parent's spawn has returned, so the
//! format step's `mkfs` met EBUSY now and then (CI saw it with one spawning thread; six
//! make it show in every run here without the fix in `cmd::close_exclusive`). Alone in its
//! binary: other tests' threads start programs without going through `cmd`, which this
//! cannot wait for.

mod common;

use std::os::unix::fs::OpenOptionsExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use azl_installer::cmd::{Cmd, close_exclusive};
use azl_installer::engine::disk::partition;
use azl_installer::events::Recorder;
use azl_installer::plan::Role;
use common::partition::{GIB, MIB, table};
use common::{Image, LoopDevice};

#[test]
fn the_disk_claim_is_gone_when_partitioning_returns_while_programs_start() {
    require_loop_devices!();
    let stop = Arc::new(AtomicBool::new(false));
    // Several threads, so that some child is always between fork and the end of its exec.
    let spawners: Vec<_> = (0..6)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let _ = Cmd::new("true").run();
                }
            })
        })
        .collect();
    let img = Image::sparse(GIB);
    let lo = LoopDevice::attach(&img.path, 512);
    let t = table(
        512,
        GIB,
        &[
            (Role::Esp, "ESP", Some(300 * MIB)),
            (Role::Root, "root", None),
        ],
    );
    let open_esp = |node: &std::path::Path| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(nix::libc::O_EXCL)
            .open(node)
    };
    // Warm-up, patient: a fresh loop device can be held for a moment by what the kernel or
    // the previous test binary left in flight (seen once in CI, for the first two rounds).
    // Only then the strict rounds, where a miss is the race this test is about.
    let nodes = partition(&lo.path, &t, &Recorder::default()).expect("partitioning");
    let first = (0..100).find_map(|_| {
        open_esp(&nodes[0]).ok().or_else(|| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            None
        })
    });
    close_exclusive(first.expect("the new ESP was held by something else for 2 s"));
    let mut refused = Vec::new();
    for round in 0..80 {
        let nodes = match partition(&lo.path, &t, &Recorder::default()) {
            Ok(n) => n,
            Err(e) => {
                refused.push(format!("round {round}: partitioning: {e}"));
                continue;
            }
        };
        // What mkfs does first: open the new partition exclusively.
        match open_esp(&nodes[0]) {
            Ok(f) => close_exclusive(f),
            Err(e) => refused.push(format!("round {round}: {}: {e}", nodes[0].display())),
        }
    }
    stop.store(true, Ordering::SeqCst);
    for s in spawners {
        s.join().unwrap();
    }
    assert!(refused.is_empty(), "{refused:?}");
}
