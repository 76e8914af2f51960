//! Benchmark driver for tests/bench/run: the payload step alone (engine::payload::install),
//! optionally after a completed prefetch into the same cache. Prints the seconds the
//! install took (the prefetch is not counted: it runs while the disk is partitioned).
//!
//! cargo run --release --example bench_payload -- REPO_URL KEY_URL ROOT CACHE [--prefetch]

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use azl_installer::engine::payload;
use azl_installer::engine::prefetch::Prefetch;
use azl_installer::events::Recorder;

#[path = "../tests/common/payload/mod.rs"]
mod payload_common;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: bench_payload REPO_URL KEY_URL ROOT CACHE [--prefetch]");
        std::process::exit(2);
    }
    let (root, cache) = (Path::new(&args[2]), Path::new(&args[3]));
    // The same request the payload tests check.
    let prefetch = args.iter().any(|a| a == "--prefetch");
    let mut p = payload_common::payload(&args[0], &args[1]);
    if prefetch {
        // The package files the plan would give the prefetch.
        p = payload_common::with_files(p);
    }
    let events = Arc::new(Recorder::default());
    if prefetch && let Err(e) = Prefetch::start(&p, cache, events.clone()).wait() {
        eprintln!("prefetch: {e}");
        std::process::exit(1);
    }
    let t = Instant::now();
    match payload::install(&p, root, cache, events.as_ref()) {
        Ok(_) => println!("{:.3}", t.elapsed().as_secs_f64()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
