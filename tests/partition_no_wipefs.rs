//! When wipefs cannot be run at all, nothing was written: the old table stays.
//! Its own test binary, because it changes PATH for the whole process.

mod common;

use azl_installer::engine::disk::{DiskError, DiskState, partition};
use azl_installer::events::Recorder;
use common::partition::*;
use common::{Image, LoopDevice, sh, sha256_of};

#[test]
fn missing_wipefs_leaves_the_disk_unchanged() {
    require_loop_devices!();
    let img = Image::sparse(16 * MIB);
    let lo = LoopDevice::attach(&img.path, 512);
    sh("sgdisk", &["-n1:1M:0", &lo.path.to_string_lossy()]);
    let before = sha256_of(&img.path);
    let table = uefi_table(512, 16 * MIB);
    let table = azl_installer::plan::PartitionTable {
        partitions: Vec::new(),
        ..table
    };

    let path = std::env::var_os("PATH").unwrap_or_default();
    // SAFETY: this binary has a single test, so no other thread reads the environment.
    unsafe { std::env::set_var("PATH", img.dir.path()) };
    let res = partition(&lo.path, &table, &Recorder::default());
    // SAFETY: as above.
    unsafe { std::env::set_var("PATH", path) };

    let err = res.unwrap_err();
    assert!(matches!(err, DiskError::Wipe { .. }), "{err:?}");
    assert_eq!(err.state(), DiskState::Unchanged);
    assert!(
        err.to_string().ends_with("the disk was not changed"),
        "{err}"
    );
    assert_eq!(sha256_of(&img.path), before);
}
