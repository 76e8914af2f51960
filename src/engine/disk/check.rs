//! Does the planned table fit this device? Decided before anything is written.

use crate::plan::PartitionTable;

/// GPT entry array: 128 entries of 128 bytes (what the gpt crate and every tool write).
const ENTRY_ARRAY_BYTES: u64 = 128 * 128;
/// GPT names are at most 36 UTF-16 code units.
const MAX_NAME_UNITS: usize = 36;

/// What the device is, from its ioctls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub sector_size: u32,
    pub sectors: u64,
}

impl Geometry {
    fn entry_array_sectors(&self) -> u64 {
        ENTRY_ARRAY_BYTES.div_ceil(u64::from(self.sector_size))
    }

    /// After the protective MBR, the primary header and the entry array.
    pub fn first_usable(&self) -> u64 {
        2 + self.entry_array_sectors()
    }

    /// Before the backup entry array and the backup header (the last sector).
    pub fn last_usable(&self) -> Option<u64> {
        self.sectors.checked_sub(2 + self.entry_array_sectors())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    SectorSize { device: u32, table: u32 },
    DoesNotFit(String),
    BadTable(String),
}

pub fn check(table: &PartitionTable, geo: Geometry) -> Result<(), Problem> {
    if table.sector_size != geo.sector_size {
        return Err(Problem::SectorSize {
            device: geo.sector_size,
            table: table.sector_size,
        });
    }
    if !matches!(geo.sector_size, 512 | 4096) {
        return Err(Problem::BadTable(format!(
            "{}-byte sectors are not supported (only 512 and 4096)",
            geo.sector_size
        )));
    }
    if table.disk_sectors > geo.sectors {
        return Err(Problem::DoesNotFit(format!(
            "the table was planned for {} sectors but the device has {}",
            table.disk_sectors, geo.sectors
        )));
    }
    let first = geo.first_usable();
    let last = match geo.last_usable() {
        Some(l) if l >= first => l,
        _ => {
            return Err(Problem::DoesNotFit(format!(
                "the device has only {} sectors, too few for a GPT",
                geo.sectors
            )));
        }
    };
    if table.partitions.len() > 128 {
        return Err(Problem::BadTable(format!(
            "{} partitions, a GPT holds at most 128",
            table.partitions.len()
        )));
    }
    for (i, p) in table.partitions.iter().enumerate() {
        let n = p.number;
        // The crate writes entries densely in order, so numbers must be 1, 2, 3, ...
        if usize::try_from(n).ok() != Some(i + 1) {
            return Err(Problem::BadTable(format!(
                "partition {} in position {} (numbers must be 1, 2, 3, ... in order)",
                n,
                i + 1
            )));
        }
        if p.first_lba > p.last_lba {
            return Err(Problem::BadTable(format!(
                "partition {n} starts at sector {} after its end {}",
                p.first_lba, p.last_lba
            )));
        }
        if p.first_lba < first {
            return Err(Problem::DoesNotFit(format!(
                "partition {n} starts at sector {}, before the first usable sector {first}",
                p.first_lba
            )));
        }
        if p.last_lba > last {
            return Err(Problem::DoesNotFit(format!(
                "partition {n} ends at sector {}, beyond the last usable sector {last}",
                p.last_lba
            )));
        }
        if p.type_guid.is_nil() {
            return Err(Problem::BadTable(format!(
                "partition {n} has a nil type GUID"
            )));
        }
        if p.name.encode_utf16().count() > MAX_NAME_UNITS {
            return Err(Problem::BadTable(format!(
                "partition {n}: name {:?} is longer than {MAX_NAME_UNITS} characters",
                p.name
            )));
        }
    }
    let mut by_start: Vec<_> = table.partitions.iter().collect();
    by_start.sort_by_key(|p| p.first_lba);
    for w in by_start.windows(2) {
        if w[1].first_lba <= w[0].last_lba {
            return Err(Problem::BadTable(format!(
                "partitions {} and {} overlap",
                w[0].number, w[1].number
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlannedPartition, Role};

    fn part(number: u32, first_lba: u64, last_lba: u64) -> PlannedPartition {
        PlannedPartition {
            number,
            first_lba,
            last_lba,
            role: Role::Root,
            type_guid: Role::Root.type_guid(),
            name: "root".into(),
            kept: None,
        }
    }

    fn table(ss: u32, sectors: u64, parts: Vec<PlannedPartition>) -> PartitionTable {
        PartitionTable {
            sector_size: ss,
            disk_sectors: sectors,
            partitions: parts,
        }
    }

    const GEO512: Geometry = Geometry {
        sector_size: 512,
        sectors: 2_097_152,
    };

    #[test]
    fn usable_range_matches_sgdisk() {
        assert_eq!(GEO512.first_usable(), 34);
        assert_eq!(GEO512.last_usable(), Some(2_097_152 - 34));
        let g = Geometry {
            sector_size: 4096,
            sectors: 262_144,
        };
        assert_eq!(g.first_usable(), 6);
        assert_eq!(g.last_usable(), Some(262_144 - 6));
    }

    #[test]
    fn a_fitting_table_passes() {
        let t = table(
            512,
            GEO512.sectors,
            vec![part(1, 2048, 4095), part(2, 4096, 2_097_152 - 34)],
        );
        assert_eq!(check(&t, GEO512), Ok(()));
    }

    #[test]
    fn refusals() {
        let cases = [
            (table(4096, 100, vec![]), "SectorSize"),
            (table(512, GEO512.sectors + 1, vec![]), "planned for"),
            (
                table(512, GEO512.sectors, vec![part(1, 2048, 2_097_152 - 33)]),
                "beyond the last usable",
            ),
            (
                table(512, GEO512.sectors, vec![part(1, 33, 4095)]),
                "before the first usable",
            ),
            (
                table(512, GEO512.sectors, vec![part(2, 2048, 4095)]),
                "in order",
            ),
            (
                table(
                    512,
                    GEO512.sectors,
                    vec![part(1, 2048, 8191), part(2, 8191, 9000)],
                ),
                "overlap",
            ),
        ];
        for (t, want) in cases {
            let got = format!("{:?}", check(&t, GEO512));
            assert!(got.contains(want), "{got} should contain {want}");
        }
    }
}
