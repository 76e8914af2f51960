//! The block-device ioctls the partitioning step needs, as safe functions over an open file.

use std::fs::File;
use std::os::fd::AsRawFd;

use nix::errno::Errno;
use nix::libc::{c_char, c_int, c_longlong, c_void};

nix::ioctl_read!(blkgetsize64, 0x12, 114, u64);
// BLKSSZGET is declared as _IO but writes an int: hence the "bad" form.
nix::ioctl_read_bad!(blksszget, nix::request_code_none!(0x12, 104), c_int);
nix::ioctl_none!(blkrrpart, 0x12, 95);
nix::ioctl_none!(blkflsbuf, 0x12, 97);
nix::ioctl_write_ptr_bad!(blkpg, nix::request_code_none!(0x12, 105), BlkpgIoctlArg);

const BLKPG_ADD_PARTITION: c_int = 1;

/// struct blkpg_ioctl_arg from <linux/blkpg.h>.
#[repr(C)]
pub struct BlkpgIoctlArg {
    op: c_int,
    flags: c_int,
    datalen: c_int,
    data: *mut c_void,
}

/// struct blkpg_partition from <linux/blkpg.h>; start and length are in bytes.
#[repr(C)]
struct BlkpgPartition {
    start: c_longlong,
    length: c_longlong,
    pno: c_int,
    devname: [c_char; 64],
    volname: [c_char; 64],
}

/// Size of the device in bytes.
pub fn size_bytes(f: &File) -> Result<u64, Errno> {
    let mut size = 0u64;
    // SAFETY: the fd is open for the whole call and `size` is a valid u64 the kernel fills.
    unsafe { blkgetsize64(f.as_raw_fd(), &mut size) }?;
    Ok(size)
}

/// Logical sector size in bytes.
pub fn logical_sector_size(f: &File) -> Result<u32, Errno> {
    let mut ss: c_int = 0;
    // SAFETY: as above; the kernel writes one int.
    unsafe { blksszget(f.as_raw_fd(), &mut ss) }?;
    u32::try_from(ss).map_err(|_| Errno::EINVAL)
}

/// Asks the kernel to drop its partitions of this disk and scan the table again.
pub fn reread_partitions(f: &File) -> Result<(), Errno> {
    // SAFETY: BLKRRPART takes no argument.
    unsafe { blkrrpart(f.as_raw_fd()) }.map(drop)
}

/// Drops clean cached pages of the device so later reads see what other openers wrote.
pub fn flush_buffers(f: &File) -> Result<(), Errno> {
    // SAFETY: BLKFLSBUF takes no argument.
    unsafe { blkflsbuf(f.as_raw_fd()) }.map(drop)
}

/// Tells the kernel about one partition directly (what `partx --add` does), for kernels that
/// cannot parse GPT themselves.
pub fn add_partition(f: &File, number: u32, start: u64, length: u64) -> Result<(), Errno> {
    let mut part = BlkpgPartition {
        start: c_longlong::try_from(start).map_err(|_| Errno::EOVERFLOW)?,
        length: c_longlong::try_from(length).map_err(|_| Errno::EOVERFLOW)?,
        pno: c_int::try_from(number).map_err(|_| Errno::EINVAL)?,
        devname: [0; 64],
        volname: [0; 64],
    };
    let arg = BlkpgIoctlArg {
        op: BLKPG_ADD_PARTITION,
        flags: 0,
        datalen: std::mem::size_of::<BlkpgPartition>() as c_int,
        data: (&mut part as *mut BlkpgPartition).cast(),
    };
    // SAFETY: `arg` and the `part` it points to live until the call returns.
    unsafe { blkpg(f.as_raw_fd(), &arg) }.map(drop)
}
