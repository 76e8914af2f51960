//! Byte counts as people read them, in one way for every message, table and screen. A leaf:
//! the answer, the probe and everything after them use it.

pub const KIB: u64 = 1 << 10;
pub const MIB: u64 = 1 << 20;
pub const GIB: u64 = 1 << 30;
pub const TIB: u64 = 1 << 40;
pub const PIB: u64 = 1 << 50;
pub const EIB: u64 = 1 << 60;

/// "600 MiB", "476.9 GiB", "512 B": binary units, a whole number when the count is one,
/// else one decimal. For messages, not for round trips (sizes in answers are `Size`).
pub fn human_bytes(b: u64) -> String {
    for (unit, m) in [
        ("EiB", EIB),
        ("PiB", PIB),
        ("TiB", TIB),
        ("GiB", GIB),
        ("MiB", MIB),
        ("KiB", KIB),
    ] {
        if b >= m {
            return if b.is_multiple_of(m) {
                format!("{} {unit}", b / m)
            } else {
                format!("{:.1} {unit}", b as f64 / m as f64)
            };
        }
    }
    format!("{b} B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_well_from_bytes_to_exbibytes() {
        assert_eq!(human_bytes(100), "100 B");
        assert_eq!(human_bytes(600 * MIB), "600 MiB");
        assert_eq!(human_bytes(3 * GIB / 2), "1.5 GiB");
        assert_eq!(human_bytes(512_110_190_592), "476.9 GiB");
        assert_eq!(human_bytes(2 * TIB), "2 TiB");
        assert_eq!(human_bytes(u64::MAX), "16.0 EiB");
    }
}
