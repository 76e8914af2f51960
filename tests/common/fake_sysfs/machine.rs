//! One fake server with a bit of everything: an NVMe SSD holding the running system (with an
//! LVM-style dm holder), a 4Kn SATA SSD with swap, a rotating SATA HDD in an md array, a USB
//! stick with the install media, an empty virtio disk, an SD card, loop devices, devices the
//! probe must skip, and three NICs.

use super::{FakeTree, filesystem, place, sfdisk, sparse};

pub const ESP_UUID: &str = "1A2B-3C4D";
pub const ESP_PARTUUID: &str = "9e1b7a0c-4f1e-4b5a-a6c2-0d3e5f7a9b11";
pub const ROOT_UUID: &str = "5f1c2f6a-0d47-4c53-9f5b-0e0b5f0c1a01";
pub const ROOT_PARTUUID: &str = "2d6c8e4a-1b3f-4e5d-8a7c-9f0e1d2c3b22";
pub const SWAP_UUID: &str = "0b9d5e5c-7a4a-4a52-8f6d-3c2d1e0f9a88";
pub const MEDIA_UUID: &str = "AB12-CD34";
const ESP_TYPE: &str = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
const ROOT_TYPE: &str = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709";
const LVM_TYPE: &str = "E6D6D379-F507-44C2-A23C-238F2A3DF928";
const SWAP_TYPE: &str = "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F";
pub const MMC_LABEL_ID: &str = "0x1234abcd";

const NVME_DEV: &str = "devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0";
const SDA_DEV: &str = "devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0";
const SDB_DEV: &str = "devices/pci0000:00/0000:00:17.0/ata2/host1/target1:0:0/1:0:0:0";
const SDC_DEV: &str = "devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0";
const VDA_DEV: &str = "devices/pci0000:00/0000:00:02.0/virtio1";
const MMC_DEV: &str = "devices/platform/soc/mmc0/mmc0:0001";
const VIRTUAL: &str = "devices/virtual/block";

pub fn machine(uefi: bool) -> FakeTree {
    let t = FakeTree::new();
    if uefi {
        std::fs::create_dir_all(t.path("sys/firmware/efi/efivars")).expect("creating efi");
    }
    t.write(
        "proc/cpuinfo",
        "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\n\n\
         processor\t: 1\nmodel name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\n\n\
         processor\t: 2\nmodel name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\n\n\
         processor\t: 3\nmodel name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\n",
    );
    t.write(
        "proc/meminfo",
        "MemTotal:       16318464 kB\nMemFree:         1234567 kB",
    );
    nvme(&t);
    sata(&t);
    usb_virtio_mmc(&t);
    others(&t);
    nics(&t);
    t.write(
        "proc/self/mountinfo",
        "21 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n\
         22 21 259:1 / /boot/efi rw,relatime shared:2 - vfat /dev/nvme0n1p1 rw\n\
         23 21 0:41 / /home rw,relatime shared:3 - btrfs /dev/mapper/vg-home rw\n\
         24 21 8:32 / /run/install/repo ro,relatime - vfat /dev/sdc ro\n\
         25 21 7:0 / /mnt/iso ro,relatime - iso9660 /dev/loop0 ro\n\
         26 21 0:5 / /dev rw,nosuid - devtmpfs devtmpfs rw\n\
         27 21 0:21 / /proc rw - proc proc rw",
    );
    t.write(
        "proc/swaps",
        "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n\
         /dev/sda1                               partition\t4092\t\t0\t\t-2",
    );
    t
}

