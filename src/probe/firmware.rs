//! Firmware (UEFI or BIOS), CPU and memory, from sysfs and procfs.

use super::sysfs::required;
use super::{Firmware, ProbeError, Roots};

/// The kernel creates sys/firmware/efi only when it was booted through UEFI.
pub fn firmware(roots: &Roots) -> Firmware {
    if roots.sys.join("firmware/efi").is_dir() {
        Firmware::Uefi
    } else {
        Firmware::Bios
    }
}

/// A TPM 2.0 the kernel found (sys/class/tpm/tpmN with tpm_version_major 2): what
/// systemd-cryptenroll seals keys to.
pub fn tpm2(roots: &Roots) -> bool {
    let Ok(entries) = std::fs::read_dir(roots.sys.join("class/tpm")) else {
        return false;
    };
    entries.flatten().any(|e| {
        std::fs::read_to_string(e.path().join("tpm_version_major")).is_ok_and(|v| v.trim() == "2")
    })
}

pub struct Cpu {
    pub model: Option<String>,
    pub count: u32,
}

pub fn cpu(roots: &Roots) -> Result<Cpu, ProbeError> {
    Ok(parse_cpuinfo(&required(&roots.proc.join("cpuinfo"))?))
}

/// MemTotal of proc/meminfo, which the kernel gives in KiB.
pub fn memory_bytes(roots: &Roots) -> Result<u64, ProbeError> {
    let path = roots.proc.join("meminfo");
    let text = required(&path)?;
    let line = text.lines().find_map(|l| l.strip_prefix("MemTotal:"));
    line.and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kib| kib * 1024)
        .ok_or_else(|| ProbeError::Parse {
            path,
            value: line.unwrap_or("").trim().to_owned(),
            expected: "a MemTotal line in kB",
        })
}

/// x86 says "model name", arm64 may only have "CPU part"; count the "processor" entries.
fn parse_cpuinfo(text: &str) -> Cpu {
    let value = |l: &str, key: &str| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim().to_owned())
    };
    let model = text
        .lines()
        .find_map(|l| value(l, "model name").or_else(|| value(l, "Model")))
        .filter(|m| !m.is_empty());
    let count = text
        .lines()
        .filter(|l| value(l, "processor").is_some())
        .count();
    Cpu {
        model,
        count: u32::try_from(count).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tpm2_from_sysfs() {
        let dir = tempfile::tempdir().unwrap();
        let roots = Roots::under(dir.path());
        assert!(!tpm2(&roots), "no sys/class/tpm");
        let tpm = dir.path().join("sys/class/tpm/tpm0");
        std::fs::create_dir_all(&tpm).unwrap();
        std::fs::write(tpm.join("tpm_version_major"), "1\n").unwrap();
        assert!(!tpm2(&roots), "a TPM 1.2");
        std::fs::write(tpm.join("tpm_version_major"), "2\n").unwrap();
        assert!(tpm2(&roots));
    }

    #[test]
    fn cpuinfo_model_and_count() {
        let text = "processor\t: 0\nmodel name\t: AMD EPYC 7763 64-Core Processor\n\n\
                    processor\t: 1\nmodel name\t: AMD EPYC 7763 64-Core Processor\n";
        let c = parse_cpuinfo(text);
        assert_eq!(c.model.as_deref(), Some("AMD EPYC 7763 64-Core Processor"));
        assert_eq!(c.count, 2);
    }
}
