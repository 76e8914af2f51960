//! The server-storage keys of an answer file, broken one at a time: several target disks,
//! schemes, arrays, volume groups, volumes, encrypted containers and `[storage.encryption]`.
//! Each problem is reported with its key path, the line a user would look at, what is
//! wrong and a hint; the passphrase itself never appears in a message.

mod common;

use common::error_table::{self, Case};

const PASSPHRASE: &str = "hunter2";

const CASES: &[Case] = &[
    Case {
        name: "path and paths",
        text: "[target]\npath = \"/dev/sda\"\npaths = [\"/dev/sdb\"]\n",
        path: "target.paths",
        line: 4,
        says: "not several",
        hint: Some("remove all but one"),
    },
    Case {
        name: "a disk listed twice",
        text: "[target]\npaths = [\"/dev/sda\", \"/dev/sda\"]\n",
        path: "target.paths[1]",
        line: 3,
        says: "listed already as target.paths[0]",
        hint: None,
    },
    Case {
        name: "a rule for no disks",
        text: "[target]\nmatch = [{ ssd = true, count = 0 }]\n",
        path: "target.match[0].count",
        line: 3,
        says: "at least one disk",
        hint: Some("leave count out"),
    },
    Case {
        name: "raid1 scheme on one disk",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nscheme = \"raid1\"\n",
        path: "storage.scheme",
        line: 5,
        says: "mirrors two or more disks, but the target picks 1",
        hint: Some("count = 2"),
    },
    Case {
        name: "plain scheme on two disks",
        text: "[target]\npaths = [\"/dev/sda\", \"/dev/sdb\"]\n",
        path: "storage.scheme",
        line: 1,
        says: "uses one disk, but the target picks 2",
        hint: Some("scheme = \"lvm\""),
    },
    Case {
        name: "unknown scheme",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nscheme = \"raid5\"\n",
        path: "storage.scheme",
        line: 5,
        says: "raid5",
        hint: None,
    },
    Case {
        name: "encrypt without a way to unlock",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nencrypt = true\n",
        path: "storage.encryption",
        line: 4,
        says: "needs a way to unlock the root",
        hint: Some("tpm2 = true"),
    },
    Case {
        name: "short passphrase, not repeated",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nencrypt = true\n[storage.encryption]\npassphrase = \"hunter2\"\n",
        path: "storage.encryption.passphrase",
        line: 7,
        says: "7 characters long; at least 8",
        hint: Some("unrelated words"),
    },
    Case {
        name: "PCR out of range",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nencrypt = true\n[storage.encryption]\ntpm2 = true\ntpm2_pcrs = [7, 24]\n",
        path: "storage.encryption.tpm2_pcrs[1]",
        line: 8,
        says: "PCRs 0 to 23",
        hint: None,
    },
    Case {
        name: "encryption with nothing encrypted",
        text: "[target]\npath = \"/dev/sda\"\n[storage.encryption]\npassphrase = \"long enough\"\n",
        path: "storage.encryption",
        line: 4,
        says: "nothing is encrypted",
        hint: Some("storage.encrypt = true"),
    },
    Case {
        name: "RAID level that does not exist",
        text: "[target]\npaths = [\"/dev/sda\", \"/dev/sdb\"]\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n[[storage.raids]]\nname = \"md\"\nlevel = 4\nmembers = []\n",
        path: "storage.raids[0].level",
        line: 11,
        says: "expected one of 0, 1, 5, 6 or 10, found 4",
        hint: None,
    },
    Case {
        name: "RAID 5 with two members",
        text: "[target]\npaths = [\"/dev/sda\", \"/dev/sdb\"]\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"a\"\nsize = \"rest\"\n[[storage.partitions]]\ndisk = 2\nname = \"b\"\nsize = \"rest\"\n[[storage.raids]]\nname = \"md\"\nlevel = 5\nmembers = [\"a\", \"b\"]\nmount = \"/\"\n",
        path: "storage.raids[0].members",
        line: 16,
        says: "RAID 5 needs at least 3 members, 2 given",
        hint: Some("another disk"),
    },
    Case {
        name: "mirror members on one disk",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"a\"\nsize = \"10GiB\"\n[[storage.partitions]]\nname = \"b\"\nsize = \"10GiB\"\n[[storage.raids]]\nname = \"md\"\nlevel = 1\nmembers = [\"a\", \"b\"]\nmount = \"/\"\n",
        path: "storage.raids[0].members[1]",
        line: 15,
        says: "both on disk 1",
        hint: Some("its own disk"),
    },
    Case {
        name: "a member that is not a partition name",
        text: "[target]\npaths = [\"/dev/sda\", \"/dev/sdb\"]\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"root1\"\nsize = \"rest\"\n[[storage.partitions]]\ndisk = 2\nname = \"root2\"\nsize = \"rest\"\n[[storage.raids]]\nname = \"md\"\nlevel = 1\nmembers = [\"root1\", \"rot2\"]\nmount = \"/\"\n",
        path: "storage.raids[0].members[1]",
        line: 16,
        says: "no device is named \"rot2\"",
        hint: Some("did you mean \"root2\"?"),
    },
    Case {
        name: "partition on a disk the target does not pick",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\ndisk = 2\nmount = \"/\"\nsize = \"rest\"\n",
        path: "storage.partitions[0].disk",
        line: 7,
        says: "disk 2 is not a target disk",
        hint: Some("target.paths"),
    },
    Case {
        name: "a device used twice",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"p\"\nsize = \"rest\"\n[[storage.volume_groups]]\nname = \"vg\"\non = [\"p\", \"p\"]\n[[storage.volumes]]\ngroup = \"vg\"\nname = \"root\"\nsize = \"rest\"\nmount = \"/\"\n",
        path: "storage.volume_groups[0].on[1]",
        line: 11,
        says: "is used already by storage.volume_groups[0].on[0]",
        hint: None,
    },
    Case {
        name: "a partition neither mounted nor used",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"spare\"\nsize = \"1GiB\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n",
        path: "storage.partitions[0].mount",
        line: 6,
        says: "neither mounted nor used",
        hint: Some("name it and use it"),
    },
    Case {
        name: "volume in a group that does not exist",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"p\"\nsize = \"rest\"\n[[storage.volume_groups]]\nname = \"vg0\"\non = [\"p\"]\n[[storage.volumes]]\ngroup = \"vg1\"\nname = \"root\"\nsize = \"rest\"\nmount = \"/\"\n",
        path: "storage.volumes[0].group",
        line: 13,
        says: "no volume group is named \"vg1\"",
        hint: Some("did you mean \"vg0\"?"),
    },
    Case {
        name: "two volumes take the rest",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"p\"\nsize = \"rest\"\n[[storage.volume_groups]]\nname = \"vg\"\non = [\"p\"]\n[[storage.volumes]]\ngroup = \"vg\"\nname = \"root\"\nsize = \"rest\"\nmount = \"/\"\n[[storage.volumes]]\ngroup = \"vg\"\nname = \"srv\"\nsize = \"rest\"\nmount = \"/srv\"\n",
        path: "storage.volumes[1].size",
        line: 20,
        says: "storage.volumes[0] already takes the rest",
        hint: None,
    },
    Case {
        name: "encrypted /boot",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[storage.encryption]\npassphrase = \"long enough\"\n[[storage.partitions]]\nname = \"b\"\nsize = \"1GiB\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n[[storage.encrypted]]\nname = \"cboot\"\non = \"b\"\nmount = \"/boot\"\n",
        path: "storage.encrypted[0].mount",
        line: 17,
        says: "/boot cannot be encrypted",
        hint: Some("plain partition"),
    },
    Case {
        name: "container without [storage.encryption]",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"r\"\nsize = \"rest\"\n[[storage.encrypted]]\nname = \"croot\"\non = \"r\"\nmount = \"/\"\n",
        path: "storage.encrypted",
        line: 9,
        says: "need [storage.encryption]",
        hint: Some("passphrase"),
    },
    Case {
        name: "an ESP on an array",
        text: "[target]\npaths = [\"/dev/sda\", \"/dev/sdb\"]\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"e1\"\nsize = \"600MiB\"\n[[storage.partitions]]\ndisk = 2\nname = \"e2\"\nsize = \"600MiB\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n[[storage.partitions]]\ndisk = 2\nmount = \"/srv\"\nsize = \"rest\"\n[[storage.raids]]\nname = \"esp\"\nlevel = 1\nmembers = [\"e1\", \"e2\"]\nmount = \"/boot/efi\"\n",
        path: "storage.raids[0].mount",
        line: 24,
        says: "must be a partition of its own, not an array",
        hint: Some("one on each disk"),
    },
    Case {
        name: "two ESPs on one disk",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"600MiB\"\n[[storage.partitions]]\nmount = \"/boot/efi\"\nsize = \"600MiB\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n",
        path: "storage.partitions[1].mount",
        line: 10,
        says: "disk 1 has more than one \"/boot/efi\"",
        hint: None,
    },
    Case {
        name: "a filesystem without a mount point",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"x\"\nfs = \"xfs\"\nsize = \"1GiB\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n",
        path: "storage.partitions[0].fs",
        line: 8,
        says: "is given without a mount point",
        hint: Some("add mount"),
    },
    Case {
        name: "a name LVM would refuse",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nname = \"p\"\nsize = \"rest\"\n[[storage.volume_groups]]\nname = \"-vg\"\non = [\"p\"]\n[[storage.volumes]]\ngroup = \"-vg\"\nname = \"root\"\nsize = \"rest\"\nmount = \"/\"\n",
        path: "storage.volume_groups[0].name",
        line: 10,
        says: "must not start with \"-\"",
        hint: Some("letters, digits"),
    },
    Case {
        name: "scheme in a custom layout",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\nscheme = \"lvm\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n",
        path: "storage.scheme",
        line: 6,
        says: "chooses the auto layout's scheme",
        hint: Some("lists its own"),
    },
    Case {
        name: "a kept partition without match",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n[[storage.partitions]]\nmount = \"/home\"\nkeep = true\n",
        path: "storage.partitions[1].match",
        line: 9,
        says: "needs match to find it",
        hint: Some("fs_label"),
    },
    Case {
        name: "a kept partition found two ways",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n[[storage.partitions]]\nmount = \"/home\"\nkeep = true\nmatch = { number = 2, fs_label = \"home\" }\n",
        path: "storage.partitions[1].match",
        line: 12,
        says: "2 ways to find the partition; give exactly one",
        hint: None,
    },
    Case {
        name: "a kept partition given a size",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n[[storage.partitions]]\nmount = \"/home\"\nkeep = true\nmatch = { number = 2 }\nsize = \"10GiB\"\n",
        path: "storage.partitions[1].size",
        line: 13,
        says: "a kept partition keeps its size",
        hint: Some("neither resized nor formatted"),
    },
    Case {
        name: "a kept partition as an array member",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n[[storage.partitions]]\nmount = \"/home\"\nkeep = true\nmatch = { number = 2 }\nname = \"data\"\n",
        path: "storage.partitions[1].name",
        line: 13,
        says: "mounted as it is",
        hint: Some("made on new partitions"),
    },
    Case {
        name: "keeping the root",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nkeep = true\nmatch = { fs_label = \"root\" }\n",
        path: "storage.partitions[0].mount",
        line: 7,
        says: "\"/\" cannot be kept",
        hint: Some("/home or /srv"),
    },
    Case {
        name: "match without keep",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n[[storage.partitions]]\nmount = \"/home\"\nsize = \"1GiB\"\nmatch = { number = 2 }\n",
        path: "storage.partitions[1].match",
        line: 12,
        says: "match finds a partition to keep",
        hint: Some("keep = true"),
    },
    Case {
        name: "a new partition without a size",
        text: "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n[[storage.partitions]]\nmount = \"/home\"\n",
        path: "storage.partitions[1].size",
        line: 9,
        says: "a new partition needs a size",
        hint: Some("\"rest\""),
    },
];

#[test]
fn each_broken_storage_key_names_path_line_and_hint() {
    error_table::run("version = 1\n", CASES, |case, found| {
        for i in found {
            assert!(
                !i.render("t.toml").contains(PASSPHRASE),
                "{}: a message repeats the passphrase: {}",
                case.name,
                i.render("t.toml")
            );
        }
    });
}

#[test]
fn a_valid_two_disk_raid1_lvm_answer_loads() {
    let text = "[target]\nmatch = [{ transport = \"virtio\", count = 2 }]\nwipe = true\n\
                [storage]\nscheme = \"raid1-lvm\"\nencrypt = true\n\
                [storage.encryption]\npassphrase_file = \"/run/install/repo/luks.key\"\ntpm2 = true\ntpm2_pcrs = [7, 11]\n";
    let found = error_table::issues(&format!("version = 1\n{text}"));
    assert!(found.is_empty(), "{found:?}");
}

/// "rest" runs up to a kept partition: `/` takes what the kept `/home` leaves.
#[test]
fn rest_before_a_kept_partition_loads() {
    let text = "[target]\npath = \"/dev/sda\"\n[storage]\nlayout = \"custom\"\n[[storage.partitions]]\nmount = \"/\"\nsize = \"rest\"\n[[storage.partitions]]\nmount = \"/home\"\nkeep = true\nmatch = { fs_label = \"home\" }\noptions = \"nodev\"\n";
    let found = error_table::issues(&format!("version = 1\n{text}"));
    assert!(found.is_empty(), "{found:?}");
}