/// 40 MiB NVMe SSD: GPT with an ESP, the root filesystem and a partition held by dm-0.
/// Its partitions have no nodes: libblkid reads them through the disk at their offsets.
fn nvme(t: &FakeTree) {
    t.block(
        "nvme0n1",
        NVME_DEV,
        Some(NVME_DEV),
        "259:0",
        81920,
        &[
            ("queue/rotational", "0"),
            ("queue/logical_block_size", "512"),
            ("queue/physical_block_size", "512"),
            ("removable", "0"),
            ("ro", "0"),
            ("wwid", "eui.002538b111b2c3d4"),
            ("device/model", "Samsung SSD 980 PRO 1TB                 "),
            ("device/serial", "S64DNX0R123456      "),
        ],
    );
    t.partition("nvme0n1", "nvme0n1p1", 1, "259:1", 2048, 16384);
    t.partition("nvme0n1", "nvme0n1p2", 2, "259:2", 18432, 32768);
    t.partition("nvme0n1", "nvme0n1p3", 3, "259:3", 51200, 28672);
    let node = t.path("dev/nvme0n1");
    sparse(&node, 81920 * 512);
    // sfdisk rather than sgdisk: sgdisk sleeps a second after every write.
    let script = format!(
        "label: gpt\n\
         start=2048, size=16384, type={ESP_TYPE}, uuid={ESP_PARTUUID}, name=\"EFI System\"\n\
         start=18432, size=32768, type={ROOT_TYPE}, uuid={ROOT_PARTUUID}, name=root\n\
         start=51200, size=28672, type={LVM_TYPE}, name=home\n"
    );
    sfdisk(&node, &script);
    place(
        &node,
        2048 * 512,
        &filesystem("vfat", 8 << 20, "ESP", ESP_UUID),
    );
    place(
        &node,
        18432 * 512,
        &filesystem("ext4", 16 << 20, "root", ROOT_UUID),
    );
    t.link(
        "dev/disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S64DNX0R123456",
        "../../nvme0n1",
    );
    t.link("dev/disk/by-id/nvme-eui.002538b111b2c3d4", "../../nvme0n1");
    t.link(
        "dev/disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S64DNX0R123456-part1",
        "../../nvme0n1p1",
    );
    // /home sits on dm-0 ("vg-home") on nvme0n1p3; mountinfo names it by path only.
    t.block(
        "dm-0",
        VIRTUAL,
        None,
        "253:0",
        28672,
        &[
            ("dm/name", "vg-home"),
            (
                "dm/uuid",
                "LVM-cD1h8fGMw3n0Xy7TaxUXfJf2M4y7nq1hUq3wM2xY3kQmEo2j8eQmP0Vv0sZ1c2d3",
            ),
        ],
    );
    t.hold("nvme0n1/nvme0n1p3", "dm-0");
    sparse(&t.path("dev/dm-0"), 0);
    t.link("dev/mapper/vg-home", "../dm-0");
}

/// A 4Kn SATA SSD with a swap partition (which has a node of its own) and a rotating SATA
/// HDD, member of md0, without any node.
fn sata(t: &FakeTree) {
    t.block(
        "sda",
        &format!("{SDA_DEV}/block"),
        Some(SDA_DEV),
        "8:0",
        32768,
        &[
            ("queue/rotational", "0"),
            ("queue/logical_block_size", "4096"),
            ("queue/physical_block_size", "4096"),
            ("removable", "0"),
            ("device/vendor", "ATA     "),
            ("device/model", "Samsung SSD 870 "),
            ("device/wwid", "naa.5002538e40a1b2c3"),
        ],
    );
    t.write_bytes(
        "sys/block/sda/device/vpd_pg80",
        b"\x00\x80\x00\x0fS6PNNS0T123456 ",
    );
    t.partition("sda", "sda1", 1, "8:1", 2048, 8192);
    let node = t.path("dev/sda");
    sparse(&node, 32768 * 512);
    sfdisk(
        &node,
        &format!("label: gpt\nstart=2048, size=8192, type={SWAP_TYPE}, name=swap\n"),
    );
    t.write_bytes("dev/sda1", &filesystem("swap", 4 << 20, "swap", SWAP_UUID));
    t.link(
        "dev/disk/by-id/ata-Samsung_SSD_870_EVO_S6PNNS0T123456",
        "../../sda",
    );
    t.link("dev/disk/by-id/wwn-0x5002538e40a1b2c3", "../../sda");

    t.block(
        "sdb",
        &format!("{SDB_DEV}/block"),
        Some(SDB_DEV),
        "8:16",
        7_814_037_168,
        &[
            ("queue/rotational", "1"),
            ("queue/logical_block_size", "512"),
            ("queue/physical_block_size", "4096"),
            ("device/vendor", "ATA     "),
            ("device/model", "WDC WD40EFRX-68N"),
        ],
    );
    t.block(
        "md0",
        VIRTUAL,
        None,
        "9:0",
        7_814_035_456,
        &[("md/level", "raid1")],
    );
    t.hold("sdb", "md0");
    sparse(&t.path("dev/md0"), 0);
    t.link("dev/md/data", "../md0");
}

