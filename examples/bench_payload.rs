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
use azl_installer::plan::{Payload, RepoSource};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: bench_payload REPO_URL KEY_URL ROOT CACHE [--prefetch]");
        std::process::exit(2);
    }
    let (root, cache) = (Path::new(&args[2]), Path::new(&args[3]));
    let p = Payload {
        repos: vec![RepoSource {
            name: "fixture".into(),
            url: args[0].clone(),
            gpg_keys: vec![args[1].clone()],
            gpg_check: true,
        }],
        packages: [
            "openssh-server",
            "selinux-policy-targeted",
            "grub2-efi-x64",
            "shim-x64",
            "efibootmgr",
            "shadow-utils",
            "NetworkManager",
            "grub2-tools",
            "policycoreutils",
            "vim-enhanced",
        ]
        .map(String::from)
        .to_vec(),
        groups: vec!["core".into()],
        exclude: vec![],
        weak_deps: true,
        releasever: "4.0".into(),
        kernel: "kernel".into(),
        download_bytes: 0,
        installed_bytes: 0,
    };
    let events = Arc::new(Recorder::default());
    if args.iter().any(|a| a == "--prefetch")
        && let Err(e) = Prefetch::start(&p, cache, events.clone()).wait()
    {
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
