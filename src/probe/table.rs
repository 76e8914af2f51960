//! The readable report of `azl-installer probe`: firmware, CPU and memory, then one block per
//! disk (its row, what is on it, why it is busy), then the network interfaces.

use std::fmt::Write;

use super::{Disk, Hardware, Nic, Transport};
use crate::units::human_bytes;

/// The report. Loop devices are left out unless `show_loop`: they are rarely install targets
/// and a live system has several.
pub fn table(hw: &Hardware, show_loop: bool) -> String {
    let mut out = String::new();
    let firmware = hw.firmware.name();
    let _ = writeln!(out, "Firmware: {firmware}");
    let _ = writeln!(
        out,
        "CPU:      {} ({} CPUs)",
        hw.cpu_model.as_deref().unwrap_or("unknown"),
        hw.cpu_count
    );
    let _ = writeln!(out, "Memory:   {}", human_bytes(hw.memory_bytes));

    let (shown, hidden): (Vec<&Disk>, Vec<&Disk>) = hw
        .disks
        .iter()
        .partition(|d| show_loop || d.transport != Transport::Loop);
    out.push_str("\nDISKS\n");
    if shown.is_empty() {
        out.push_str("no disks found\n");
    }
    let header = ["NAME", "SIZE", "TRANSPORT", "KIND", "MODEL", "SERIAL"];
    let rows: Vec<Vec<String>> = shown.iter().map(|d| disk_row(d)).collect();
    let widths = column_widths(&header, &rows);
    if !shown.is_empty() {
        out.push_str(&line(&header.map(String::from), &widths));
    }
    for (disk, row) in shown.iter().zip(&rows) {
        out.push_str(&line(row, &widths));
        disk_details(&mut out, disk);
    }
    if !hidden.is_empty() {
        let _ = writeln!(out, "({} loop device(s) not shown)", hidden.len());
    }

    out.push_str("\nNETWORK\n");
    if hw.nics.is_empty() {
        out.push_str("no network interfaces found\n");
    }
    let header = ["NAME", "MAC", "DRIVER", "LINK", "SPEED", "STATE", "VIRTUAL"];
    let rows: Vec<Vec<String>> = hw.nics.iter().map(nic_row).collect();
    let widths = column_widths(&header, &rows);
    if !rows.is_empty() {
        out.push_str(&line(&header.map(String::from), &widths));
    }
    for row in &rows {
        out.push_str(&line(row, &widths));
    }
    out
}

fn disk_row(d: &Disk) -> Vec<String> {
    // libata names every SATA disk's vendor "ATA": no information.
    let vendor = d.vendor.as_ref().filter(|v| v.as_str() != "ATA");
    let model = match (vendor, &d.model) {
        (Some(v), Some(m)) if !m.starts_with(v.as_str()) => format!("{v} {m}"),
        (_, Some(m)) => m.clone(),
        (Some(v), None) => v.clone(),
        (None, None) => "-".into(),
    };
    let kind = if d.transport == Transport::Loop || d.transport == Transport::Image {
        "-"
    } else if d.is_ssd() {
        "SSD"
    } else {
        "HDD"
    };
    let mut transport = d.transport.name().to_owned();
    if d.removable {
        transport.push_str(" (removable)");
    }
    vec![
        d.name.clone(),
        human_bytes(d.size_bytes),
        transport,
        kind.into(),
        model,
        d.serial.clone().unwrap_or_else(|| "-".into()),
    ]
}

/// Indented lines under a disk: backing file, table, partitions, whole-disk signatures, busy.
fn disk_details(out: &mut String, d: &Disk) {
    if let Some(f) = &d.backing_file {
        let _ = writeln!(out, "  backing file {}", f.display());
    }
    if d.logical_sector != 512 {
        let _ = writeln!(out, "  {}-byte sectors", d.logical_sector);
    }
    if let Some(t) = &d.table {
        let _ = writeln!(out, "  table {t}");
    }
    for p in &d.partitions {
        let label = p.label.as_deref().or(p.part_label.as_deref());
        let text = format!(
            "  {:<14} {:>10}  {:<11} {}",
            p.name,
            human_bytes(p.size_bytes),
            p.fs_type.as_deref().unwrap_or("-"),
            label.map(|l| format!("\"{l}\"")).unwrap_or_default()
        );
        let _ = writeln!(out, "{}", text.trim_end());
    }
    for s in &d.signatures {
        let label = s
            .label
            .as_deref()
            .map(|l| format!(" \"{l}\""))
            .unwrap_or_default();
        let _ = writeln!(out, "  whole disk: {}{label}", s.fs_type);
    }
    if let Some(e) = &d.contents_error {
        let _ = writeln!(out, "  contents unknown: {e}");
    } else if !d.has_content() {
        out.push_str("  empty\n");
    }
    for u in &d.usage {
        let _ = writeln!(out, "  busy: {u}");
    }
}

fn nic_row(n: &Nic) -> Vec<String> {
    let link = match n.carrier {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    };
    vec![
        n.name.clone(),
        n.mac.clone().unwrap_or_else(|| "-".into()),
        n.driver.clone().unwrap_or_else(|| "-".into()),
        link.into(),
        n.speed_mbps
            .map(|s| format!("{s} Mb/s"))
            .unwrap_or_else(|| "-".into()),
        n.operstate.clone(),
        if n.is_virtual { "yes" } else { "no" }.into(),
    ]
}

fn column_widths(header: &[&str], rows: &[Vec<String>]) -> Vec<usize> {
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .chain([h.len()])
                .max()
                .unwrap_or(0)
        })
        .collect()
}

fn line(cells: &[String], widths: &[usize]) -> String {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .map(|(c, w)| format!("{c:<w$}"))
        .collect();
    format!("{}\n", padded.join("  ").trim_end())
}

#[cfg(test)]
mod tests {
    use super::Transport;

    #[test]
    fn transport_names_are_the_json_names() {
        use Transport::*;
        for t in [
            Nvme, Sata, Sas, Scsi, Virtio, Usb, Mmc, Loop, Image, Unknown,
        ] {
            assert_eq!(serde_json::to_value(t).unwrap(), t.name());
        }
    }
}