/// A USB stick with the install media on the whole device, an empty virtio disk and an SD
/// card with an MBR.
fn usb_virtio_mmc(t: &FakeTree) {
    t.block(
        "sdc",
        &format!("{SDC_DEV}/block"),
        Some(SDC_DEV),
        "8:32",
        16384,
        &[
            ("queue/rotational", "1"),
            ("removable", "1"),
            ("device/vendor", "SanDisk "),
            ("device/model", "Cruzer Blade    "),
        ],
    );
    t.write_bytes("sys/block/sdc/device/vpd_pg80", b"\x00\x80\x00\x084C530001");
    t.write_bytes(
        "dev/sdc",
        &filesystem("vfat", 8 << 20, "AZL_MEDIA", MEDIA_UUID),
    );
    t.link(
        "dev/disk/by-id/usb-SanDisk_Cruzer_Blade_4C530001-0:0",
        "../../sdc",
    );

    t.block(
        "vda",
        &format!("{VDA_DEV}/block"),
        Some(VDA_DEV),
        "254:0",
        16384,
        &[
            ("queue/rotational", "1"),
            ("serial", "VIRTIO-SERIAL-1"),
            ("device/vendor", "0x1af4"),
        ],
    );
    sparse(&t.path("dev/vda"), 16384 * 512);

    t.block(
        "mmcblk0",
        &format!("{MMC_DEV}/block"),
        Some(MMC_DEV),
        "179:0",
        16384,
        &[
            ("queue/rotational", "0"),
            ("removable", "1"),
            ("device/name", "SD32G"),
            ("device/serial", "0x5a6b7c8d"),
            ("device/manfid", "0x000003"),
        ],
    );
    t.partition("mmcblk0", "mmcblk0p1", 1, "179:1", 2048, 8192);
    let node = t.path("dev/mmcblk0");
    sparse(&node, 16384 * 512);
    let script = format!("label: dos\nlabel-id: {MMC_LABEL_ID}\nstart=2048, size=8192, type=83\n");
    sfdisk(&node, &script);
}

/// An attached and an unattached loop device, and what the probe must skip.
fn others(t: &FakeTree) {
    t.block(
        "loop0",
        VIRTUAL,
        None,
        "7:0",
        2048,
        &[("loop/backing_file", "/var/lib/images/test.img")],
    );
    t.block("loop1", VIRTUAL, None, "7:1", 0, &[]);
    t.block("ram0", VIRTUAL, None, "1:0", 8192, &[]);
    t.block("zram0", VIRTUAL, None, "252:0", 8192, &[]);
    t.block("nbd0", VIRTUAL, None, "43:0", 0, &[]);
    let sr = "devices/pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0";
    t.block(
        "sr0",
        &format!("{sr}/block"),
        Some(sr),
        "11:0",
        2048,
        &[("removable", "1")],
    );
}

fn nics(t: &FakeTree) {
    t.nic(
        "eno1",
        "devices/pci0000:00/0000:00:1f.6",
        Some("e1000e"),
        &[
            ("address", "3c:ec:ef:01:02:03"),
            ("carrier", "1"),
            ("speed", "1000"),
            ("operstate", "up"),
            ("type", "1"),
        ],
    );
    t.nic(
        "enp3s0",
        "devices/pci0000:00/0000:00:1c.0/0000:03:00.0",
        Some("igb"),
        &[
            ("address", "3c:ec:ef:01:02:04"),
            ("speed", "-1"),
            ("operstate", "down"),
            ("type", "1"),
        ],
    );
    // Reading carrier of a down interface fails (EINVAL in sysfs): a directory fails too.
    std::fs::create_dir_all(t.path("sys/class/net/enp3s0/carrier")).expect("creating carrier");
    t.nic(
        "br0",
        "devices/virtual",
        None,
        &[
            ("address", "52:54:00:aa:bb:cc"),
            ("carrier", "1"),
            ("operstate", "up"),
            ("type", "1"),
        ],
    );
    t.nic(
        "lo",
        "devices/virtual",
        None,
        &[("address", "00:00:00:00:00:00"), ("type", "772")],
    );
}
